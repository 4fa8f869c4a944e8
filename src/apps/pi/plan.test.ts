/** Unit tests of pi's plan (plan.ts): in memory or out of core per budget, the tree cut, the limits. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configure } from '../../config.js';
import { ResultTooLargeError } from '../../errors.js';
import { parseDecimalCount } from './drivers.js';
import { planPi } from './plan.js';

test('the plan: in memory within the budget, out of core beyond it, leaves cut where split cuts', () => {
  configure({ memoryBudget: '1GiB' });
  assert.equal(planPi(1e8, 12).method, 'memory');
  const big = planPi(1e9, 12);
  assert.equal(big.method, 'outOfCore');
  assert.ok(big.leaves >= 8 && big.leaves <= 64, `10^9 at 1 GiB: ${big.leaves} leaves`);
  assert.ok(big.diskBytes > 1e10 && big.diskBytes < 4e10, `disk estimate ${big.diskBytes}`);
  configure({ memoryBudget: '256MiB' });
  assert.equal(planPi(1e8, 12).method, 'outOfCore');
  const forced = planPi(100_000, 12, { method: 'outOfCore', leafTerms: 1024 });
  assert.equal(forced.leaves, 8);
  assert.equal(forced.merges, 6);
  // Every leaf is a range `split` would reach: contiguous, covering [0, terms).
  const leaves: Array<[number, number]> = [];
  const walk = (n: { a: number; b: number; children?: readonly [unknown, unknown] }): void => {
    if (n.children) for (const c of n.children) walk(c as typeof n);
    else leaves.push([n.a, n.b]);
  };
  for (const r of forced.roots!) walk(r);
  assert.equal(leaves[0]![0], 0);
  assert.equal(leaves.at(-1)![1], forced.terms);
  for (let i = 1; i < leaves.length; i++) assert.equal(leaves[i]![0], leaves[i - 1]![1]);
  configure({ memoryBudget: '1GiB' });
});

test('parseDecimalCount accepts counts beyond memory (they run out of core)', () => {
  assert.equal(parseDecimalCount('1e9'), 1e9);
  assert.equal(parseDecimalCount('1e11'), 1e11);
  assert.throws(() => planPi(1e11, 12), ResultTooLargeError);
});
