/**
 * outofcore/power — a^e for results beyond the memory budget: left-to-right square-and-multiply where
 * every step is an out-of-core product (multiply.ts) from one file to the next.
 *
 * A small base (|a| ≤ 2^26, e.g. 9^(9^9)) costs no extra pass: the multiplication by a is folded into
 * the squaring's output stream (multiply.ts's `scale`). A large base takes a second product per set
 * bit. Intermediates are unpublished files in the operation's scratch folder, kept with their leading
 * zero (a product may be one digit shorter than reserved; readers start past it), each deleted as
 * soon as the next one is written; the last step writes into the staged result. Peak disk: the
 * result, the previous intermediate (half its size) and the cached spectra (about 2.7 bytes per digit
 * of the squared operand).
 *
 * Resumable runs (`options.resume`, outofcore/resume.ts): each finished step's intermediate is a
 * checkpoint. It is flushed, hashed (kernel/checksum.ts), renamed to `step-<i>.txt` in the checkpoint
 * folder, and only then recorded in the journal (`pow:step` → step, size, hash); the previous one is
 * deleted after the record is on disk, so a kill at any moment leaves at least one recorded step or
 * none. A rerun checks the recorded step file's size at once and its hash before the first read of its digits
 * (the next product's `beforeRead`; a product whose spectra a killed run recorded whole never reads it, and skips
 * that 0.2 GB read in 9^(9^9)): a file that is missing, short or different (a torn or damaged checkpoint) is
 * discarded and the run starts over, never trusting it.
 * Squaring steps double in size, so the last recorded step holds about half the remaining work's input
 * and the work done so far is about half of everything (docs/ARCHITECTURE.md, "Resumable runs").
 */
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from '../../errors.js';
import type { StreamNumber } from '../../number.js';
import { AtomicFile, syncFolder, type DigitFileInfo } from '../../storage/index.js';
import { throwIfCancelled, type OperationOptions } from '../context.js';
import { writeResult } from '../result.js';
import { getConfig } from '../../config.js';
import { convolveBlocksOnDisk, productScratchBytes, type MultiplyOutcome } from './multiply.js';
import { spectraRecorded } from './transform2d.js';
import type { OutOfCoreTuning } from './product.js';
import { settleProduct } from './product.js';
import { parseRecord } from './journal.js';
import { fileChecksum, resumableRun, type RunContext } from './resume.js';

/** Largest base folded into the output stream (scale · base-10^4 digit + carry stays exact). */
const FOLD_LIMIT = 2 ** 26;

/** The tag under which step i's product records its units. */
function stepTag(i: number): string {
  return `pow:${i}`;
}

/** The journal key of pow's last finished step. */
const STEP_KEY = 'pow:step';

/** An intermediate power: a file the next step reads; `discard` deletes it unless it is a checkpoint. */
interface Intermediate {
  readonly info: DigitFileInfo;
  discard(): Promise<void>;
}

/** What the journal records of a finished step (its file is verified against it before reuse). */
interface StepRecord {
  readonly step: number;
  readonly file: string;
  readonly bytes: number;
  readonly leadingZeros: number;
  /** kernel/checksum.ts's checksum of the file. */
  readonly checksum: string;
}

function intermediateInfo(path: string, outcome: MultiplyOutcome): DigitFileInfo {
  const digitCount = outcome.reserved - outcome.leadingZeros;
  return {
    path,
    negative: false,
    start: outcome.leadingZeros,
    end: outcome.reserved,
    digitCount,
    isZero: false,
    sizeBytes: outcome.reserved,
  };
}

/** Thrown by a restored step's check when its file does not match its record: the run starts over (powOutOfCore). */
class UntrustedStep extends Error {}

/** Drops the step record, its file and every `pow:` record (the products' units came from steps no longer vouched for). */
async function dropSteps(run: RunContext, folder: string, record: StepRecord | undefined): Promise<void> {
  if (record && typeof record.file === 'string' && /^step-\d+\.txt$/.test(record.file)) rmSync(join(folder, record.file), { force: true });
  await run.journal.forget('pow:');
}

/**
 * The recorded step whose file has the recorded size, with `verify`, its checksum's check, or undefined (an unusable
 * record and its file are dropped). The checksum is taken when the next step's product first reads the file
 * (MultiplyRequest.beforeRead), not here: a rerun whose product had recorded all its spectra never reads it, and a
 * file that fails there throws UntrustedStep before any digit of it is used.
 */
