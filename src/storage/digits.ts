/**
 * digits — what counts as an integer's text, and where its significant digits are.
 *
 * Accepted: an optional `+` or `-`, one or more ASCII digits `0-9`, and optionally one final
 * `\n`. Leading zeros and `-0` are accepted and normalised away; everything else (spaces,
 * `3.14`, `1e5`, `0x10`, Unicode digits, NUL bytes, an empty text) is an InvalidNumberError
 * naming the source and the byte offset of the first offending byte.
 *
 * A file is never rewritten to canonicalise it: `DigitFileInfo` records the byte range of the
 * significant digits, and readers use that range.
 */
import { InvalidNumberError, StorageError } from '../errors.js';
import type { FileHandle } from 'node:fs/promises';
import { withChunkBuffers } from './chunkpool.js';
import { openRegularFile } from './regular.js';

const ZERO = 0x30;
const PLUS = 0x2b;
const MINUS = 0x2d;
const NEWLINE = 0x0a;

/** A validated digit file: its significant digits are bytes [start, end). */
export interface DigitFileInfo {
  readonly path: string;
  readonly negative: boolean;
  /** Byte offset of the most significant non-zero digit (of the last `0` when the value is zero). */
  readonly start: number;
  /** Byte offset just past the last digit. */
  readonly end: number;
  readonly digitCount: number;
  readonly isZero: boolean;
  readonly sizeBytes: number;
}

/** A literal in canonical form: `digits` has no sign and no leading zeros; zero is never negative. */
export interface CanonicalLiteral {
  readonly negative: boolean;
  readonly digits: string;
}

/** Canonical text of an integer (`-123`, `0`). */
export function canonicalText(literal: CanonicalLiteral): string {
  return literal.negative ? `-${literal.digits}` : literal.digits;
}

/**
 * Names a byte for an error message that reads "unexpected <name>": "space", "'x'",
 * "byte 0xff" (no article, so the sentence stays grammatical for every byte).
 */
export function describeByte(code: number): string {
  if (code === 0) return 'NUL byte';
  if (code === 0x0a) return 'newline';
  if (code === 0x0d) return 'carriage return';
  if (code === 0x09) return 'tab';
  if (code === 0x20) return 'space';
  if (code === 0x2e) return "'.' (only integers are supported)";
  if (code >= 0x21 && code < 0x7f) return `'${String.fromCharCode(code)}'`;
  return `byte 0x${code.toString(16).padStart(2, '0')}`;
}

/**
 * Index of the first byte in [from, to) that is not an ASCII digit, or -1.
 *
 * Four bytes at a time (SWAR): with x = word XOR 0x30303030 each digit byte becomes 0..9, and
 * (x + 0x76 per byte) | x has its byte's high bit set exactly when that byte was >= 10 (a carry
 * out of a byte needs x >= 0x8a there, which `| x` already flags). Words are OR-ed in blocks so
 * the common all-digits case costs no branch per word; a flagged block is re-scanned bytewise.
 */
export function firstNonDigit(bytes: Uint8Array, from: number, to: number): number {
  let i = from;
  const alignedFrom = (bytes.byteOffset + i + 3) & ~3;
  for (; i < to && bytes.byteOffset + i < alignedFrom; i++) if ((bytes[i]! - ZERO) >>> 0 > 9) return i;
  const words = (to - i) >> 2;
  if (words > 0) {
    const view = new Int32Array(bytes.buffer, bytes.byteOffset + i, words);
    for (let w = 0; w < words; ) {
      const stop = Math.min(words, w + 4096);
      let flags = 0;
      for (let j = w; j < stop; j++) {
        const x = view[j]! ^ 0x30303030;
        flags |= (x + 0x76767676) | x;
      }
      if ((flags & 0x80808080) !== 0) {
        for (let b = i + w * 4; b < i + stop * 4; b++) if ((bytes[b]! - ZERO) >>> 0 > 9) return b;
      }
      w = stop;
    }
    i += words * 4;
  }
  for (; i < to; i++) if ((bytes[i]! - ZERO) >>> 0 > 9) return i;
  return -1;
}

/**
 * Canonicalises an integer given as text, bigint or safe integer number.
 * @param source how to name the input in an error message (defaults to the quoted text)
 */
