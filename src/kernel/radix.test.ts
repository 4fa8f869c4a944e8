// natFromBigIntSplit (kernel/radix.ts) against natFromBigInt / BigInt itself: random values across the split sizes,
// values at the compiled threshold and the piece boundaries (2^k − 1, 2^k, 2^k + 1) and long runs of zero pieces in the low half.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { natFromBigIntSplit, natsFromBigIntSplit } from './radix.js';
import { natToBigInt } from './nat.js';

/** A random BigInt of about `bits` bits, from 32-bit words. */
const bigOfBits = (min: number, max: number) =>
  fc.tuple(fc.integer({ min, max }), fc.integer()).map(([bits, seed]) => {
    let x = 1n;
    let s = seed >>> 0;
    for (let i = 0; i < Math.ceil(bits / 32); i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      x = (x << 32n) | BigInt(s);
    }
    return x >> BigInt(Math.max(0, Math.ceil(bits / 32) * 32 + 1 - bits));
  });

describe('natFromBigIntSplit', () => {
  test('equals the value for random sizes from 1 bit to 200,000 bits', () => {
    fc.assert(
      fc.property(bigOfBits(1, 200_000), (x) => {
        assert.equal(natToBigInt(natFromBigIntSplit(x)), x);
      }),
      { numRuns: 60 },
    );
  });
  test('zero, small values and powers of two around the compiled threshold and the piece boundaries', () => {
    assert.equal(natToBigInt(natFromBigIntSplit(0n)), 0n);
    assert.equal(natToBigInt(natFromBigIntSplit(7n)), 7n);
    for (const k of [1023, 1024, 1025, 12_288, 16_383, 16_384, 16_385, 32_768, 49_152, 98_304, 150_001]) {
      for (const x of [(1n << BigInt(k)) - 1n, 1n << BigInt(k), (1n << BigInt(k)) + 1n]) {
        assert.equal(natToBigInt(natFromBigIntSplit(x)), x, `2^${k} ± 1`);
      }
    }
  });
  test('zero pieces and zero digits inside (the low pieces of a number with many trailing zero bits, as pi\'s Q)', () => {
    for (const k of [13_000, 40_000, 70_000]) {
      const x = (3n ** 5000n << BigInt(k)) + 5n;
      assert.equal(natToBigInt(natFromBigIntSplit(x)), x);
    }
  });
  test('a negative value is refused', () => {
    assert.throws(() => natFromBigIntSplit(-1n));
    assert.throws(() => natsFromBigIntSplit([5n, -1n]));
  });
  test('several numbers in one call (pieces of all of them converted together, more than one batch of pieces)', () => {
    fc.assert(
      fc.property(fc.array(bigOfBits(1, 120_000), { minLength: 1, maxLength: 9 }), (xs) => {
        assert.deepEqual(natsFromBigIntSplit(xs).map(natToBigInt), xs);
      }),
      { numRuns: 25 },
    );
    // 19 + 2 + 1 pieces and values below the compiled threshold, zero among them.
    const xs = [3n ** 190_000n, 0n, (1n << 16_384n) + 1n, 12345n, (1n << 1024n) - 1n];
    assert.deepEqual(natsFromBigIntSplit(xs).map(natToBigInt), xs);
    assert.deepEqual(natsFromBigIntSplit([]), []);
  });
});