async function restoreStep(run: RunContext, folder: string, lastStep: number): Promise<{ record: StepRecord; info: DigitFileInfo; verify: () => Promise<void> } | undefined> {
  const text = run.journal.get(STEP_KEY);
  if (text === undefined) return undefined;
  let record: StepRecord | undefined;
  try {
    record = JSON.parse(text) as StepRecord;
    const path = join(folder, record.file);
    if (
      Number.isSafeInteger(record.step) && record.step >= 1 && record.step <= lastStep &&
      /^step-\d+\.txt$/.test(record.file) && statSync(path).size === record.bytes && typeof record.checksum === 'string'
    ) {
      const { checksum } = record;
      const verify = async (): Promise<void> => {
        if ((await fileChecksum(path).catch(() => undefined)) !== checksum) throw new UntrustedStep(`pow: checkpoint ${path} does not match its record`);
      };
      return { record, info: intermediateInfo(path, { reserved: record.bytes, leadingZeros: record.leadingZeros }), verify };
    }
  } catch {
    // unreadable record or missing file: not trusted
  }
  await dropSteps(run, folder, record);
  return undefined;
}

/**
 * |a|^e with the given sign, out of core. `a` is not zero or ±1, e >= 2, and `estimatedDigits` is the
 * result's size estimate (for the disk guard and progress). With `options.resume` the run keeps
 * checkpoints and continues from an earlier run's (see the module comment).
 * @throws {ResultTooLargeError} the disk cannot hold the result and scratch (before any work)
 * @throws {DiskFullError} the disk filled up midway (a resumable run keeps its checkpoints)
 * @throws {CheckpointBusyError} with `resume`, the same power is being computed by another process
 */
export async function powOutOfCore(
  x: StreamNumber,
  exponent: number,
  negative: boolean,
  estimatedDigits: number,
  options: OperationOptions = {},
  tuning: OutOfCoreTuning = {},
): Promise<StreamNumber> {
  if (!Number.isSafeInteger(exponent) || exponent < 2) throw new InvalidArgumentError(`pow: out-of-core exponent ${exponent} must be >= 2`);
  const small = x.digitCount <= 8 ? Number(x.toString().replace('-', '')) : undefined;
  const fold = small !== undefined && small <= FOLD_LIMIT ? small : undefined;
  // Result + previous intermediate + the last squaring's scratch files.
  const half = Math.ceil(estimatedDigits / 2);
  const scratchBytes = half + productScratchBytes(half, undefined, getConfig().memoryBudget, tuning.blockSize) + (1 << 20);
  const spec = { operation: 'pow', operands: [x.info], parameters: { exponent, negative } };
  return resumableRun(spec, { digits: estimatedDigits, scratchBytes }, options, async (run) => {
    for (;;) {
      try {
        return await powSteps(run, x.info, exponent, negative, estimatedDigits, fold, options, tuning);
      } catch (error) {
        if (!(error instanceof UntrustedStep)) throw error;
        // The restored step's file failed its check when first read: nothing of it was used. Start over.
        await dropSteps(run, run.scratch.path, parseRecord<StepRecord>(run.journal.get(STEP_KEY)));
      }
    }
  });
}

