/**
 * planner — the one product planner: each branch is chosen at the right sizes and budgets, every executed plan
 * gives BigInt's product, groups share transforms only when their spectra fit, and the kernel's division and
 * square root honour a small budget through the planner's split.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FFT_MAX_LENGTH, fftFits, fftWorkingBytes, spectraHeapBytes, worstCasePlan } from './fft.js';
import { digitProductWorkingBytes } from './digitproduct.js';
import { Multiplier } from './multiplier.js';
import { divisionHeldBytes, loadedHeldBytes, splitHeldBytes, streamedHeldBytes } from './budget.js';
import { getConfig } from '../config.js';
import { CHUNKED_DIV_LIMBS, natDivMod } from './div.js';
import { natFromBigInt, natToBigInt, type Nat } from './nat.js';
import {
  FFT_THRESHOLD, KARATSUBA_THRESHOLD, MIN_SPLIT_DIGITS, mulWorkingBytes, planOutOfCore, planProduct, planSharedTransforms, type ProductPlan, usesFft,
} from './planner.js';
import { natIsqrt } from './sqrt.js';
import { InvalidArgumentError } from '../errors.js';

const N = natFromBigInt;
const B = natToBigInt;

/** An n-digit number with a non-zero leading digit (mixed digits, from a small seed). */
function digits(n: number, seed: number): bigint {
  let s = seed >>> 0 || 1;
  let text = String(1 + (s % 9));
  for (let i = 1; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    text += String(s % 10);
  }
  return BigInt(text);
}

const digitsArb = (min: number, max: number): fc.Arbitrary<bigint> =>
  fc.tuple(fc.integer({ min, max }), fc.integer()).map(([n, seed]) => digits(n, seed));

/** Runs body with an `onPlan` option that records every plan natMul/natSqr execute (through a Multiplier). */
function observed<T>(body: (onPlan: (plan: ProductPlan) => void) => T): { value: T; plans: ProductPlan[] } {
  const plans: ProductPlan[] = [];
  return { value: body((p) => plans.push(p)), plans };
}

