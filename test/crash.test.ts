/**
 * Crash safety: child processes (test/fixtures/tracker-child.ts) create numbers through
 * StreamNumber and the engine's atomic result writer and are killed with SIGKILL at several
 * moments — idle with references held, in the middle of a large atomic write, inside an open
 * tracker transaction, at random points of a create/free loop. The next start (this process
 * reopening the tracker) must reconcile to a clean state: no stale rows, orphans adopted at
 * reference 0 and then collectable, no temp files, an intact database, user files untouched.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { configure, getConfig } from '../src/config.js';
import { StreamNumber } from '../src/number.js';
import {
  closeTracker,
  collectGarbage,
  startUpReport,
  trackedFiles,
  trackerStatus,
  type ReconcileReport,
} from '../src/tracker/index.js';
import { spawnChild } from './fixtures/children.js';

const USER_TEXT = '-98765432109876543210\n';

function newHome(): { home: string; userFile: string } {
  const home = mkdtempSync(join(tmpdir(), 'ms-crash-'));
  configure({ home, resetOnStart: false });
  const userFile = join(home, 'user-number.txt');
  writeFileSync(userFile, USER_TEXT);
  return { home, userFile };
}

function logEntries(): string[] {
  return existsSync(getConfig().logDir) ? readdirSync(getConfig().logDir).sort() : [];
}

function integrity(): string {
  const db = new Database(getConfig().dbPath, { readonly: true });
  try {
    return String(db.pragma('integrity_check', { simple: true }));
  } finally {
    db.close();
  }
}

/**
 * Reopens the tracker as the next process start would, checks the reconciled state and
 * returns the start-up report. `stillHeld` are files this (live) process references.
 */
function restartAndCheck(userFile: string, stillHeld: string[] = []): ReconcileReport {
  closeTracker();
  const files = trackedFiles();
  const report = startUpReport();
  assert.ok(report, 'start-up reconciled');
  const entries = logEntries();
  assert.deepEqual(entries.filter((name) => name.startsWith('.tmp-')), [], 'no temp file survives');
  for (const path of Object.keys(files)) assert.ok(existsSync(path), `no stale row: ${path}`);
  for (const name of entries) {
    assert.ok(join(getConfig().logDir, name) in files, `every staged file is tracked: ${name}`);
  }
  for (const [path, count] of Object.entries(files)) {
    assert.equal(count, stillHeld.includes(path) ? 1 : 0, `reference count of ${path}`);
  }
  assert.ok(trackerStatus().holders.every((h) => h.alive), 'no dead holder left');
  assert.equal(integrity(), 'ok');
  assert.equal(readFileSync(userFile, 'utf8'), USER_TEXT, 'user file untouched');
  return report;
}

/** After recovery everything unreferenced is collectable, and only that. */
function collectAllAndCheck(userFile: string, stillHeld: string[] = []): string[] {
  const before = Object.keys(trackedFiles());
  const deleted = collectGarbage(0);
  assert.deepEqual(deleted.sort(), before.filter((p) => !stillHeld.includes(p)).sort());
  for (const path of stillHeld) assert.ok(existsSync(path), `held file kept: ${path}`);
  assert.deepEqual(logEntries(), stillHeld.map((p) => p.slice(getConfig().logDir.length + 1)).sort());
  assert.equal(readFileSync(userFile, 'utf8'), USER_TEXT);
  return deleted;
}

after(() => closeTracker());

describe('SIGKILL, then the next start reconciles', () => {
  test('killed while holding references: they are released, files adopted at 0, collectable', async () => {
    const { home, userFile } = newHome();
    // This process shares the child's literal; its reference must survive the child's crash.
    const shared = await StreamNumber.fromLiteral('271828182845904523536');
    const child = spawnChild(home, ['hold', '5', userFile]);
    const ready = await child.next('ready');
    await child.kill();
    const paths = ready.paths as string[];
    assert.equal(paths.length, 8);
    assert.ok(paths.includes(shared.path));
    assert.ok(paths.includes(userFile), 'the child read the user file');

    const report = restartAndCheck(userFile, [shared.path]);
    // 5 private literals + the shared literal + one engine result; the user file is never tracked.
    assert.deepEqual(report.releasedOwners, [{ owner: ready.owner, references: 7 }]);
    assert.deepEqual(report.droppedRows, []);
    assert.equal(Object.keys(trackedFiles()).length, 7);
    assert.equal(collectAllAndCheck(userFile, [shared.path]).length, 6);
    assert.equal(shared.toString(), '271828182845904523536');
    shared.free();
    assert.deepEqual(trackedFiles(), {});
    assert.deepEqual(logEntries(), []);
  });

  test('killed in the middle of a large atomic write: the partial temp file is removed, no row', async () => {
    const { home, userFile } = newHome();
    const child = spawnChild(home, ['big-write', '256']);
    const writing = await child.next('writing');
    await child.kill();
    const temp = writing.temp as string;
    assert.ok(existsSync(temp), 'the temp file was there at the kill');
    assert.ok(statSync(temp).size < 256 << 20, 'killed before the write completed');
    const report = restartAndCheck(userFile);
    assert.deepEqual(report.removedTemps, [temp]);
    assert.deepEqual(trackedFiles(), {}, 'an unfinished result is never registered');
    assert.deepEqual(logEntries(), []);
  });

  test('killed inside an open tracker transaction: it rolls back, the lock is freed, the file is adopted', async () => {
    const { home, userFile } = newHome();
    const child = spawnChild(home, ['in-lock']);
    const locked = await child.next('locked');
    await child.kill();
    const path = locked.path as string;
    assert.ok(existsSync(path));
    const started = Date.now();
    const report = restartAndCheck(userFile);
    // The busy timeout is 10 s: reopening quickly proves the dead writer's lock went with it.
    assert.ok(Date.now() - started < 5_000, 'the lock died with its holder');
    assert.deepEqual(report.releasedOwners, [], 'the uncommitted reference never existed');
    assert.deepEqual(report.adopted, [path]);
    assert.deepEqual(collectAllAndCheck(userFile), [path]);
  });

  test('killed at random moments of a create/free loop, three at once', async () => {
    const { home, userFile } = newHome();
    for (const delays of [[5, 40, 150], [0, 90, 300]]) {
      const children = delays.map(() => spawnChild(home, ['churn']));
      await Promise.all(children.map((c) => c.next('started')));
      await Promise.all(
        children.map(async (child, i) => {
          await new Promise((resolve) => setTimeout(resolve, delays[i]));
          await child.kill();
        }),
      );
      const report = restartAndCheck(userFile);
      assert.ok(report.releasedOwners.every((o) => o.references >= 0));
      collectAllAndCheck(userFile);
      assert.deepEqual(trackedFiles(), {});
    }
  });
});
