/** The progress bar: its time left (formatted for people, measured from this process's own rate), its phase label and its silence off a TTY. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { formatEta, phaseText, startProgress, timeLeft } from './progress.js';

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

test('a phase string is shown after the label; no phase, or a non-string detail (Collatz), shows nothing', () => {
  assert.equal(phaseText('rows'), ' (rows)');
  assert.equal(phaseText(undefined), '');
  assert.equal(phaseText({ steps: 3 }), '');
});

test('off a TTY the callbacks do nothing, with or without a phase', () => {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream;
  const progress = startProgress('mul', stream);
  progress.onProgress(1, 10, 'spectra');
  progress.onProgress(5, 10);
  progress.stop();
  assert.equal((stream as unknown as PassThrough).read(), null);
});
