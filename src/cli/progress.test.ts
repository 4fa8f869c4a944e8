/** The progress bar's time left: formatted for people, and measured from this process's own rate. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatEta, timeLeft } from './progress.js';

test('formatEta', () => {
  assert.equal(formatEta(12.4), '12s');
  assert.equal(formatEta(250), '4m 10s');
  assert.equal(formatEta(3725), '1h 02m');
  assert.equal(formatEta(Number.NaN), '?');
});

test('timeLeft counts only what this process did (a resumed run starts part-way)', () => {
  const first = { at: 0, done: 60 }; // resumed at 60 % done
  assert.equal(timeLeft(first, 1000, 61, 100), 'estimating time left', 'too early for a rate');
  assert.equal(timeLeft(first, 10_000, 70, 100), '30s left', '10 units in 10 s, 30 to go');
  assert.equal(timeLeft(first, 10_000, 60, 100), 'estimating time left', 'no movement yet');
});
