/**
 * Disk planning and a full disk in resumable runs, on a 16 MiB tmpfs mounted for the test (needs root, as in CI;
 * skipped with a reason otherwise): an out-of-core run the disk cannot hold is refused before any work with the
 * bytes needed and free; the disk filling up midway ends in a DiskFullError with no temp file and no row, the
 * checkpoint kept; after space is freed the same run continues from it to the right digits.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { configure, getConfig } from '../src/config.js';
import { DiskFullError, ResultTooLargeError } from '../src/errors.js';
import { pow } from '../src/engine/index.js';
import { powOutOfCore } from '../src/engine/outofcore/index.js';
import { StreamNumber } from '../src/number.js';
import { listCheckpoints } from '../src/storage/index.js';
import { closeTracker, trackedFiles } from '../src/tracker/index.js';
import { logFiles, mountSmallDisk } from './helpers.js';

const disk = mountSmallDisk('16m', 'ms-tinyfs-resume-');
const { mountPoint, skip } = disk;

before(() => {
  if (skip === false) configure({ home: mountPoint });
});

after(() => {
  closeTracker();
  disk.release();
});

/** Fills the file system with one file until ENOSPC; returns its path. */
function fillDisk(path: string): void {
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(1 << 16, 1);
  try {
    for (;;) writeSync(fd, block);
  } catch {
    // ENOSPC: full
  } finally {
    closeSync(fd);
  }
}

test('an out-of-core power the disk cannot hold is refused up front, naming bytes needed and free', { skip }, async () => {
  configure({ memoryBudget: '2MiB' });
  try {
    await assert.rejects(pow(7, 7_000_000, { resume: true }), (error: unknown) => {
      assert.ok(error instanceof ResultTooLargeError, String(error));
      assert.ok(error.neededBytes !== undefined && error.freeBytes !== undefined && error.neededBytes > error.freeBytes);
      assert.match(error.message, /pow: .* needs .* \(\d+ bytes\) on disk with its scratch, but only .* \(\d+ bytes\) is free/);
      return true;
    });
  } finally {
    configure({ memoryBudget: 1 << 30 });
  }
  assert.deepEqual(logFiles(mountPoint).filter((n) => n.startsWith('.')), [], 'no scratch and no checkpoint were made');
});

test('ENOSPC midway: DiskFullError, no temp file, no row, checkpoint kept; after freeing space the rerun resumes', { skip }, async () => {
  const exponent = 1_000_000;
  const digits = Math.floor(exponent * Math.log10(7)) + 1;
  const seven = await StreamNumber.fromLiteral(7);
  const rowsBefore = Object.keys(trackedFiles()).sort();
  const ballast = join(mountPoint, 'ballast.bin');
  let filled = false;
  await assert.rejects(
    powOutOfCore(seven, exponent, false, digits, {
      resume: true,
      onProgress: (done, total) => {
        if (!filled && done / total >= 0.3) {
          filled = true;
          fillDisk(ballast); // someone else takes the rest of the disk while we work
        }
      },
    }, { blockSize: 1024 }),
    (error: unknown) => {
      assert.ok(error instanceof DiskFullError, String(error));
      assert.equal(error.code, 'DISK_FULL');
      assert.match(error.message, /ENOSPC|no space/i);
      return true;
    },
  );
  assert.ok(filled);
  assert.deepEqual(logFiles(mountPoint).filter((n) => n.startsWith('.tmp-')), [], 'no temp file left');
  assert.deepEqual(Object.keys(trackedFiles()).sort(), rowsBefore, 'nothing registered');
  const [kept] = listCheckpoints(getConfig().logDir);
  assert.ok(kept && !kept.held && kept.sizeBytes > 0, 'the checkpoint is kept for the rerun');
  rmSync(ballast);
  let resumed = 0;
  const p = await powOutOfCore(seven, exponent, false, digits, { resume: true, onResume: (info) => (resumed = info.done) }, { blockSize: 1024 });
  assert.ok(resumed > 0, 'the rerun continued from the checkpoint');
  assert.equal(p.toString(), (7n ** BigInt(exponent)).toString());
  assert.deepEqual(listCheckpoints(getConfig().logDir), []);
  p.free();
  seven.free();
});
