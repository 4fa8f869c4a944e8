/**
 * context — what every engine operation shares: cancellation, progress, the refusal of
 * results that cannot fit (configured digit limit, free disk), and operand coercion.
 */
import { freeBytesAt } from '../storage/index.js';
import { formatBytes, getConfig } from '../config.js';
import { CancelledError, ResultTooLargeError } from '../errors.js';
import { StreamNumber, type NumberLike } from '../number.js';

/** What `onResume` is told when a run continues from a checkpoint. */
export interface ResumeInfo {
  readonly operation: string;
  /** Units (pow: squaring steps; mul: recorded units of the product) already done and verified. */
  readonly done: number;
  /** All units of the operation, when known before the work (pow's steps; a product's units are not). */
  readonly total?: number;
  /** What a unit is, for messages: 'steps' or 'units'. */
  readonly unit: string;
  /** More for the message, e.g. that the next step's product resumes part-way too. */
  readonly detail?: string;
  /** The checkpoint folder. */
  readonly folder: string;
}

/** Resumable out-of-core runs (docs/ARCHITECTURE.md, "Resumable runs"). */
export interface ResumeOptions {
  /**
   * Out of core only: keep checkpoints in `<home>/log/.resume-<key>/` and, when an earlier run of the same
   * operation on the same operands was killed or failed, continue from its last verified checkpoint
   * (docs/ARCHITECTURE.md, "Resumable runs"). Default false: scratch is temporary and removed on any failure.
   */
  resume?: boolean;
  /** With `resume`: discard an existing checkpoint of the same operation and start over (still keeping new ones). */
  fresh?: boolean;
  /** With `resume`: called once, before work starts, when a checkpoint is used (what it saved). */
  onResume?: (info: ResumeInfo) => void;
  /**
   * With `resume`: called with the finished result while the run's checkpoint still holds it (the CLI writes `-o`
   * here), so that a kill inside it costs only what it does: the rerun finds the result in the checkpoint, calls this
   * again and computes nothing. The result handle is read only and valid only during the call. Runs that keep no
   * checkpoint (in memory, or without `resume`) do not call it: the caller does what it does after the operation.
   */
  onResult?: (result: StreamNumber) => Promise<void>;
}

export interface OperationOptions extends ResumeOptions {
  /** Cancels the operation: it then leaves no file and no tracker row, and rejects with CancelledError. */
  signal?: AbortSignal;
  /**
   * Called now and then with work done and total work (units are the operation's own), and the phase the work is in
   * when the operation has several (the out-of-core product: 'spectra', 'columns', 'rows').
   */
  onProgress?: (done: number, total: number, phase?: string) => void;
}

/** Throws CancelledError when the signal has fired. Call between chunks. */
export function throwIfCancelled(options: OperationOptions, operation: string): void {
  if (options.signal?.aborted) throw new CancelledError(operation);
}

/**
 * Reports progress at most every ~50 ms so callbacks never dominate a hot loop; a new phase and the end are
 * reported at once.
 */
export function progressReporter(options: OperationOptions, total: number): (done: number, phase?: string) => void {
  const callback = options.onProgress;
  if (!callback) return () => {};
  let last = 0;
  let lastPhase: string | undefined;
  return (done: number, phase?: string) => {
    const now = Date.now();
    if (done >= total || now - last >= 50 || phase !== lastPhase) {
      last = now;
      lastPhase = phase;
      if (phase === undefined) callback(Math.min(done, total), total);
      else callback(Math.min(done, total), total, phase);
    }
  };
}

/** Free bytes for unprivileged writers in the log folder's file system (storage's `freeBytesAt`). */
export function freeDiskBytes(): number {
  return freeBytesAt(getConfig().logDir);
}

/**
 * Refuses, before any work, a result of `digits` digits that exceeds MATHSTREAM_MAX_DIGITS or
 * (with `scratchBytes` of temporaries) the free disk.
 */
export function ensureResultFits(operation: string, digits: number, scratchBytes = 0): void {
  const { maxDigits } = getConfig();
  // Formatted only for a refusal: the first toLocaleString of a process loads ICU's locale data, ~20 ms on the
  // 2-core VM, which every operation paid before its first digit (2% of a 1.6·10^7-digit file product).
  const shown = (): string => digits.toLocaleString('en-US');
  if (maxDigits !== undefined && digits > maxDigits) {
    throw new ResultTooLargeError(
      `${operation}: the result would have about ${shown()} digits, over MATHSTREAM_MAX_DIGITS=${maxDigits.toLocaleString('en-US')}`,
    );
  }
  const needed = digits + 1 + scratchBytes;
  const free = freeDiskBytes();
  if (needed > free) {
    throw new ResultTooLargeError(
      `${operation}: the result would have about ${shown()} digits and needs ${formatBytes(needed)} (${needed} bytes) on disk` +
        `${scratchBytes > 0 ? ` with its scratch` : ''}, but only ${formatBytes(free)} (${free} bytes) is free in ${getConfig().logDir}`,
      { neededBytes: needed, freeBytes: free },
    );
  }
}

/**
 * Runs `body` with every operand as a StreamNumber; literals made here are freed afterwards,
 * the caller's own StreamNumbers are left alone.
 */
export async function withOperands<T>(values: readonly NumberLike[], body: (numbers: StreamNumber[]) => Promise<T>): Promise<T> {
  const made: StreamNumber[] = [];
  try {
    const numbers: StreamNumber[] = [];
    for (const value of values) {
      if (value instanceof StreamNumber) {
        numbers.push(value);
      } else {
        const number = await StreamNumber.fromLiteral(value);
        made.push(number);
        numbers.push(number);
      }
    }
    return await body(numbers);
  } finally {
    for (const number of made) number.free();
  }
}

/**
 * How a message names an operand: its value when it is short enough to read (a literal's staged file name means
 * nothing to the user who typed `-4`), else its file.
 * @example describeOperand(await StreamNumber.fromLiteral(-4)) // '-4'
 */
export function describeOperand(x: StreamNumber): string {
  return x.digitCount <= 40 ? x.toString() : x.path;
}
