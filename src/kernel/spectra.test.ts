// Spectra API (natSpectrumPlan / natSpectrum / natMulSpectra / natMulAddSpectra) and the mixed-length FFT engine,
// against BigInt: every digit size, both length families (2^k and 3·2^k), squares, sums of products, small sizes.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ArithmeticCheckError, InvalidArgumentError } from '../errors.js';
import { natFromBigInt, natToBigInt, natMulSpectra, natMulAddSpectra, natSpectrum, natSpectrumPlan } from './index.js';
import { balancedNormSq, fftMulLimbs, lastFftLength } from './fft.js';
import { u16View, wasm, wasmAlloc, wasmFree } from './wasmheap.js';
import { mixedBound, transformLength } from './fftcore.js';
import { natFromLimbs } from './nat.js';
import { randomNatural as digits, seededRandom as rng } from '../../test/random.js';



describe('mixed-length FFT engine', () => {
  test('transformLength picks the smallest 2^k, 3·2^k or 5·2^k', () => {
    assert.equal(transformLength(1000), 1024);
    assert.equal(transformLength(1025), 1280);
    assert.equal(transformLength(1281), 1536);
    assert.equal(transformLength(1537), 2048);
    assert.equal(transformLength(5), 8);
    assert.equal(transformLength(33), 40);
    assert.equal(transformLength(17), 24);
  });

  test('bound grows with length and norm; 3·2^k is charged like 2^(k+2), 5·2^k like 2^(k+3)', () => {
    assert.ok(mixedBound(3 << 20, 1e12) > mixedBound(1 << 21, 1e12));
    assert.equal(mixedBound(1 << 22, 1e12), mixedBound(3 << 20, 1e12));
    assert.equal(mixedBound(1 << 23, 1e12), mixedBound(5 << 20, 1e12));
    assert.ok(mixedBound(5 << 20, 1e12) > mixedBound(1 << 22, 1e12));
    assert.ok(mixedBound(1 << 20, 2e12) > mixedBound(1 << 20, 1e12));
  });

  test('every digit size, both length families, products and squares agree with BigInt', () => {
    const r = rng(7);
    const seen = new Set<number>();
    for (const d of [4, 3, 2, 1]) {
      for (const n of [90, 333, 1001, 4100, 9000, 30001]) {
        const x = digits(r, n), y = digits(r, Math.floor(n * (0.5 + r())) + 3);
        const a = natFromBigInt(x), b = natFromBigInt(y);
        assert.equal(natToBigInt(natFromLimbs(fftMulLimbs(a.limbs, b.limbs, false, d))), x * y, `d=${d} n=${n}`);
        seen.add(lastFftLength % 3);
        assert.equal(natToBigInt(natFromLimbs(fftMulLimbs(a.limbs, a.limbs, true, d))), x * x, `square d=${d} n=${n}`);
        seen.add(lastFftLength % 3);
      }
    }
    assert.deepEqual([...seen].sort(), [0, 1, 2].filter((m) => seen.has(m)).sort());
    assert.ok(seen.has(0), 'some products used a 3·2^k length');
  });

  test('extreme digits (all 9s, all 5s) at every digit size', () => {
    for (const d of [4, 3, 2, 1]) {
      for (const n of [2000, 12345]) {
        const x = 10n ** BigInt(n) - 1n;
        const y = BigInt('5'.repeat(n));
        const a = natFromBigInt(x), b = natFromBigInt(y);
        assert.equal(natToBigInt(natFromLimbs(fftMulLimbs(a.limbs, b.limbs, false, d))), x * y);
        assert.equal(natToBigInt(natFromLimbs(fftMulLimbs(b.limbs, b.limbs, true, d))), y * y);
      }
    }
  });
});

