/**
 * pi beyond the memory budget (apps/pi/outofcore.ts, units.ts; the plan's own tests are in src/apps/pi/plan.test.ts):
 * the digits of an out-of-core run against an independent oracle (Machin's formula, test/pi-oracle.ts), its phases, a resumed run,
 * a torn unit, and the disk refusal. The kill tests are in pi-kill.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configure } from '../src/config.js';
import { ResultTooLargeError } from '../src/errors.js';
import { computePi, computePiToFile } from '../src/apps/pi/index.js';
import { planPi } from '../src/apps/pi/plan.js';
import { FileJournal } from '../src/engine/outofcore/journal.js';
import { checkpointFolder } from '../src/engine/outofcore/resume.js';
import { StreamNumber } from '../src/number.js';
import { freshHome, logFiles } from './helpers.js';
import { piDecimals } from './pi-oracle.js';

const text = (digits: Uint8Array): string => Buffer.from(digits).toString('latin1');

/** The checkpoint journal of pi to `decimals` (engine/outofcore/resume.ts's folder for pi's spec). */
function journalPath(decimals: number): string {
  return join(checkpointFolder({ operation: 'pi', operands: [], parameters: { decimals, guard: 12 } }), 'journal');
}

test('pi out of core (3·10^4 decimals, 1 MiB budget, small leaves) equals the oracle; phases in order; nothing left', { timeout: 300_000 }, async () => {
  const home = freshHome('ms-pi-ooc-');
  configure({ memoryBudget: '1MiB' });
  try {
    const decimals = 30_000;
    const phases: string[] = [];
    const digits = await computePi(decimals, {
      plan: { method: 'outOfCore', leafTerms: 256 },
      onProgress: (_done, _total, phase) => {
        if (phase !== undefined && phases.at(-1) !== phase) phases.push(phase);
      },
    });
    assert.equal(text(digits), piDecimals(decimals));
    assert.equal(phases[0], 'series');
    assert.deepEqual(phases.slice(-4), ['root', 'sqrt', 'quotient', 'digits']);
    assert.ok(phases.includes('merge'));
    assert.deepEqual(logFiles(home), []);
  } finally {
    configure({ memoryBudget: '1GiB' });
  }
});

test('a run resumes from recorded units and ignores a torn or forged one', { timeout: 300_000 }, async () => {
  const home = freshHome('ms-pi-ooc-resume-');
  configure({ memoryBudget: '1MiB' });
  try {
    const decimals = 20_000;
    const plan = { method: 'outOfCore' as const, leafTerms: 128 };
    // A first run cancelled after its second merge: its units stay recorded in its checkpoint.
    const abort = new AbortController();
    let merges = 0;
    await assert.rejects(
      computePi(decimals, {
        plan,
        resume: true,
        signal: abort.signal,
        onProgress: (_d, _t, phase) => {
          if (phase === 'merge' && ++merges === 2) abort.abort();
        },
      }),
      /cancel/i,
    );
    assert.ok(logFiles(home).length >= 4, 'the cancelled run keeps its checkpoint and its finished units (at reference 0)');
    const journal = await FileJournal.open(journalPath(decimals));
    const units = journal.entries().map(([k]) => k).filter((k) => k.startsWith('node:'));
    assert.ok(units.length >= 3, `units recorded: ${units.join(', ')}`);
    // Forge one record (a wrong residue): it must be redone, not trusted. Then tear the journal's tail.
    const forged = JSON.parse(journal.get(units[0]!)!) as { q: { residue: number } };
    forged.q.residue = (forged.q.residue + 1) % 7;
    await journal.set(units[0]!, JSON.stringify(forged));
    await journal.close();
    appendFileSync(journalPath(decimals), '0123456789abcdef ["set","node:0-1","{\\"q\\":');

    let resumed = 0;
    const digits = await computePi(decimals, { plan, resume: true, onResume: (info) => (resumed = info.done) });
    assert.ok(resumed >= 3, `told of ${resumed} resumed units`);
    assert.equal(text(digits), piDecimals(decimals));
    assert.deepEqual(logFiles(home), [], 'units, intermediates and the checkpoint folder are gone');
  } finally {
    configure({ memoryBudget: '1GiB' });
  }
});

test('pi to a file out of core writes "3." + decimals + newline; --fresh drops an earlier run', { timeout: 300_000 }, async () => {
  const home = freshHome('ms-pi-ooc-file-');
  configure({ memoryBudget: '1MiB' });
  try {
    const decimals = 12_345;
    const out = join(home, 'pi.txt');
    await computePiToFile(decimals, out, { plan: { method: 'outOfCore', leafTerms: 100 }, resume: true, fresh: true });
    assert.equal(readFileSync(out, 'latin1'), `3.${piDecimals(decimals)}\n`);
    assert.deepEqual(logFiles(home), []);
  } finally {
    configure({ memoryBudget: '1GiB' });
  }
});

test('a run that cannot fit the disk is refused before any work, naming bytes needed and free', async () => {
  const home = freshHome('ms-pi-ooc-disk-');
  (await StreamNumber.fromLiteral(1)).free(); // the log folder exists: its disk is the one measured
  const plan = planPi(2e10, 12); // ~480 GB of scratch: more than any test machine's free disk
  assert.equal(plan.method, 'outOfCore');
  for (const resume of [false, true]) {
    await assert.rejects(computePi(2e10, { resume }), (e: unknown) => e instanceof ResultTooLargeError && /needs .* on disk.*, but only .* is free/.test(e.message));
  }
  assert.deepEqual(logFiles(home), []);
});
