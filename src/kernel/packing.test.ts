// The compiled packing into balanced digits (assembly/fft.ts `pack`) against the sequential walk it replaces, and
// the unpacking's carry chains (`unpack`) against BigInt through whole products: every edge a vector step or a chain
// boundary could get wrong (limbs 4999 and 5000 where the carry runs on or stops, all-9999 limbs, runs of them, every
// alignment, lengths around the vector width and the chains' thresholds).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { f64View, u16View, wasm, wasmAlloc, wasmFree } from './wasmheap.js';
import { fftMulLimbs } from './fft.js';
import { natFromLimbs, natToBigInt } from './nat.js';
import { seededRandom as rng } from '../../test/random.js';

/** The sequential walk of `pack`: balanced base-10^d digits (|digit| <= 10^d/2), a final carry digit, the norm. */
function packReference(limbs: readonly number[], d: number): { digits: number[]; normSq: number } {
  // Digits of base 10^d from the limbs' decimal digits, least significant first.
  const dec: number[] = [];
  for (const l of limbs) for (let k = 0, v = l; k < 4; k++, v = Math.floor(v / 10)) dec.push(v % 10);
  const B = 10 ** d;
  const raw: number[] = [];
  for (let i = 0; i < dec.length; i += d) {
    let v = 0;
    for (let k = Math.min(dec.length, i + d) - 1; k >= i; k--) v = 10 * v + dec[k]!;
    raw.push(v);
  }
  const digits: number[] = [];
  let carry = 0;
  for (const r of raw) {
    let v = r + carry;
    carry = v >= B / 2 ? 1 : 0;
    v -= carry * B;
    digits.push(v);
  }
  if (carry) digits.push(1);
  let normSq = 0;
  for (const x of digits) normSq += x * x;
  return { digits, normSq };
}

function packCompiled(limbs: readonly number[], d: number, offset: number): { digits: number[]; normSq: number } {
  const n = limbs.length;
  const src = wasmAlloc(2 * n + 32), dst = wasmAlloc(8 * (2 * n + 16) + 64), res = wasmAlloc(16);
  try {
    const s = src + 2 * offset;
    u16View(s, n).set(limbs);
    wasm().pack(s, n, d, dst, res);
    const r = f64View(res, 2);
    const q = r[1]!;
    return { digits: Array.from(f64View(dst, q)), normSq: r[0]! };
  } finally {
    wasmFree(src);
    wasmFree(dst);
    wasmFree(res);
  }
}

describe('pack: balanced digits', () => {
  test('every digit size, limb patterns at the carry edges, alignments and lengths around the vector width', () => {
    const r = rng(4999);
    const patterns: Record<string, (n: number) => number[]> = {
      random: (n) => Array.from({ length: n }, () => Math.floor(r() * 10000)),
      all4999: (n) => Array<number>(n).fill(4999),
      all5000: (n) => Array<number>(n).fill(5000),
      all9999: (n) => Array<number>(n).fill(9999),
      zeros: (n) => Array<number>(n).fill(0),
      edges: (n) => Array.from({ length: n }, () => [4999, 5000, 4998, 5001, 9999, 0, 1][Math.floor(r() * 7)]!),
      runs: (n) => Array.from({ length: n }, (_, i) => (i % 37 < 20 ? 4999 : Math.floor(r() * 10000))),
      near: (n) => Array.from({ length: n }, () => 4995 + Math.floor(r() * 10)),
      lone4999: (n) => Array.from({ length: n }, (_, i) => (i % 8 === 7 ? 4999 : 5000 + Math.floor(r() * 5000))),
    };
    for (const [name, make] of Object.entries(patterns)) {
      for (const n of [1, 2, 3, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1000, 4097]) {
        const limbs = make(n);
        if (limbs[n - 1] === 0) limbs[n - 1] = 1; // a top limb, as every packed operand has
        for (const d of [4, 3, 5, 2]) {
          const want = packReference(limbs, d);
          for (const offset of [0, 1, 3, 4, 7]) {
            const got = packCompiled(limbs, d, offset);
            // pack writes a zero after an odd count (a whole complex point): compare the digits it counts.
            assert.deepEqual(got.digits.slice(0, want.digits.length), want.digits, `${name} n=${n} d=${d} offset=${offset}`);
            assert.ok(got.digits.slice(want.digits.length).every((x) => x === 0), `${name} n=${n} d=${d}: padding`);
            assert.equal(got.normSq, want.normSq, `${name} n=${n} d=${d}: norm`);
          }
        }
      }
    }
  });
});

describe('unpack: carry chains', () => {
  test('products whose coefficients carry across every chain boundary agree with BigInt', () => {
    const r = rng(9999);
    // Lengths below and above the chains' thresholds; all-9999 operands carry through every limb.
    for (const n of [100, 255, 256, 257, 1023, 1024, 1025, 2047, 2049, 4096, 5000, 20011]) {
      for (const kind of ['random', 'nines', 'power'] as const) {
        const make = (len: number): Uint16Array => {
          const x = new Uint16Array(len);
          for (let i = 0; i < len; i++) x[i] = kind === 'nines' ? 9999 : kind === 'power' ? 0 : Math.floor(r() * 10000);
          if (kind === 'power') x[len - 1] = 1;
          if (x[len - 1] === 0) x[len - 1] = 1;
          return x;
        };
        const a = make(n), b = make(n + 3);
        const want = natToBigInt(natFromLimbs(a)) * natToBigInt(natFromLimbs(b));
        for (const square of [false, true]) {
          const y = square ? a : b;
          const w = square ? natToBigInt(natFromLimbs(a)) ** 2n : want;
          for (const d of [4, 3, 5]) {
            const got = natToBigInt(natFromLimbs(fftMulLimbs(a, y, square, d)));
            assert.equal(got, w, `${kind} n=${n} d=${d} square=${square}`);
          }
        }
      }
    }
  });
});