describe('planProduct picks each branch at the right sizes and budgets', () => {
  test('schoolbook, then Karatsuba below the FFT threshold, FFT above, whatever the budget for small products', () => {
    const small = 4 * (FFT_THRESHOLD - 1);
    assert.equal(planProduct(4 * (KARATSUBA_THRESHOLD - 1), small).method, 'schoolbook');
    assert.equal(planProduct(small, small).method, 'karatsuba');
    assert.equal(planProduct(4 * FFT_THRESHOLD, 4 * FFT_THRESHOLD).method, 'fft');
    // Unbalanced: from half the threshold the FFT takes products whose lengths multiply to the threshold squared.
    const half = FFT_THRESHOLD / 2;
    assert.equal(planProduct(4 * (half - 1), 1e6).method, 'karatsuba');
    assert.equal(planProduct(4 * half, 4 * 2 * FFT_THRESHOLD).method, 'fft');
    assert.equal(planProduct(4 * half, 4 * (2 * FFT_THRESHOLD - 1)).method, 'karatsuba');
    assert.ok(usesFft(half, 2 * FFT_THRESHOLD, FFT_THRESHOLD) && !usesFft(half - 1, 1e6, FFT_THRESHOLD));
    assert.equal(planProduct(1e6, 1e6).method, 'fft');
    // Too small to split: the FFT even over a tiny budget (its working set is far below any real budget).
    assert.equal(planProduct(MIN_SPLIT_DIGITS - 1, 1e6, { budget: 1 }).method, 'fft');
  });

  test('Karatsuba only where its threshold is set below the FFT\'s', () => {
    const options = { karatsubaThreshold: 8, fftThreshold: 1e9 };
    assert.equal(planProduct(4 * 7, 1000, options).method, 'schoolbook');
    assert.equal(planProduct(4 * 8, 1000, options).method, 'karatsuba');
    assert.equal(planProduct(4 * 8, 1000).method, 'schoolbook', 'the options were per call: the defaults are intact');
  });

  test('FFT while its working bytes fit the budget, then the split, at the exact boundary', () => {
    const need = mulWorkingBytes(1e6, 1e6);
    assert.equal(need, fftWorkingBytes(250_000, 250_000) + 2 * 500_000);
    assert.equal(planProduct(1e6, 1e6, { budget: need }).method, 'fft');
    const split = planProduct(1e6, 1e6, { budget: need - 1 });
    assert.equal(split.method, 'split');
    assert.equal(split.splitDigits % 4, 0);
    assert.ok(split.splitDigits >= 4.99e5 && split.splitDigits <= 5e5);
    // Unbalanced: the larger operand is cut.
    assert.equal(planProduct(2e5, 1e6, { budget: 1 }).splitDigits, 5e5);
  });

  test('operands in files: their limbs and the result writing count; beyond the budget one split, then out of core', () => {
    const memory = planProduct(1e6, 1e6);
    const files = planProduct(1e6, 1e6, { operands: 'files' });
    assert.equal(files.method, 'fft');
    // Both operands as limbs (0.5 byte a digit, never their whole text) and two 2^20-digit pieces of the result's text
    // with the conversion's staging (budget.ts loadedHeldBytes).
    assert.equal(files.workingBytes - memory.workingBytes, loadedHeldBytes(1e6, 1e6));
    assert.equal(loadedHeldBytes(1e6, 1e6), 0.5 * 2e6 + 3.5 * 2 ** 20);
    assert.equal(planProduct(1e6, 1e6, { operands: 'memory', budget: files.workingBytes - 1 }).method, 'fft');
    // Just below one FFT's need, and down to where the halves' products, the operands, the result and the split's
    // sums still fit: one Karatsuba split in memory (~1.1–1.5× one FFT's time, where out of core costs ~2×).
    const split = planProduct(1e6, 1e6, { operands: 'files', budget: files.workingBytes - 1 });
    assert.equal(split.method, 'split');
    assert.equal(split.splitDigits, 5e5);
    assert.equal(planProduct(1e6, 1e6, { operands: 'files', budget: 16 << 20 }).method, 'split');
    // Below that, a second split would cost more than the out-of-core product.
    assert.equal(planProduct(1e6, 1e6, { operands: 'files', budget: 14 << 20 }).method, 'outOfCore');
    assert.equal(planProduct(1e6, 1e6, { operands: 'files', budget: 12 << 20 }).method, 'outOfCore');
    assert.equal(planProduct(1e6, 1e6, { operands: 'files', budget: 4 << 20 }).method, 'outOfCore');
  });

  test('budget.ts charges: limbs and the write pieces for a loaded product, 2 bytes a digit for a split, 3 for a division', () => {
    const pieces = 3.5 * 2 ** 20; // two 2^20-digit pieces of text and the conversion's staging
    assert.equal(loadedHeldBytes(1e7, 1e7), 1e7 + pieces);
    assert.equal(loadedHeldBytes(1000, 1000), 1000 + 3.5 * 2000); // a short result: its own size of pieces
    assert.equal(splitHeldBytes(1e7, 1e7), 4e7 + pieces);
    assert.equal(divisionHeldBytes(2e7, 1e7), 9e7);
    // Small blocks: 4 KiB and 160 bytes a thread (unpacking's results, 4 runs a thread).
    assert.equal(streamedHeldBytes(6.4e7, 6.4e7), 2 * 2 ** 20 + pieces + 4096 + 160 * getConfig().threads);
  });

  test('streamed file products (the engine mul): one FFT while its transforms, tables and staging fit, else as files', () => {
    const GiB = 2 ** 30;
    // The case: 6.4·10^7 × 6.4·10^7 at the default 1 GiB is one FFT streamed, where loaded it splits.
    const streamed = planProduct(6.4e7, 6.4e7, { operands: 'streamed', budget: GiB });
    assert.equal(streamed.method, 'fft');
    assert.equal(streamed.workingBytes, digitProductWorkingBytes(6.4e7, 6.4e7));
    assert.equal(planProduct(6.4e7, 6.4e7, { operands: 'files', budget: GiB }).method, 'split');
    // 10^8 × 10^8 at 1 GiB: its transforms alone are 1.5 GiB, so streamed or not it goes out of core.
    assert.equal(planProduct(1e8, 1e8, { operands: 'streamed', budget: GiB }).method, 'outOfCore');
    assert.equal(planProduct(1e8, 1e8, { operands: 'files', budget: GiB }).method, 'outOfCore');
    // At the exact boundary, and one byte below it: then one split where its parts fit, else out of core, as for
    // 'files' operands (whose loaded FFT, counted otherwise, is never taken for streamed ones: the engine streams
    // every 'fft' plan, so that its count is what the budget bounds).
    for (const [a, b] of [[1e6, 1e6], [4e6, 1e5], [3e5, 3e5]] as const) {
      const need = digitProductWorkingBytes(a, b);
      assert.equal(planProduct(a, b, { operands: 'streamed', budget: need }).method, 'fft', `${a}×${b} at its need`);
      const below = planProduct(a, b, { operands: 'streamed', budget: need - 1 });
      const files = planProduct(a, b, { operands: 'files', budget: need - 1 });
      assert.ok(below.method === 'split' || below.method === 'outOfCore', `${a}×${b} below it: ${below.method}`);
      if (files.method !== 'fft') assert.equal(below.method, files.method, `${a}×${b} below it, as files`);
    }
    // A square holds one transform and the unpacking's scratch instead of two transforms.
    const square = planProduct(1.6e7, 1.6e7, { operands: 'streamed', square: true });
    assert.ok(square.workingBytes < 0.8 * planProduct(1.6e7, 1.6e7, { operands: 'streamed' }).workingBytes);
    // Small products are not streamed: the small methods as for any operands.
    assert.equal(planProduct(400, 400, { operands: 'streamed' }).method, 'schoolbook');
  });

  test('squares are planned as such; bad requests are typed errors', () => {
    assert.equal(planProduct(1e5, 1e5, { square: true }).square, true);
    assert.throws(() => planProduct(-1, 5), InvalidArgumentError);
    assert.throws(() => planProduct(5, Number.NaN), InvalidArgumentError);
    assert.throws(() => planProduct(5, 5, { budget: 0 }), InvalidArgumentError);
  });

  test('transform reuse only while the live spectra fit', () => {
    const M = 1 << 16;
    const needed = spectraHeapBytes(M, 5); // five live spectra and the tables in the wasm memory
    assert.equal(planSharedTransforms(M, 5, 0, needed), true);
    assert.equal(planSharedTransforms(M, 5, 0, needed - 1), false);
    assert.equal(planSharedTransforms(M, 5, 1000, needed), false);
  });
});

