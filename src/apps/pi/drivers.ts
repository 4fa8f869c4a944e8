/**
 * apps/pi/drivers — the drivers of the pi computation: the checks of a decimal count, the synchronous and the
 * asynchronous (progress, cancellation, pauses for the event loop) runs of compute.ts's steps, the number of
 * series threads the budget allows, and the atomic write to a file after a disk-space check.
 */
import { totalmem } from 'node:os';
import { freeBytesAt } from '../../storage/index.js';
import { dirname, resolve } from 'node:path';
import { formatBytes, getConfig } from '../../config.js';
import { CancelledError, InvalidArgumentError, ResultTooLargeError } from '../../errors.js';
import { PI_HELD_BYTES_PER_DECIMAL, fftThreads, piThreadsWithinBudget, suspendHelper } from '../../kernel/index.js';
import { GUARD_DIGITS, THREADED_DECIMALS, piDecimalPieces, piDecimals, piDecimalsNat, piWorkTotal } from './compute.js';
import { writePiChunks, writePiFile, writePiStream, PI_PREFIX, PI_NEWLINE, WRITE_CHUNK } from './writer.js';
import type { Writable } from 'node:stream';
import { type PiPlan, type PiPlanOptions, planPi } from './plan.js';
import type { ResumeOptions } from '../../engine/context.js';
import { readForward, writeFileAtomically } from '../../storage/index.js';
import type { StreamNumber } from '../../number.js';

/**
 * Options of the pi drivers. The ResumeOptions (`resume`, `fresh`, `onResume`) apply when the plan is out of core
 * (apps/pi/outofcore.ts): with `resume`, a killed, failed or cancelled run of the same decimals continues from its
 * finished units.
 */
export interface PiOptions extends ResumeOptions {
  signal?: AbortSignal;
  /**
   * Called as work advances: `done` of `total` work units (binary splitting, sqrt, division, output), and out of
   * core the phase (`series`, `merge`, `root`, `sqrt`, `quotient`, `digits`: apps/pi/outofcore.ts).
   */
  onProgress?: (done: number, total: number, phase?: string) => void;
  /** Per-call overrides of the plan (in memory or out of core, leaf size), for tests and benchmarks (plan.ts). */
  plan?: PiPlanOptions;
  /**
   * Threads the series may use (async drivers only; default `fftThreads()`, i.e. MATHSTREAM_THREADS or the
   * machine's available parallelism). Fewer are used where the memory budget does not hold that many subtrees at
   * once (kernel/budget.ts `piThreadsWithinBudget`) and below THREADED_DECIMALS. The digits never depend on it.
   */
  threads?: number;
}

/**
 * Reads a decimal count from the command line: `1000000`, `1e6`, `2.5e7`. Exponent notation is accepted because
 * counts this large are typed that way; the value must still come out a whole number.
 * @throws {InvalidArgumentError} the text is not a digit string or `<digits>[.<digits>]e<digits>`, or the value is
 *   not a positive safe integer (`2.55e1`, `0`)
 * @throws {ResultTooLargeError} the count exceeds `MATHSTREAM_MAX_DIGITS` (see checkDecimalCount; counts beyond memory
 *   are computed out of core)
 * @example
 * parseDecimalCount('2.5e7'); // 25000000
 */
export function parseDecimalCount(text: string): number {
  const trimmed = text.trim();
  if (!/^(\d+|\d+(\.\d+)?[eE]\d+)$/.test(trimmed)) {
    throw new InvalidArgumentError(`pi: the number of decimals must be a positive integer, got "${text}"`);
  }
  return checkDecimalCount(Number(trimmed));
}

/**
 * Validates a decimal count: a positive safe integer within MATHSTREAM_MAX_DIGITS. Counts beyond the memory budget
 * are fine: they are computed out of core (plan.ts), limited by the disk (checked before any work).
 * @returns `decimals` itself, so a caller can validate inline.
 * @throws {InvalidArgumentError} `decimals` is not a positive safe integer
 * @throws {ResultTooLargeError} `decimals + 1` digits exceed `MATHSTREAM_MAX_DIGITS`
 * @example
 * checkDecimalCount(1_000_000); // 1000000
 */
export function checkDecimalCount(decimals: number): number {
  if (!Number.isSafeInteger(decimals) || decimals < 1) {
    throw new InvalidArgumentError(`pi: the number of decimals must be a positive integer, got ${decimals}`);
  }
  const { maxDigits } = getConfig();
  if (maxDigits !== undefined && decimals + 1 > maxDigits) {
    throw new ResultTooLargeError(`pi: ${decimals} decimals exceed MATHSTREAM_MAX_DIGITS = ${maxDigits}`);
  }
  return decimals;
}

