/**
 * find/scan — one streaming pass over a digit region: count (overlapping) occurrences of a digit
 * string, collect the first few positions, validate every byte on the way.
 *
 * Memory: two buffers of `chunkBytes + query length - 1` bytes (default 2 x 8 MiB), whatever the
 * file size. The file is read in large chunks with double buffering (the next chunk is read by
 * libuv's thread pool while this one is searched), and consecutive windows overlap by
 * `query length - 1` bytes, so a match straddling a chunk edge is seen exactly once: a match
 * starting inside the overlap necessarily ends in the new bytes, so the previous window could
 * not have contained it.
 *
 * Search is `Buffer.indexOf` (Node's Boyer-Moore-Horspool/memchr search in C++); one-digit
 * queries, which match every tenth byte, use a plain byte loop instead of one native call per hit.
 */
import { read } from 'node:fs';
import { CancelledError, StorageError } from '../../errors.js';
import { type SearchableDigits, junkError } from './layout.js';
import { firstNonDigit } from '../../storage/index.js';

export interface ScanOptions {
  /** First start position (1-based) a match may have; default 1. */
  readonly fromPosition?: number;
  /** Only positions greater than this are collected (counting is unaffected); default 0. */
  readonly listAfter?: number;
  /** Positions to collect (the first ones at or after `fromPosition` and after `listAfter`); default 1. */
  readonly limit?: number;
  /** Keep scanning to the end to count every occurrence (default true); false stops at `limit`. */
  readonly countAll?: boolean;
  /** Check that every scanned byte is a digit (default true). */
  readonly validate?: boolean;
  /** Bytes per read (default 8 MiB). */
  readonly chunkBytes?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ScanResult {
  /** Positions found, ascending, at most `limit`. */
  readonly positions: number[];
  /** Occurrences from `fromPosition` to the end, or undefined if the scan stopped early. */
  readonly count: number | undefined;
  /** Bytes of the digit region read. */
  readonly bytesScanned: number;
}

export const DEFAULT_CHUNK_BYTES = 8 * 2 ** 20;

function readAt(fd: number, path: string, buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const step = (done: number): void => {
      if (done === length) return resolve(done);
      read(fd, buffer, offset + done, length - done, position + done, (error, n) => {
        if (error) return reject(new StorageError(path, 'read', error));
        if (n === 0) return reject(new StorageError(path, 'read', new Error(`file ended early at byte ${position + done} (changed while being read?)`)));
        step(done + n);
      });
    };
    step(0);
  });
}

/**
 * Scans `layout`'s digit region of the open file `fd` for `query` (ASCII digits). The query is not
 * checked here (see `checkQuery`); the file's bytes are, unless `validate` is false.
 * @throws {InvalidNumberError} a scanned byte is not a digit (with `validate`, the default)
 * @throws {StorageError} a read fails, or the file ends early (it changed while being read)
 * @throws {CancelledError} `options.signal` was aborted (checked after each chunk)
 * @example
 * const layout = readSearchableDigits('pi-1000000.txt', fd);
 * const { count, positions } = await scanDigits(fd, layout, Buffer.from('14159'), { limit: 3 });
 */
