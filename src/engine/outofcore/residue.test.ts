/** The compiled residue of decimal text (assembly/residue.ts) against BigInt, at every head length and across staging pieces. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asciiResidue, BackwardResidue } from './residue.js';
import { u8View, wasmAlloc, wasmFree } from '../../kernel/wasmheap.js';

const PRIMES = [2, 3, 10007, 33554393, 67108859]; // up to the largest prime < 2^26

function digits(n: number, seed: number, fill?: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = 48 + (fill ?? (x >>> 16) % 10);
  }
  return b;
}

test('asciiResidue equals BigInt mod p for every length up to 100, extremes and an offset range', () => {
  for (const p of PRIMES) {
    for (let n = 0; n <= 100; n++) {
      for (const text of [digits(n, n + p), digits(n, 0, 9), digits(n, 0, 0)]) {
        const want = n === 0 ? 0 : Number(BigInt(text.toString('latin1')) % BigInt(p));
        assert.equal(asciiResidue(text, 0, n, p), want, `p=${p} n=${n} ${text.toString('latin1')}`);
      }
    }
    const long = digits(5000, 7);
    assert.equal(asciiResidue(long, 13, 4321, p), Number(BigInt(long.subarray(13, 4321).toString('latin1')) % BigInt(p)));
  }
});

test('asciiResidue reads the wasm memory in place and longer text through staging pieces: same value', () => {
  const p = 33554393;
  const text = digits((1 << 20) * 2 + 77, 3);
  const want = Number(BigInt(text.toString('latin1')) % BigInt(p));
  assert.equal(asciiResidue(text, 0, text.length, p), want);
  const at = wasmAlloc(text.length);
  try {
    u8View(at, text.length).set(text);
    assert.equal(asciiResidue(u8View(at, text.length), 0, text.length, p), want);
  } finally {
    wasmFree(at);
  }
});

test('BackwardResidue: chunks least significant first give the whole number mod p', () => {
  const p = 10007;
  const text = digits(1000, 11);
  const r = new BackwardResidue(p);
  for (let end = text.length; end > 0; end -= 97) r.add(text, Math.max(0, end - 97), end);
  assert.equal(r.residue, Number(BigInt(text.toString('latin1')) % BigInt(p)));
});
