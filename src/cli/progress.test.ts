/** progress — the bar's phase label and its silence off a TTY. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { phaseText, startProgress } from './progress.js';

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
