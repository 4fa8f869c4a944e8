/**
 * isqrt at every size: in memory, and by precision doubling on StreamNumbers when the memory
 * budget is forced tiny, both against BigInt's floor square root and the defining bounds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configure, getConfig } from '../src/config.js';
import { isqrt, plannedOutOfCore } from '../src/engine/index.js';
import { trackedFiles } from '../src/tracker/index.js';
import { bigintSqrt, freshHome, logFiles, randomInteger } from './helpers.js';

const home = freshHome('ms-sqrt-');

async function root(n: bigint): Promise<bigint> {
  const r = await isqrt(n);
  try {
    return r.toBigInt();
  } finally {
    r.free();
  }
}

test('isqrt in memory: squares, neighbours of squares, random sizes', async () => {
  const cases = [0n, 1n, 2n, 3n, 4n, 15n, 16n, 17n, 10n ** 30n, 10n ** 31n];
  for (let digits = 1; digits <= 4000; digits = Math.ceil(digits * 1.7)) {
    const r = randomInteger(digits, false);
    cases.push(r, r * r, r * r - 1n, r * r + 1n);
  }
  for (const n of cases) assert.equal(await root(n), bigintSqrt(n), `isqrt of a ${String(n).length}-digit number`);
});

test('isqrt out of core (tiny budget) equals the in-memory result and satisfies r² <= n < (r+1)²', async () => {
  const saved = getConfig().memoryBudget;
  configure({ memoryBudget: 24_000 });
  try {
    assert.equal(plannedOutOfCore(3000, 3000), true, 'the budget really forces the out-of-core path');
    for (const digits of [1500, 2001, 3333]) {
      const r = randomInteger(Math.ceil(digits / 2), false);
      for (const n of [randomInteger(digits, false), r * r, r * r - 1n]) {
        const got = await root(n);
        assert.equal(got, bigintSqrt(n), `${String(n).length} digits`);
        assert.ok(got * got <= n && n < (got + 1n) * (got + 1n));
      }
    }
  } finally {
    configure({ memoryBudget: saved });
  }
  assert.deepEqual(trackedFiles(), {});
  assert.deepEqual(logFiles(home), []);
});
