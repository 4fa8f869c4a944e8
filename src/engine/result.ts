/**
 * result — how an operation's output becomes a tracked StreamNumber.
 *
 * The digits go to a temp file in the log folder; on success the file is flushed, and inside
 * one tracker transaction the final path is registered (reference 1, held by this process)
 * and the temp file renamed onto it. Registering before the rename means no other process
 * can ever see an untracked result file and adopt or collect it; a crash between the two
 * leaves a row without a file, which reconciliation drops. On any failure or cancellation
 * the temp file is deleted and nothing is registered.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { getConfig } from '../config.js';
import { asDiskFull } from '../errors.js';
import { natDigitCount, natDigitPieces, natIsZero, type Nat } from '../kernel/index.js';
import { StreamNumber } from '../number.js';
import { AtomicFile, type DigitFileInfo } from '../storage/index.js';
import { registerLogFile, registerReference } from '../tracker/references.js';
import { tracker, withTrackerLock } from '../tracker/connection.js';

/** What a producer reports once its digits are in the file: sign byte (if negative) then digits. */
export interface ResultShape {
  readonly negative: boolean;
  readonly digitCount: number;
  readonly isZero: boolean;
}

/** The sign byte every negative result file starts with. */
export const MINUS = Buffer.from('-');

function resultPath(): string {
  const stamp = Date.now().toString(36);
  return join(getConfig().logDir, `result_${stamp}_${randomBytes(5).toString('hex')}.txt`);
}

/** Where a resumable operation writes its result instead of a fresh temp file (engine/outofcore/resume.ts). */
export interface ResultTarget {
  /** The unfinished output in the operation's checkpoint folder (`AtomicFile.reopen`), on the log folder's file system. */
  readonly file: AtomicFile;
  /**
   * Called once the file is finished (flushed and closed), before it is published, with where its digits are (at the
   * file's unpublished path): a resumable run records its result and lets `onResult` use it there (resume.ts).
   */
  readonly beforePublish?: (info: DigitFileInfo) => Promise<void>;
}

/**
 * Runs `produce` against a fresh temp file (or `target`'s file) and publishes what it wrote. The file must hold
 * exactly `-`? followed by `digitCount` canonical digits when `produce` returns. On failure a temp file is
 * deleted; a target's file is closed and kept, so that a rerun continues it.
 */
export async function writeResult(produce: (file: AtomicFile) => Promise<ResultShape>, target?: ResultTarget): Promise<StreamNumber> {
  const file = target?.file ?? (await AtomicFile.create(getConfig().logDir));
  try {
    const shape = await produce(file);
    // The flush (fdatasync, on libuv's threads: ~30 ms for 3.2·10^7 digits on the 2-core VM) and a process's first
    // use of the tracker (opening the database and reconciling the home, 18–38 ms there) overlap: the tracker was
    // opened after the flush, on the way from the product's last digit to its StreamNumber.
    await Promise.all([file.finish(), Promise.resolve().then(tracker)]);
    const path = resultPath();
    const start = shape.negative ? 1 : 0;
    if (target?.beforePublish) {
      const size = start + shape.digitCount;
      await target.beforePublish({
        path: file.tempPath, negative: shape.negative, start, end: size, digitCount: shape.digitCount, isZero: shape.isZero, sizeBytes: size,
      });
    }
    const info: DigitFileInfo = {
      path,
      negative: shape.negative,
      start,
      end: start + shape.digitCount,
      digitCount: shape.digitCount,
      isZero: shape.isZero,
      sizeBytes: start + shape.digitCount,
    };
    withTrackerLock(() => {
      registerLogFile(path, info.sizeBytes);
      registerReference(path);
      file.publish(path);
    });
    return StreamNumber.adoptRegistered(info);
  } catch (error) {
    await file.abort(); // a target's file is kept (AtomicFile.reopen)
    throw asDiskFull(error); // ENOSPC from any layer below: a DiskFullError
  }
}

/** A result already in memory: canonical digits of |value| and its sign. */
export function writeDigitsResult(negative: boolean, digits: Uint8Array): Promise<StreamNumber> {
  const isZero = digits.length === 1 && digits[0] === 0x30;
  return writeResult(async (file) => {
    if (negative && !isZero) await file.append(MINUS);
    await file.append(digits);
    return { negative: negative && !isZero, digitCount: digits.length, isZero };
  });
}

/**
 * Bytes a long result's writer lets pile up before it starts flushing them (writeNatResult). The disk writes of a
 * flush then overlap the conversion and writing of the digits after them: the final flush of 3.2·10^7 digits took
 * 27–39 ms after the last write, of 1.28·10^8 digits 105–117 ms (2-core VM).
 */
const EARLY_FLUSH_BYTES = 8 << 20;

/**
 * A result held as a Nat (|value|, with its sign): its digits go to the file a piece at a time, straight from the
 * limbs (kernel `natDigitPieces`, 2^20 digits a piece), so the whole decimal text never sits in memory. Double
 * buffered: piece i is converted while piece i − 1 is being written; what is written is flushed early, a flush at a
 * time (EARLY_FLUSH_BYTES), while the rest is written.
 * @example using p = await writeNatResult(true, natFromNumber(42)); p.toString(); // '-42'
 */
export function writeNatResult(negative: boolean, value: Nat): Promise<StreamNumber> {
  const isZero = natIsZero(value);
  const digitCount = natDigitCount(value);
  const sign = negative && !isZero;
  return writeResult(async (file) => {
    let position = 0;
    if (sign) {
      await file.writeAt(0, MINUS);
      position = 1;
    }
    // With two writes in flight the later one may fail first (ENOSPC), and its abort then fails the earlier one
    // ("file closed"): the first failure is the one reported.
    let failure: { error: unknown } | undefined;
    const fail = (error: unknown): void => {
      failure ??= { error };
    };
    let inFlight: Promise<void> = Promise.resolve();
    let flushing: Promise<void> | undefined;
    let flushedTo = position;
    for (const piece of natDigitPieces(value)) {
      const write = file.writeAt(position, piece).catch(fail);
      // The generator writes piece i + 1 into piece i − 1's buffer: that write must be done before resuming it.
      await inFlight;
      if (failure) throw failure.error;
      inFlight = write;
      // Every byte before this piece is written: flush them while the next pieces are converted and written (one
      // flush at a time), so that the flush that publishing waits for (writeResult) has only the last ones left.
      if (flushing === undefined && position - flushedTo >= EARLY_FLUSH_BYTES) {
        flushedTo = position;
        flushing = file.sync().then(() => {
          flushing = undefined;
        }, fail);
      }
      position += piece.length;
    }
    await inFlight;
    await flushing;
    if (failure) throw failure.error;
    return { negative: sign, digitCount, isZero };
  });
}
