/** Checkpoint folders: names, taking and giving up the lock, a dead owner's lock replaced, the abandonment rule. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

test('a zombie owner (finished, not yet collected by its parent) is dead: its checkpoint can be taken', { skip: !existsSync('/proc/self/stat') && 'needs /proc (Linux)' }, async () => {
  const { spawn } = await import('node:child_process');
  const { isOwnerAlive } = await import('./owner.js');
  // The background `sleep 0.3` becomes a child of the exec'd `sleep 10`, which never collects it: a zombie until the
  // parent is killed. It outlives the exec by 0.3 s, so the shell cannot reap it first (with `sleep 0` it sometimes
  // did on a loaded machine, and the child was gone instead of a zombie).
  const parent = spawn('sh', ['-c', 'sleep 0.3 & echo $!; exec sleep 10'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const pid = Number(await new Promise<string>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()))));
  try {
    let state = '';
    for (let i = 0; i < 250 && state !== 'Z'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]!;
    }
    assert.equal(state, 'Z', 'the child is a zombie');
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    assert.equal(isOwnerAlive(`${pid}.${start}`), false);
    assert.equal(isOwnerAlive(`${pid}.0`), false);
  } finally {
    parent.kill();
  }
});
