// Differential tests of every kernel operation against BigInt, on random operands of random sizes and on the
// edge cases that exercise carries, borrows, limb boundaries and algorithm crossovers.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { DivideByZeroError, InvalidArgumentError, InvalidNumberError, NegativeExponentError } from '../errors.js';
import {
  natAdd, natCompare, natDigitCount, natDivMod, natDivSmall, natFromBigInt, natFromDigits, natFromNumber, natIsqrt,
  natIsZero, natLowDigits, natModSmall, natMul, natMulSmall, natPow, natShiftDecimal, natSqr, natSub, natToBigInt,
  natToDigits, natTruncDecimal, mulWorkingBytes, type Nat,
} from './index.js';
import { FFT_THRESHOLD, KARATSUBA_THRESHOLD } from './mul.js';
import { NEWTON_DIV_THRESHOLD } from './div.js';
import { Multiplier } from './multiplier.js';
import { randomNatural as randomDigits, seededRandom as rng } from '../../test/random.js';



/** Random, 9-run, 0-run, power-of-ten and 10^k−1 operands of n digits. */
function operand(r: () => number, n: number): bigint {
  const kind = Math.floor(r() * 6);
  const p = 10n ** BigInt(n);
  if (kind === 0) return p - 1n;
  if (kind === 1) return p / 10n;
  if (kind === 2) return (p - 1n) - ((p / 10n ** BigInt(Math.floor(r() * n))) % p); // 9s then a tail
  if (kind === 3) return p / 10n + BigInt(Math.floor(r() * 1000)); // 1 0000...0xyz
  return randomDigits(r, n);
}

const N = (x: bigint): Nat => natFromBigInt(x);
const B = (x: Nat): bigint => natToBigInt(x);

function sizes(r: () => number, count: number, max: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(1 + Math.floor(Math.exp(r() * Math.log(max))));
  return out;
}

describe('conversions', () => {
  test('digits round trip, leading zeros, zero', () => {
    const enc = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
    assert.equal(Buffer.from(natToDigits(natFromDigits(enc('0')))).toString(), '0');
    assert.equal(Buffer.from(natToDigits(natFromDigits(enc('0000')))).toString(), '0');
    assert.equal(Buffer.from(natToDigits(natFromDigits(enc('000123456789')))).toString(), '123456789');
    assert.equal(B(natFromDigits(enc('xx98765x'), 2, 7)), 98765n);
    for (let n = 1; n <= 40; n++) {
      const s = '9'.repeat(n);
      assert.equal(Buffer.from(natToDigits(natFromDigits(enc(s)))).toString(), s);
      assert.equal(natDigitCount(natFromDigits(enc(s))), n);
      assert.equal(natDigitCount(natFromDigits(enc('1' + '0'.repeat(n - 1)))), n);
    }
  });
  test('bad digits are InvalidNumberError with the offset', () => {
    const bad = new Uint8Array(Buffer.from('12a4'));
    assert.throws(() => natFromDigits(bad), (e: unknown) => e instanceof InvalidNumberError && e.offset === 2);
    assert.throws(() => natFromDigits(new Uint8Array(0)), InvalidNumberError);
    assert.throws(() => natFromNumber(-1), InvalidArgumentError);
    assert.throws(() => natFromNumber(2 ** 53), InvalidArgumentError);
  });
  test('random round trips up to 10^5 digits, number and BigInt', () => {
    const r = rng(1);
    for (const n of sizes(r, 40, 100000)) {
      const x = operand(r, n);
      assert.equal(B(N(x)), x);
      assert.equal(Buffer.from(natToDigits(N(x))).toString(), x.toString());
      assert.equal(natDigitCount(N(x)), x.toString().length);
    }
    for (const v of [0, 1, 9999, 10000, 123456789, Number.MAX_SAFE_INTEGER]) assert.equal(B(natFromNumber(v)), BigInt(v));
    assert.ok(natIsZero(N(0n)) && !natIsZero(N(1n)));
  });
});

