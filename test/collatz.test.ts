/** Collatz library: accelerated trajectories against the plain bigint loop, inputs, progress, cancellation. */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PEAK_VALUE_MAX_DIGITS, collatz, collatzSync, plainCollatz, readStart, type CollatzResult } from '../src/apps/collatz/index.js';
import { CancelledError, InvalidArgumentError, InvalidNumberError } from '../src/errors.js';

function assertAgreesWithPlain(n: bigint, result: CollatzResult = collatzSync(n)): void {
  const plain = plainCollatz(n);
  const label = `start with ${n.toString().length} digits`;
  assert.equal(result.steps, plain.steps, `${label}: steps`);
  assert.equal(result.oddSteps, plain.oddSteps, `${label}: odd steps`);
  assert.equal(result.maxDigits, plain.peak.toString().length, `${label}: peak digits`);
  const small = plain.peak.toString().length <= PEAK_VALUE_MAX_DIGITS;
  assert.equal(result.peakValue, small ? plain.peak.toString() : undefined, `${label}: peak value`);
}

describe('collatz against the plain loop', () => {
  test('27 takes 111 steps, 41 odd, peak 9232 at step 77', () => {
    const r = collatzSync(27n);
    assert.deepEqual([r.steps, r.oddSteps, r.maxDigits, r.peakStep, r.peakValue], [111, 41, 4, 77, '9232']);
    assertAgreesWithPlain(27n, r);
  });

  test('1 takes 0 steps; 2 takes 1; small starts all agree', () => {
    assert.deepEqual([collatzSync(1n).steps, collatzSync(1n).maxDigits], [0, 1]);
    assert.equal(collatzSync(2n).steps, 1);
    for (let n = 1n; n <= 3000n; n++) assertAgreesWithPlain(n);
  });

  test('2^100 - 1 and 10^1000 + 1', () => {
    assertAgreesWithPlain(2n ** 100n - 1n);
    assertAgreesWithPlain(10n ** 1000n + 1n);
  });

  test('2^44497 - 1 takes 598,067 steps (a published value)', () => {
    assert.equal(collatzSync(2n ** 44497n - 1n).steps, 598_067);
  });

  test('starts around the phase boundaries (2^51, 2^96) and powers of two and three', () => {
    for (const base of [2n ** 51n, 2n ** 96n, 2n ** 97n, 2n ** 128n]) {
      for (let d = -3n; d <= 3n; d++) assertAgreesWithPlain(base + d);
    }
    for (const n of [2n ** 3000n, 3n ** 2000n, 10n ** 500n, 10n ** 500n - 1n]) assertAgreesWithPlain(n);
  });

  test('random starts up to 5000 bits (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: (1n << 5000n) - 1n }), fc.integer({ min: 1, max: 5000 }), (wide, bits) => {
        const n = BigInt.asUintN(bits, wide) || 1n;
        assertAgreesWithPlain(n);
      }),
      { numRuns: 60 },
    );
  });

  test('small jump caps give the same answer as the default', () => {
    const n = 3n ** 3000n + 12345n;
    const reference = collatzSync(n);
    for (const maxJumpBits of [32, 64, 1000]) {
      const r = collatzSync(n, { maxJumpBits });
      assert.deepEqual([r.steps, r.oddSteps, r.maxDigits, r.peakStep], [reference.steps, reference.oddSteps, reference.maxDigits, reference.peakStep]);
    }
  });
});

describe('trajectory samples', () => {
  test('bounded, increasing, from the start digits down to 1', () => {
    const n = 2n ** 20000n - 1n;
    const r = collatzSync(n, { maxSamples: 50 });
    const { steps, digits } = r.trajectory;
    assert.ok(steps.length <= 50 && steps.length >= 20, `${steps.length} points`);
    assert.equal(steps.length, digits.length);
    assert.equal(steps[0], 0);
    assert.equal(digits[0], r.startDigits);
    assert.equal(steps[steps.length - 1], r.steps);
    assert.equal(digits[digits.length - 1], 1);
    for (let i = 1; i < steps.length; i++) assert.ok(steps[i]! > steps[i - 1]!);
    assert.ok(Math.max(...digits) <= r.maxDigits);
    assert.ok(Math.max(...digits) >= 0.95 * r.maxDigits, 'the plot reaches the peak region');
  });
});

describe('inputs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ms-collatz-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('decimal strings, a leading +, leading zeros', async () => {
    assert.equal(await readStart('27'), 27n);
    assert.equal(await readStart('+00027'), 27n);
    assert.equal((await collatz('27')).steps, 111);
  });

  test('a digit file with a trailing newline', async () => {
    const path = join(dir, 'n.txt');
    writeFileSync(path, `${10n ** 1000n + 1n}\n`);
    assert.equal(await readStart({ file: path }), 10n ** 1000n + 1n);
    const r = await collatz({ file: path });
    assertAgreesWithPlain(10n ** 1000n + 1n, r);
  });

  test('garbage is an InvalidNumberError naming the offset', async () => {
    await assert.rejects(readStart('12a4'), (e: unknown) => e instanceof InvalidNumberError && /byte 2/.test(e.message));
    await assert.rejects(readStart(''), InvalidNumberError);
    await assert.rejects(readStart('2^10'), InvalidNumberError);
    const path = join(dir, 'bad.txt');
    writeFileSync(path, '123 456\n');
    await assert.rejects(readStart({ file: path }), (e: unknown) => e instanceof InvalidNumberError && e.offset === 3);
  });

  test('0 and negatives are InvalidArgumentError', async () => {
    await assert.rejects(readStart('0'), InvalidArgumentError);
    await assert.rejects(readStart('-5'), InvalidArgumentError);
    await assert.rejects(readStart(0n), InvalidArgumentError);
    await assert.rejects(collatz(-1n), InvalidArgumentError);
    const path = join(dir, 'zero.txt');
    writeFileSync(path, '000\n');
    await assert.rejects(readStart({ file: path }), InvalidArgumentError);
  });

  test('a missing file is a StorageError, not a stack trace', async () => {
    await assert.rejects(readStart({ file: join(dir, 'missing.txt') }), (e: unknown) => (e as Error).name === 'StorageError');
  });
});

describe('progress and cancellation', () => {
  test('progress reports grow and end at the total', async () => {
    const reports: Array<[number, number]> = [];
    const r = await collatz(2n ** 30000n - 1n, { sliceMs: 1, maxJumpBits: 256, onProgress: (done, total) => reports.push([done, total]) });
    assert.ok(reports.length >= 2, `${reports.length} reports`);
    for (let i = 1; i < reports.length; i++) assert.ok(reports[i]![0] >= reports[i - 1]![0]);
    for (const [done, total] of reports) assert.ok(done <= total);
    assert.deepEqual(reports[reports.length - 1], [r.steps, r.steps]);
  });

  test('an aborted signal stops a long run with CancelledError', async () => {
    const controller = new AbortController();
    let reports = 0;
    const run = collatz(2n ** 2_000_000n - 1n, {
      sliceMs: 5,
      signal: controller.signal,
      onProgress: () => {
        reports++;
        if (reports === 2) controller.abort();
      },
    });
    await assert.rejects(run, CancelledError);
    assert.equal(reports, 2);
  });
});

test('a start below 1 is a typed error in the library too (not a RangeError)', async () => {
  const { InvalidArgumentError } = await import('../src/errors.js');
  assert.throws(() => collatzSync(0n), InvalidArgumentError);
  assert.throws(() => collatzSync(-5n), /the start must be a positive integer, got -5/);
});