/** Refuses what the in-memory drivers cannot hold: the digits held in memory plus the budget beyond the machine's memory. */
function checkFitsMachine(decimals: number, what: string): void {
  const needed = decimals * PI_HELD_BYTES_PER_DECIMAL + getConfig().memoryBudget;
  if (needed > totalmem()) {
    throw new ResultTooLargeError(
      `pi: ${what} of ${decimals} decimals needs about ${(needed / 2 ** 30).toFixed(1)} GiB of memory, more than this ` +
        `machine has (${(totalmem() / 2 ** 30).toFixed(1)} GiB); computePiToFile computes it out of core`,
    );
  }
}

/** A computation in progress: the work generator (its value the digits, or X for piDecimalPieces) and the progress counted so far. */
interface Drive<T = Uint8Array> {
  readonly decimals: number;
  readonly steps: Generator<number, T>;
  /** Work units of the computation plus `extraTotal` (work the caller does after it, e.g. writing the file). */
  readonly total: number;
  readonly extraTotal: number;
  done: number;
}

function startDrive<T>(decimals: number, extraTotal: number, steps: Generator<number, T>): Drive<T> {
  return { decimals, steps, total: piWorkTotal(decimals) + extraTotal, extraTotal, done: 0 };
}

/** Ends a computation that stopped early (cancelled or failed): the generator's cleanup stops the subtree threads. */
function closeDrive<T>(drive: Drive<T>): void {
  drive.steps.return(undefined as T);
}

/**
 * Threads the async driver gives the series: from THREADED_DECIMALS on, as many as asked (default fftThreads()) and
 * as the memory budget holds subtree threads (piThreadsWithinBudget: the series is cut into leaves that fit each
 * thread's share, so the default 1 GiB holds up to 8 threads whatever the number of decimals).
 * @throws {InvalidArgumentError} `wanted` is not a positive safe integer (checked even below THREADED_DECIMALS)
 * @example
 * piThreadsFor(1000, 8); // 1: below THREADED_DECIMALS the series stays on one thread
 */
export function piThreadsFor(decimals: number, wanted: number = fftThreads()): number {
  if (!Number.isSafeInteger(wanted) || wanted < 1) {
    throw new InvalidArgumentError(`pi: the number of threads must be a positive integer, got ${wanted}`);
  }
  return decimals < THREADED_DECIMALS ? 1 : piThreadsWithinBudget(wanted);
}

/** One step: the cancellation check, the work, the progress report; the value once the generator is done. */
function advance<T>(drive: Drive<T>, options: PiOptions): T | undefined {
  if (options.signal?.aborted) throw new CancelledError(`pi to ${drive.decimals} decimals`);
  const step = drive.steps.next();
  if (step.done) return step.value;
  drive.done += step.value;
  options.onProgress?.(drive.done, Math.max(drive.total, drive.done + drive.extraTotal));
  return undefined;
}

function finish<T>(drive: Drive<T>, options: PiOptions, digits: T): { digits: T; done: number; total: number } {
  const finalTotal = Math.max(drive.total, drive.done + drive.extraTotal);
  if (drive.extraTotal === 0) options.onProgress?.(finalTotal, finalTotal);
  return { digits, done: finalTotal - drive.extraTotal, total: finalTotal };
}

/*
 * On one thread, the drivers keep the kernel's FFT helper thread off: pi's large products go through spectra, which
 * stay on one thread, so the helper would save little (10^6 decimals: 3.02 s with it, 3.09 s without) while
 * pinning its buffer pool and tables — at 10^8 decimals that was 2.4 GiB peak RSS instead of 1.8. The other cores
 * are used one level up instead: the async driver has the series' subtrees computed at once (parallel.ts), where
 * the memory budget allows it (piThreadsFor), and then lets the helper work too.
 *
 * The sync driver stays on one thread: it blocks the event loop, so it could not see a subtree thread die.
 */

function driveSync(decimals: number, options: PiOptions): Uint8Array {
  const drive = startDrive(decimals, 0, piDecimals(decimals, 1));
  const resumeHelper = suspendHelper();
  try {
    for (;;) {
      const digits = advance(drive, options);
      if (digits) return finish(drive, options, digits).digits;
    }
  } finally {
    closeDrive(drive);
    resumeHelper();
  }
}

