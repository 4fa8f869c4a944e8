// The two-thread FFT (threads.ts, fftworker.ts, fftcore's split steps, fft.ts's paired pack+transform and split
// unpacking): products and squares at lengths where the helper takes half the work, in both length families, against BigInt; a helper
// failure surfaces as an ArithmeticCheckError and leaves the helper usable; MATHSTREAM_THREADS=1 gives the same bits.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ArithmeticCheckError, InvalidArgumentError } from '../errors.js';
import { natFromBigInt, natToBigInt, natMul, natSqr, natMulAddSpectra, natSpectrum, natSpectrumPlan } from './index.js';
import { lastFftLength } from './fft.js';
import { PARALLEL_MIN } from './fftcore.js';
import { fftThreads, helperAvailable, runWithHelper } from './threads.js';
import { randomNatural as digits, seededRandom as rng } from '../../test/random.js';

const twoThreads = fftThreads() > 1;

describe('two-thread FFT', { skip: twoThreads ? false : 'single core or MATHSTREAM_THREADS=1' }, () => {
  test('products and squares at split lengths, 2^k and 3·2^k, agree with BigInt', () => {
    const r = rng(11);
    const families = new Set<number>();
    for (const n of [260_000, 300_000]) {
      const x = digits(r, n), y = digits(r, n - 17);
      const a = natFromBigInt(x), b = natFromBigInt(y);
      assert.equal(natToBigInt(natMul(a, b)), x * y, `product n=${n}`);
      assert.ok(lastFftLength >= PARALLEL_MIN, `length ${lastFftLength} is split`);
      families.add(lastFftLength % 3);
      assert.equal(natToBigInt(natSqr(a)), x * x, `square n=${n}`);
    }
    assert.deepEqual([...families].sort(), [0, 1], 'both length families were split');
    assert.ok(helperAvailable());
  });

  test('a sum of products through spectra (plain memory: those transforms stay on one thread) agrees with BigInt', () => {
    const r = rng(12);
    const [x1, y1, x2, y2] = [digits(r, 280_000), digits(r, 270_000), digits(r, 250_000), digits(r, 290_000)];
    const [a1, b1, a2, b2] = [x1, y1, x2, y2].map(natFromBigInt);
    const plan = natSpectrumPlan([[[a1!, b1!], [a2!, b2!]]]);
    assert.ok(plan.M >= PARALLEL_MIN);
    const s = (v: typeof a1) => natSpectrum(v!, plan);
    assert.equal(natToBigInt(natMulAddSpectra([[s(a1), s(b1)], [s(a2), s(b2)]])), x1 * y1 + x2 * y2);
  });

  test('split unpacking: carries across the middle through runs of 9s and 0s', () => {
    // (10^n − 1)^2 = 10^2n − 2·10^n + 1 and (10^n − 1)(10^n + 1) = 10^2n − 1 put their 9-runs and 0-runs right at
    // the middle, where the helper's half of the digits starts from a zero carry and the lower half's carry is
    // added in afterwards.
    for (const n of [300_000, 300_001, 300_003]) {
      const p = 10n ** BigInt(n);
      const nines = natFromBigInt(p - 1n);
      assert.equal(natToBigInt(natSqr(nines)), (p - 1n) ** 2n, `(10^${n} − 1)^2`);
      assert.ok(lastFftLength >= PARALLEL_MIN);
      assert.equal(natToBigInt(natMul(nines, natFromBigInt(p + 1n))), p * p - 1n, `(10^${n} − 1)(10^${n} + 1)`);
      assert.equal(natToBigInt(natMul(nines, natFromBigInt(p / 10n + 1n))), (p - 1n) * (p / 10n + 1n), 'unbalanced');
    }
  });

  test('a failing helper step raises ArithmeticCheckError and the helper keeps working', () => {
    let ranLocal = false;
    assert.throws(
      () => runWithHelper(() => { ranLocal = true; }, { kind: 'task', task: { kind: 'no-such-step' }, tables: [] }, () => {}),
      (e: unknown) => e instanceof ArithmeticCheckError && /helper thread failed: .*no-such-step/.test(e.message),
    );
    assert.ok(ranLocal);
    const x = digits(rng(13), 300_000);
    assert.equal(natToBigInt(natSqr(natFromBigInt(x))), x * x);
  });

  test('MATHSTREAM_THREADS=1 computes the same product bits on one thread', () => {
    const script = `
      import { natFromDigits, natMul, natToDigits } from ${JSON.stringify(new URL('./index.js', import.meta.url).href)};
      import { createHash } from 'node:crypto';
      let s = 7; const d = (n) => { const b = new Uint8Array(n); for (let i = 0; i < n; i++) { s = (s * 48271) % 2147483647; b[i] = 48 + (s % 10); } b[0] = 49; return b; };
      const z = natToDigits(natMul(natFromDigits(d(400000)), natFromDigits(d(390000))));
      process.stdout.write(createHash('sha256').update(z).digest('hex'));`;
    const run = (threads: string): string =>
      execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        env: { ...process.env, MATHSTREAM_THREADS: threads },
        cwd: fileURLToPath(new URL('.', import.meta.url)),
        encoding: 'utf8',
      });
    assert.equal(run('1'), run('2'));
  });
});

test('MATHSTREAM_THREADS accepts positive integers only', () => {
  const saved = process.env['MATHSTREAM_THREADS'];
  try {
    for (const bad of ['0', '-1', '1.5', 'two']) {
      process.env['MATHSTREAM_THREADS'] = bad;
      assert.throws(() => fftThreads(), (e: unknown) => e instanceof InvalidArgumentError && e.message.includes(`"${bad}"`));
    }
    process.env['MATHSTREAM_THREADS'] = '1';
    assert.equal(fftThreads(), 1);
    process.env['MATHSTREAM_THREADS'] = '8';
    assert.ok(fftThreads() <= 2);
  } finally {
    if (saved === undefined) delete process.env['MATHSTREAM_THREADS'];
    else process.env['MATHSTREAM_THREADS'] = saved;
  }
});
