/**
 * Kill tests of pi out of core (apps/pi/outofcore.ts): `mathstream pi` beyond its memory budget (1.8·10^5 decimals
 * at MATHSTREAM_MEMORY=1MiB) is SIGKILLed in each phase — while computing the series' subtrees, while merging on
 * files, and in the final square root and quotient — then rerun: the rerun says it resumes, its digits equal an
 * independent oracle (Machin's formula), and the log folder keeps nothing (units, intermediates, checkpoints).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configure } from '../src/config.js';
import { planPi, type PiNode } from '../src/apps/pi/plan.js';
import { closeTracker, trackedFiles } from '../src/tracker/index.js';
import { freshHome, logFiles } from './helpers.js';
import { piDecimals } from './pi-oracle.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const DECIMALS = 180_000;
const ENV = { MATHSTREAM_MEMORY: '1MiB' };

/** Journal keys of the plan's leaves and merges, for the kill triggers. */
function planKeys(): { leaves: Set<string>; merges: Set<string> } {
  configure({ memoryBudget: ENV.MATHSTREAM_MEMORY });
  const plan = planPi(DECIMALS, 12);
  configure({ memoryBudget: '1GiB' });
  assert.equal(plan.method, 'outOfCore');
  const leaves = new Set<string>(), merges = new Set<string>();
  const walk = (n: PiNode): void => {
    (n.children ? merges : leaves).add(`node:${n.a}-${n.b}`);
    if (n.children) for (const c of n.children) walk(c);
  };
  for (const r of plan.roots!) walk(r);
  return { leaves, merges };
}

/** Keys recorded in the checkpoint journals (`<home>/log/.resume-<key>/journal`, engine/outofcore/journal.ts lines). */
function journalKeys(home: string): string[] {
  const keys: string[] = [];
  for (const name of logFiles(home)) {
    const path = join(home, 'log', name, 'journal');
    if (!name.startsWith('.resume-') || !existsSync(path)) continue;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      // The run may finish and remove its checkpoint folder between the check and the read.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    for (const line of text.split('\n')) {
      const match = /^[0-9a-f]{16} \["set","([^"]+)"/.exec(line);
      if (match) keys.push(match[1]!);
    }
  }
  return keys;
}

/** Runs the CLI and SIGKILLs it `delayMs` after `trigger(journal keys)` first holds. */
function runKilled(home: string, out: string, trigger: (keys: string[]) => boolean, delayMs: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'pi', String(DECIMALS), '-o', out], {
      env: { ...process.env, ...ENV, MATHSTREAM_HOME: home },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const poll = setInterval(() => {
      if (trigger(journalKeys(home))) {
        clearInterval(poll);
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    }, 10);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearInterval(poll);
      if (signal === 'SIGKILL') resolve(true);
      else if (code === 0) resolve(false);
      else reject(new Error(`pi failed (${code}): ${err}`));
    });
  });
}

/**
 * What a kill may leave: only staged results at reference 0 — tracked and collectable (`gc`), never temp files,
 * untracked files or checkpoint folders. Two windows leave such files: the final phase calls the engine's isqrt and
 * div, whose out-of-core routes publish their Newton iterates as ordinary staged results (engine/sqrt.ts,
 * outofcore/divide.ts `Held`); and in any phase an engine result is published a moment before pi's journal records
 * it as the run's own (`own:`), so a kill between the two leaves it to the collector. Until the engine keeps such
 * files in its scratch or checkpoint folder, every phase's test checks exactly that.
 */
const phases: Array<{
  phase: string;
  trigger: (keys: string[], k: ReturnType<typeof planKeys>) => boolean;
  delayMs: number;
}> = [
  { phase: 'series', trigger: (keys, k) => keys.some((key) => k.leaves.has(key)), delayMs: 50 },
  // Once every leaf is recorded, only merges (and the final steps) remain: the kill lands in the last merges.
  { phase: 'merge', trigger: (keys, k) => [...k.leaves].every((key) => keys.includes(key)), delayMs: 30 },
  { phase: 'final (sqrt, quotient)', trigger: (keys) => keys.includes('root:t'), delayMs: 300 },
];

for (const { phase, trigger, delayMs } of phases) {
  test(`pi out of core SIGKILLed during ${phase}: the rerun resumes, digits right, nothing left but collectable results`, { timeout: 600_000 }, async () => {
    const keys = planKeys();
    const home = freshHome('ms-pi-kill-');
    const out = join(mkdtempSync(join(tmpdir(), 'ms-pi-kill-out-')), 'pi.txt'); // outside the home (CLI rule)
    const killed = await runKilled(home, out, (journal) => trigger(journal, keys), delayMs);
    assert.ok(killed, `the run was killed during ${phase} (it finished first: the machine was faster than the trigger)`);
    assert.ok(!existsSync(out), 'a killed run leaves no output file');
    const rerun = spawnSync(process.execPath, [CLI, 'pi', String(DECIMALS), '-o', out], {
      env: { ...process.env, ...ENV, MATHSTREAM_HOME: home },
      encoding: 'utf8',
    });
    assert.equal(rerun.status, 0, rerun.stderr);
    assert.match(rerun.stderr, /pi: resuming from checkpoint: \d+ of \d+ units done/);
    assert.equal(readFileSync(out, 'latin1'), `3.${piDecimals(DECIMALS)}\n`);
    configure({ home }); // the tracker of the killed runs' home (opening it reconciles the dead owners)
    try {
      const refs = trackedFiles();
      for (const name of logFiles(home)) {
        assert.match(name, /^result_/, `only staged results may be left: ${name}`);
        assert.equal(refs[join(home, 'log', name)], 0, `${name} is left unreferenced (collectable)`);
      }
    } finally {
      closeTracker();
    }
  });
}