/** Lets timers, signals and I/O run between steps about every PAUSE_MS of computing. */
const PAUSE_MS = 50;

async function driveAsync(decimals: number, options: PiOptions, extraTotal = 0): Promise<{ digits: Uint8Array; done: number; total: number }> {
  const threads = piThreadsFor(decimals, options.threads);
  return driveStepsAsync(startDrive(decimals, extraTotal, piDecimals(decimals, threads)), options, threads);
}

/** driveAsync's loop for any of compute.ts's generators (the text, or X for a file). */
async function driveStepsAsync<T>(drive: Drive<T>, options: PiOptions, threads: number): Promise<{ digits: T; done: number; total: number }> {
  let lastPause = performance.now();
  // Where the budget allows subtree threads, it allows the kernel's helper too: it then serves the plain products
  // (P1·P2, the square root and the division), 10^7 decimals on 2 threads: 28.0 → 25.8 s, same peak RSS (~0.7 GiB).
  const resumeHelper = threads > 1 ? () => undefined : suspendHelper();
  try {
    for (;;) {
      const digits = advance(drive, options);
      if (digits) return finish(drive, options, digits);
      if (performance.now() - lastPause > PAUSE_MS) {
        await new Promise((resolveNow) => setImmediate(resolveNow));
        lastPause = performance.now();
      }
    }
  } finally {
    closeDrive(drive);
    resumeHelper();
  }
}

/**
 * The first `decimals` decimals of pi as ASCII digits (synchronous, in memory), without the leading `3.`.
 * Always on one thread: it blocks the event loop, so it could not notice a subtree thread dying.
 * @throws {InvalidArgumentError} `decimals` is not a positive safe integer
 * @throws {ResultTooLargeError} `decimals` exceeds `MATHSTREAM_MAX_DIGITS` or this machine's memory
 * @throws {CancelledError} `options.signal` is already aborted (it is checked between steps, but nothing else
 *   runs while this function does)
 * @example
 * new TextDecoder().decode(computePiDigits(10)); // '1415926535'
 */
export function computePiDigits(decimals: number, options: PiOptions = {}): Uint8Array {
  checkFitsMachine(checkDecimalCount(decimals), 'the synchronous computePiDigits (in memory only)');
  return driveSync(decimals, options);
}

/**
 * Same as computePiDigits, but yields to the event loop so progress shows and a signal can cancel; from
 * THREADED_DECIMALS on the series may use several threads (`options.threads`, see piThreadsFor).
 * @throws {InvalidArgumentError} `decimals` or `options.threads` is not a positive safe integer
 * @throws {ResultTooLargeError} `decimals` exceeds `MATHSTREAM_MAX_DIGITS` or this machine's memory
 * @throws {CancelledError} `options.signal` was aborted
 * @example
 * const digits = await computePi(1000, { onProgress: (done, total) => console.log(done / total) });
 * digits.length; // 1000
 */
export async function computePi(decimals: number, options: PiOptions = {}): Promise<Uint8Array> {
  checkDecimalCount(decimals);
  const plan = planPi(decimals, GUARD_DIGITS, options.plan);
  if (plan.method === 'memory') return (await driveAsync(decimals, options)).digits;
  // Out of core the digits still come back in memory (N bytes): the caller asked for an array.
  return piOutOfCore(plan, options, async (x) => {
    const digits = new Uint8Array(decimals);
    let at = 0;
    for await (const chunk of readForward(x.info, WRITE_CHUNK, 1, 1 + decimals)) {
      digits.set(chunk, at);
      at += chunk.length;
    }
    return digits;
  });
}

/** Refuses up front a file that cannot fit the destination's free space. */
function checkDiskSpace(path: string, bytes: number): void {
  const free = freeBytesAt(dirname(path));
  if (bytes > free) {
    throw new ResultTooLargeError(`pi: ${formatBytes(bytes)} do not fit the ${formatBytes(free)} free at ${dirname(path)}`);
  }
}

/**
 * Writes "3." + the first `decimals` decimals + "\n" to `outPath`, atomically (a file at
 * `outPath` is always complete). Cancelling through `signal` raises CancelledError and leaves
 * no file. The free space is checked before computing, so a full disk fails in a moment, not after hours.
 * @throws {InvalidArgumentError} `decimals` or `options.threads` is not a positive safe integer
 * @throws {ResultTooLargeError} `decimals` exceeds `MATHSTREAM_MAX_DIGITS` or this machine's memory, or the
 *   file (`decimals + 3` bytes) does not fit the free space of the destination folder
 * @throws {StorageError} the temp file cannot be created, written, flushed or renamed onto `outPath`
 * @throws {CancelledError} `options.signal` was aborted, while computing or while writing
 * @example
 * const { path } = await computePiToFile(1_000_000, 'pi.txt'); // absolute path of "3.14159...\n"
 */