export async function scanDigits(fd: number, layout: SearchableDigits, query: Buffer, options: ScanOptions = {}): Promise<ScanResult> {
  const length = query.length;
  const fromPosition = Math.max(1, options.fromPosition ?? 1);
  const limit = options.limit ?? 1;
  const listAfter = options.listAfter ?? 0;
  const countAll = options.countAll ?? true;
  const validate = options.validate ?? true;
  const chunkBytes = Math.max(options.chunkBytes ?? DEFAULT_CHUNK_BYTES, 4096);
  const overlap = length - 1;
  const first = layout.start + fromPosition - 1;
  const total = Math.max(0, layout.end - first);
  const positions: number[] = [];
  let count = 0;
  if (total < length) return { positions, count: countAll ? 0 : undefined, bytesScanned: 0 };

  const buffers = [Buffer.allocUnsafeSlow(overlap + chunkBytes), Buffer.allocUnsafeSlow(overlap + chunkBytes)];
  let current = 0;
  let nextRead = first;
  let tail = 0; // bytes of the previous window carried at the front of this one
  const startRead = (which: number): Promise<number> => {
    const n = Math.min(chunkBytes, layout.end - nextRead);
    const promise = readAt(fd, layout.path, buffers[which]!, overlap, n, nextRead);
    nextRead += n;
    return promise;
  };
  let pending: Promise<number> | undefined = startRead(current);
  let done = 0;
  try {
    while (pending) {
      const fresh = await pending;
      pending = undefined;
      const buffer = buffers[current]!;
      const windowStart = overlap - tail;
      const windowEnd = overlap + fresh;
      // buffer[x] holds file byte freshOffset + x - overlap.
      const freshOffset = nextRead - fresh;
      if (nextRead < layout.end) {
        const carry = Math.min(overlap, windowEnd - windowStart);
        buffer.copy(buffers[1 - current]!, overlap - carry, windowEnd - carry, windowEnd);
        tail = carry;
        pending = startRead(1 - current);
      }
      if (validate) {
        const bad = firstNonDigit(buffer, overlap, windowEnd);
        if (bad >= 0) throw junkError(layout, freshOffset + bad - overlap, buffer[bad]!);
      }
      const position0 = freshOffset + windowStart - overlap - layout.start + 1;
      count += searchWindow(buffer.subarray(windowStart, windowEnd), query, position0, positions, limit, listAfter, countAll);
      done += fresh;
      options.onProgress?.(done, total);
      if (!countAll && positions.length >= limit) break;
      if (options.signal?.aborted) throw new CancelledError('find (scan)');
      current = 1 - current;
    }
  } finally {
    if (pending) await pending.catch(() => 0);
  }
  return { positions, count: countAll ? count : undefined, bytesScanned: done };
}

/**
 * Counts matches of `query` in `window` (whose byte 0 is digit position `position0`), appending
 * positions greater than `listAfter` to `positions` while it holds fewer than `limit`. When
 * `countAll` is false the search stops as soon as `limit` positions are held.
 */
function searchWindow(
  window: Buffer,
  query: Buffer,
  position0: number,
  positions: number[],
  limit: number,
  listAfter: number,
  countAll: boolean,
): number {
  let count = 0;
  if (query.length === 1) {
    const digit = query[0]!;
    const n = window.length;
    let i = 0;
    for (; i < n && positions.length < limit; i++) {
      if (window[i] === digit) {
        count++;
        if (position0 + i > listAfter) positions.push(position0 + i);
      }
    }
    if (!countAll) return count;
    return count + countByte(window, i, n, digit);
  }
  let at = window.indexOf(query, 0);
  while (at >= 0) {
    count++;
    if (positions.length < limit && position0 + at > listAfter) {
      positions.push(position0 + at);
      if (!countAll && positions.length >= limit) break;
    }
    at = window.indexOf(query, at + 1);
  }
  return count;
}

/**
 * Occurrences of `byte` in `bytes[from, to)`, a word at a time: with x = word ^ (byte * 0x01010101),
 * a byte of x is zero iff ((x & 0x7f) + 0x7f) has no top bit and x has no top bit, which is exact
 * per byte (no carries cross bytes); the flags at bits 7/15/23/31 are summed by one multiply.
 */
function countByte(bytes: Uint8Array, from: number, to: number, byte: number): number {
  let count = 0;
  let i = from;
  for (; i < to && ((bytes.byteOffset + i) & 3) !== 0; i++) count += bytes[i] === byte ? 1 : 0;
  const words = (to - i) >> 2;
  if (words > 0) {
    const view = new Int32Array(bytes.buffer, bytes.byteOffset + i, words);
    const pattern = Math.imul(byte, 0x01010101);
    for (let j = 0; j < words; j++) {
      const x = view[j]! ^ pattern;
      const zero = ~(((x & 0x7f7f7f7f) + 0x7f7f7f7f) | x | 0x7f7f7f7f);
      count += Math.imul(zero >>> 7, 0x01010101) >>> 24;
    }
    i += words * 4;
  }
  for (; i < to; i++) count += bytes[i] === byte ? 1 : 0;
  return count;
}