describe('linear operations', () => {
  test('add, sub, compare against BigInt', () => {
    const r = rng(2);
    for (let i = 0; i < 200; i++) {
      const [n, m] = sizes(r, 2, i < 150 ? 60 : 100000);
      const a = operand(r, n), b = operand(r, m);
      assert.equal(B(natAdd(N(a), N(b))), a + b);
      assert.equal(natCompare(N(a), N(b)), a < b ? -1 : a > b ? 1 : 0);
      const [hi, lo] = a >= b ? [a, b] : [b, a];
      assert.equal(B(natSub(N(hi), N(lo))), hi - lo);
      assert.equal(B(natSub(N(a), N(a))), 0n);
    }
    assert.throws(() => natSub(N(5n), N(6n)), InvalidArgumentError);
    assert.equal(B(natAdd(N(10n ** 40n - 1n), N(1n))), 10n ** 40n);
    assert.equal(B(natSub(N(10n ** 40n), N(1n))), 10n ** 40n - 1n);
  });
  test('small multiply, divide, modulo', () => {
    const r = rng(3);
    for (let i = 0; i < 150; i++) {
      const [n] = sizes(r, 1, 20000);
      const a = operand(r, n);
      const m = [0, 1, 9, 10, 9999, 10000, 2 ** 26, 1 + Math.floor(r() * 2 ** 26)][i % 8];
      assert.equal(B(natMulSmall(N(a), m)), a * BigInt(m));
      if (m > 0) {
        const { q, r: rem } = natDivSmall(N(a), m);
        assert.equal(B(q), a / BigInt(m));
        assert.equal(BigInt(rem), a % BigInt(m));
        assert.equal(BigInt(natModSmall(N(a), m)), a % BigInt(m));
      }
    }
    assert.throws(() => natDivSmall(N(5n), 0), DivideByZeroError);
    assert.throws(() => natMulSmall(N(5n), 2 ** 26 + 1), InvalidArgumentError);
  });
  test('decimal shifts, truncation and low digits at every offset mod 4', () => {
    const r = rng(4);
    for (let i = 0; i < 120; i++) {
      const [n] = sizes(r, 1, 5000);
      const a = operand(r, n);
      const k = Math.floor(r() * (n + 10));
      const p = 10n ** BigInt(k);
      assert.equal(B(natShiftDecimal(N(a), k)), a * p);
      assert.equal(B(natTruncDecimal(N(a), k)), a / p);
      assert.equal(B(natLowDigits(N(a), k)), a % p);
    }
  });
});

