/**
 * Out-of-core division and square root (Newton on digit files: outofcore/divide.ts, engine/sqrt.ts) against
 * BigInt, with a 100 kB budget that forces the out-of-core routes on 10^4–10^5-digit operands: Python's floor
 * semantics for every sign combination, divisors longer than the dividend, exact divisions, b = 1, powers of ten,
 * several quotient chunks sharing one reciprocal, isqrt of perfect squares and their neighbours, progress,
 * cancellation, and nothing left behind.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CancelledError } from '../src/errors.js';
import { StreamNumber } from '../src/number.js';
import { div, divisionPlannedOutOfCore, divmod, isqrt, mod, plannedOutOfCore } from '../src/engine/index.js';
import { divmodOutOfCore, newtonLevels } from '../src/engine/outofcore/divide.js';
import { trackedFiles } from '../src/tracker/index.js';
import { bigintSqrt, floorDiv, floorMod, freshHome, logFiles, randomInteger, seededRandom, withBudget } from './helpers.js';

const home = freshHome('ms-oocdiv-');
const BUDGET = 100_000;


async function valueOf(x: StreamNumber): Promise<bigint> {
  try {
    return x.toBigInt();
  } finally {
    x.free();
  }
}

/** divmod, div and mod of a by b through the public API, checked against Python's floor semantics. */
async function checkDivision(a: bigint, b: bigint, label: string): Promise<void> {
  const [q, r] = await divmod(a, b);
  assert.equal(await valueOf(q), floorDiv(a, b), `${label}: quotient`);
  assert.equal(await valueOf(r), floorMod(a, b), `${label}: remainder`);
}

/** divmodOutOfCore called directly (the route below the public API's small-divisor and |a| < |b| shortcuts). */
async function direct(a: bigint, b: bigint, chunks?: number): Promise<[bigint, bigint]> {
  const x = await StreamNumber.fromLiteral(a);
  const y = await StreamNumber.fromLiteral(b);
  try {
    const [q, r] = await divmodOutOfCore(x, y, (a < 0n) !== (b < 0n), {}, 'divmod', { chunks });
    return [await valueOf(q), await valueOf(r)];
  } finally {
    x.free();
    y.free();
  }
}

const SIGNS: ReadonlyArray<readonly [bigint, bigint]> = [[1n, 1n], [-1n, 1n], [1n, -1n], [-1n, -1n]];