describe('spectra API', () => {
  test('binary-splitting merge shape: P1·P2, Q1·Q2, T1·Q2 + P1·T2 at several sizes', () => {
    const r = rng(11);
    for (const n of [20, 150, 700, 3000, 20000, 70000]) {
      const [P1, P2, Q1, Q2, T1, T2] = Array.from({ length: 6 }, () => digits(r, Math.floor(n * (0.6 + 0.8 * r())) + 1));
      const [p1, p2, q1, q2, t1, t2] = [P1, P2, Q1, Q2, T1, T2].map(natFromBigInt);
      const plan = natSpectrumPlan([[[p1, p2]], [[q1, q2]], [[t1, q2], [p1, t2]], [[p1, p1]]]);
      const s = [p1, p2, q1, q2, t1, t2].map((x) => natSpectrum(x, plan));
      assert.equal(natToBigInt(natMulSpectra(s[0], s[1])), P1 * P2, `P n=${n}`);
      assert.equal(natToBigInt(natMulSpectra(s[2], s[3])), Q1 * Q2, `Q n=${n}`);
      assert.equal(natToBigInt(natMulAddSpectra([[s[4], s[3]], [s[0], s[5]]])), T1 * Q2 + P1 * T2, `T n=${n}`);
      assert.equal(natToBigInt(natMulSpectra(s[0], s[0])), P1 * P1, `square n=${n}`);
    }
  });

  test('extreme digits in a sum of products (carries through the top limb)', () => {
    const n = 9000;
    const X = 10n ** BigInt(n) - 1n;
    const x = natFromBigInt(X);
    const plan = natSpectrumPlan([[[x, x], [x, x]]]);
    const sx = natSpectrum(x, plan);
    assert.equal(natToBigInt(natMulAddSpectra([[sx, sx], [sx, sx]])), 2n * X * X);
  });

  test('plans repeat exactly with the kept norms (same operands, stand-ins modelled on them, every digit size)', () => {
    const r = rng(41);
    for (const n of [20000, 70000, 300000]) {
      const x = natFromBigInt(digits(r, n)), nines = natFromBigInt(10n ** BigInt(n) - 1n);
      const fives = natFromBigInt(BigInt('5'.repeat(n)));
      for (const sums of [
        [[[x, x]]],
        [[[x, { size: x.size + 7, like: x }]]],
        [[[fives, fives]], [[nines, { size: 3, like: fives }]]],
      ] as const) {
        const first = natSpectrumPlan(sums);
        for (let i = 0; i < 3; i++) assert.deepEqual(natSpectrumPlan(sums), first, `n=${n}`);
        // And a product made with the plan is exact (the bound is checked again with the exact norms).
        const [a, b] = sums[0]![0]!;
        if (a === b) assert.equal(natToBigInt(natMulSpectra(natSpectrum(a, first), natSpectrum(a, first))), natToBigInt(a) ** 2n);
      }
    }
  });

  test('zero operands and mismatched plans', () => {
    const r = rng(3);
    const a = natFromBigInt(digits(r, 2000)), z = natFromBigInt(0n);
    const plan = natSpectrumPlan([[[a, a]]]);
    assert.equal(plan.d > 0, true);
    const small = natSpectrumPlan([[[z, a]]]);
    assert.equal(natToBigInt(natMulSpectra(natSpectrum(z, small), natSpectrum(a, small))), 0n);
    const other = natSpectrumPlan([[[a, natFromBigInt(digits(r, 5000))]]]);
    assert.throws(() => natMulSpectra(natSpectrum(a, plan), natSpectrum(a, other)), InvalidArgumentError);
    assert.throws(() => natSpectrumPlan([]), InvalidArgumentError);
  });

  test('an operand longer than the plan is refused', () => {
    const r = rng(5);
    const a = natFromBigInt(digits(r, 2000)), big = natFromBigInt(digits(r, 9000));
    const plan = natSpectrumPlan([[[a, a]]]);
    assert.throws(() => natSpectrum(big, plan), InvalidArgumentError);
  });

  test('a corrupted spectral product fails its residue check', () => {
    const r = rng(9);
    const a = natFromBigInt(digits(r, 3000)), b = natFromBigInt(digits(r, 3000));
    const plan = natSpectrumPlan([[[a, b]]]);
    const sa = natSpectrum(a, plan), sb = natSpectrum(b, plan);
    let hits = 0;
    const faultHook = (l: Uint16Array): void => {
      hits++;
      l[5] = (l[5]! + 1) % 10000;
    };
    assert.throws(() => natMulSpectra(sa, sb, { faultHook }), ArithmeticCheckError);
    assert.equal(hits, 1);
    assert.equal(natToBigInt(natMulSpectra(sa, sb)), natToBigInt(a) * natToBigInt(b), 'the hook was per call');
  });
});

describe('planning norms', () => {
  test('assembly/natops.ts balancedNormSq walks the digits as fft.ts balancedNormSq does (every d, extremes)', () => {
    const r = rng(11);
    for (const n of [0, 1, 2, 3, 7, 97, 1000, 20000]) {
      for (const kind of ['random', 9999, 5000, 4999, 0] as const) {
        const x = new Uint16Array(n);
        for (let i = 0; i < n; i++) x[i] = kind === 'random' ? Math.floor(r() * 10000) : kind;
        const p = wasmAlloc(2 * n + 16);
        try {
          u16View(p, n).set(x);
          for (let d = 1; d <= 4; d++) assert.equal(wasm().balancedNormSq(p, n, d), balancedNormSq(x, d), `n ${n}, ${kind}, d ${d}`);
        } finally {
          wasmFree(p);
        }
      }
    }
  });
});
