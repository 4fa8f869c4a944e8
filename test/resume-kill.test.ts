/**
 * Kill tests of resumable CLI runs: `mathstream pow`, `mul` and `div` forced out of core by a 1 MiB
 * MATHSTREAM_MEMORY are SIGKILLed at seeded random moments, several times in a row (each rerun continues
 * from what the killed one left), then run to the end. The digits are checked against BigInt, and nothing leaks
 * in `<home>/log`: after reconciliation no temp file, no checkpoint folder (a successful run removes its own), no
 * row without its file, and the database passes `PRAGMA integrity_check`. pow and mul must say on stderr that they
 * resumed (mul inside its 2-D transform product); div is not resumable and just restarts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { configure, getConfig } from '../src/config.js';
import { closeTracker, reconcile, trackedFiles } from '../src/tracker/index.js';
import { freshHome, logFiles, randomInteger, seededRandom } from './helpers.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

interface Run {
  readonly killed: boolean;
  readonly ms: number;
  readonly stderr: string;
  readonly code: number | null;
}

/**
 * Runs the CLI in `home`. `kill` SIGKILLs it: a number, that many ms after spawning; a function, as soon as it returns
 * true (polled every 5 ms); undefined, never.
 */
function runCli(home: string, args: readonly string[], kill?: number | (() => boolean), env: Readonly<Record<string, string>> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, MATHSTREAM_HOME: join(home, 'home'), MATHSTREAM_MEMORY: '1MiB', MATHSTREAM_THREADS: '1', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer =
      kill === undefined
        ? undefined
        : typeof kill === 'number'
          ? setTimeout(() => child.kill('SIGKILL'), kill)
          : setInterval(() => kill() && child.kill('SIGKILL'), 5);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      clearInterval(timer);
      resolve({ killed: signal === 'SIGKILL', ms: Date.now() - started, stderr, code });
    });
  });
}

/** True once a checkpoint journal in `home`'s log folder holds a record containing `marker`. */
function journalRecorded(home: string, marker: string): () => boolean {
  const log = join(home, 'home', 'log');
  return () =>
    existsSync(log) &&
    readdirSync(log).some((name) => {
      const journal = join(log, name, 'journal');
      return name.startsWith('.resume-') && existsSync(journal) && readFileSync(journal, 'latin1').includes(marker);
    });
}

/**
 * One full run (its time T sets the kill window), then `kills` runs killed at seeded moments in [0.15 T, 0.95 T]
 * after their start, then a run to the end. Returns every run's stderr and the output file's text.
 */
async function killAndFinish(home: string, args: readonly string[], output: string, kills: number, seed: number): Promise<{ stderr: string[]; text: string }> {
  const random = seededRandom(seed);
  const full = await runCli(home, args);
  assert.equal(full.code, 0, `an undisturbed run finishes: ${full.stderr}`);
  let window = full.ms;
  const stderr: string[] = [full.stderr];
  let killed = 0;
  for (let attempt = 0; killed < kills && attempt < 3 * kills; attempt++) {
    const run = await runCli(home, args, Math.floor((0.15 + 0.8 * random()) * window));
    stderr.push(run.stderr);
    if (run.killed) killed++;
    else {
      assert.equal(run.code, 0, run.stderr);
      window = Math.min(window, run.ms); // the machine got faster: aim earlier
    }
  }
  assert.ok(killed >= Math.min(2, kills), `runs were killed midway (${killed})`);
  const last = await runCli(home, args);
  stderr.push(last.stderr);
  assert.equal(last.code, 0, `the rerun after the kills finishes: ${last.stderr}`);
  return { stderr, text: readFileSync(output, 'latin1').trim() };
}

/** Nothing leaks in <home>/log once the next start has reconciled. */
function assertNoLeaks(home: string): void {
  configure({ home: join(home, 'home') });
  try {
    reconcile();
    const names = logFiles(join(home, 'home'));
    assert.deepEqual(names.filter((n) => n.startsWith('.tmp-')), [], 'no temp file or scratch folder');
    assert.deepEqual(names.filter((n) => n.startsWith('.resume-')), [], 'no checkpoint folder after the successful run');
    const rows = trackedFiles();
    for (const path of Object.keys(rows)) assert.ok(existsSync(path), `row without its file: ${path}`);
    for (const name of names) assert.ok(join(getConfig().logDir, name) in rows, `file without a row after reconciliation: ${name}`);
    const db = new Database(getConfig().dbPath, { readonly: true });
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    } finally {
      db.close();
    }
  } finally {
    closeTracker();
  }
}

test('pow killed at random moments resumes from its checkpoints and ends with the right digits', { timeout: 600_000 }, async () => {
  const home = freshHome('ms-resume-kill-pow-');
  const output = join(home, 'p.txt');
  const exponent = 2_000_000;
  const { stderr, text } = await killAndFinish(home, ['pow', '7', String(exponent), '-o', output], output, 4, 12);
  assert.ok(stderr.some((e) => /pow: resuming from checkpoint: \d+ of 20 steps done/.test(e)), `a rerun said it resumed:\n${stderr.join('')}`);
  assert.equal(text, (7n ** BigInt(exponent)).toString());
  assertNoLeaks(home);
});

