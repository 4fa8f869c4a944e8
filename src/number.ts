/**
 * number — StreamNumber, a handle on a file of decimal digits, and its lifecycle.
 *
 * A StreamNumber never holds its digits in memory: it knows its file and where the significant
 * digits are, and streams them on demand. Handles on files inside the log folder hold a
 * reference in the tracker; the file is deleted when the last reference anywhere is released.
 *
 * Lifecycle (the prototype's, made deterministic):
 * - `free()` (alias `freeStream()`, or `using x = ...` via Symbol.dispose) releases now; it is
 *   idempotent, and any later use throws FreedNumberError.
 * - A FinalizationRegistry releases handles dropped without `free()` — a safety net only: the
 *   garbage collector runs when it likes.
 * - At process exit every still-live handle is released, so a normal exit leaves no reference
 *   behind; a crash leaves references that the next start reconciles (dead owner).
 */
import { readSync, openSync, closeSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { getConfig } from './config.js';
import { FreedNumberError, NumberTooLargeError, StorageError } from './errors.js';
import {
  DigitReader,
  ensureLiteralFile,
  inspectDigitFile,
  parseLiteral,
  readBackward,
  readForward,
  type DigitFileInfo,
} from './storage/index.js';
import { isInsideLogDir } from './tracker/paths.js';
import { registerLogFile, registerReference, releaseReference, touchLogFile } from './tracker/references.js';
import { withTrackerLock } from './tracker/connection.js';

/** Anything an operation accepts as a number. */
export type NumberLike = StreamNumber | bigint | number | string;

/** Largest number `toBigInt()` / `toString()` will materialise (digits). */
export const MAX_INLINE_DIGITS = 10_000_000;

interface Held {
  readonly path: string;
  readonly tracked: boolean;
  released: boolean;
}

const liveCounts = new Map<string, number>();
const liveHeld = new Set<Held>();
const finalizer = new FinalizationRegistry<Held>((held) => release(held));

function release(held: Held): void {
  if (held.released) return;
  held.released = true;
  liveHeld.delete(held);
  const count = (liveCounts.get(held.path) ?? 1) - 1;
  if (count > 0) liveCounts.set(held.path, count);
  else liveCounts.delete(held.path);
  if (held.tracked) {
    try {
      releaseReference(held.path);
    } catch {
      // A release that fails (database closed at exit) is reconciled at the next start.
    }
  }
}

process.once('exit', () => {
  for (const held of [...liveHeld]) release(held);
});

/**
 * A handle on a file of decimal digits (`-?[0-9]+`, optional final newline): the digits stay on disk and are
 * streamed on demand, so a number can be larger than memory. Create one with `fromPath` or `fromLiteral`, or
 * get one from an operation; release it with `free()` or `using` (see the module comment for the lifecycle).
 * @throws {FreedNumberError} any use of a handle after `free()`
 * @example
 * using n = await StreamNumber.fromLiteral('123456789012345678901234567890');
 * n.digitCount; // 30
 */
export class StreamNumber {
  readonly #info: DigitFileInfo;
  readonly #held: Held;

  private constructor(info: DigitFileInfo, tracked: boolean) {
    this.#info = info;
    this.#held = { path: info.path, tracked, released: false };
    liveHeld.add(this.#held);
    liveCounts.set(info.path, (liveCounts.get(info.path) ?? 0) + 1);
    finalizer.register(this, this.#held, this);
  }

  /**
   * A handle on an existing digit file (validated in one streaming pass). Files in the log folder
   * get a tracker reference; user files are only read, never tracked or deleted.
   * @throws {InvalidNumberError} the file is empty or holds anything but `-?[0-9]+` and one final newline
   *   (the message names the file and the byte offset)
   * @throws {StorageError} the file cannot be opened or read, or is not a regular file
   * @example
   * using n = await StreamNumber.fromPath('big.txt');
   * n.digitCount; // e.g. 100000000
   */
  static async fromPath(path: string): Promise<StreamNumber> {
    const absolute = resolve(path);
    const info = await inspectDigitFile(absolute);
    if (!isInsideLogDir(absolute, getConfig().logDir)) return new StreamNumber(info, false);
    withTrackerLock(() => {
      // An unreferenced staged file may be collected (by any process) between the validation
      // above and this lock: only reference it if it is still the file that was validated.
      if (statSync(absolute, { throwIfNoEntry: false })?.size !== info.sizeBytes) {
        throw new StorageError(absolute, 'open', new Error('the file was deleted or replaced while it was being opened'));
      }
      registerLogFile(absolute, info.sizeBytes);
      registerReference(absolute);
    });
    return new StreamNumber(info, true);
  }

  /**
   * A literal (`"-000123"`, `123n`, `42`), canonicalised and stored once as `literal_<sha256>.txt`.
   * @throws {InvalidNumberError} the text is not an integer (the message names the byte offset)
   * @example
   * using n = await StreamNumber.fromLiteral('-000123');
   * n.toString(); // '-123'
   */
  static async fromLiteral(value: string | bigint | number): Promise<StreamNumber> {
    const literal = parseLiteral(value);
    const { logDir } = getConfig();
    const path = withTrackerLock(() => {
      const file = ensureLiteralFile(logDir, literal);
      registerLogFile(file, literal.digits.length + (literal.negative ? 1 : 0));
      registerReference(file);
      return file;
    });
    const sign = literal.negative ? 1 : 0;
    const info: DigitFileInfo = {
      path,
      negative: literal.negative,
      start: sign,
      end: sign + literal.digits.length,
      digitCount: literal.digits.length,
      isZero: literal.digits === '0',
      sizeBytes: sign + literal.digits.length,
    };
    return new StreamNumber(info, true);
  }

  /** The number itself when it is one, otherwise a new handle on the literal. */
  static async from(value: NumberLike): Promise<StreamNumber> {
    return value instanceof StreamNumber ? value : StreamNumber.fromLiteral(value);
  }

  /**
   * Wraps a staged file whose tracker reference the caller has already registered (the engine
   * does this when it publishes a result). Not for general use.
   * @internal
   */
  static adoptRegistered(info: DigitFileInfo): StreamNumber {
    return new StreamNumber(info, true);
  }

  /**
   * Wraps a finished file the engine has not published yet (a resumable run's result in its checkpoint folder,
   * handed to `onResult` before it is published): read only, untracked; `free()` never deletes it. Not for general use.
   * @internal
   */
  static adoptUnpublished(info: DigitFileInfo): StreamNumber {
    return new StreamNumber(info, false);
  }

  get isFreed(): boolean {
    return this.#held.released;
  }

  get path(): string {
    return this.live().path;
  }

  /** Where the significant digits are in the file, for the engine's readers. */
  get info(): DigitFileInfo {
    return this.live();
  }

  get isNegative(): boolean {
    return this.live().negative;
  }

  /** -1, 0 or 1. */
  get sign(): -1 | 0 | 1 {
    const info = this.live();
    return info.isZero ? 0 : info.negative ? -1 : 1;
  }

  /** Number of decimal digits of |n| (1 for zero). */
  get digitCount(): number {
    return this.live().digitCount;
  }

  get isZero(): boolean {
    return this.live().isZero;
  }

  /**
   * The digits of |n| in chunks of `chunkSize`, most significant first; the sign is `sign`.
   * Every chunk read counts as an access in the tracker.
   */
  async *stream(chunkSize = getConfig().chunkSize): AsyncGenerator<Uint8Array> {
    for await (const chunk of readForward(this.live(), chunkSize)) {
      this.touch();
      yield chunk;
    }
  }

  /** The digits of |n| in chunks, least significant chunk first (each chunk in file order). */
  async *streamBackward(chunkSize = getConfig().chunkSize): AsyncGenerator<Uint8Array> {
    for await (const chunk of readBackward(this.live(), chunkSize)) {
      this.touch();
      yield chunk;
    }
  }

  /** Random access to the digits; the caller closes the reader. */
  async openReader(): Promise<DigitReader> {
    this.touch();
    return DigitReader.open(this.live());
  }

  /** The value as a bigint; refuses numbers over MAX_INLINE_DIGITS digits. */
  toBigInt(): bigint {
    return BigInt(this.toString());
  }

  /**
   * Canonical decimal text; refuses numbers over MAX_INLINE_DIGITS digits (stream those instead).
   * @throws {NumberTooLargeError} more than MAX_INLINE_DIGITS digits
   * @throws {FreedNumberError} the handle was freed
   * @example (await StreamNumber.fromLiteral(42n)).toString() // '42'
   */
  toString(): string {
    const info = this.live();
    if (info.digitCount > MAX_INLINE_DIGITS) {
      throw new NumberTooLargeError(
        `${info.path} has ${info.digitCount} digits, more than the ${MAX_INLINE_DIGITS} that toString()/toBigInt() hold in memory; use stream() instead`,
      );
    }
    const buffer = Buffer.allocUnsafe(info.digitCount);
    try {
      const fd = openSync(info.path, 'r');
      try {
        let done = 0;
        while (done < buffer.length) {
          const n = readSync(fd, buffer, done, buffer.length - done, info.start + done);
          if (n === 0) throw new Error('file is shorter than when it was opened');
          done += n;
        }
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      throw new StorageError(info.path, 'read', error);
    }
    this.touch();
    return (info.negative ? '-' : '') + buffer.toString('latin1');
  }

  /** Releases this handle's reference now (the file goes when no reference is left). Idempotent. */
  free(): void {
    if (this.#held.released) return;
    finalizer.unregister(this);
    release(this.#held);
  }

  /**
   * The Python prototype's name for `free()` (`free_stream`), kept so code ported from it runs unchanged.
   * @deprecated Use `free()`: one name per idea.
   */
  freeStream(): void {
    this.free();
  }

  [Symbol.dispose](): void {
    this.free();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.free();
  }

  private live(): DigitFileInfo {
    if (this.#held.released) throw new FreedNumberError(this.#info.path);
    return this.#info;
  }

  private touch(): void {
    if (this.#held.tracked) touchLogFile(this.#info.path);
  }
}

/**
 * Live StreamNumber handles in this process: path → number of handles. Only this process's handles: the
 * tracker's counts over all processes are in trackedFiles(). Handy to find a handle that was never freed.
 * @example
 * activeStreams(); // {} once every handle was freed
 */
export function activeStreams(): Record<string, number> {
  return Object.fromEntries(liveCounts);
}
