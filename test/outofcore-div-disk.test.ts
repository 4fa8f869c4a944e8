/**
 * Out-of-core division and square root refuse, before any work, a computation whose result plus scratch cannot fit
 * the free disk (a 4 MiB tmpfs mounted for the test; needs root, as in CI; skipped with a reason otherwise): the
 * results alone would fit, their intermediates would not.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configure } from '../src/config.js';
import { ResultTooLargeError } from '../src/errors.js';
import { divisionPlannedOutOfCore, divmod, isqrt, plannedOutOfCore } from '../src/engine/index.js';
import { StreamNumber } from '../src/number.js';
import { closeTracker, trackedFiles } from '../src/tracker/index.js';
import { logFiles, mountSmallDisk, randomInteger } from './helpers.js';

const disk = mountSmallDisk('4m', 'ms-tinyfs-div-');
const { mountPoint, skip } = disk;
const operands = mkdtempSync(join(tmpdir(), 'ms-operands-div-'));

before(() => {
  if (skip === false) configure({ home: mountPoint, memoryBudget: 100_000 });
});

after(() => {
  closeTracker();
  disk.release();
  rmSync(operands, { recursive: true, force: true });
});

test('a division or square root whose scratch cannot fit the disk is refused before any work', { skip }, async () => {
  const a = join(operands, 'a.txt');
  const b = join(operands, 'b.txt');
  writeFileSync(a, randomInteger(1_500_000, false).toString());
  writeFileSync(b, randomInteger(700_000, false).toString());
  const x = await StreamNumber.fromPath(a);
  const y = await StreamNumber.fromPath(b);
  assert.equal(divisionPlannedOutOfCore(x.digitCount, y.digitCount), true);
  assert.equal(plannedOutOfCore(x.digitCount, x.digitCount), true); // the square root's route
  const refused = (operation: string) => (error: unknown) => {
    assert.ok(error instanceof ResultTooLargeError, String(error));
    assert.match(error.message, new RegExp(`${operation}: the result would have about .* digits and needs .* on disk.*, but only .* is free`));
    return true;
  };
  await assert.rejects(divmod(x, y), refused('divmod'));
  await assert.rejects(isqrt(x), refused('isqrt'));
  x.free();
  y.free();
  assert.deepEqual(logFiles(mountPoint), []);
  assert.deepEqual(trackedFiles(), {});
});
