/**
 * find/kmer-index — a k-mer position index beside a digit file, for repeated queries in
 * milliseconds.
 *
 * Why a k-mer index and not a suffix array: a suffix array answers any length in O(L log N) but
 * costs 4-5 bytes/digit plus a suffix sort (SA-IS) that needs 5-9 bytes/digit of RAM or a
 * complex external-memory variant. Digits of pi (or any random-looking digit file) are close to
 * uniform, so bucketing every position by its next k digits leaves about N / 10^k candidates per
 * bucket: with k = log10(N) - 1 that is ~10 candidates, each checked with one positioned read.
 * The index is a counting sort, built in streaming passes with bounded memory.
 *
 * File `<digit file>.idx`, little-endian:
 *   header (64 bytes): magic "MSFINDX\0", u32 version, u32 k, f64 digit-file size, f64 digit-file
 *                      mtimeMs, f64 start byte of digit 1, f64 digits N, f64 k-mers M = N - k + 1
 *   offsets: u32[10^k + 1]  bucket v holds slots [offsets[v], offsets[v+1])
 *   positions: u32[M]        1-based start positions, grouped by the value of their k-mer and
 *                            ascending within a bucket
 * Size: 64 + 4 (10^k + 1) + 4 M bytes, about 4.4 bytes/digit at N = 10^8, k = 7.
 * Positions are u32: indexable files hold fewer than 2^32 digits (a scan has no such limit).
 * A header that disagrees with the digit file's size or mtime marks the index stale.
 *
 * Build (see buildIndex): a two-level counting sort in streaming passes. Memory: the offsets
 * (4 * 10^k bytes) + 6 bytes per position of the group of partitions being placed + 4 bytes per
 * position of its largest partition + one 8 MiB read chunk; about 6 bytes/digit (measured peak RSS
 * 678 MiB at 10^8 digits) when everything fits the memory budget in one group, otherwise as many
 * passes over the file as groups, each within the budget.
 * Invalid bytes in the digit file abort the build (InvalidNumberError) and leave no index.
 *
 * Queries (length L):
 * - L >= k: each of the L - k + 1 windows names a bucket; the smallest bucket's candidates
 *   (shifted by the window's offset) are verified against the digit file. Verified candidates
 *   are all occurrences, already ascending: count, first, next after a position, all.
 * - L < k: the k-mers that start with the query fill the contiguous bucket range
 *   [q 10^(k-L), (q+1) 10^(k-L)), so the count is two offset reads plus the last k-1 digits
 *   (which start no k-mer); occurrence positions come from a short scan from the wanted start
 *   (the expected gap between occurrences is 10^L < 10^k digits).
 * - A bucket larger than the cost of a full scan (a pathological file, e.g. all zeros) falls back
 *   to a scan, so no query is ever much slower than scanning.
 * Measured at 10^8 digits (bench/find.ts): ~0.15 ms median, ~0.7 ms p95 per query of 1..120
 * digits on an open index.
 */
import { closeSync, fstatSync, statSync } from 'node:fs';
import { endianness } from 'node:os';
import { resolve } from 'node:path';
import { CancelledError, InvalidArgumentError, MathStreamError, StorageError } from '../../errors.js';
import { getConfig } from '../../config.js';
import { AtomicFile, firstNonDigit } from '../../storage/index.js';
import { isInsideLogDir } from '../../tracker/paths.js';
import { registerLogFile, touchLogFile } from '../../tracker/references.js';
import { withTrackerLock } from '../../tracker/connection.js';
import { type SearchableDigits, junkError, openForReading, readDigits, readFully, readSearchableDigits } from './layout.js';
import { DEFAULT_CHUNK_BYTES, scanDigits } from './scan.js';

const MAGIC = 'MSFINDX\0';
const VERSION = 1;
const HEADER_BYTES = 64;
const MAX_K = 8;
/** Candidates verified one read each cost ~2 us; a scan costs ~1 ns per digit. */
const SCAN_DIGITS_PER_CANDIDATE = 2000;
const MIN_VERIFY_CANDIDATES = 4096;