describe('multiplication', () => {
  test('random sizes 1..10^5 digits, balanced and unbalanced, squares', () => {
    const r = rng(5);
    for (let i = 0; i < 60; i++) {
      const [n, m] = sizes(r, 2, 100000);
      const a = operand(r, n), b = operand(r, i % 3 === 0 ? n : m);
      assert.equal(B(natMul(N(a), N(b))), a * b, `${n}×${m}`);
      if (i % 4 === 0) assert.equal(B(natSqr(N(a))), a * a, `${n}²`);
    }
  });
  test('edge operands: 0, 1, 10^k, 10^k − 1, equal operands', () => {
    for (const k of [1, 3, 4, 5, 8, 100, 4 * KARATSUBA_THRESHOLD, 4 * FFT_THRESHOLD, 4 * FFT_THRESHOLD + 1, 30001]) {
      const p = 10n ** BigInt(k);
      for (const [a, b] of [[0n, p], [1n, p - 1n], [p, p], [p - 1n, p - 1n], [p - 1n, p + 1n], [p / 2n, p - 1n]] as const) {
        assert.equal(B(natMul(N(a), N(b))), a * b, `k=${k}`);
      }
      assert.equal(B(natSqr(N(p - 1n))), (p - 1n) * (p - 1n));
    }
  });
  test('sizes around the Karatsuba and FFT crossovers and limb boundaries', () => {
    const r = rng(6);
    for (const limbs of [KARATSUBA_THRESHOLD, FFT_THRESHOLD]) {
      for (let dl = -2; dl <= 2; dl++) {
        for (let dd = 0; dd < 4; dd++) {
          const n = 4 * (limbs + dl) - dd;
          const a = operand(r, n), b = randomDigits(r, n);
          assert.equal(B(natMul(N(a), N(b))), a * b, `${n} digits`);
          const c = randomDigits(r, 4 * (limbs + dl));
          const d = randomDigits(r, 2 * n + 1);
          assert.equal(B(natMul(N(c), N(d))), c * d, `${n} × ${2 * n + 1} digits`);
        }
      }
    }
  });
  test('FFT forced down to tiny sizes (every transform length, packing edge cases)', () => {
    const r = rng(7);
    const options = { karatsubaThreshold: 2, fftThreshold: 1 };
    for (let n = 1; n <= 160; n++) {
      const a = operand(r, n), b = operand(r, 1 + Math.floor(r() * n));
      assert.equal(B(natMul(N(a), N(b), options)), a * b, `${n}`);
      assert.equal(B(natSqr(N(a), options)), a * a, `${n}²`);
    }
  });
  test('Karatsuba forced (leaf 8, no FFT): balanced and unbalanced operands up to 400 limbs', () => {
    const r = rng(17);
    const options = { karatsubaThreshold: 8, fftThreshold: 1e9 };
    for (let i = 0; i < 40; i++) {
      const n = 1 + Math.floor(r() * 1600);
      const a = operand(r, n), b = operand(r, 1 + Math.floor(r() * 1600));
      assert.equal(B(natMul(N(a), N(b), options)), a * b, `${n}`);
      assert.equal(B(natSqr(N(a), options)), a * a, `${n}²`);
    }
  });
  test('pow against BigInt, 0^0 = 1, negative exponent', () => {
    const r = rng(8);
    for (let i = 0; i < 30; i++) {
      const a = operand(r, 1 + Math.floor(r() * 30));
      const e = Math.floor(r() * 60);
      assert.equal(B(natPow(N(a), e)), a ** BigInt(e));
    }
    assert.equal(B(natPow(N(0n), 0)), 1n);
    assert.equal(B(natPow(N(7n), 1000)), 7n ** 1000n);
    assert.throws(() => natPow(N(2n), -1), NegativeExponentError);
  });
  test('mulWorkingBytes grows about linearly and is positive', () => {
    const small = mulWorkingBytes(1000, 1000);
    const big = mulWorkingBytes(1e6, 1e6);
    assert.ok(small > 0 && big > 1e6 && big < 200e6, `${small} ${big}`);
  });
});

describe('division and square root', () => {
  test('divmod against BigInt, schoolbook and Newton paths', () => {
    const r = rng(9);
    for (const th of [NEWTON_DIV_THRESHOLD, 3]) {
      const mult = new Multiplier({ newtonDivThreshold: th });
      for (let i = 0; i < 70; i++) {
        const [n, m] = sizes(r, 2, i < 50 ? 3000 : 100000);
        const a = operand(r, Math.max(n, m)), b = operand(r, Math.min(n, m)) || 7n;
        const { q, r: rem } = natDivMod(N(a), N(b), mult);
        assert.equal(B(q), a / b, `${a.toString().length}/${b.toString().length}`);
        assert.equal(B(rem), a % b);
      }
    }
  });
  test('division edge cases', () => {
    assert.throws(() => natDivMod(N(1n), N(0n)), DivideByZeroError);
    const p = 10n ** 5000n;
    for (const [a, b] of [[0n, 5n], [5n, p], [p, p], [p - 1n, p], [p * p - 1n, p - 1n], [p * p, p + 1n], [p * (p - 1n), p - 1n]] as const) {
      const { q, r } = natDivMod(N(a), N(b));
      assert.equal(B(q), a / b);
      assert.equal(B(r), a % b);
    }
  });
  test('isqrt is the exact floor, random and near squares', () => {
    const r = rng(10);
    for (let i = 0; i < 60; i++) {
      const [n] = sizes(r, 1, i < 50 ? 3000 : 40000);
      const a = operand(r, n);
      for (const x of [a, a * a, a * a - 1n, a * a + 1n]) {
        if (x < 0n) continue;
        const s = B(natIsqrt(N(x)));
        assert.ok(s * s <= x && (s + 1n) * (s + 1n) > x, `isqrt of ${n * 2} digits`);
      }
    }
    for (let x = 0n; x < 200n; x++) {
      const s = B(natIsqrt(N(x)));
      assert.ok(s * s <= x && (s + 1n) * (s + 1n) > x);
    }
  });
});