export async function computePiToFile(
  decimals: number,
  outPath: string,
  options: PiOptions = {},
): Promise<{ path: string; decimals: number }> {
  checkDecimalCount(decimals);
  const path = resolve(outPath);
  checkDiskSpace(path, decimals + 3);
  const plan = planPi(decimals, GUARD_DIGITS, options.plan);
  if (plan.method === 'outOfCore') {
    const written = await piOutOfCore(plan, options, (x) => writeDigitsFile(x, decimals, path, options.signal));
    return { path: written, decimals };
  }
  const writeWeight = piWorkTotal(decimals) / 50;
  // X, not its text: the decimals are converted a chunk at a time as they are written (piDecimalPieces), so the
  // whole text is never held (100 MB at 10^8 decimals, at the run's end where the division's numbers still wait for
  // the collector).
  const threads = piThreadsFor(decimals, options.threads);
  const drive = startDrive(decimals, writeWeight, piDecimalsNat(decimals, threads));
  const { digits: x, done, total } = await driveStepsAsync(drive, options, threads);
  const written = await writePiFile(piDecimalPieces(x, decimals, WRITE_CHUNK), path, {
    signal: options.signal,
    onWritten: (count) => options.onProgress?.(Math.min(total, done + (writeWeight * count) / decimals), total),
  });
  options.onProgress?.(total, total);
  return { path: written, decimals };
}

/**
 * Writes "3." + the first `decimals` decimals + "\n" to a stream (the CLI's stdout), with writePiStream's
 * back-pressure and EPIPE handling. In memory the digits are computed first; out of core they are streamed from the
 * result's file, so nothing of their size is held in memory.
 * @throws {InvalidArgumentError} `decimals` or `options.threads` is not a positive safe integer
 * @throws {ResultTooLargeError} `decimals` exceeds `MATHSTREAM_MAX_DIGITS`, or out of core the run cannot fit the disk
 * @throws {StorageError} the stream failed (other than EPIPE)
 * @throws {CancelledError} `options.signal` was aborted
 * @example
 * await computePiToStream(1000, process.stdout);
 */
export async function computePiToStream(decimals: number, out: Writable, options: PiOptions & { onComputed?: () => void } = {}): Promise<void> {
  checkDecimalCount(decimals);
  const plan = planPi(decimals, GUARD_DIGITS, options.plan);
  if (plan.method === 'memory') {
    const digits = (await driveAsync(decimals, options)).digits;
    options.onComputed?.();
    await writePiStream(digits, out, options.signal);
    return;
  }
  await piOutOfCore(plan, options, async (x) => {
    options.onComputed?.();
    await writePiChunks(readForward(x.info, WRITE_CHUNK, 1, 1 + decimals), out, options.signal);
  });
}

/** "3." + digits 1..decimals of X (a staged file) + "\n" to `path`, atomically, a chunk at a time. */
async function writeDigitsFile(x: StreamNumber, decimals: number, path: string, signal?: AbortSignal): Promise<string> {
  return writeFileAtomically(path, async (file) => {
    await file.append(PI_PREFIX);
    for await (const chunk of readForward(x.info, WRITE_CHUNK, 1, 1 + decimals)) {
      if (signal?.aborted) throw new CancelledError('pi (writing the digits)');
      await file.append(chunk);
    }
    await file.append(PI_NEWLINE);
  });
}

/**
 * The out-of-core run of `plan` (outofcore.ts; its disk is checked before any work), retried with 10 more guard digits each time
 * the guard digits do not prove the truncation (probability ~4·10^−12 per run).
 */
async function piOutOfCore<T>(plan: PiPlan, options: PiOptions, sink: (x: StreamNumber) => Promise<T>): Promise<T> {
  // Loaded here, not at the top: the out-of-core run brings the engine and the tracker (SQLite, a native module),
  // start-up an in-memory run (every pi up to ~10^8 decimals at the default budget) never needs.
  const { runPiOutOfCore } = await import('./outofcore.js');
  for (let current = plan; ; current = planPi(plan.decimals, current.guard + 10, { ...options.plan, method: 'outOfCore' })) {
    const outcome = await runPiOutOfCore(current, options, sink);
    if (outcome) return outcome.value;
  }
}