describe('executed plans equal BigInt', () => {
  test('products and squares however often the budget splits them (1 byte: split down to MIN_SPLIT_DIGITS)', () => {
    fc.assert(
      fc.property(digitsArb(1, 30_000), digitsArb(1, 30_000), fc.boolean(), (x, y, square) => {
        const a = N(x);
        const b = square ? a : N(y);
        const { value, plans } = observed((onPlan) => {
          const tiny = new Multiplier({ budget: 1, onPlan });
          return square ? tiny.sqr(a) : tiny.mul(a, b);
        });
        if (Math.min(String(x).length, String(square ? x : y).length) >= MIN_SPLIT_DIGITS) {
          assert.ok(plans.some((p) => p.method === 'split'), 'the product was split');
        }
        for (const p of plans) if (p.method === 'fft') assert.ok(Math.min(p.aDigits, p.bDigits) < MIN_SPLIT_DIGITS);
        return B(value) === x * (square ? x : y);
      }),
      { numRuns: 25 },
    );
  });

  test('a split product with a real budget: every FFT leaf fits it', () => {
    const x = digits(200_000, 3), y = digits(150_000, 4);
    const budget = mulWorkingBytes(200_000, 150_000) / 3;
    const { value, plans } = observed((onPlan) => new Multiplier({ budget, onPlan }).mul(N(x), N(y)));
    assert.equal(B(value), x * y);
    assert.ok(plans.filter((p) => p.method === 'split').length >= 1);
    for (const p of plans) if (p.method === 'fft') assert.ok(p.workingBytes <= budget, `${p.workingBytes} > ${budget}`);
  });

  test('low zero limbs are skipped: 123456789·10^(2·10^5) times 987654321·10^99999 costs a schoolbook product', () => {
    const a = N(123_456_789n * 10n ** 200_000n); // three limbs left of each: above natMulSmall's factors
    const { value, plans } = observed((onPlan) => new Multiplier({ onPlan }).mul(a, N(987_654_321n * 10n ** 99_999n)));
    assert.equal(B(value), 123_456_789n * 987_654_321n * 10n ** 299_999n);
    assert.deepEqual(plans.map((p) => p.method), ['schoolbook']);
  });

  test('a factor <= 2^26 is one linear pass, planned nowhere (no doubles of the product held)', () => {
    const big = digits(400_000, 9); // 10^5 limbs: a schoolbook plan would hold 1.6 MB of doubles
    for (const m of [1n, 7n, 9999n, 10_000n, 2n ** 26n]) {
      for (const [x, y] of [[N(big), N(m)], [N(m), N(big)]] as const) {
        const { value, plans } = observed((onPlan) => new Multiplier({ onPlan }).mul(x, y));
        assert.equal(B(value), big * m);
        assert.deepEqual(plans, []);
      }
    }
    // Just above 2^26 the small plan multiplies (two limbs, exact either way).
    const above = observed((onPlan) => new Multiplier({ onPlan }).mul(N(big), N(2n ** 26n + 1n)));
    assert.equal(B(above.value), big * (2n ** 26n + 1n));
    assert.deepEqual(above.plans.map((p) => p.method), ['schoolbook']);
    // Low zero limbs first, then the one limb left: 9999·10^(4·10^4) × 10^(4·3)·5.
    assert.equal(B(new Multiplier().mul(N(9999n * 10n ** 40_000n), N(5n * 10n ** 12n))), 49995n * 10n ** 40_012n);
  });

  test('sums of products share transforms when they fit, and fall back to single plans when not', () => {
    const [t1, q2, p1, t2, q1] = [1, 2, 3, 4, 5].map((s) => digits(20_000 + 1000 * s, s));
    const sums = (): Array<Array<readonly [Nat, Nat]>> => {
      const [T1, Q2, P1, T2, Q1] = [t1, q2, p1, t2, q1].map((v) => N(v!));
      return [[[T1!, Q2!], [P1!, T2!]], [[Q1!, Q2!]]];
    };
    const expected = [t1! * q2! + p1! * t2!, q1! * q2!];
    const shared = observed((onPlan) => new Multiplier({ onPlan }).sumsOfProducts(sums()));
    assert.deepEqual(shared.value.map(B), expected);
    assert.equal(shared.plans.length, 0, 'all products came from shared spectra');
    // Enough for the largest single FFT (32·M bytes of buffers), not for five spectra of 16·M bytes.
    const single = observed((onPlan) => new Multiplier({ budget: mulWorkingBytes(25_000, 25_000), onPlan }).sumsOfProducts(sums()));
    assert.deepEqual(single.value.map(B), expected);
    assert.deepEqual(single.plans.map((p) => p.method), ['fft', 'fft', 'fft'], 'each product planned on its own');
  });
});

