/**
 * Resumable out-of-core runs in one process (docs/ARCHITECTURE.md, "Resumable runs"): a run stopped midway keeps
 * its checkpoint folder and the next run continues from its last verified step; a damaged checkpoint is discarded,
 * never trusted; a folder held by a living process is refused; `fresh` starts over; reconciliation, `gc`, `clear`
 * and `status` treat checkpoint folders by the abandonment rule. Digits are checked against BigInt.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getConfig } from '../src/config.js';
import { CancelledError, CheckpointBusyError } from '../src/errors.js';
import type { ResumeInfo } from '../src/engine/index.js';
import { mulOutOfCore, powOutOfCore } from '../src/engine/outofcore/index.js';
import { checkpointFolder } from '../src/engine/outofcore/resume.js';
import { StreamNumber } from '../src/number.js';
import { listCheckpoints } from '../src/storage/index.js';
import { clearLogs, collectGarbage, reconcile, trackedFiles, trackerStatus } from '../src/tracker/index.js';
import { freshHome, logFiles, randomInteger } from './helpers.js';

const home = freshHome('ms-resume-');
const BLOCK = 256;
const EXPONENT = 40_000;
const DIGITS = Math.floor(EXPONENT * Math.log10(7)) + 1;
const EXPECTED = (7n ** BigInt(EXPONENT)).toString();

/** Runs 7^EXPONENT resumably and stops it once `fraction` of the work is done. */
async function stoppedPower(base: StreamNumber, fraction: number): Promise<void> {
  const controller = new AbortController();
  await assert.rejects(
    powOutOfCore(base, EXPONENT, false, DIGITS, {
      resume: true,
      signal: controller.signal,
      onProgress: (done, total) => {
        if (done / total >= fraction) controller.abort();
      },
    }, { blockSize: BLOCK }),
    CancelledError,
  );
}

async function resumedPower(base: StreamNumber, options: { fresh?: boolean } = {}): Promise<{ result: string; info: ResumeInfo | undefined }> {
  let info: ResumeInfo | undefined;
  const p = await powOutOfCore(base, EXPONENT, false, DIGITS, { resume: true, onResume: (i) => (info = i), ...options }, { blockSize: BLOCK });
  const result = p.toString();
  p.free();
  return { result, info };
}

function noTemps(): void {
  assert.deepEqual(logFiles(home).filter((n) => n.startsWith('.tmp-')), [], 'no temp file or folder in the log folder');
}

test('a stopped pow keeps its checkpoint; the rerun resumes from it with the right digits and removes it', async () => {
  const seven = await StreamNumber.fromLiteral(7);
  await stoppedPower(seven, 0.3);
  const [kept] = listCheckpoints(getConfig().logDir);
  assert.ok(kept, 'the checkpoint folder stays after a failure');
  assert.equal(kept.path, checkpointFolder({ operation: 'pow', operands: [seven.info], parameters: { exponent: EXPONENT, negative: false } }));
  assert.equal(kept.held, false, 'the lock was given up');
  assert.ok(readdirSync(kept.path).some((n) => /^step-\d+\.txt$/.test(n)), 'a verified step file is in it');
  noTemps();
  const { result, info } = await resumedPower(seven);
  assert.equal(result, EXPECTED);
  assert.ok(info !== undefined && info.done > 0 && info.done < (info.total ?? 0), `resumed part-way: ${JSON.stringify(info)}`);
  assert.equal(info.total, EXPONENT.toString(2).length - 1);
  assert.equal(info.unit, 'steps');
  assert.deepEqual(listCheckpoints(getConfig().logDir), [], 'the checkpoint folder is removed after success');
  noTemps();
  seven.free();
});

test('a damaged checkpoint is discarded and the run starts over, still right', async () => {
  const seven = await StreamNumber.fromLiteral(7);
  await stoppedPower(seven, 0.3);
  const [kept] = listCheckpoints(getConfig().logDir);
  const step = readdirSync(kept!.path).find((n) => /^step-\d+\.txt$/.test(n))!;
  const path = join(kept!.path, step);
  const bytes = readFileSync(path);
  bytes[Math.floor(bytes.length / 2)] = bytes[Math.floor(bytes.length / 2)] === 0x31 ? 0x32 : 0x31; // one digit changed
  writeFileSync(path, bytes);
  const { result, info } = await resumedPower(seven);
  // A step file that fails its hash is never used: the run starts over (nothing resumed), unless the next step's
  // product had recorded its whole spectra pass, which then never reads the file (power.ts, beforeRead).
  assert.ok(info === undefined || /units of step/.test(info.detail ?? ''), `nothing was resumed from a checkpoint that fails its hash: ${JSON.stringify(info)}`);
  assert.equal(result, EXPECTED);
  assert.deepEqual(listCheckpoints(getConfig().logDir), []);
  seven.free();
});

