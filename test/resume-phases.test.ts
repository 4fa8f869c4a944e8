/**
 * Kill tests by phase: a resumable out-of-core product (2-D transform) and a power, in a child process, SIGKILLed
 * at a seeded random moment inside each phase of the product (spectra, columns, rows), then rerun until done. Every
 * rerun after a kill past the first unit says it resumed, the digits equal BigInt's, and nothing leaks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configure } from '../src/config.js';
import { closeTracker, reconcile, trackedFiles } from '../src/tracker/index.js';
import { freshHome, logFiles, randomInteger, seededRandom } from './helpers.js';

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

const CHILD = fileURLToPath(new URL('./fixtures/resume-child.js', import.meta.url));

interface Outcome {
  readonly killed: boolean;
  readonly events: Array<{ event: string; phase?: string; sha?: string; done?: number; detail?: string | null }>;
}

/** Runs the child; SIGKILLs it `delayMs` after it first reports a phase matching `phase` (never, if undefined). */
function runChild(home: string, args: readonly string[], phase?: RegExp, delayMs = 0): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, ...args], {
      env: { ...process.env, MATHSTREAM_HOME: home, MATHSTREAM_MEMORY: '16MiB', MATHSTREAM_THREADS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const events: Outcome['events'] = [];
    let buffered = '';
    let err = '';
    let armed = false;
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const event = JSON.parse(buffered.slice(0, nl)) as Outcome['events'][number];
        buffered = buffered.slice(nl + 1);
        events.push(event);
        if (!armed && phase && event.event === 'phase' && phase.test(event.phase ?? '')) {
          armed = true;
          setTimeout(() => child.kill('SIGKILL'), delayMs);
        }
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL' && code !== 0) reject(new Error(`child failed (${code}): ${err}`));
      else resolve({ killed: signal === 'SIGKILL', events });
    });
  });
}

function assertNoLeaks(home: string): void {
  configure({ home });
  try {
    reconcile();
    const names = logFiles(home);
    assert.deepEqual(names.filter((n) => n.startsWith('.tmp-') || n.startsWith('.resume-')), [], 'no temp file, no checkpoint');
    for (const path of Object.keys(trackedFiles())) assert.ok(names.some((n) => path.endsWith(n)), `row without file: ${path}`);
  } finally {
    closeTracker();
  }
}

test('a product killed inside each phase (spectra, columns, rows) resumes inside it', { timeout: 600_000 }, async () => {
  const home = freshHome('ms-resume-phases-mul-');
  const random = seededRandom(2026);
  const a = randomInteger(200_000, false, random);
  const b = randomInteger(150_000, false, random);
  writeFileSync(join(home, 'a.txt'), a.toString());
  writeFileSync(join(home, 'b.txt'), b.toString());
  const args = ['mul', join(home, 'a.txt'), join(home, 'b.txt')];
  let resumedAfterKill = 0;
  let kills = 0;
  // Within a few milliseconds of the phase's start: the rows phase of a product this size is short.
  for (const phase of [/^spectra$/, /^columns$/, /^rows$/]) {
    const killed = await runChild(home, args, phase, Math.floor(random() * 5));
    if (killed.killed) kills++;
    const rerun = await runChild(home, args);
    assert.ok(!rerun.killed);
    if (killed.killed && rerun.events.some((e) => e.event === 'resumed')) resumedAfterKill++;
    const done = rerun.events.find((e) => e.event === 'done');
    assert.equal(done?.sha, sha((a * b).toString()), `digits after a kill in ${phase}`);
  }
  assert.ok(kills >= 2, `runs were killed inside their phases (${kills} of 3)`);
  assert.ok(resumedAfterKill >= 2, `reruns resumed from the killed runs' units (${resumedAfterKill} of 3)`);
  assertNoLeaks(home);
});

test('a power killed inside its steps\' products resumes from its steps and their units', { timeout: 600_000 }, async () => {
  const home = freshHome('ms-resume-phases-pow-');
  const random = seededRandom(7);
  const args = ['pow', '7', '60000'];
  const expected = sha((7n ** 60000n).toString());
  let kills = 0;
  for (const phase of [/step 1[34]\/15 spectra/, /step 1[34]\/15 columns/, /step 1[34]\/15 rows/]) {
    const killed = await runChild(home, args, phase, Math.floor(random() * 30));
    if (killed.killed) kills++;
    const rerun = await runChild(home, args);
    if (killed.killed) assert.ok(rerun.events.some((e) => e.event === 'resumed'), `the rerun after a kill in ${phase} resumed`);
    const done = rerun.events.find((e) => e.event === 'done');
    assert.equal(done?.sha, expected);
  }
  assert.ok(kills >= 2, `runs were killed inside their phases (${kills} of 3)`);
  assertNoLeaks(home);
});