export function parseLiteral(input: string | bigint | number, source?: string): CanonicalLiteral {
  if (typeof input === 'bigint') return { negative: input < 0n, digits: (input < 0n ? -input : input).toString() };
  if (typeof input === 'number') {
    if (!Number.isSafeInteger(input)) {
      throw new InvalidNumberError(source ?? String(input), undefined, 'a number must be a safe integer; pass a string or bigint');
    }
    return parseLiteral(BigInt(input), source);
  }
  // JSON quoting escapes CR, LF and other control characters (the message stays one line).
  const name = source ?? `literal ${JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}...` : input)}`;
  const bytes = Buffer.from(input, 'utf8');
  const range = significantRange(bytes, 0, bytes.length, name, true);
  const digits = bytes.toString('latin1', range.start, range.end);
  return { negative: range.negative && digits !== '0', digits };
}

interface SignificantRange {
  negative: boolean;
  start: number;
  end: number;
}

/**
 * Finds sign and significant digits of the text in bytes [from, to) — the whole number must be
 * in memory; `inspectDigitFile` does the same for a file chunk by chunk.
 */
function significantRange(bytes: Uint8Array, from: number, to: number, source: string, atEnd: boolean): SignificantRange {
  let end = to;
  if (atEnd && end > from && bytes[end - 1] === NEWLINE) end--;
  let i = from;
  const negative = bytes[i] === MINUS;
  if (negative || bytes[i] === PLUS) i++;
  if (i >= end) throw new InvalidNumberError(source, i, i === from ? 'empty text' : 'a sign without digits');
  const bad = firstNonDigit(bytes, i, end);
  if (bad >= 0) throw new InvalidNumberError(source, bad, `unexpected ${describeByte(bytes[bad]!)}`);
  while (i < end - 1 && bytes[i] === ZERO) i++;
  return { negative, start: i, end };
}

const SCAN_CHUNK = 1 << 22;

/**
 * Validates a digit file in one streaming pass (4 MiB at a time) and locates its significant
 * digits. Memory: one chunk, whatever the file's size.
 */
export async function inspectDigitFile(path: string): Promise<DigitFileInfo> {
  const handle = await openRegularFile(path, 'open digit file');
  try {
    const { size } = await handle.stat();
    if (size === 0) throw new InvalidNumberError(path, 0, 'empty file');
    // A pooled buffer (chunkpool.ts): the operands of one operation are validated one after the other, and fresh
    // memory costs its first touch (~3–5 ms a MiB on the 2-core VM), so they share one, as do the passes after them.
    return await withChunkBuffers(1, Math.min(SCAN_CHUNK, size), ([buffer]) => scanDigitFile(path, handle, size, buffer!));
  } finally {
    await handle.close();
  }
}

/** inspectDigitFile's pass over the `size` bytes of the open file, `buffer` (<= SCAN_CHUNK bytes) at a time. */
async function scanDigitFile(path: string, handle: FileHandle, size: number, buffer: Buffer): Promise<DigitFileInfo> {
  let negative = false;
  let start = -1; // first non-zero digit, once seen
  let position = 0;
  let lastZero = -1;
  let end = size;
  while (position < size) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, size - position), position);
    if (bytesRead === 0) throw new StorageError(path, 'read', new Error('file shrank while reading'));
    let from = 0;
    let to = bytesRead;
    if (position + bytesRead === size && buffer[to - 1] === NEWLINE) {
      to--;
      end = size - 1;
    }
    if (position === 0 && (buffer[0] === MINUS || buffer[0] === PLUS)) {
      negative = buffer[0] === MINUS;
      from = 1;
    }
    const bad = firstNonDigit(buffer, from, to);
    if (bad >= 0) throw new InvalidNumberError(path, position + bad, `unexpected ${describeByte(buffer[bad]!)}`);
    if (start < 0) {
      let i = from;
      while (i < to && buffer[i] === ZERO) i++;
      if (i < to) start = position + i;
      else if (to > from) lastZero = position + to - 1;
    }
    position += bytesRead;
  }
  if (start < 0 && lastZero < 0) {
    throw new InvalidNumberError(path, end, end === 0 ? 'no digits (only a newline)' : 'a sign without digits');
  }
  const isZero = start < 0;
  const first = isZero ? lastZero : start;
  return { path, negative: negative && !isZero, start: first, end, digitCount: end - first, isZero, sizeBytes: size };
}