test('fresh discards the checkpoint; a folder held by a living process is refused', async () => {
  const seven = await StreamNumber.fromLiteral(7);
  await stoppedPower(seven, 0.3);
  const { result, info } = await resumedPower(seven, { fresh: true });
  assert.equal(info, undefined);
  assert.equal(result, EXPECTED);

  await stoppedPower(seven, 0.3);
  const [kept] = listCheckpoints(getConfig().logDir);
  writeFileSync(join(kept!.path, 'lock'), `${process.ppid}.0\n`); // the test runner: alive
  await assert.rejects(resumedPower(seven), (error: unknown) => {
    assert.ok(error instanceof CheckpointBusyError, String(error));
    assert.match(error.message, new RegExp(`pow: the same computation is already running in process ${process.ppid}`));
    return true;
  });
  assert.ok(existsSync(join(kept!.path, 'journal')), 'the holder\'s checkpoint is untouched');
  const [listed] = trackerStatus().checkpoints;
  assert.ok(listed && listed.held && listed.size > 0 && !listed.abandoned, JSON.stringify(listed));
  assert.deepEqual(collectGarbage(0), [], 'gc leaves a held checkpoint alone');
  assert.ok(clearLogs().kept.includes(kept!.path), 'clear keeps a held checkpoint');
  writeFileSync(join(kept!.path, 'lock'), '999999999.1\n'); // a dead owner: the run was killed
  const resumed = await resumedPower(seven);
  assert.ok(resumed.info !== undefined && resumed.info.done > 0);
  assert.equal(resumed.result, EXPECTED);
  seven.free();
});

test('abandoned checkpoints: kept while young, removed by reconcile and gc once old; clear removes any unheld one', async () => {
  const seven = await StreamNumber.fromLiteral(7);
  await stoppedPower(seven, 0.3);
  const logDir = getConfig().logDir;
  assert.deepEqual(reconcile().removedCheckpoints, [], 'a young checkpoint stays for its rerun');
  const [kept] = listCheckpoints(logDir);
  const old = new Date(Date.now() - 8 * 86_400_000);
  for (const name of readdirSync(kept!.path)) utimesSync(join(kept!.path, name), old, old);
  utimesSync(kept!.path, old, old);
  assert.equal(trackerStatus().checkpoints[0]?.abandoned, true);
  assert.deepEqual(reconcile().removedCheckpoints, [kept!.path]);
  assert.deepEqual(listCheckpoints(logDir), []);

  await stoppedPower(seven, 0.3);
  const [again] = listCheckpoints(logDir);
  for (const name of readdirSync(again!.path)) utimesSync(join(again!.path, name), old, old);
  utimesSync(again!.path, old, old);
  assert.ok(collectGarbage(1e12).includes(again!.path), 'gc removes an abandoned checkpoint');

  await stoppedPower(seven, 0.3);
  const [young] = listCheckpoints(logDir);
  assert.ok(clearLogs().removed.includes(young!.path), 'clear removes an unheld checkpoint whatever its age');
  assert.deepEqual(listCheckpoints(logDir), []);
  seven.free();
});

