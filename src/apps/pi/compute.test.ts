// pi's final stage (approximate 1/√10005 and quotient, compute.ts) with a single guard digit: the digits are right
// only if the proven |X − pi·10^M| < 2 holds, and the ambiguous cases (guard digit 0, 1, 8 or 9) take the retry
// path; sizes from the exact small quotients to natDivApprox's two-chunk estimate (qlen >= 480 limbs), against
// Machin's formula on BigInt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { piDecimalPieces, piDecimals, piDecimalsNat } from './compute.js';
import { piDecimals as machin } from '../../../test/pi-oracle.js';

function run(g: Generator<number, Uint8Array>): string {
  let r = g.next();
  while (!r.done) r = g.next();
  return Buffer.from(r.value.buffer, r.value.byteOffset, r.value.length).toString('latin1');
}

test('pi with one guard digit: right digits, retries on ambiguity', () => {
  const ref = machin(10_000);
  const sizes = [...Array.from({ length: 120 }, (_, i) => i + 1), 500, 1919, 1920, 1921, 2500, 4000, 6007, 9999];
  for (let i = 0; i < 60; i++) sizes.push(2000 + 97 * i);
  for (const n of sizes) assert.equal(run(piDecimals(n, 1, 1)), ref.slice(0, n), `n = ${n}`);
});

test('the decimals of X in pieces (a file is written from them) equal its text, whatever the piece size', () => {
  const ref = machin(3000);
  for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 100, 2999]) {
    const g = piDecimalsNat(n, 1);
    let r = g.next();
    while (!r.done) r = g.next();
    const x = r.value;
    for (const size of [4, 5, 8, 12, 1000, 4096]) {
      // Each piece read before the next is taken (a piece's buffer is reused two pieces later).
      let text = '';
      for (const piece of piDecimalPieces(x, n, size)) text += Buffer.from(piece).toString('latin1');
      assert.equal(text, ref.slice(0, n), `n = ${n}, pieces of ${size}`);
    }
  }
});
