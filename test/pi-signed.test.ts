/**
 * pi-signed — the number shapes of apps/pi against BigInt: signed sums and truncated floats (relative error below
 * 10^(1−p)). The budgeted products, division and square root pi uses are the kernel's (src/kernel/planner.test.ts).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { KERNEL_MULTIPLIER, natFromBigInt, natToBigInt } from '../src/kernel/index.js';
import { floatAdd, floatMul, type Float, signed, signedAdd } from '../src/apps/pi/signed.js';

const digitsArb = (min: number, max: number): fc.Arbitrary<bigint> =>
  fc.tuple(fc.integer({ min, max }), fc.integer({ min: 1, max: 9 }), fc.bigInt({ min: 0n, max: 10n ** 40n })).map(
    ([n, lead, salt]) => BigInt(lead) * 10n ** BigInt(n - 1) + ((salt * 7919n ** 97n) % 10n ** BigInt(n - 1)),
  );

const value = (f: Float): { num: bigint; exp: number } => ({
  num: (f.negative ? -1n : 1n) * natToBigInt(f.mantissa),
  exp: f.exponent,
});

/** |approx − exact| < exact · 10^(bound) checked in integers: approx·10^e vs exact. */
function assertRelative(approx: Float, exact: bigint, precision: number, slack: bigint): void {
  const { num, exp } = value(approx);
  const scaled = exp >= 0 ? num * 10n ** BigInt(exp) : num;
  const target = exp >= 0 ? exact : exact * 10n ** BigInt(-exp);
  const error = scaled > target ? scaled - target : target - scaled;
  const magnitude = target < 0n ? -target : target;
  assert.ok(error * 10n ** BigInt(precision - 1) <= magnitude * slack, `relative error too big at precision ${precision}`);
}

describe('pi number shapes', () => {
  test('signed sums follow the signs', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), (x, y) => {
        const s = signedAdd(signed(natFromBigInt(x < 0n ? -x : x), x < 0n), signed(natFromBigInt(y < 0n ? -y : y), y < 0n));
        const got = (s.negative ? -1n : 1n) * natToBigInt(s.magnitude);
        return got === x + y && !(s.negative && got === 0n);
      }),
    );
  });

  test('float products and sums stay within their truncation bounds', () => {
    fc.assert(
      fc.property(digitsArb(1, 300), digitsArb(1, 300), digitsArb(1, 150), fc.integer({ min: 1, max: 120 }), (x, y, z, p) => {
        const fx: Float = { negative: false, mantissa: natFromBigInt(x), exponent: 0 };
        const fy: Float = { negative: true, mantissa: natFromBigInt(y), exponent: 3 };
        const product = floatMul(fx, fy, p, KERNEL_MULTIPLIER);
        assertRelative(product, -(x * y * 1000n), p, 3n);
        // a main term plus a much smaller one of either sign, as in the last Chudnovsky merge
        const big: Float = { negative: false, mantissa: natFromBigInt(x * 10n ** 200n + y), exponent: 5 };
        const small: Float = { negative: true, mantissa: natFromBigInt(z), exponent: 0 };
        const sum = floatAdd(big, small, p);
        assertRelative(sum, (x * 10n ** 200n + y) * 10n ** 5n - z, p, 2n);
      }),
      { numRuns: 200 },
    );
  });

});