test('onResult runs while the checkpoint holds the result: when it fails, the rerun hands the kept result over again and computes nothing', async () => {
  const seven = await StreamNumber.fromLiteral(7);
  const seen: string[] = [];
  await assert.rejects(
    powOutOfCore(seven, EXPONENT, false, DIGITS, {
      resume: true,
      onResult: async (r) => {
        seen.push(r.toString());
        throw new Error('export failed'); // a kill or a failure during the export
      },
    }, { blockSize: BLOCK }),
    /export failed/,
  );
  assert.deepEqual(seen, [EXPECTED], 'onResult got the finished result');
  const [kept] = listCheckpoints(getConfig().logDir);
  assert.ok(kept && readdirSync(kept.path).includes('result.partial'), 'the checkpoint keeps the finished result');
  let info: ResumeInfo | undefined;
  let progress = 0;
  const p = await powOutOfCore(seven, EXPONENT, false, DIGITS, {
    resume: true,
    onResume: (i) => (info = i),
    onProgress: () => progress++,
    onResult: async (r) => void seen.push(r.toString()),
  }, { blockSize: BLOCK });
  assert.equal(p.toString(), EXPECTED);
  p.free();
  assert.deepEqual(seen, [EXPECTED, EXPECTED], 'the rerun handed the kept result over');
  assert.equal(info?.unit, 'result');
  assert.equal(progress, 0, 'nothing was computed again');
  assert.deepEqual(listCheckpoints(getConfig().logDir), [], 'the checkpoint is removed after success');

  // A kept result that does not check is dropped, never handed over: the run computes it again.
  await assert.rejects(powOutOfCore(seven, EXPONENT, false, DIGITS, {
    resume: true, onResult: async () => { throw new Error('export failed'); },
  }, { blockSize: BLOCK }), /export failed/);
  const [again] = listCheckpoints(getConfig().logDir);
  const partial = join(again!.path, 'result.partial');
  const text = readFileSync(partial, 'latin1');
  writeFileSync(partial, text.slice(0, 100) + (text[100] === '1' ? '2' : '1') + text.slice(101));
  const handed: string[] = [];
  const q = await powOutOfCore(seven, EXPONENT, false, DIGITS, { resume: true, onResult: async (r) => void handed.push(r.toString()) }, { blockSize: BLOCK });
  assert.equal(q.toString(), EXPECTED);
  q.free();
  assert.deepEqual(handed, [EXPECTED]);
  seven.free();
  noTemps();
});

test('a resumable out-of-core product: stopped, then rerun to the right digits; nothing leaks', async () => {
  const a = randomInteger(30_000, false);
  const b = randomInteger(25_000, false);
  const x = await StreamNumber.fromLiteral(a);
  const y = await StreamNumber.fromLiteral(b);
  const controller = new AbortController();
  await assert.rejects(
    mulOutOfCore(x, y, true, { resume: true, signal: controller.signal, onProgress: (d, t) => d / t > 0.5 && controller.abort() }, { blockSize: BLOCK }),
    CancelledError,
  );
  assert.equal(listCheckpoints(getConfig().logDir).length, 1);
  const before = Object.keys(trackedFiles()).length;
  const p = await mulOutOfCore(x, y, true, { resume: true }, { blockSize: BLOCK });
  assert.equal(p.toString(), (-(a * b)).toString());
  assert.equal(Object.keys(trackedFiles()).length, before + 1, 'one row: the result');
  assert.deepEqual(listCheckpoints(getConfig().logDir), []);
  noTemps();
  for (const n of [x, y, p]) n.free();
});

test('a product stopped inside its 2-D transform resumes inside it: units reported, digits right, nothing left', async () => {
  const a = randomInteger(40_000, false);
  const b = randomInteger(35_000, false);
  const x = await StreamNumber.fromLiteral(a);
  const y = await StreamNumber.fromLiteral(b);
  const tuning = { blockSize: 64, chunkColumns: 8, method: 'transform2d' } as const;
  const controller = new AbortController();
  const phases = new Set<string>();
  await assert.rejects(
    mulOutOfCore(x, y, false, {
      resume: true,
      signal: controller.signal,
      onProgress: (done, total, phase) => {
        if (phase) phases.add(phase);
        if (phase === 'rows') controller.abort(); // reported at once when the phase starts (context.ts progressReporter)
      },
    }, tuning),
    CancelledError,
  );
  assert.ok(phases.has('spectra') && phases.has('columns'), [...phases].join());
  let info: ResumeInfo | undefined;
  const p = await mulOutOfCore(x, y, false, { resume: true, onResume: (i) => (info = i) }, tuning);
  assert.ok(info !== undefined && info.done > 0 && info.unit === 'units of the product', JSON.stringify(info));
  assert.equal(p.toString(), (a * b).toString());
  assert.deepEqual(listCheckpoints(getConfig().logDir), []);
  noTemps();
  for (const n of [x, y, p]) n.free();
});

