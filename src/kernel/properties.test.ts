// Algebraic properties of the kernel (fast-check), plus the residue check catching an injected fault.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ArithmeticCheckError } from '../errors.js';
import { natAdd, natCompare, natDivMod, natFromBigInt, natIsqrt, natMul, natPow, natSqr, natToBigInt } from './index.js';

const digits = (max: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: max, size: 'max' }).map((s) => natFromBigInt(BigInt(s)));
const eq = (x: ReturnType<typeof natFromBigInt>, y: ReturnType<typeof natFromBigInt>) => natCompare(x, y) === 0;

describe('properties', () => {
  test('commutativity and associativity of + and ×, distributivity', () => {
    fc.assert(
      fc.property(digits(6000), digits(3000), digits(800), (a, b, c) => {
        assert.ok(eq(natMul(a, b), natMul(b, a)));
        assert.ok(eq(natAdd(a, b), natAdd(b, a)));
        assert.ok(eq(natMul(natMul(a, b), c), natMul(a, natMul(b, c))));
        assert.ok(eq(natAdd(natAdd(a, b), c), natAdd(a, natAdd(b, c))));
        assert.ok(eq(natMul(a, natAdd(b, c)), natAdd(natMul(a, b), natMul(a, c))));
      }),
      { numRuns: 60 },
    );
  });
  test('division identity a = q·b + r, 0 <= r < b', () => {
    fc.assert(
      fc.property(digits(8000), digits(4000), (a, b) => {
        fc.pre(natToBigInt(b) > 0n);
        const { q, r } = natDivMod(a, b);
        assert.ok(eq(natAdd(natMul(q, b), r), a));
        assert.equal(natCompare(r, b), -1);
      }),
      { numRuns: 80 },
    );
  });
  test('pow(a, m+n) = pow(a, m)·pow(a, n)', () => {
    fc.assert(
      fc.property(digits(40), fc.nat(40), fc.nat(40), (a, m, n) => {
        assert.ok(eq(natPow(a, m + n), natMul(natPow(a, m), natPow(a, n))));
      }),
      { numRuns: 60 },
    );
  });
  test('isqrt(n)² <= n < (isqrt(n)+1)²', () => {
    fc.assert(
      fc.property(digits(5000), (n) => {
        const s = natIsqrt(n);
        const s1 = natAdd(s, natFromBigInt(1n));
        assert.ok(natCompare(natSqr(s), n) <= 0);
        assert.ok(natCompare(natMul(s1, s1), n) > 0);
      }),
      { numRuns: 60 },
    );
  });
});

describe('residue check', () => {
  test('a corrupted product is caught (schoolbook, Karatsuba and FFT sizes)', () => {
    for (const n of [5, 400, 20000]) {
      const a = natFromBigInt(10n ** BigInt(n) - 3n);
      const b = natFromBigInt(10n ** BigInt(n) / 7n);
      let hits = 0;
      const faultHook = (limbs: Uint16Array): void => {
        hits++;
        limbs[limbs.length >> 1] = (limbs[limbs.length >> 1]! + 1) % 10000;
      };
      assert.throws(() => natMul(a, b, { faultHook }), ArithmeticCheckError);
      assert.throws(() => natSqr(a, { faultHook }), ArithmeticCheckError);
      assert.equal(hits, 2);
      assert.equal(natToBigInt(natMul(a, b)), (10n ** BigInt(n) - 3n) * (10n ** BigInt(n) / 7n));
    }
  });
});
