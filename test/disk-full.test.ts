/**
 * A result too large for the disk: refused up front with a clear ResultTooLargeError when the
 * size is known, and when the disk fills up mid-way (ENOSPC) a StorageError — in both cases no
 * temp file, no tracker row, and the user's files untouched. Runs on a 4 MiB tmpfs mounted for
 * the test (needs root, as in CI; skipped with a reason otherwise).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configure } from '../src/config.js';
import { ResultTooLargeError, StorageError } from '../src/errors.js';
import { add, mul, pow } from '../src/engine/index.js';
import { StreamNumber } from '../src/number.js';
import { closeTracker, trackedFiles } from '../src/tracker/index.js';
import { logFiles, mountSmallDisk } from './helpers.js';

const disk = mountSmallDisk('4m', 'ms-tinyfs-');
const { mountPoint, skip } = disk;
const mounted = skip === false;
const operands = mkdtempSync(join(tmpdir(), 'ms-operands-'));

before(() => {
  if (mounted) configure({ home: mountPoint });
});

after(() => {
  closeTracker();
  disk.release();
  rmSync(operands, { recursive: true, force: true });
});

test('a result that cannot fit the free disk is refused before any work', { skip }, async () => {
  await assert.rejects(pow(7, 20_000_000), (error: unknown) => {
    assert.ok(error instanceof ResultTooLargeError, String(error));
    assert.match(error.message, /pow: the result would have about 16,901,961 digits and needs .* but only .* is free/);
    return true;
  });
  const big = join(operands, 'big.txt');
  writeFileSync(big, '9'.repeat(3_000_000));
  const x = await StreamNumber.fromPath(big);
  await assert.rejects(mul(x, x), ResultTooLargeError);
  x.free();
  assert.deepEqual(logFiles(mountPoint), []);
  assert.deepEqual(trackedFiles(), {});
});

test('the disk filling up mid-way (ENOSPC) leaves no temp file and no row', { skip }, async () => {
  const a = join(operands, 'a.txt');
  const b = join(operands, 'b.txt');
  writeFileSync(a, '1234567890'.repeat(250_000)); // 2.5 MB result: fits the 4 MiB disk when checked
  writeFileSync(b, '9876543210'.repeat(200_000));
  const ballast = join(mountPoint, 'users-own-file.bin');
  const x = await StreamNumber.fromPath(a);
  const y = await StreamNumber.fromPath(b);
  let filled = false;
  const onProgress = () => {
    if (filled) return;
    filled = true;
    // Someone else takes the rest of the disk while we write.
    try {
      writeFileSync(ballast, Buffer.alloc(4 << 20, 1));
    } catch {
      // ENOSPC for the ballast too: the disk is full either way.
    }
  };
  await assert.rejects(add(x, y, { onProgress }), (error: unknown) => {
    assert.ok(error instanceof StorageError, String(error));
    assert.match(error.message, /ENOSPC|no space/i);
    return true;
  });
  assert.ok(filled, 'progress was reported mid-way');
  assert.deepEqual(logFiles(mountPoint), [], 'no temp file left');
  assert.deepEqual(trackedFiles(), {}, 'nothing registered');
  assert.equal(readFileSync(a, 'latin1').length, 2_500_000, 'operand untouched');
  x.free();
  y.free();
});