describe('out-of-core Newton division against BigInt (100 kB budget)', () => {
  test('the budget forces the out-of-core route and reciprocal levels on files', () =>
    withBudget(BUDGET, async () => {
      assert.equal(divisionPlannedOutOfCore(20_000, 10_000), true);
      assert.ok(newtonLevels(30_005).length >= 3, 'several Newton levels run on files');
    }));

  test('2N/N and 3N/N, every sign combination, floor semantics', () =>
    withBudget(BUDGET, async () => {
      const random = seededRandom(12);
      for (const [la, lb] of [[20_000, 10_000], [60_000, 20_000], [100_000, 50_000]] as const) {
        for (const [sa, sb] of SIGNS) {
          const a = sa * randomInteger(la, false, random);
          const b = sb * randomInteger(lb, false, random);
          await checkDivision(a, b, `${la}/${lb} digits, signs ${sa} ${sb}`);
        }
      }
      const a = -randomInteger(30_000, false, random);
      const b = randomInteger(11_000, false, random);
      assert.equal(await valueOf(await div(a, b)), floorDiv(a, b));
      assert.equal(await valueOf(await mod(a, b)), floorMod(a, b));
    }));

  test('several quotient chunks share one reciprocal', () =>
    withBudget(BUDGET, async () => {
      const random = seededRandom(7);
      for (const chunks of [2, 3, 5]) {
        const a = -randomInteger(40_000, false, random);
        const b = randomInteger(9_000, false, random);
        assert.deepEqual(await direct(a, b, chunks), [floorDiv(a, b), floorMod(a, b)], `${chunks} chunks`);
      }
    }));

  test('divisor longer than the dividend, equal operands, exact divisions', () =>
    withBudget(BUDGET, async () => {
      const random = seededRandom(3);
      const a = randomInteger(20_000, false, random);
      const longer = randomInteger(20_001, false, random);
      for (const [sa, sb] of SIGNS) await checkDivision(sa * a, sb * longer, `divisor longer, signs ${sa} ${sb}`);
      for (const [sa, sb] of SIGNS) await checkDivision(sa * a, sb * a, `a = ±b, signs ${sa} ${sb}`);
      const b = randomInteger(12_000, false, random);
      const q = randomInteger(15_000, false, random);
      for (const [sa, sb] of SIGNS) {
        await checkDivision(sa * q * b, sb * b, `exact, signs ${sa} ${sb}`);
        await checkDivision(sa * (q * b - 1n), sb * b, `exact − 1, signs ${sa} ${sb}`);
        await checkDivision(sa * (q * b + 1n), sb * b, `exact + 1, signs ${sa} ${sb}`);
      }
    }));

  test('b = 1, powers of ten, and all-nines', () =>
    withBudget(BUDGET, async () => {
      const random = seededRandom(5);
      const a = randomInteger(20_000, false, random);
      for (const [sa, sb] of SIGNS) {
        assert.deepEqual(await direct(sa * a, sb), [floorDiv(sa * a, sb), floorMod(sa * a, sb)], `b = ${sb}`);
        await checkDivision(sa * a, sb, `public b = ${sb}`);
      }
      const ten = (k: number): bigint => 10n ** BigInt(k);
      const cases: Array<[bigint, bigint]> = [
        [a, ten(9_000)], [ten(20_000), ten(9_000)], [ten(20_000), ten(9_000) + 1n], [ten(20_000) - 1n, ten(9_000)],
        [ten(20_000) - 1n, ten(10_000) - 1n], [ten(20_000), ten(10_000) - 1n], [ten(20_000) - 1n, ten(9_999) + 7n],
      ];
      for (const [i, [x, y]] of cases.entries()) {
        const [sa, sb] = SIGNS[i % SIGNS.length]!; // every sign combination, each case once (the tests above do all)
        assert.deepEqual(await direct(sa * x, sb * y), [floorDiv(sa * x, sb * y), floorMod(sa * x, sb * y)]);
      }
    }));

  test('property: q·b + r = a with r of b\'s sign and |r| < |b|', () =>
    withBudget(BUDGET, () =>
      fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 9, max: 14_000 }),
          fc.integer({ min: 0, max: 12_000 }),
          fc.integer({ min: 1, max: 4 }),
          fc.boolean(),
          fc.boolean(),
          fc.integer(),
          async (lb, extra, chunks, negA, negB, seed) => {
            const random = seededRandom(seed >>> 0);
            const a = (negA ? -1n : 1n) * randomInteger(lb + extra, false, random);
            const b = (negB ? -1n : 1n) * randomInteger(lb, false, random);
            const [q, r] = await direct(a, b, chunks);
            assert.equal(q * b + r, a);
            assert.ok(b > 0n ? r >= 0n && r < b : r <= 0n && r > b, `remainder ${r} for divisor sign ${b > 0n ? '+' : '-'}`);
          },
        ),
        { numRuns: 25 },
      ),
    ));

  test('progress reaches its total; a cancelled division leaves nothing', () =>
    withBudget(BUDGET, async () => {
      const random = seededRandom(9);
      const x = await StreamNumber.fromLiteral(randomInteger(40_000, false, random));
      const y = await StreamNumber.fromLiteral(randomInteger(20_000, false, random));
      const seen: Array<[number, number]> = [];
      const phases: string[] = [];
      const [q, r] = await divmod(x, y, {
        onProgress: (done, total, phase) => {
          seen.push([done, total]);
          if (phase !== undefined && phases.at(-1) !== phase) phases.push(phase);
        },
      });
      q.free();
      r.free();
      assert.deepEqual(phases, ['reciprocal', 'quotient']);
      assert.ok(seen.length > 0);
      assert.ok(seen.every(([done, total], i) => done <= total && (i === 0 || done >= seen[i - 1]![0])));
      assert.equal(seen.at(-1)![0], seen.at(-1)![1]);
      const controller = new AbortController();
      const cancelled = divmod(x, y, {
        signal: controller.signal,
        // The first report always arrives (a phase change is never throttled) and comes after the first Newton
        // level, with work left: aborting there cannot race the end of the division, however fast the machine.
        onProgress: (done, total) => {
          if (done < total) controller.abort();
        },
      });
      await assert.rejects(cancelled, CancelledError);
      x.free();
      y.free();
    }));
});

describe('out-of-core isqrt against BigInt (100 kB budget)', () => {
  test('perfect squares and their neighbours, random radicands, powers of ten, progress phases', () =>
    withBudget(BUDGET, async () => {
      const random = seededRandom(21);
      assert.equal(plannedOutOfCore(20_000, 20_000), true);
      for (const digits of [10_000, 40_001, 100_000]) {
        const s = randomInteger(Math.ceil(digits / 2), false, random);
        for (const n of [s * s, s * s - 1n, s * s + 1n, (s + 1n) * (s + 1n) - 1n, randomInteger(digits, false, random)]) {
          const root = await valueOf(await isqrt(n));
          assert.equal(root, bigintSqrt(n), `${String(n).length} digits`);
        }
      }
      const phases: string[] = [];
      const n = randomInteger(30_000, false, random);
      const root = await isqrt(n, { onProgress: (_done, _total, phase) => phase !== undefined && phases.at(-1) !== phase && phases.push(phase) });
      assert.equal(await valueOf(root), bigintSqrt(n));
      assert.deepEqual(phases, ['newton', 'correction']);
      const ten = 10n ** 30_000n;
      assert.equal(await valueOf(await isqrt(ten)), 10n ** 15_000n);
      assert.equal(await valueOf(await isqrt(ten - 1n)), 10n ** 15_000n - 1n);
    }));
});

test('out-of-core division and isqrt leave nothing behind', () => {
  assert.deepEqual(trackedFiles(), {});
  assert.deepEqual(logFiles(home), []);
});
