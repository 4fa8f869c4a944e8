/** Collatz, huge checks (npm run test:big): the accelerated run against the plain loop at tens of thousands of digits. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collatzSync, plainCollatz } from '../src/apps/collatz/index.js';

test('2^44497 - 1 and a random 20,000-digit start agree with the plain loop', { timeout: 600_000 }, () => {
  let random = 0n;
  for (let i = 0; i < 20_000; i += 15) random = random * 10n ** 15n + BigInt(Math.floor(Math.random() * 1e15));
  for (const n of [2n ** 44497n - 1n, random | 1n]) {
    const fast = collatzSync(n);
    const plain = plainCollatz(n);
    assert.deepEqual([fast.steps, fast.oddSteps, fast.maxDigits], [plain.steps, plain.oddSteps, plain.peak.toString().length]);
  }
});