describe('kernel division and square root honour the budget they are given', () => {
  const budget = 64 * 1024; // far below what a 20,000-digit FFT product needs

  test('natDivMod with a small budget: exact, split products, every FFT within the budget', () => {
    fc.assert(
      fc.property(digitsArb(40_000, 60_000), digitsArb(12_000, 20_000), (x, y) => {
        const { value, plans } = observed((onPlan) => natDivMod(N(x), N(y), new Multiplier({ budget, onPlan })));
        assert.equal(B(value.q), x / y);
        assert.equal(B(value.r), x % y);
        assert.ok(plans.some((p) => p.method === 'split'), 'some product was split');
        for (const p of plans) if (p.method === 'fft') assert.ok(p.workingBytes <= budget || Math.min(p.aDigits, p.bDigits) < MIN_SPLIT_DIGITS);
        return true;
      }),
      { numRuns: 6 },
    );
  });

  test('natIsqrt with a small budget: s² ≤ a < (s+1)², split products, every FFT within the budget', () => {
    for (const [n, seed] of [[50_001, 1], [64_000, 2], [80_003, 3]] as const) {
      const a = digits(n, seed);
      const { value, plans } = observed((onPlan) => natIsqrt(N(a), new Multiplier({ budget, onPlan })));
      const s = B(value);
      assert.ok(s * s <= a && a < (s + 1n) * (s + 1n), `${n} digits`);
      assert.ok(plans.some((p) => p.method === 'split'));
      for (const p of plans) if (p.method === 'fft') assert.ok(p.workingBytes <= budget || Math.min(p.aDigits, p.bDigits) < MIN_SPLIT_DIGITS);
    }
  });

  test('two-chunk Newton division: exact at the chunk boundary (remainders 0 and b − 1, quotient limbs 9999 and 0)', () => {
    const r = (n: number, seed: number): bigint => digits(n, seed);
    for (const [qd, bd] of [[4 * CHUNKED_DIV_LIMBS, 4 * CHUNKED_DIV_LIMBS], [4 * CHUNKED_DIV_LIMBS + 5, 2000], [12_001, 30_000], [40_000, 1500]] as const) {
      const b = r(bd, qd + bd);
      const c = BigInt(Math.ceil((qd / 4 + 1) / 2));
      const base = 10n ** (4n * c); // around the chunk boundary B^c
      for (const q of [r(qd, qd), base * r(qd - 4 * Number(c), 7) - 1n, base * r(qd - 4 * Number(c), 9), base - 1n]) {
        for (const rem of [0n, b - 1n, b / 3n]) {
          const a = q * b + rem;
          const got = natDivMod(N(a), N(b));
          assert.equal(B(got.q), q, `${qd}/${bd}`);
          assert.equal(B(got.r), rem);
        }
      }
    }
  });

  test('exact floor division and scaled square roots as pi uses them (formerly pi\'s own Newton code)', () => {
    fc.assert(
      fc.property(digitsArb(1, 4000), digitsArb(1, 2500), (x, y) => B(natDivMod(N(x), N(y), new Multiplier(1)).q) === x / y),
      { numRuns: 60 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 20 }), fc.integer({ min: 0, max: 3000 }), (c, k) => {
        const target = BigInt(c) * 10n ** BigInt(2 * k);
        const s = B(natIsqrt(N(target), new Multiplier(1)));
        return s * s <= target && target < (s + 1n) * (s + 1n);
      }),
      { numRuns: 60 },
    );
  });
});