async function powSteps(
  run: RunContext,
  base: DigitFileInfo,
  exponent: number,
  negative: boolean,
  estimatedDigits: number,
  fold: number | undefined,
  options: OperationOptions,
  tuning: OutOfCoreTuning,
): Promise<StreamNumber> {
  const scratch = run.scratch;
  const bits = exponent.toString(2);
  const steps = bits.length - 1;
  // Work of a step ~ digits squared at that step; progress weighs steps by their result size.
  const stepDigits: number[] = [];
  for (let i = 1; i < bits.length; i++) stepDigits.push(estimatedDigits / 2 ** (bits.length - 1 - i));
  const totalWork = stepDigits.reduce((s, v) => s + v, 0);
  let workDone = 0;
  // The phase shown is the step and the product's own phase: `step 27/28 rows`.
  const stepOptions = (share: number, i: number): OperationOptions => ({
    signal: options.signal,
    onProgress: options.onProgress
      ? (done, total, phase) =>
          options.onProgress!(Math.min(totalWork, workDone + (share * done) / total), totalWork, `step ${i}/${steps}${phase ? ` ${phase}` : ''}`)
      : undefined,
  });

  const finished = await run.finished();
  if (finished) return finished;
  let current: Intermediate | undefined;
  let first = 1;
  /** The restored step file's check, for the first product that reads it (MultiplyRequest.beforeRead). */
  let verifyRestored: (() => Promise<void>) | undefined;
  if (run.durable) {
    let saved = await restoreStep(run, scratch.path, steps - 1);
    // Deferred only when the next step's journaled product recorded its whole spectra pass (it then reads the file
    // only to redo a chunk that fails its check); otherwise it reads the file at once, so it is checked now, and a
    // resume that a failed check would take back is never announced.
    const next = saved ? saved.record.step + 1 : 0;
    const journaledSquare = next > 0 && (fold !== undefined || bits[next] !== '1');
    if (saved && !(journaledSquare && spectraRecorded(run.journal, stepTag(next), true))) {
      const ok = await saved.verify().then(() => true, (error: unknown) => {
        if (error instanceof UntrustedStep) return false;
        throw error;
      });
      if (!ok) {
        await dropSteps(run, scratch.path, saved.record);
        saved = undefined;
      }
    } else if (saved) {
      verifyRestored = saved.verify;
    }
    if (saved) {
      const path = saved.info.path;
      current = { info: saved.info, discard: async () => rmSync(path, { force: true }) };
      first = saved.record.step + 1;
      for (let i = 1; i < first; i++) workDone += stepDigits[i - 1]!;
    }
    const partial = run.recorded(`${stepTag(first)}:`);
    run.resumed(first - 1, steps, 'steps', partial > 0 ? `and ${partial} units of step ${first}'s product` : undefined);
  }
  const replaceCurrent = async (next: Intermediate | undefined): Promise<void> => {
    await current?.discard();
    current = next;
  };
  /** A temp file's intermediate (not a checkpoint): deleted when replaced or on failure. */
  const temporary = (file: AtomicFile, outcome: MultiplyOutcome): Intermediate => ({
    info: intermediateInfo(file.tempPath, outcome),
    discard: () => file.abort(),
  });
  /** Makes step i's finished file a checkpoint (module comment: flush, hash, rename, record, then drop the previous one). */
  const checkpoint = async (i: number, file: AtomicFile, outcome: MultiplyOutcome): Promise<Intermediate> => {
    await file.finish();
    const name = `step-${i}.txt`;
    const path = join(scratch.path, name);
    const checksum = await fileChecksum(file.tempPath);
    file.publish(path);
    syncFolder(scratch.path);
    const record: StepRecord = { step: i, file: name, bytes: outcome.reserved, leadingZeros: outcome.leadingZeros, checksum };
    await run.journal.set(STEP_KEY, JSON.stringify(record));
    return { info: intermediateInfo(path, outcome), discard: async () => rmSync(path, { force: true }) };
  };

  try {
    // One step: file ← current² (·a folded) ; then, for a large base with this bit set, file ← that · a.
    const step = async (i: number, out: AtomicFile, offset: number): Promise<MultiplyOutcome> => {
      throwIfCancelled(options, 'pow');
      const bit = bits[i] === '1';
      const source = current?.info ?? base;
      // Only step `first` reads the restored file; a product that never reads it (all its spectra recorded) skips the check.
      const beforeRead = i === first ? verifyRestored : undefined;
      const share = stepDigits[i - 1]!;
      if (bit && fold === undefined) {
        const squared = await AtomicFile.create(scratch.path);
        try {
          const outcome = await convolveBlocksOnDisk({
            a: source, out: squared, offset: 0, scratch, blockSize: tuning.blockSize, method: tuning.method, chunkColumns: tuning.chunkColumns, options: stepOptions(share / 2, i), operation: 'pow',
            beforeRead,
          });
          workDone += share / 2;
          const result = await convolveBlocksOnDisk({
            a: intermediateInfo(squared.tempPath, outcome), b: base, out, offset, scratch, blockSize: tuning.blockSize,
            method: tuning.method, chunkColumns: tuning.chunkColumns, options: stepOptions(share / 2, i), operation: 'pow',
          });
          workDone -= share / 2;
          return result;
        } finally {
          await squared.abort();
        }
      }
      // A resumable step's product records its own units (outofcore/transform2d.ts), so a kill inside it resumes inside it.
      return convolveBlocksOnDisk({
        a: source, scale: bit ? fold : 1, out, offset, scratch, blockSize: tuning.blockSize, method: tuning.method, chunkColumns: tuning.chunkColumns,
        options: stepOptions(share, i), operation: 'pow', beforeRead, ...(run.durable ? { journal: run.journal, tag: stepTag(i) } : {}),
      });
    };

    for (let i = first; i < bits.length - 1; i++) {
      // A resumable step writes into a named file that survives a kill (the product's own journal records its units).
      const file = run.durable ? await AtomicFile.reopen(join(scratch.path, `step-${i}.partial`)) : await AtomicFile.create(scratch.path);
      const outcome = await step(i, file, 0).catch(async (error: unknown) => {
        await file.abort(); // a temp file is deleted, a resumable step's file kept
        throw error;
      });
      if (run.durable) await file.truncate(outcome.reserved); // a reused file may hold more than this product
      if (run.durable) await replaceCurrent(await checkpoint(i, file, outcome));
      else await replaceCurrent(temporary(file, outcome));
      workDone += stepDigits[i - 1]!;
    }
    const target = await run.resultTarget('result.partial');
    return await writeResult(async (file) => {
      const sign = negative ? 1 : 0;
      const outcome = await step(bits.length - 1, file, sign);
      if (run.durable) await file.truncate(sign + outcome.reserved);
      return settleProduct(file, negative, outcome);
    }, target);
  } finally {
    // A checkpoint stays for the rerun (resume.ts removes the folder after a success); a temp file goes.
    if (!run.durable) await current?.discard();
  }
}
