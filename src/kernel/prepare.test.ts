/**
 * Opening an operand file gets the kernel ready for its products (number.ts fromPath → digitproduct.ts
 * prepareForOperand): a file whose square's transform splits among the threads starts the workers at the open,
 * a smaller one starts nothing. Its own test file: the worker pool lives for the process, so the small file is
 * opened first, in a process that has started no worker yet.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configure, getConfig } from '../config.js';
import { StreamNumber } from '../number.js';
import { splits } from './fftcore.js';
import { worstCasePlan } from './fft.js';
import { startedWorkers } from './threads.js';
import { prepareForOperand } from './digitproduct.js';
import { freshHome } from '../../test/helpers.js';

const home = freshHome('ms-prepare-');
const initialThreads = getConfig().threads;
after(() => configure({ threads: initialThreads }));

/** A digit file of `digits` digits in the test's home (not in its log folder: opened untracked). */
function digitFile(name: string, digits: number): string {
  const path = join(home, name);
  writeFileSync(path, '7'.repeat(digits));
  return path;
}

/** Whether the square of a `digits`-digit number is transformed split among the threads (the kernel's rule). */
function squareSplits(digits: number): boolean {
  const limbs = Math.ceil(digits / 4);
  return splits(worstCasePlan(limbs, limbs).N / 2);
}

test('opening a file whose products split starts the workers, a smaller one starts none', async () => {
  configure({ threads: 2 });
  const small = 100_000, large = 1_000_000;
  assert.ok(!squareSplits(small) && squareSplits(large), 'the sizes straddle the split');
  assert.equal(startedWorkers(), 0);
  using a = await StreamNumber.fromPath(digitFile('small.txt', small));
  assert.equal(a.digitCount, small);
  assert.equal(startedWorkers(), 0, 'a small operand starts no worker');
  using b = await StreamNumber.fromPath(digitFile('large.txt', large));
  assert.equal(b.digitCount, large);
  assert.equal(startedWorkers(), 1, 'a large operand starts the worker (2 threads: one worker)');
});

test('a file too large for one FFT product is still opened: preparing for it does nothing and does not throw', () => {
  assert.throws(() => worstCasePlan(2.5e12, 2.5e12), /proven error bound/);
  prepareForOperand(1e13);
});
