/**
 * errors — every failure mathstream reports is a MathStreamError subclass.
 *
 * Each message says what went wrong and where (file, literal, byte offset, operation),
 * so a CLI can print it as one line and a library user can branch on the class or `code`.
 * `exitCode` is what the CLI exits with: 2 for bad input, 1 for everything else.
 */

/**
 * `text` with every control character written as a JSON string would write it (`\n`, `\r`,
 * `\t`, `\u001b`, ...). File names and literals are echoed in messages: a raw CR or LF would
 * split the one-line message, and escape bytes would reach the terminal. Backslashes are left
 * alone so that ordinary paths stay readable; the escaped form is unambiguous enough for a
 * message (it is never parsed back).
 * @example escapeControl('a\nb') === 'a\\nb'
 */
export function escapeControl(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const SHORT_ESCAPES: Record<string, string> = { '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export class MathStreamError extends Error {
  /** Stable machine-readable name, e.g. `INVALID_NUMBER`. */
  readonly code: string;
  /** Exit status the CLI uses for this error: 2 = the user's input was bad. */
  readonly exitCode: number;

  constructor(message: string, options: { code?: string; exitCode?: number; cause?: unknown } = {}) {
    // Every message is one line without control bytes, whatever user text it quotes (a raw
    // character from an expression, a file name inside a system error): see escapeControl.
    super(escapeControl(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code ?? 'MATHSTREAM';
    this.exitCode = options.exitCode ?? 1;
  }
}

/** Text that is not an integer: names the source (file path or literal) and the byte offset. */
export class InvalidNumberError extends MathStreamError {
  readonly source: string;
  readonly offset: number | undefined;
  constructor(source: string, offset: number | undefined, detail: string) {
    const where = offset === undefined ? '' : ` at byte ${offset}`;
    super(`invalid number in ${escapeControl(source)}${where}: ${detail}`, { code: 'INVALID_NUMBER', exitCode: 2 });
    this.source = source;
    this.offset = offset;
  }
}

/** A bad argument that is not a number's text: a negative exponent, a bad option, a bad size. */
export class InvalidArgumentError extends MathStreamError {
  constructor(message: string) {
    super(message, { code: 'INVALID_ARGUMENT', exitCode: 2 });
  }
}

export class DivideByZeroError extends MathStreamError {
  constructor(operation: string) {
    super(`division by zero in ${operation}`, { code: 'DIVIDE_BY_ZERO', exitCode: 2 });
  }
}

export class NegativeExponentError extends MathStreamError {
  constructor(exponent: string) {
    super(`negative exponent ${exponent}: pow is defined here for integer exponents >= 0 only`, {
      code: 'NEGATIVE_EXPONENT',
      exitCode: 2,
    });
  }
}

/** A StreamNumber used after free(). */
export class FreedNumberError extends MathStreamError {
  constructor(path: string) {
    super(`number ${path} was already freed`, { code: 'FREED_NUMBER' });
  }
}

/** A number too large for what was asked (toBigInt, toString, a configured digit limit). */
export class NumberTooLargeError extends MathStreamError {
  constructor(message: string) {
    super(message, { code: 'NUMBER_TOO_LARGE', exitCode: 2 });
  }
}

/**
 * A result that would not fit: MATHSTREAM_MAX_DIGITS or the free disk space. When the disk is what is short,
 * `neededBytes` and `freeBytes` say by how much (the estimate of result plus scratch, and what the file system
 * offered when the operation was planned).
 */
export class ResultTooLargeError extends MathStreamError {
  readonly neededBytes: number | undefined;
  readonly freeBytes: number | undefined;
  constructor(message: string, disk?: { neededBytes: number; freeBytes: number }) {
    super(message, { code: 'RESULT_TOO_LARGE', exitCode: 2 });
    this.neededBytes = disk?.neededBytes;
    this.freeBytes = disk?.freeBytes;
  }
}

/** An I/O failure (missing file, permission, ENOSPC, ...), with the path and the system's reason. */
export class StorageError extends MathStreamError {
  readonly path: string;
  constructor(path: string, action: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`cannot ${action} ${escapeControl(path)}: ${escapeControl(reason)}`, { code: 'STORAGE', exitCode: isUserFault(cause) ? 2 : 1, cause });
    this.path = path;
  }
}

/**
 * The disk filled up while an operation wrote (ENOSPC, or EDQUOT for a quota): the operation stopped, its temp
 * files were deleted and nothing was registered. A resumable run keeps its checkpoint folder, so the same
 * command rerun after freeing space continues where it stopped.
 */
export class DiskFullError extends StorageError {
  constructor(path: string, action: string, cause: unknown) {
    super(path, action, cause);
    Object.defineProperty(this, 'code', { value: 'DISK_FULL' });
  }
}

/**
 * The StorageError for a failed I/O call: a DiskFullError when the file system is out of space, else a plain
 * StorageError.
 * @example throw storageError(path, 'write', error)
 */
export function storageError(path: string, action: string, cause: unknown): StorageError {
  const code = (cause as { code?: unknown } | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' ? new DiskFullError(path, action, cause) : new StorageError(path, action, cause);
}

/**
 * `error` as a DiskFullError when it is a StorageError caused by a full disk (any layer may have raised it), else
 * `error` itself.
 */
export function asDiskFull(error: unknown): unknown {
  if (!(error instanceof StorageError) || error instanceof DiskFullError) return error;
  const code = (error.cause as { code?: unknown } | null | undefined)?.code;
  if (code !== 'ENOSPC' && code !== 'EDQUOT') return error;
  const full = new DiskFullError(error.path, 'write', error.cause);
  full.message = error.message;
  return full;
}

/**
 * A resumable run whose checkpoint folder another living process holds: the same computation is already running
 * (the second run refuses instead of corrupting the first one's checkpoints).
 */
export class CheckpointBusyError extends MathStreamError {
  readonly folder: string;
  constructor(operation: string, folder: string, owner: string) {
    const pid = owner.split('.')[0];
    super(`${operation}: the same computation is already running in process ${pid} (checkpoint folder ${escapeControl(folder)}); wait for it to finish, or stop it and rerun to resume`, {
      code: 'CHECKPOINT_BUSY',
    });
    this.folder = folder;
  }
}

/**
 * The SQLite tracker failed (corrupt database, locked beyond the busy timeout, ...). A home
 * that cannot be used for the user's reasons (MATHSTREAM_HOME names a file, no permission)
 * is bad input: exit 2.
 */
export class TrackerError extends MathStreamError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'TRACKER', cause, exitCode: isUserFault(cause) ? 2 : 1 });
  }
}

/** An operation stopped by its AbortSignal. */
export class CancelledError extends MathStreamError {
  constructor(operation: string) {
    super(`${operation} was cancelled`, { code: 'CANCELLED', exitCode: 130 });
  }
}

/**
 * A self-check failed (e.g. a product's residue modulo a random prime disagrees).
 * Raised instead of ever returning a wrong number.
 */
export class ArithmeticCheckError extends MathStreamError {
  constructor(message: string) {
    super(message, { code: 'CHECK_FAILED' });
  }
}

/**
 * Failures that the path the user gave explains: missing files and folders, permissions, a
 * path through a regular file (ENOTDIR, or EEXIST from creating a folder where a file is), a
 * symlink loop, a name too long, something that is not a regular file.
 */
const USER_FAULTS = new Set(['ENOENT', 'EISDIR', 'EACCES', 'ENOTDIR', 'EPERM', 'EEXIST', 'ELOOP', 'ENAMETOOLONG', 'ENOTREG']);

function isUserFault(cause: unknown): boolean {
  const code = (cause as { code?: unknown } | null)?.code;
  return typeof code === 'string' && USER_FAULTS.has(code);
}
