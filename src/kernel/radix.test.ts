// natFromBigIntSplit (kernel/radix.ts) against natFromBigInt / BigInt itself: random values across the split sizes,
// values at the compiled threshold and the piece boundaries (2^k − 1, 2^k, 2^k + 1) and long runs of zero pieces in the low half.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { natFromBigIntSplit } from './radix.js';
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
  });
});
