/**
 * Fault test: an out-of-core multiplication SIGKILLed at random moments leaves nothing the next
 * start cannot clean: after reconciliation no temp file or scratch folder, no row without its file,
 * earlier results intact, and the SQLite database passes `PRAGMA integrity_check`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { getConfig } from '../src/config.js';
import { StreamNumber } from '../src/number.js';
import { mulOutOfCore } from '../src/engine/outofcore/index.js';
import { reconcile, trackedFiles } from '../src/tracker/index.js';
import { freshHome, logFiles, randomInteger } from './helpers.js';

const CHILD = fileURLToPath(new URL('./fixtures/ooc-child.js', import.meta.url));
const BLOCK = 1024;

function sha(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Runs the child; kills it `killAfterMs` after it reports "started" (never, if undefined). */
function runChild(home: string, a: string, b: string, killAfterMs?: number): Promise<{ ms: number; killed: boolean; done: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, a, b, String(BLOCK)], {
      env: { ...process.env, MATHSTREAM_HOME: home, MATHSTREAM_MEMORY: '16MiB' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let started = 0;
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!started && out.includes('"started"')) {
        started = Date.now();
        if (killAfterMs !== undefined) setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL' && code !== 0) reject(new Error(`child failed (${code}): ${err}`));
      else resolve({ ms: Date.now() - started, killed: signal === 'SIGKILL', done: out.includes('"done"') });
    });
  });
}

test('SIGKILL of an out-of-core multiplication at random moments (10 or more)', { timeout: 240_000 }, async () => {
  const home = freshHome('ms-ooc-kill-');
  const a = join(home, 'a.txt');
  const b = join(home, 'b.txt');
  const av = randomInteger(150_000, false);
  const bv = randomInteger(120_000, false);
  writeFileSync(a, av.toString());
  writeFileSync(b, bv.toString());

  // An earlier result, held by this (live) process throughout.
  const x = await StreamNumber.fromLiteral(randomInteger(5000, false));
  const earlier = await mulOutOfCore(x, x, false, {}, { blockSize: 128 });
  const earlierHash = sha(earlier.path);

  const full = await runChild(home, a, b);
  assert.ok(full.done, 'an undisturbed child finishes');
  let kills = 0;
  let leftBehind = 0; // temp entries found right after a kill: proof the kills hit work in progress
  let duration = full.ms; // shrinks when a run outpaces its kill (the machine's load varies)
  for (let attempt = 0; kills < 12 && attempt < 40; attempt++) {
    const run = await runChild(home, a, b, Math.floor(Math.random() * duration * 0.9));
    if (run.killed) kills++;
    else duration = Math.min(duration, run.ms);
    if (run.killed) leftBehind += logFiles(home).filter((name) => name.startsWith('.tmp-')).length;
  }
  assert.ok(kills >= 10, `at least 10 runs were killed mid-way (got ${kills})`);
  assert.ok(leftBehind > 0, 'some kill left a scratch folder or temp file for reconciliation to remove');

  const report = reconcile();
  assert.ok(report !== undefined);
  const leftovers = logFiles(home).filter((name) => name.startsWith('.tmp-'));
  assert.deepEqual(leftovers, [], 'no temp file or scratch folder survives reconciliation');
  for (const path of Object.keys(trackedFiles())) assert.ok(existsSync(path), `row without file: ${path}`);
  assert.ok(existsSync(earlier.path));
  assert.equal(sha(earlier.path), earlierHash, 'the earlier result is intact');
  assert.equal(trackedFiles()[earlier.path], 1, 'the earlier result keeps its reference');
  const db = new Database(getConfig().dbPath, { readonly: true });
  try {
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  } finally {
    db.close();
  }
  // Every finished product a killed child published is a correct one.
  const expected = (av * bv).toString();
  for (const name of logFiles(home).filter((n) => n.startsWith('result_'))) {
    const path = join(home, 'log', name);
    if (path !== earlier.path) assert.equal(readFileSync(path, 'latin1'), expected);
  }
  x.free();
  earlier.free();
});
