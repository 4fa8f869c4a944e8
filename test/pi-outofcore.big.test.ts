/**
 * pi out of core at sizes too large for the default suite (npm run test:big): 10^6 and 10^7 decimals under budgets
 * that force the out-of-core plan with 8–16 subtrees and out-of-core products (about 2.7 bytes of budget per decimal,
 * the ratio of 10^8 decimals at 256 MiB), against the in-memory computation of the same decimals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { configure } from '../src/config.js';
import { computePi } from '../src/apps/pi/index.js';
import { planPi } from '../src/apps/pi/plan.js';
import { freshHome, logFiles } from './helpers.js';

const sha = (digits: Uint8Array): string => createHash('sha256').update(digits).digest('hex');

for (const [decimals, budget] of [[1_000_000, '3MiB'], [10_000_000, '27MiB']] as const) {
  test(`pi to ${decimals} decimals out of core (${budget}) equals the in-memory digits`, { timeout: 3_600_000 }, async () => {
    const home = freshHome('ms-pi-ooc-big-');
    configure({ memoryBudget: budget });
    try {
      const plan = planPi(decimals, 12);
      assert.equal(plan.method, 'outOfCore');
      assert.ok(plan.leaves >= 8, `${plan.leaves} subtrees`);
      const outOfCore = sha(await computePi(decimals));
      configure({ memoryBudget: '1GiB' });
      assert.equal(outOfCore, sha(await computePi(decimals, { plan: { method: 'memory' } })));
      assert.deepEqual(logFiles(home), []);
    } finally {
      configure({ memoryBudget: '1GiB' });
    }
  });
}