test('pow --fresh discards a checkpoint and says nothing of resuming', { timeout: 120_000 }, async () => {
  const home = freshHome('ms-resume-fresh-');
  const output = join(home, 'p.txt');
  const args = ['pow', '7', '1000000', '-o', output];
  const full = await runCli(home, args);
  assert.equal(full.code, 0, full.stderr);
  const killed = await runCli(home, args, Math.floor(full.ms * 0.8));
  const fresh = await runCli(home, [...args, '--fresh']);
  assert.equal(fresh.code, 0, fresh.stderr);
  assert.doesNotMatch(fresh.stderr, /resuming/);
  assert.equal(readFileSync(output, 'latin1').trim(), (7n ** 1_000_000n).toString());
  assert.ok(killed.killed || killed.code === 0);
  assertNoLeaks(home);
});

test('mul killed at random moments: the rerun ends with the right digits and nothing leaks', { timeout: 600_000 }, async () => {
  const home = freshHome('ms-resume-kill-mul-');
  const random = seededRandom(34);
  const a = randomInteger(700_000, false, random);
  const b = randomInteger(600_000, false, random);
  mkdirSync(join(home, 'in'), { recursive: true });
  writeFileSync(join(home, 'in', 'a.txt'), a.toString());
  writeFileSync(join(home, 'in', 'b.txt'), b.toString());
  const output = join(home, 'm.txt');
  const args = ['mul', `@${join(home, 'in', 'a.txt')}`, `@${join(home, 'in', 'b.txt')}`, '-o', output];
  // First a kill right after the product recorded a unit of its column pass (timing-independent), then random ones.
  const early = await runCli(home, args, journalRecorded(home, 'columns-'));
  assert.ok(early.killed, `the first run was killed inside the column pass: ${early.stderr}`);
  const { stderr, text } = await killAndFinish(home, args, output, 4, 56);
  stderr.unshift(early.stderr);
  // The 2-D transform records its units: a rerun after a kill inside the product continues inside it.
  assert.ok(stderr.some((e) => /mul: resuming from checkpoint: \d+ units of the product done/.test(e)), `a rerun said it resumed:\n${stderr.join('')}`);
  assert.equal(text, (a * b).toString());
  assertNoLeaks(home);
});

test('mul killed while it writes -o: the rerun writes the output again from its checkpoint, computing nothing', { timeout: 300_000 }, async () => {
  const home = freshHome('ms-resume-kill-export-');
  const random = seededRandom(35);
  const a = randomInteger(300_000, false, random);
  const b = randomInteger(250_000, false, random);
  mkdirSync(join(home, 'in'), { recursive: true });
  mkdirSync(join(home, 'out'), { recursive: true });
  writeFileSync(join(home, 'in', 'a.txt'), a.toString());
  writeFileSync(join(home, 'in', 'b.txt'), b.toString());
  const output = join(home, 'out', 'm.txt');
  const args = ['mul', `@${join(home, 'in', 'a.txt')}`, `@${join(home, 'in', 'b.txt')}`, '-o', output];
  // Small chunks make the export take a while (~1000 writes); the kill comes once the result is recorded in the
  // checkpoint and the export's temp file exists beside the output, i.e. during the export.
  const slow = { MATHSTREAM_CHUNK: '512' };
  const resultRecorded = journalRecorded(home, '["set","result"');
  const exporting = () => resultRecorded() && readdirSync(join(home, 'out')).some((n) => n.startsWith('.tmp-'));
  let killedInExport = false;
  for (let attempt = 0; attempt < 5 && !killedInExport; attempt++) {
    const run = await runCli(home, args, exporting, slow);
    if (!run.killed) assert.equal(run.code, 0, run.stderr); // finished before the poll saw it: try again
    killedInExport = run.killed && resultRecorded();
  }
  assert.ok(killedInExport, 'a run was killed during its export');
  const rerun = await runCli(home, args, undefined, slow);
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.match(rerun.stderr, /mul: resuming from checkpoint: 1 of 1 result done, only its output is written again/);
  assert.equal(readFileSync(output, 'latin1').trim(), (a * b).toString());
  assert.deepEqual(readdirSync(join(home, 'out')), ['m.txt'], 'the killed export left no temp file beside the output');
  assertNoLeaks(home);
});

test('div killed at random moments: the rerun ends with the right quotient and nothing leaks', { timeout: 600_000 }, async () => {
  const home = freshHome('ms-resume-kill-div-');
  const random = seededRandom(78);
  const a = randomInteger(900_000, false, random);
  const b = randomInteger(300_000, false, random);
  mkdirSync(join(home, 'in'), { recursive: true });
  writeFileSync(join(home, 'in', 'a.txt'), a.toString());
  writeFileSync(join(home, 'in', 'b.txt'), b.toString());
  const output = join(home, 'q.txt');
  const { text } = await killAndFinish(home, ['div', `@${join(home, 'in', 'a.txt')}`, `@${join(home, 'in', 'b.txt')}`, '-o', output], output, 3, 90);
  const q = BigInt(text);
  const r = a - q * b;
  assert.ok(r >= 0n && r < b, 'a = q·b + r with 0 <= r < b');
  assertNoLeaks(home);
});