export interface IndexHeader {
  readonly k: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly start: number;
  readonly digits: number;
  readonly kmers: number;
}

export interface BuildIndexOptions {
  /** Where to write the index; default `<file>.idx`. */
  readonly indexPath?: string;
  /** Bucket key length; default from the digit count (about 10 positions per bucket). */
  readonly k?: number;
  /** Bytes the build may use; default the configured memory budget. */
  readonly memoryBudget?: number;
  readonly chunkBytes?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface BuildIndexResult {
  readonly path: string;
  readonly k: number;
  readonly digits: number;
  readonly bytes: number;
  readonly passes: number;
  readonly buildMs: number;
}

export type IndexStatus = 'missing' | 'stale' | 'fresh';

/**
 * Default index path of a digit file.
 * @example
 * indexPathFor('pi-1000000.txt'); // 'pi-1000000.txt.idx'
 */
export function indexPathFor(file: string): string {
  return `${file}.idx`;
}

/**
 * k for N digits: about 10 positions per bucket, at most 8 (4 * 10^8 bytes of offsets).
 * `buildIndex` may lower it further to fit the memory budget.
 * @example
 * defaultK(10 ** 8); // 7
 */
export function defaultK(digits: number): number {
  return Math.max(1, Math.min(MAX_K, Math.floor(Math.log10(Math.max(digits, 1))) - 1, digits));
}

function toLittleEndian(words: Uint32Array, from = 0, to = words.length): Buffer {
  const bytes = Buffer.from(words.buffer, words.byteOffset + from * 4, (to - from) * 4);
  return endianness() === 'LE' ? bytes : Buffer.from(bytes).swap32();
}

function encodeHeader(h: IndexHeader): Buffer {
  const b = Buffer.alloc(HEADER_BYTES);
  b.write(MAGIC, 0, 'latin1');
  b.writeUInt32LE(VERSION, 8);
  b.writeUInt32LE(h.k, 12);
  b.writeDoubleLE(h.size, 16);
  b.writeDoubleLE(h.mtimeMs, 24);
  b.writeDoubleLE(h.start, 32);
  b.writeDoubleLE(h.digits, 40);
  b.writeDoubleLE(h.kmers, 48);
  return b;
}

function decodeHeader(path: string, b: Buffer, fileBytes: number): IndexHeader {
  if (b.length < HEADER_BYTES || b.toString('latin1', 0, 8) !== MAGIC) {
    throw new StorageError(path, 'use index', new Error('not a mathstream find index (bad magic)'));
  }
  const version = b.readUInt32LE(8);
  if (version !== VERSION) throw new StorageError(path, 'use index', new Error(`index version ${version}, expected ${VERSION}; rebuild it`));
  const h: IndexHeader = {
    k: b.readUInt32LE(12),
    size: b.readDoubleLE(16),
    mtimeMs: b.readDoubleLE(24),
    start: b.readDoubleLE(32),
    digits: b.readDoubleLE(40),
    kmers: b.readDoubleLE(48),
  };
  const expected = HEADER_BYTES + 4 * (10 ** h.k + 1) + 4 * h.kmers;
  if (h.k < 1 || h.k > MAX_K || h.kmers !== h.digits - h.k + 1 || fileBytes !== expected) {
    throw new StorageError(path, 'use index', new Error(`truncated or corrupt index (${fileBytes} bytes, header implies ${expected}); rebuild it`));
  }
  return h;
}

function readHeader(indexPath: string, fd: number): IndexHeader {
  const b = Buffer.alloc(HEADER_BYTES);
  const got = readFully(fd, indexPath, b, 0, HEADER_BYTES, 0);
  return decodeHeader(indexPath, b.subarray(0, got), fstatSync(fd).size);
}

/**
 * Whether `file` has an index matching its current size and mtime. Never throws: an index that cannot
 * be opened is 'missing', one that cannot be read or checked (corrupt, wrong version, file gone) is 'stale'.
 * @example
 * if (indexStatus('pi-1000000.txt') !== 'fresh') await buildIndex('pi-1000000.txt');
 */
export function indexStatus(file: string, indexPath = indexPathFor(file)): IndexStatus {
  let fd: number;
  try {
    fd = openForReading(indexPath);
  } catch {
    return 'missing';
  }
  try {
    const h = readHeader(indexPath, fd);
    const s = statSync(file);
    return h.size === s.size && h.mtimeMs === s.mtimeMs ? 'fresh' : 'stale';
  } catch {
    return 'stale';
  } finally {
    closeSync(fd);
  }
}

/** Rolling k-mer state carried from chunk to chunk: the value of the last k digits read. */
interface Roll {
  value: number;
}

/**
 * Streams the digit region in chunks laid out as `[k carried bytes][chunk]`, so a hot loop can
 * drop the digit leaving the k-window by looking k bytes back. Bytes before the file read as '0',
 * which makes the value of an incomplete window harmless (callers skip start positions < 1).
 * `each(buffer, from, to, position0)` gets buffer[from..to) where buffer[from] is digit position
 * `position0`.
 */
async function streamChunks(
  fd: number,
  layout: SearchableDigits,
  k: number,
  chunkBytes: number,
  validate: boolean,
  signal: AbortSignal | undefined,
  progress: (bytes: number) => void,
  each: (buffer: Uint8Array, from: number, to: number, position0: number) => void,
): Promise<void> {
  const buffer = Buffer.allocUnsafeSlow(k + chunkBytes);
  buffer.fill(0x30, 0, k);
  for (let offset = layout.start; offset < layout.end; ) {
    if (signal?.aborted) throw new CancelledError('find index build');
    const n = Math.min(chunkBytes, layout.end - offset);
    // Sync reads: the passes are CPU-bound; reading 8 MiB from the page cache takes ~1 ms.
    const got = readFully(fd, layout.path, buffer, k, n, offset);
    if (got !== n) throw new StorageError(layout.path, 'read', new Error(`file ended early at byte ${offset + got} (changed while indexing?)`));
    if (validate) {
      const bad = firstNonDigit(buffer, k, k + n);
      if (bad >= 0) throw junkError(layout, offset + bad - k, buffer[bad]!);
    }
    each(buffer, k, k + n, offset - layout.start + 1);
    buffer.copyWithin(0, n, n + k);
    offset += n;
    progress(n);
    // Lets an abort() and the progress bar run between chunks.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

// The hot loops below are plain functions over typed arrays (no closures per digit) so V8
// compiles them to tight machine code. In each, after the update `v` is the value of the k digits
// ending at position P, i.e. of the k-mer starting at P - k + 1.

function countPartitions(b: Uint8Array, from: number, to: number, position0: number, roll: Roll, k: number, lowSpan: number, counts: Uint32Array): void {
  const top = 10 ** (k - 1);
  let v = roll.value;
  for (let i = from, P = position0; i < to; i++, P++) {
    v = (v - (b[i - k]! - 0x30) * top) * 10 + (b[i]! - 0x30);
    if (P >= k) counts[(v / lowSpan) | 0]!++;
  }
  roll.value = v;
}

function scatterGroup(
  b: Uint8Array, from: number, to: number, position0: number, roll: Roll, k: number, lowSpan: number,
  pLo: number, pHi: number, cursor: Uint32Array, slice: Uint32Array, keys: Uint16Array,
): void {
  const top = 10 ** (k - 1);
  let v = roll.value;
  for (let i = from, P = position0; i < to; i++, P++) {
    v = (v - (b[i - k]! - 0x30) * top) * 10 + (b[i]! - 0x30);
    const p = (v / lowSpan) | 0;
    if (P >= k && p >= pLo && p < pHi) {
      const slot = cursor[p]!++;
      slice[slot] = P - k + 1;
      keys[slot] = v - p * lowSpan;
    }
  }
  roll.value = v;
}

function countKeys(b: Uint8Array, from: number, to: number, position0: number, roll: Roll, k: number, lowSpan: number, p: number, counts: Uint32Array): void {
  const top = 10 ** (k - 1);
  const base = p * lowSpan;
  let v = roll.value;
  for (let i = from, P = position0; i < to; i++, P++) {
    v = (v - (b[i - k]! - 0x30) * top) * 10 + (b[i]! - 0x30);
    const key = v - base;
    if (P >= k && key >= 0 && key < lowSpan) counts[key + 1]!++;
  }
  roll.value = v;
}

function placeDirect(
  b: Uint8Array, from: number, to: number, position0: number, roll: Roll, k: number, lowSpan: number,
  p: number, cursor: Uint32Array, lo: number, hi: number, slice: Uint32Array,
): void {
  const top = 10 ** (k - 1);
  const base = p * lowSpan;
  let v = roll.value;
  for (let i = from, P = position0; i < to; i++, P++) {
    v = (v - (b[i - k]! - 0x30) * top) * 10 + (b[i]! - 0x30);
    const key = v - base;
    if (P >= k && key >= 0 && key < lowSpan) {
      const slot = cursor[key]!++;
      if (slot >= lo && slot < hi) slice[slot - lo] = P - k + 1;
    }
  }
  roll.value = v;
}

/**
 * Sorts one scattered partition by key (stable counting sort, so positions stay ascending within
 * a bucket) and records its buckets' global offsets.
 */
function sortPartition(
  slice: Uint32Array, keys: Uint16Array, from: number, to: number, globalBase: number,
  p: number, lowSpan: number, counts: Uint32Array, tmp: Uint32Array, offsets: Uint32Array,
): void {
  counts.fill(0);
  for (let s = from; s < to; s++) counts[keys[s]! + 1]!++;
  for (let j = 0; j < lowSpan; j++) counts[j + 1]! += counts[j]!;
  for (let j = 0; j < lowSpan; j++) offsets[p * lowSpan + j] = globalBase + counts[j]!;
  for (let s = from; s < to; s++) tmp[counts[keys[s]!]!++] = slice[s]!;
  slice.set(tmp.subarray(0, to - from), from);
}

/** A placement step: a run of whole partitions sorted in memory, or one oversized partition. */
type Plan = { kind: 'group'; pLo: number; pHi: number; total: number } | { kind: 'big'; p: number; total: number };

function planPasses(counts: Uint32Array, parts: number, sliceCapacity: number, bigThreshold: number): Plan[] {
  const plans: Plan[] = [];
  let group: { pLo: number; total: number } | undefined;
  const close = (pHi: number): void => {
    if (group && pHi > group.pLo) plans.push({ kind: 'group', pLo: group.pLo, pHi, total: group.total });
    group = undefined;
  };
  for (let p = 0; p < parts; p++) {
    const size = counts[p]!;
    if (size > bigThreshold) {
      close(p);
      plans.push({ kind: 'big', p, total: size });
      continue;
    }
    if (group && group.total + size > sliceCapacity) close(p);
    group ??= { pLo: p, total: 0 };
    group.total += size;
  }
  close(parts);
  return plans;
}

/**
 * Renames the finished index into place. An index inside the log folder (beside a staged
 * result) is a staged file too: registered with the tracker in the same lock as the rename, so
 * the collector scores and sweeps it like any other (at reference 0, touched on every open).
 * Indexes of user files elsewhere are the user's, like the files they index.
 */
function publishIndex(out: AtomicFile, indexPath: string, bytes: number): void {
  if (!isInsideLogDir(resolve(indexPath), getConfig().logDir)) return out.publish(indexPath);
  withTrackerLock(() => {
    registerLogFile(indexPath, bytes);
    out.publish(indexPath);
  });
}

/**
 * Builds (or rebuilds) the index of `file`, written atomically beside it. The file's digits are
 * validated on the way; junk raises InvalidNumberError and leaves no index.
 *
 * Two-level counting sort, so that memory is touched sequentially or within cache-sized regions
 * (a direct counting sort into 10^7 buckets costs a cache and TLB miss per digit, ~4x slower):
 * 1. count the k-mers per partition (their first k-4 digits, <= 10^4 partitions);
 * 2. per group of partitions that fits the memory budget: scatter (position, low 4 digits) into
 *    the group's slice, in position order; counting-sort each partition by its low digits (a
 *    stable sort in a cache-sized region); write the slice at its place in the file.
 * A partition too large for the budget on its own (only in degenerate files, e.g. all zeros) is
 * placed directly, slot range by slot range, in as many passes as it needs.
 * Memory: 4 (10^k + 1) bytes of offsets + 6 bytes per position of the current group + 4 bytes per
 * position of its largest partition + one read chunk; for 10^8 digits of pi in one group that is
 * about 6 bytes/digit (600 MB), bounded by the memory budget otherwise.
 * @throws {InvalidNumberError} the file is not a digit file, or holds a non-digit byte (no index is left)
 * @throws {InvalidArgumentError} the file has 2^32 digits or more, or `options.k` is not 1..8 or exceeds the digits
 * @throws {StorageError} the file cannot be read, the index cannot be written, or the file changed while being indexed
 * @throws {TrackerError} the index lies inside the log folder and the tracker cannot register it
 * @throws {CancelledError} `options.signal` was aborted (no index is left)
 * @example
 * const built = await buildIndex('pi-1000000.txt');
 * built.path; // 'pi-1000000.txt.idx'
 */
export async function buildIndex(file: string, options: BuildIndexOptions = {}): Promise<BuildIndexResult> {
  const began = performance.now();
  const indexPath = options.indexPath ?? indexPathFor(file);
  const fd = openForReading(file);
  let out: AtomicFile | undefined;
  try {
    const layout = readSearchableDigits(file, fd);
    const digits = layout.digits;
    if (digits >= 2 ** 32) {
      throw new InvalidArgumentError(`${file} has ${digits} digits; the index stores 32-bit positions (fewer than 2^32 digits), use a scan`);
    }
    const budget = options.memoryBudget ?? getConfig().memoryBudget;
    const chunkBytes = Math.min(options.chunkBytes ?? DEFAULT_CHUNK_BYTES, Math.max(1 << 12, Math.floor(budget / 8)));
    let k = options.k ?? defaultK(digits);
    if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw new InvalidArgumentError(`index key length k=${k}: expected 1..${MAX_K}`);
    if (options.k === undefined) while (k > 1 && 4 * 10 ** k > budget / 4) k--;
    if (k > digits) throw new InvalidArgumentError(`index key length k=${k} exceeds the ${digits} digits of ${file}`);
    const buckets = 10 ** k;
    const kmers = digits - k + 1;
    const lowSpan = 10 ** Math.min(k, 4);
    const parts = buckets / lowSpan;
    const available = Math.max(1 << 12, budget - 4 * (buckets + 1) - 8 * parts - 4 * (lowSpan + 1) - chunkBytes - k);

    let work = 0;
    let totalWork = 2 * digits;
    const progress = (bytes: number): void => {
      work += bytes;
      options.onProgress?.(work, totalWork);
    };
    const roll: Roll = { value: 0 };
    const stream = (validate: boolean, each: (b: Uint8Array, from: number, to: number, position0: number) => void): Promise<void> => {
      roll.value = 0;
      return streamChunks(fd, layout, k, chunkBytes, validate, options.signal, progress, each);
    };

    // Pass 1: validate, and size the partitions.
    const partCounts = new Uint32Array(parts);
    await stream(true, (b, from, to, p0) => countPartitions(b, from, to, p0, roll, k, lowSpan, partCounts));

    const bigThreshold = Math.floor(available / 10);
    let tmpCapacity = 0;
    for (let p = 0; p < parts; p++) if (partCounts[p]! <= bigThreshold) tmpCapacity = Math.max(tmpCapacity, partCounts[p]!);
    const sliceCapacity = Math.max(1, Math.floor((available - 4 * tmpCapacity) / 6));
    const plans = planPasses(partCounts, parts, sliceCapacity, bigThreshold);
    const passes = 1 + plans.reduce((n, plan) => n + (plan.kind === 'group' ? 1 : 1 + Math.ceil(plan.total / sliceCapacity)), 0);
    totalWork = passes * digits;

    const partStart = new Uint32Array(parts + 1);
    for (let p = 0; p < parts; p++) partStart[p + 1] = partStart[p]! + partCounts[p]!;
    const offsets = new Uint32Array(buckets + 1);
    offsets[buckets] = kmers;
    const largestGroup = plans.reduce((m, plan) => Math.max(m, plan.kind === 'group' ? plan.total : 0), 0);
    const largestPlan = plans.reduce((m, plan) => Math.max(m, plan.total), 0);
    const slice = new Uint32Array(Math.max(1, Math.min(sliceCapacity, largestPlan)));
    const keys = new Uint16Array(Math.max(1, largestGroup));
    const tmp = new Uint32Array(Math.max(1, tmpCapacity));
    const counts = new Uint32Array(lowSpan + 1);
    const cursor = new Uint32Array(parts);

    out = await AtomicFile.createBeside(indexPath);
    const positionsAt = HEADER_BYTES + 4 * (buckets + 1);
    for (const plan of plans) {
      if (plan.kind === 'group') {
        const base = partStart[plan.pLo]!;
        for (let p = plan.pLo; p < plan.pHi; p++) cursor[p] = partStart[p]! - base;
        await stream(false, (b, from, to, p0) => scatterGroup(b, from, to, p0, roll, k, lowSpan, plan.pLo, plan.pHi, cursor, slice, keys));
        for (let p = plan.pLo; p < plan.pHi; p++) {
          sortPartition(slice, keys, partStart[p]! - base, partStart[p + 1]! - base, partStart[p]!, p, lowSpan, counts, tmp, offsets);
        }
        await out.writeAt(positionsAt + 4 * base, toLittleEndian(slice, 0, plan.total));
      } else {
        const p = plan.p;
        const base = partStart[p]!;
        counts.fill(0);
        await stream(false, (b, from, to, p0) => countKeys(b, from, to, p0, roll, k, lowSpan, p, counts));
        for (let j = 0; j < lowSpan; j++) counts[j + 1]! += counts[j]!;
        for (let j = 0; j < lowSpan; j++) offsets[p * lowSpan + j] = base + counts[j]!;
        const local = new Uint32Array(lowSpan);
        for (let lo = 0; lo < plan.total; lo += slice.length) {
          const hi = Math.min(plan.total, lo + slice.length);
          local.set(counts.subarray(0, lowSpan));
          await stream(false, (b, from, to, p0) => placeDirect(b, from, to, p0, roll, k, lowSpan, p, local, lo, hi, slice));
          await out.writeAt(positionsAt + 4 * (base + lo), toLittleEndian(slice, 0, hi - lo));
        }
      }
    }
    const header = { k, size: layout.size, mtimeMs: layout.mtimeMs, start: layout.start, digits, kmers };
    await out.writeAt(0, encodeHeader(header));
    await out.writeAt(HEADER_BYTES, toLittleEndian(offsets));
    const after = fstatSync(fd);
    if (after.size !== layout.size || after.mtimeMs !== layout.mtimeMs) {
      throw new StorageError(file, 'index', new Error('the file changed while it was being indexed'));
    }
    await out.finish();
    const bytes = positionsAt + 4 * kmers;
    publishIndex(out, indexPath, bytes);
    out = undefined;
    return { path: indexPath, k, digits, bytes, passes, buildMs: performance.now() - began };
  } finally {
    await out?.abort();
    closeSync(fd);
  }
}

export interface IndexQueryOptions {
  /** Only occurrences at positions greater than this count toward `positions` (default 0). */
  readonly afterPosition?: number;
  /** Positions to return (default 1). */
  readonly limit?: number;
}

export interface IndexQueryResult {
  readonly count: number;
  /** The first `limit` occurrences after `afterPosition`, ascending. */
  readonly positions: number[];
  /** How the answer was found: 'index' (buckets + verification) or 'index+scan'. */
  readonly method: 'index' | 'index+scan';
}

/**
 * An open, fresh index with its digit file; `close()` when done. It holds two file descriptors,
 * so a forgotten `close()` leaks them until the process ends.
 * @example
 * const index = DigitIndex.open('pi-1000000.txt');
 * try {
 *   (await index.query('999999')).positions; // [762]
 * } finally {
 *   index.close();
 * }
 */
export class DigitIndex {
  private closed = false;

  private constructor(
    readonly file: string,
    readonly indexPath: string,
    readonly header: IndexHeader,
    readonly layout: SearchableDigits,
    private readonly indexFd: number,
    readonly digitFd: number,
  ) {}

  /**
   * Opens the index of `file`; a missing or stale index is a StorageError (see `ensureIndex`).
   * @throws {StorageError} the file or the index cannot be opened or read, the index is not one
   * (bad magic, other version, truncated), or it is stale (the file changed since it was built)
   * @throws {InvalidNumberError} the file is not a digit file
   * @example
   * const index = DigitIndex.open('pi-1000000.txt', 'pi-1000000.txt.idx');
   */
  static open(file: string, indexPath = indexPathFor(file)): DigitIndex {
    const digitFd = openForReading(file);
    let indexFd: number | undefined;
    try {
      const layout = readSearchableDigits(file, digitFd);
      indexFd = openForReading(indexPath);
      const header = readHeader(indexPath, indexFd);
      if (header.size !== layout.size || header.mtimeMs !== layout.mtimeMs || header.start !== layout.start || header.digits !== layout.digits) {
        throw new StorageError(indexPath, 'use index', new Error(`stale: ${file} changed since the index was built; rebuild it`));
      }
      if (isInsideLogDir(resolve(indexPath), getConfig().logDir)) touchLogFile(indexPath);
      return new DigitIndex(file, indexPath, header, layout, indexFd, digitFd);
    } catch (error) {
      if (indexFd !== undefined) closeSync(indexFd);
      closeSync(digitFd);
      throw error;
    }
  }

  get k(): number {
    return this.header.k;
  }

  get digits(): number {
    return this.header.digits;
  }

  /**
   * Count and positions of `query` (ASCII digits, already validated, length <= digits): the caller checks,
   * so `findDigits` pays for validation once (see `checkQuery`).
   * @throws {MathStreamError} the index was closed
   * @throws {StorageError} the index or the digit file cannot be read
   * @example
   * const { count, positions } = await index.query('14159', { afterPosition: 1, limit: 3 });
   */
  async query(query: string, options: IndexQueryOptions = {}): Promise<IndexQueryResult> {
    this.check();
    return query.length >= this.header.k ? this.queryLong(query, options) : this.queryShort(query, options);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.indexFd);
    closeSync(this.digitFd);
  }

  private check(): void {
    if (this.closed) throw new MathStreamError(`index ${this.indexPath} is closed`);
  }

  private bucket(value: number): [number, number] {
    const b = Buffer.allocUnsafe(8);
    readFully(this.indexFd, this.indexPath, b, 0, 8, HEADER_BYTES + 4 * value);
    return [b.readUInt32LE(0), b.readUInt32LE(4)];
  }

  private async queryLong(query: string, options: IndexQueryOptions): Promise<IndexQueryResult> {
    const { k, digits } = this.header;
    const L = query.length;
    let best = { shift: 0, lo: 0, hi: Number.POSITIVE_INFINITY };
    for (let shift = 0; shift + k <= L; shift++) {
      const [lo, hi] = this.bucket(Number(query.slice(shift, shift + k)));
      if (hi - lo < best.hi - best.lo) best = { shift, lo, hi };
      // A bucket this small cannot be beaten by enough to pay for more offset reads.
      if (hi - lo <= 2) break;
    }
    const candidates = best.hi - best.lo;
    if (candidates > Math.max(MIN_VERIFY_CANDIDATES, digits / SCAN_DIGITS_PER_CANDIDATE)) return this.viaScan(query, options);
    const slots = Buffer.allocUnsafe(4 * candidates);
    const positionsAt = HEADER_BYTES + 4 * (10 ** k + 1);
    readFully(this.indexFd, this.indexPath, slots, 0, slots.length, positionsAt + 4 * best.lo);
    const after = options.afterPosition ?? 0;
    const limit = options.limit ?? 1;
    const wanted = Buffer.from(query, 'latin1');
    const probe = Buffer.allocUnsafe(L);
    const positions: number[] = [];
    let count = 0;
    for (let i = 0; i < candidates; i++) {
      const start = slots.readUInt32LE(4 * i) - best.shift;
      if (start < 1 || start + L - 1 > digits) continue;
      readFully(this.digitFd, this.file, probe, 0, L, this.layout.start + start - 1);
      if (!probe.equals(wanted)) continue;
      count++;
      if (start > after && positions.length < limit) positions.push(start);
    }
    return { count, positions, method: 'index' };
  }

  private async queryShort(query: string, options: IndexQueryOptions): Promise<IndexQueryResult> {
    const { k, digits, kmers } = this.header;
    const L = query.length;
    const spread = 10 ** (k - L);
    const first = Number(query) * spread;
    const [lo] = this.bucket(first);
    const [, hi] = this.bucket(first + spread - 1);
    // The last k-1 digits start no k-mer: count matches starting there directly.
    const tail = readDigits(this.digitFd, this.layout, kmers + 1, digits);
    let count = hi - lo;
    for (let at = tail.indexOf(query); at >= 0; at = tail.indexOf(query, at + 1)) count++;
    const limit = options.limit ?? 1;
    const scanned = await scanDigits(this.digitFd, this.layout, Buffer.from(query, 'latin1'), {
      fromPosition: (options.afterPosition ?? 0) + 1,
      limit,
      countAll: false,
      validate: false,
      // Occurrences are ~10^L digits apart: small reads find the next ones without reading ahead.
      chunkBytes: Math.min(DEFAULT_CHUNK_BYTES, Math.max(64 * 1024, 4 * 10 ** L * limit)),
    });
    return { count, positions: scanned.positions, method: 'index' };
  }

  private async viaScan(query: string, options: IndexQueryOptions): Promise<IndexQueryResult> {
    const after = options.afterPosition ?? 0;
    const limit = options.limit ?? 1;
    const q = Buffer.from(query, 'latin1');
    const scanned = await scanDigits(this.digitFd, this.layout, q, { listAfter: after, limit, validate: false });
    return { count: scanned.count ?? 0, positions: scanned.positions, method: 'index+scan' };
  }
}

/**
 * Opens the index of `file`, building it first when missing or stale.
 * @throws {InvalidNumberError} the file is not a digit file, or holds junk (found while building)
 * @throws {InvalidArgumentError} a build is needed and the file has 2^32 digits or more, or `options.k` is out of range
 * @throws {StorageError} the file or the index cannot be read or written, or the file changed while being indexed
 * @throws {TrackerError} a build inside the log folder cannot be registered with the tracker
 * @throws {CancelledError} `options.signal` was aborted during a build
 * @example
 * const { index, built } = await ensureIndex('pi-1000000.txt'); // built: undefined when already fresh
 * index.close();
 */
export async function ensureIndex(file: string, options: BuildIndexOptions = {}): Promise<{ index: DigitIndex; built: BuildIndexResult | undefined }> {
  const indexPath = options.indexPath ?? indexPathFor(file);
  let built: BuildIndexResult | undefined;
  if (indexStatus(file, indexPath) !== 'fresh') built = await buildIndex(file, { ...options, indexPath });
  return { index: DigitIndex.open(file, indexPath), built };
}

/**
 * `DigitIndex.open` as a function.
 * @throws {StorageError} the file or the index cannot be opened or read, the index is corrupt, or it is stale
 * @throws {InvalidNumberError} the file is not a digit file
 * @example
 * const index = openIndex('pi-1000000.txt');
 * index.close();
 */
export function openIndex(file: string, indexPath?: string): DigitIndex {
  return DigitIndex.open(file, indexPath);
}