test('pow stopped inside a step\'s product resumes inside it and says so; progress names the step', async () => {
  const seven = await StreamNumber.fromLiteral(7);
  const tuning = { blockSize: 64, chunkColumns: 8, method: 'transform2d' } as const;
  const controller = new AbortController();
  let phase = '';
  await assert.rejects(
    powOutOfCore(seven, EXPONENT, false, DIGITS, {
      resume: true,
      signal: controller.signal,
      onProgress: (done, total, p) => {
        phase = p ?? phase;
        if (done / total > 0.5 && p?.endsWith('rows')) controller.abort();
      },
    }, tuning),
    CancelledError,
  );
  assert.match(phase, /^step \d+\/15 (spectra|columns|rows)$/);
  let info: ResumeInfo | undefined;
  const p = await powOutOfCore(seven, EXPONENT, false, DIGITS, { resume: true, onResume: (i) => (info = i) }, tuning);
  assert.ok(info?.detail !== undefined && /^and \d+ units of step \d+'s product$/.test(info.detail), JSON.stringify(info));
  assert.equal(p.toString(), EXPECTED);
  assert.deepEqual(listCheckpoints(getConfig().logDir), []);
  noTemps();
  p.free();
  seven.free();
});

test('a restored step file is checked when first read: unread it costs nothing, damaged and needed the run starts over, right', async () => {
  const seven = await StreamNumber.fromLiteral(7);
  const tuning = { blockSize: 64, chunkColumns: 8, method: 'transform2d' } as const;
  for (const damageSpectra of [false, true]) {
    const controller = new AbortController();
    await assert.rejects(
      powOutOfCore(seven, EXPONENT, false, DIGITS, {
        resume: true,
        signal: controller.signal,
        onProgress: (done, total, p) => {
          if (done / total > 0.6 && p?.endsWith('columns')) controller.abort();
        },
      }, tuning),
      CancelledError,
    );
    const [kept] = listCheckpoints(getConfig().logDir);
    const names = readdirSync(kept!.path);
    const step = join(kept!.path, names.find((n) => /^step-\d+\.txt$/.test(n))!);
    const bytes = readFileSync(step);
    bytes[5] = bytes[5] === 0x31 ? 0x32 : 0x31; // one digit changed: the file no longer matches its record
    writeFileSync(step, bytes);
    if (damageSpectra) {
      // The product's recorded spectra fail their check in pass 2, so the chunk is redone from the step file: its
      // check fails there, before any digit is used, and the run starts over.
      const spectra = join(kept!.path, names.find((n) => /spectra-a$/.test(n))!);
      writeFileSync(spectra, Buffer.alloc(readFileSync(spectra).length));
    }
    let info: ResumeInfo | undefined;
    const p = await powOutOfCore(seven, EXPONENT, false, DIGITS, { resume: true, onResume: (i) => (info = i) }, tuning);
    assert.ok(info?.detail !== undefined && /units of step/.test(info.detail), JSON.stringify(info));
    assert.equal(p.toString(), EXPECTED, `damaged spectra: ${damageSpectra}`);
    assert.deepEqual(listCheckpoints(getConfig().logDir), []);
    noTemps();
    p.free();
  }
  seven.free();
});

test('a large base (a second product per set bit) resumes from its steps too', async () => {
  const baseValue = 123_456_789_012n; // beyond the fold limit: squared, then multiplied by the base
  const exponent = 3001;
  const digits = Math.floor(exponent * Math.log10(Number(baseValue))) + 1;
  const base = await StreamNumber.fromLiteral(baseValue);
  const controller = new AbortController();
  await assert.rejects(
    powOutOfCore(base, exponent, false, digits, {
      resume: true, signal: controller.signal, onProgress: (done, total) => done / total > 0.4 && controller.abort(),
    }, { blockSize: BLOCK }),
    CancelledError,
  );
  let info: ResumeInfo | undefined;
  const p = await powOutOfCore(base, exponent, false, digits, { resume: true, onResume: (i) => (info = i) }, { blockSize: BLOCK });
  assert.ok(info !== undefined && info.done > 0, JSON.stringify(info));
  assert.equal(p.toString(), (baseValue ** BigInt(exponent)).toString());
  assert.deepEqual(listCheckpoints(getConfig().logDir), []);
  noTemps();
  p.free();
  base.free();
});
