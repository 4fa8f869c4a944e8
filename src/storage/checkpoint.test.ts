/** Checkpoint folders: names, taking and giving up the lock, a dead owner's lock replaced, the abandonment rule. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkpointOwner, describeCheckpoint, isAbandoned, isCheckpointName, listCheckpoints, releaseCheckpointFolder, takeCheckpointFolder,
} from './checkpoint.js';
import { currentOwner } from './owner.js';

const DAY = 86_400_000;

test('checkpoint names', () => {
  assert.ok(isCheckpointName('.resume-0123456789abcdef0123456789abcdef'));
  assert.ok(!isCheckpointName('.resume-'));
  assert.ok(!isCheckpointName('.resume-../x'));
  assert.ok(!isCheckpointName('.tmp-1.2-abcdef012345'));
  assert.ok(!isCheckpointName('result_x.txt'));
});

test('take, release, and a dead owner replaced; a living one refuses', () => {
  const logDir = mkdtempSync(join(tmpdir(), 'ms-checkpoint-'));
  const folder = join(logDir, '.resume-0123456789abcdef');
  try {
    assert.equal(takeCheckpointFolder(folder), undefined);
    assert.equal(checkpointOwner(folder), currentOwner());
    assert.equal(takeCheckpointFolder(folder), undefined, 'the holder may take it again');
    assert.equal(describeCheckpoint(folder).held, true);
    releaseCheckpointFolder(folder);
    assert.equal(checkpointOwner(folder), undefined);

    writeFileSync(join(folder, 'lock'), '999999999.1\n'); // killed
    assert.equal(describeCheckpoint(folder).held, false);
    assert.equal(takeCheckpointFolder(folder), undefined);
    assert.equal(readFileSync(join(folder, 'lock'), 'latin1').trim(), currentOwner());

    writeFileSync(join(folder, 'lock'), `${process.ppid}.0\n`); // alive
    assert.deepEqual(takeCheckpointFolder(folder), { heldBy: `${process.ppid}.0` });
    releaseCheckpointFolder(folder); // not ours: left alone
    assert.equal(checkpointOwner(folder), `${process.ppid}.0`);

    writeFileSync(join(folder, 'data'), Buffer.alloc(1000));
    const [info] = listCheckpoints(logDir);
    assert.equal(info?.path, folder);
    assert.ok(info!.sizeBytes >= 1000);
    assert.equal(isAbandoned(info!, Date.now() + 30 * DAY, 7 * DAY), false, 'held: never abandoned');
    writeFileSync(join(folder, 'lock'), '999999999.1\n');
    const dead = describeCheckpoint(folder);
    assert.equal(isAbandoned(dead, Date.now(), 7 * DAY), false, 'young: kept for the rerun');
    assert.equal(isAbandoned(dead, Date.now() + 8 * DAY, 7 * DAY), true);
  } finally {
    rmSync(logDir, { recursive: true, force: true });
  }
});
