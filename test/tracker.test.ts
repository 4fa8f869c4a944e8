/**
 * Unit tests of the SQLite watcher: counts, touches, the collector's score under a controlled
 * clock, the log-folder fence, start-up reconciliation, resetOnStart, the lock.
 */
import { test, describe, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { configure, getConfig } from '../src/config.js';
import { InvalidArgumentError, TrackerError } from '../src/errors.js';
import { currentOwner, tempName } from '../src/storage/owner.js';
import { clearLogs, closeTracker, collectGarbage, garbageScore, reconcile, startUpReport, trackedFiles, trackerStatus, SCHEMA_VERSION } from '../src/tracker/index.js';
import { registerLogFile, registerReference, releaseReference, touchLogFile, wipeLogRecords } from '../src/tracker/references.js';
import { setTrackerClock, withTrackerLock } from '../src/tracker/connection.js';

/** A pid above Linux's pid_max: never alive. */
const DEAD_OWNER = '999999999.12345';

let clockMs = 0;

function freshHome(options: { resetOnStart?: boolean } = {}): string {
  const home = mkdtempSync(join(tmpdir(), 'ms-tracker-'));
  configure({ home, resetOnStart: options.resetOnStart ?? false });
  return home;
}

/** Writes a staged file into the log folder (without tracking it). */
function stage(name: string, text = '12345'): string {
  const path = join(getConfig().logDir, name);
  mkdirSync(getConfig().logDir, { recursive: true });
  writeFileSync(path, text);
  return path;
}

function fileStatus(path: string) {
  const entry = trackerStatus().files.find((f) => f.path === path);
  assert.ok(entry, `${path} should be tracked`);
  return entry;
}

/** A second connection to the same database, as another process would have. */
function rawDatabase(): Database.Database {
  return new Database(getConfig().dbPath, { timeout: 10_000 });
}

beforeEach(() => {
  clockMs = 1_700_000_000_000;
  setTrackerClock(() => clockMs);
  freshHome();
  trackedFiles(); // open (and reconcile) now, so files staged by a test are not adopted at start-up
});

after(() => {
  setTrackerClock();
  closeTracker();
});

describe('reference counts', () => {
  test('register, reference, release; the last release unlinks the file', () => {
    const path = stage('a.txt');
    registerLogFile(path);
    assert.deepEqual(trackedFiles(), { [path]: 0 });
    assert.equal(registerReference(path), 1);
    assert.equal(registerReference(path), 2);
    assert.deepEqual(trackedFiles(), { [path]: 2 });
    assert.equal(releaseReference(path), 1);
    assert.ok(existsSync(path));
    assert.equal(releaseReference(path), 0);
    assert.ok(!existsSync(path), 'file unlinked at count 0');
    assert.deepEqual(trackedFiles(), {});
  });

  test('deleteFile: false drops the rows but keeps the file', () => {
    const path = stage('keep.txt');
    registerReference(path);
    assert.equal(releaseReference(path, { deleteFile: false }), 0);
    assert.ok(existsSync(path));
    assert.deepEqual(trackedFiles(), {});
  });

  test('releasing an unknown or outside path is harmless', () => {
    const outside = join(getConfig().home, 'user.txt');
    writeFileSync(outside, '42');
    assert.equal(releaseReference(join(getConfig().logDir, 'never.txt')), 0);
    assert.equal(releaseReference(outside), 0);
    assert.equal(readFileSync(outside, 'utf8'), '42');
  });

  test('registerReference registers an unknown file and counts an access', () => {
    const path = stage('b.txt');
    assert.equal(registerReference(path), 1);
    assert.equal(fileStatus(path).accessCount, 1);
    assert.equal(fileStatus(path).size, 5);
  });

  test('registerLogFile records the given size, paths are normalised', () => {
    const path = join(getConfig().logDir, 'later.txt');
    registerLogFile(join(getConfig().logDir, 'sub', '..', 'later.txt'), 1234);
    assert.deepEqual(Object.keys(trackedFiles()), [path]);
    assert.equal(fileStatus(path).size, 1234);
    assert.throws(() => registerLogFile(path, -1), InvalidArgumentError);
  });

  test('a process cannot release references it does not hold', () => {
    const path = stage('shared.txt');
    registerLogFile(path);
    const db = rawDatabase();
    db.prepare("INSERT INTO holders (path, owner, count) VALUES (?, ?, 2)").run(path, `${process.ppid}.0`);
    db.prepare('UPDATE refs SET ref_count = 2 WHERE path = ?').run(path);
    db.close();
    assert.equal(releaseReference(path), 2, 'another live process holds both references');
    assert.ok(existsSync(path));
    assert.equal(registerReference(path), 3);
    assert.equal(releaseReference(path), 2);
  });

  test('a file registered but never referenced is dropped by a release', () => {
    const path = stage('failed-result.txt');
    registerLogFile(path);
    assert.equal(releaseReference(path), 0);
    assert.ok(!existsSync(path));
  });
});

describe('the log-folder fence', () => {
  test('paths outside the log folder are refused', () => {
    const home = getConfig().home;
    const user = join(home, 'user.txt');
    writeFileSync(user, '7');
    assert.throws(() => registerLogFile(user), InvalidArgumentError);
    assert.throws(() => registerReference(user), InvalidArgumentError);
    assert.throws(() => registerLogFile(join(getConfig().logDir, '..', 'user.txt')), InvalidArgumentError);
    assert.throws(() => registerLogFile(getConfig().logDir), InvalidArgumentError);
    assert.throws(() => registerLogFile(`${getConfig().logDir}-evil/x.txt`), InvalidArgumentError);
    assert.throws(() => registerLogFile(''), InvalidArgumentError);
    touchLogFile(user); // ignored, no error
    assert.deepEqual(trackedFiles(), {});
  });

  test('the collector never deletes a row pointing outside, nor through a symlinked folder', () => {
    const userDir = mkdtempSync(join(tmpdir(), 'ms-user-'));
    const userFile = join(userDir, 'precious.txt');
    writeFileSync(userFile, '31415');
    // A forged row (as an old or hostile database could hold).
    registerLogFile(stage('x.txt'));
    const db = rawDatabase();
    db.prepare('INSERT INTO logs (path, created, last_access, access_count) VALUES (?, 0, 0, 0)').run(userFile);
    db.prepare('INSERT INTO refs (path, ref_count) VALUES (?, 0)').run(userFile);
    db.close();
    // A symlinked folder inside the log folder and a symlink to a user file.
    symlinkSync(userDir, join(getConfig().logDir, 'linkdir'));
    symlinkSync(userFile, join(getConfig().logDir, 'link.txt'));
    registerLogFile(join(getConfig().logDir, 'linkdir', 'precious.txt'));
    registerLogFile(join(getConfig().logDir, 'link.txt'));
    const deleted = collectGarbage(0);
    assert.ok(deleted.includes(join(getConfig().logDir, 'link.txt')), 'the link itself goes');
    assert.ok(!deleted.includes(userFile));
    assert.equal(readFileSync(userFile, 'utf8'), '31415', 'the user file is untouched');
    assert.ok(existsSync(userDir));
  });
});

describe('touch and score', () => {
  test('touchLogFile updates the last access and the access count', () => {
    const path = stage('t.txt');
    registerLogFile(path);
    clockMs += 5_000;
    touchLogFile(path);
    touchLogFile(path);
    const entry = fileStatus(path);
    assert.equal(entry.accessCount, 2);
    assert.equal(entry.lastAccess, new Date(clockMs).toISOString());
    assert.equal(entry.created, new Date(clockMs - 5_000).toISOString());
    touchLogFile(join(getConfig().logDir, 'unknown.txt')); // no row, no error
  });

  test('score = idle seconds / ((refs + 1) * (accesses + 1))', () => {
    assert.equal(garbageScore(10_000, 0, 0), 10);
    assert.equal(garbageScore(10_000, 1, 1), 2.5);
    assert.equal(garbageScore(-5_000, 0, 0), 0);
    const path = stage('s.txt');
    registerLogFile(path);
    touchLogFile(path);
    touchLogFile(path);
    touchLogFile(path); // 3 accesses at t0
    clockMs += 40_000; // idle 40 s → score 40 / 4 = 10
    assert.equal(fileStatus(path).score, 10);
    assert.deepEqual(collectGarbage(10.001), []);
    assert.ok(existsSync(path));
    assert.deepEqual(collectGarbage(10), [path]);
    assert.ok(!existsSync(path));
  });

  test('the options.now override and a later access both change the score', () => {
    const path = stage('n.txt');
    registerLogFile(path);
    assert.deepEqual(collectGarbage(100, { now: clockMs + 99_000 }), []);
    clockMs += 90_000;
    touchLogFile(path); // idle time restarts; 1 access
    assert.deepEqual(collectGarbage(100, { now: clockMs + 199_000 }), []);
    assert.deepEqual(collectGarbage(100, { now: clockMs + 200_000 }), [path]);
  });

  test('a negative or NaN threshold throws InvalidArgumentError', () => {
    assert.throws(() => collectGarbage(-1), InvalidArgumentError);
    assert.throws(() => collectGarbage(Number.NaN), InvalidArgumentError);
  });

  test('the collector never deletes a referenced file, however old', () => {
    const held = stage('held.txt');
    const loose = stage('loose.txt');
    registerReference(held);
    registerLogFile(loose);
    clockMs += 10 * 365 * 86_400_000;
    assert.deepEqual(collectGarbage(0), [loose]);
    assert.ok(existsSync(held));
    assert.deepEqual(trackedFiles(), { [held]: 1 });
  });

  test("a dead process's references do not protect its files from the collector", () => {
    const path = stage('dead-held.txt');
    registerLogFile(path);
    const db = rawDatabase();
    db.prepare('INSERT INTO holders (path, owner, count) VALUES (?, ?, 1)').run(path, DEAD_OWNER);
    db.prepare('UPDATE refs SET ref_count = 1 WHERE path = ?').run(path);
    db.close();
    assert.deepEqual(trackedFiles(), { [path]: 1 });
    assert.deepEqual(collectGarbage(0), [path]);
  });
});

describe('reconciliation', () => {
  test('start-up drops missing rows, adopts orphans, releases dead owners, removes dead temps', () => {
    const gone = stage('gone.txt');
    const deadHeld = stage('dead-held.txt');
    const liveHeld = stage('live-held.txt');
    registerLogFile(gone);
    registerLogFile(deadHeld);
    registerReference(liveHeld);
    closeTracker();
    // Crash aftermath, written behind the tracker's back.
    const db = rawDatabase();
    db.prepare('INSERT INTO holders (path, owner, count) VALUES (?, ?, 3)').run(deadHeld, DEAD_OWNER);
    db.prepare('UPDATE refs SET ref_count = 3 WHERE path = ?').run(deadHeld);
    db.close();
    const orphan = stage('orphan.txt');
    const deadTemp = stage(`.tmp-${DEAD_OWNER}-abcdef`, '99');
    const deadTempDir = join(getConfig().logDir, `.tmp-${DEAD_OWNER}-dir`);
    mkdirSync(join(deadTempDir, 'inner'), { recursive: true });
    writeFileSync(join(deadTempDir, 'inner', 'part'), '1');
    const liveTemp = stage(tempName(), '1');
    const subdir = join(getConfig().logDir, 'not-mine');
    mkdirSync(subdir);
    writeFileSync(join(subdir, 'f.txt'), '5');
    writeFileSync(join(getConfig().home, 'user.txt'), 'u');
    rmSync(gone); // deleted behind the tracker's back, as a user or a crash would

    assert.deepEqual(trackedFiles(), { [deadHeld]: 0, [liveHeld]: 1, [orphan]: 0 });
    const report = startUpReport();
    assert.ok(report);
    assert.deepEqual(report.droppedRows, [gone]);
    assert.deepEqual(report.adopted, [orphan]);
    assert.deepEqual(report.releasedOwners, [{ owner: DEAD_OWNER, references: 3 }]);
    assert.deepEqual([...report.removedTemps].sort(), [deadTemp, deadTempDir].sort());
    assert.deepEqual(report.keptTemps, [liveTemp]);
    assert.ok(!existsSync(deadTemp) && !existsSync(deadTempDir));
    assert.ok(existsSync(liveTemp), "a live writer's temp file is kept");
    assert.ok(existsSync(join(subdir, 'f.txt')), 'sub-folders are left alone');
    assert.ok(existsSync(join(getConfig().home, 'user.txt')));
    // Adopted and released files are collectable; the live reference is not.
    assert.deepEqual(collectGarbage(0).sort(), [deadHeld, orphan].sort());
    assert.deepEqual(trackedFiles(), { [liveHeld]: 1 });
    assert.ok(existsSync(liveHeld));
  });

  test('an adopted orphan is dated by its modification time', () => {
    const orphan = stage('old.txt');
    const mtime = Date.now();
    clockMs = mtime + 3_600_000; // the tracker clock is an hour after the write
    const report = reconcile();
    assert.deepEqual(report.adopted, [orphan]);
    const score = fileStatus(orphan).score;
    assert.ok(score >= 3_599 && score <= 3_601, `score ${score} ≈ 3600`);
  });

  test('reconcile() repairs inconsistent counts from the holder rows', () => {
    const path = stage('c.txt');
    registerReference(path);
    const db = rawDatabase();
    db.prepare('UPDATE refs SET ref_count = 7 WHERE path = ?').run(path);
    db.close();
    reconcile();
    assert.deepEqual(trackedFiles(), { [path]: 1 });
  });

  test('resetOnStart wipes the records at start-up and keeps the files', () => {
    const path = stage('r.txt');
    registerReference(path);
    configure({ home: getConfig().home, resetOnStart: true });
    closeTracker();
    assert.deepEqual(trackedFiles(), {});
    assert.equal(startUpReport(), undefined);
    assert.ok(existsSync(path));
    configure({ resetOnStart: false });
    closeTracker();
    assert.deepEqual(trackedFiles(), { [path]: 0 }, 'the next reconciling start adopts it');
  });

  test('wipeLogRecords empties the tables only', () => {
    const path = stage('w.txt');
    registerReference(path);
    wipeLogRecords();
    assert.deepEqual(trackedFiles(), {});
    assert.equal(trackerStatus().holders.length, 0);
    assert.ok(existsSync(path));
  });
});

describe('clearLogs', () => {
  test('removes unreferenced files and dead temps, keeps live references and live temps', () => {
    const held = stage('held.txt');
    const loose = stage('loose.txt');
    registerReference(held);
    registerLogFile(loose);
    const untracked = stage('untracked.txt');
    const liveTemp = stage(tempName(), '1');
    const deadTemp = stage(`.tmp-${DEAD_OWNER}-x`, '1');
    const report = clearLogs();
    assert.deepEqual(report.removed.sort(), [deadTemp, loose, untracked].sort());
    assert.deepEqual(report.kept.sort(), [held, liveTemp].sort());
    assert.deepEqual(trackedFiles(), { [held]: 1 });
  });
});

describe('database', () => {
  test('withTrackerLock rolls back on a throw, nests, and refuses async functions', () => {
    const path = stage('tx.txt');
    assert.throws(
      () =>
        withTrackerLock(() => {
          registerReference(path);
          throw new Error('boom');
        }),
      /boom/,
    );
    assert.deepEqual(trackedFiles(), {});
    const count = withTrackerLock(() => withTrackerLock(() => registerReference(path)));
    assert.equal(count, 1);
    assert.throws(() => withTrackerLock(async () => 1), TrackerError);
  });

  test('changing home reopens the tracker in the new home', () => {
    const first = getConfig().home;
    const path = stage('h.txt');
    registerReference(path);
    freshHome();
    assert.deepEqual(trackedFiles(), {});
    configure({ home: first });
    assert.deepEqual(trackedFiles(), { [path]: 1 });
  });

  test('WAL mode, schema version, integrity', () => {
    registerReference(stage('i.txt'));
    closeTracker();
    const db = rawDatabase();
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    db.close();
  });

  test('a database from a newer schema is refused with a TrackerError', () => {
    trackedFiles();
    closeTracker();
    const db = rawDatabase();
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    assert.throws(() => trackedFiles(), (error: unknown) => error instanceof TrackerError && /newer/.test(error.message));
  });

  test('a corrupt database is reported as a TrackerError', () => {
    closeTracker();
    writeFileSync(getConfig().dbPath, 'this is not a database, just text that is long enough to look like a header');
    assert.throws(() => trackedFiles(), TrackerError);
  });

  test('status reports holders of this process', () => {
    const path = stage('st.txt');
    registerReference(path);
    registerReference(path);
    const status = trackerStatus();
    assert.deepEqual(status.holders, [{ path, owner: currentOwner(), count: 2, alive: true, self: true }]);
    assert.equal(status.totals.references, 2);
    assert.equal(status.totals.bytes, 5);
    assert.equal(status.totals.liveHolders, 1);
    assert.doesNotThrow(() => JSON.stringify(status));
  });
});
