/**
 * error-boundary — the CLI's error boundary: a MathStreamError becomes one line on stderr and its exit
 * code (2 = bad input); anything else is a bug and also prints one line (plus the stack
 * when MATHSTREAM_DEBUG is set).
 */
import { debugEnabled } from '../config.js';
import { escapeControl, MathStreamError } from '../errors.js';

/**
 * Prints the error as one line and returns the exit code. Control characters are escaped
 * here as well as where names are quoted: whatever text reaches the message (a path inside a
 * system error, a user's option value), no CR, LF or escape byte reaches the terminal.
 * Returns the error's own `exitCode` for a MathStreamError (2 for bad input, 130 when cancelled), else 1.
 * @example
 * process.exitCode = reportError(new InvalidArgumentError('limit: expected an integer >= 1, got 0')); // 2
 */
export function reportError(error: unknown): number {
  if (error instanceof MathStreamError) {
    process.stderr.write(`mathstream: ${escapeControl(error.message)}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`mathstream: internal error: ${escapeControl(message)}\n`);
  if (debugEnabled() && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return 1;
}

/** Wraps a command action so that failures exit cleanly instead of printing a stack trace. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void> | void): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (error) {
      process.exitCode = reportError(error);
    }
  };
}