describe('never one FFT longer than the kernel supports; the out-of-core method', () => {
  test('products past FFT_MAX_LENGTH split (memory), split once or go out of core (files), whatever the budget', () => {
    const budget = 2 ** 40; // far more than any FFT would need: only the length limit can refuse it
    for (const [a, b, files] of [[4e8, 4e8, 'outOfCore'], [2e8, 2e8, 'split'], [1e9, 1e3, 'split'], [3e8, 1e8, 'split']] as const) {
      assert.equal(fftFits(Math.ceil(a / 4), Math.ceil(b / 4)), false, `${a}×${b} is past the limit`);
      assert.ok(worstCasePlan(Math.ceil(a / 4), Math.ceil(b / 4)).N / 2 > FFT_MAX_LENGTH);
      // Files split once only when the halves are within the kernel's length (4·10^8 halves are not).
      assert.equal(planProduct(a, b, { budget, operands: 'files' }).method, files, `${a}×${b} from files`);
      assert.equal(planProduct(a, b, { budget, operands: 'streamed' }).method, files, `${a}×${b} streamed from files`);
      assert.equal(planProduct(a, b, { budget }).method, 'split');
    }
    assert.equal(planProduct(1e7, 1e7, { budget }).method, 'fft', 'a product that fits stays one FFT');
  });

  test('planOutOfCore keeps the block convolution for a few blocks only', () => {
    assert.equal(planOutOfCore(1, 1), 'blockConvolution');
    assert.equal(planOutOfCore(4, 4), 'blockConvolution');
    assert.equal(planOutOfCore(1000, 2), 'blockConvolution', 'pairs grow linearly with a 2-block operand');
    assert.equal(planOutOfCore(5, 5), 'transform2d');
    assert.equal(planOutOfCore(3), 'blockConvolution');
    assert.equal(planOutOfCore(4), 'transform2d');
    assert.equal(planOutOfCore(200, 200), 'transform2d');
  });
});
