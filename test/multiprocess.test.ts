/**
 * Several processes share one home: three workers (test/fixtures/tracker-child.ts `worker`)
 * create and free private literals, shared literals and engine results for a few seconds,
 * reading back every number they hold each round, while one of them runs collectGarbage(0)
 * over and over. No error, no referenced file deleted, and the shared counts add up across
 * processes; once all have freed, nothing is left.
 *
 * The workers also publish unreferenced staged files and take handles on them with
 * StreamNumber.fromPath, racing the collector: losing the race is fine, a handle on a file the
 * collector deleted is an error (it caught a real race in fromPath, fixed there).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { configure, getConfig } from '../src/config.js';
import { closeTracker, collectGarbage, trackedFiles, trackerStatus } from '../src/tracker/index.js';
import { SHARED, spawnChild, type ChildEvent, type WorkerStats } from './fixtures/children.js';

const WORKERS = 3;
const DURATION_MS = 3_000;


after(() => closeTracker());

test(`${WORKERS} processes create and free numbers while one collects`, async () => {
  const home = mkdtempSync(join(tmpdir(), 'ms-multi-'));
  configure({ home, resetOnStart: false });
  const workers = Array.from({ length: WORKERS }, (_, id) =>
    spawnChild(home, ['worker', String(id), String(DURATION_MS), id === 0 ? 'collect' : 'no-collect']),
  );
  try {
    const holding = await Promise.all(workers.map((w) => w.next('holding', 60_000)));

    // Worker i holds i + 1 references to each shared literal: the counts add up across processes.
    const sharedPaths = (holding[0]!.paths as string[]).sort();
    assert.equal(sharedPaths.length, SHARED.length);
    for (const event of holding) assert.deepEqual((event.paths as string[]).sort(), sharedPaths);
    const expected = (WORKERS * (WORKERS + 1)) / 2;
    const files = trackedFiles();
    for (const path of sharedPaths) assert.equal(files[path], expected, `shared count of ${path}`);
    // Every other number was freed; what is left at count 0 are staged files nobody took.
    for (const [path, count] of Object.entries(files)) {
      if (!sharedPaths.includes(path)) {
        assert.equal(count, 0, path);
        assert.match(path, /staged_\d+_\d+_[0-9a-f]+\.txt$/);
      }
    }
    const holders = trackerStatus().holders;
    assert.equal(new Set(holders.map((h) => h.owner)).size, WORKERS);
    // A collector in yet another process sweeps the unreferenced files and nothing else.
    const swept = collectGarbage(0);
    assert.deepEqual(swept.sort(), Object.keys(files).filter((p) => !sharedPaths.includes(p)).sort());
    for (const path of sharedPaths) assert.ok(existsSync(path));
    assert.deepEqual(Object.keys(trackedFiles()).sort(), sharedPaths);

    for (const worker of workers) worker.process.stdin!.write('release\n');
    const done: ChildEvent[] = await Promise.all(workers.map((w) => w.next('done', 30_000)));
    const exits = await Promise.all(workers.map((w) => w.exited));
    const stats = done.map((d) => d.stats as WorkerStats);
    for (const s of stats) {
      assert.deepEqual(s.errors, [], `worker ${s.id} saw no error`);
      assert.ok(s.created > 10, `worker ${s.id} did some work (${s.created})`);
      assert.equal(s.freed, s.created, 'every number created in the loop was freed');
    }
    assert.ok(stats[0]!.collections > 0 && stats[0]!.collected > 0, 'the collector ran and deleted files');
    assert.ok(stats.some((s) => s.tookStaged > 0), 'handles were taken on staged files too');
    for (const exit of exits) assert.equal(exit.code, 0);

    assert.deepEqual(trackedFiles(), {});
    assert.deepEqual(readdirSync(getConfig().logDir), [], 'every file went with its last reference');
    const db = new Database(getConfig().dbPath, { readonly: true });
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    db.close();
  } finally {
    await Promise.all(workers.map((w) => w.kill()));
  }
});
