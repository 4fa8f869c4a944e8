/**
 * find/layout — where the searchable digits of a digit file are, and whether they are all digits.
 *
 * Two shapes are accepted:
 * - a decimal file `-?[0-9]+\.[0-9]+` plus an optional `\n` (a pi file `3.1415...\n`): the
 *   searchable digits are the decimals, position 1 = the first digit after the point (the
 *   convention of the Pi-Search page, https://www.angio.net/pi/);
 * - an integer digit file `-?[0-9]+` plus an optional `\n` (docs/ARCHITECTURE.md §2): position 1 = its
 *   first digit.
 * The point, if any, must lie in the first 64 KiB (the integer part of a constant is short).
 *
 * `SearchableDigits` differs from storage's `DigitFileInfo`: that one locates an integer's significant digits
 * (leading zeros skipped, for arithmetic); this one locates the digits a search counts positions in (every digit,
 * after the point for a constant). Both validate with storage's `firstNonDigit`, fast enough (several GB/s) that
 * a scan can afford to check every byte.
 */
import { closeSync, fstatSync, readSync } from 'node:fs';
import { InvalidNumberError, StorageError } from '../../errors.js';
import { describeByte, openRegularFileSync } from '../../storage/index.js';

/** The searchable digits of one file, as byte offsets. */
export interface SearchableDigits {
  readonly path: string;
  readonly kind: 'decimal' | 'integer';
  /** Byte offset of digit position 1. */
  readonly start: number;
  /** Byte offset one past the last searchable digit (a trailing `\n` excluded). */
  readonly end: number;
  /** Number of searchable digits, `end - start`. */
  readonly digits: number;
  /** File size and modification time when the layout was read (an index records them). */
  readonly size: number;
  readonly mtimeMs: number;
}

const HEAD_BYTES = 64 * 1024;
const ZERO = 0x30;
const NINE = 0x39;

/** Opens a regular file for reading (a FIFO or a device is refused, never read), as a typed StorageError on failure. */
export function openForReading(path: string): number {
  return openRegularFileSync(path, 'open');
}

/** `readSync` that fills `length` bytes unless the file ends first; returns bytes read. */
export function readFully(fd: number, path: string, buffer: Buffer, offset: number, length: number, position: number): number {
  let done = 0;
  try {
    while (done < length) {
      const n = readSync(fd, buffer, offset + done, length - done, position + done);
      if (n === 0) break;
      done += n;
    }
  } catch (error) {
    throw new StorageError(path, 'read', error);
  }
  return done;
}

/**
 * Reads the file's head and tail to locate the digit region. Only the head (sign, integer part,
 * point) is validated here; the region itself is validated by whoever streams it.
 * @throws {StorageError} the file cannot be opened, inspected or read, or is not a regular file
 * @throws {InvalidNumberError} the file holds no digits, a sign without digits, no digit on one side of the
 * point, or a non-digit in its head (before the point, or in the first 64 KiB of an integer)
 * @example
 * readSearchableDigits('pi-1000000.txt'); // { kind: 'decimal', start: 2, digits: 1000000, ... }
 */
export function readSearchableDigits(path: string, fd?: number): SearchableDigits {
  const own = fd === undefined;
  const handle = fd ?? openForReading(path);
  try {
    let size: number;
    let mtimeMs: number;
    try {
      const stat = fstatSync(handle);
      if (!stat.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
      size = stat.size;
      mtimeMs = stat.mtimeMs;
    } catch (error) {
      throw new StorageError(path, 'inspect', error);
    }
    const head = Buffer.alloc(Math.min(size, HEAD_BYTES));
    const got = readFully(handle, path, head, 0, head.length, 0);
    const last = size > 0 ? head.length === size ? head[size - 1] : readByte(handle, path, size - 1) : undefined;
    let end = last === 0x0a ? size - 1 : size;
    if (end === 0) throw new InvalidNumberError(path, 0, 'the file holds no digits');
    let i = head[0] === 0x2d ? 1 : 0; // '-'
    const integerStart = i;
    while (i < got && i < end && head[i]! >= ZERO && head[i]! <= NINE) i++;
    if (i < got && i < end && head[i] === 0x2e) {
      if (i === integerStart) throw new InvalidNumberError(path, i, 'no digit before the decimal point');
      const start = i + 1;
      if (start >= end) throw new InvalidNumberError(path, start, 'no digits after the decimal point');
      return { path, kind: 'decimal', start, end, digits: end - start, size, mtimeMs };
    }
    if (integerStart === 1 && end === 1) throw new InvalidNumberError(path, 1, 'a sign without digits');
    if (i < got && i < end) {
      throw new InvalidNumberError(path, i, `unexpected ${describeByte(head[i]!)} where a digit was expected`);
    }
    return { path, kind: 'integer', start: integerStart, end, digits: end - integerStart, size, mtimeMs };
  } finally {
    if (own) closeSync(handle);
  }
}

function readByte(fd: number, path: string, position: number): number {
  const one = Buffer.alloc(1);
  readFully(fd, path, one, 0, 1, position);
  return one[0]!;
}

/** Raises the typed error for junk found at file byte `offset`. */
export function junkError(layout: SearchableDigits, offset: number, byte: number): InvalidNumberError {
  return new InvalidNumberError(layout.path, offset, `unexpected ${describeByte(byte)} where a digit was expected (digit position ${offset - layout.start + 1})`);
}

/**
 * Reads digit positions `[from, to]` (1-based, clipped to the file) as a string; clipping lets callers ask
 * for context near either end without checking. The bytes are not validated (a scan or build does that).
 * @throws {StorageError} the read fails
 * @example
 * readDigits(fd, readSearchableDigits('pi-1000000.txt', fd), 1, 5); // '14159'
 */
export function readDigits(fd: number, layout: SearchableDigits, from: number, to: number): string {
  const lo = Math.max(1, from);
  const hi = Math.min(layout.digits, to);
  if (hi < lo) return '';
  const buffer = Buffer.allocUnsafe(hi - lo + 1);
  const got = readFully(fd, layout.path, buffer, 0, buffer.length, layout.start + lo - 1);
  return buffer.toString('latin1', 0, got);
}
