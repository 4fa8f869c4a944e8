/**
 * find/find — the library entry points: where does a digit string (or a date) occur in a digit
 * file, how often, and what surrounds it.
 *
 * Positions are 1-based from the first searchable digit (the first decimal of a pi file);
 * occurrences overlap ("11" occurs twice in "111"). A fresh index beside the file (kmer-index.ts)
 * answers without scanning; otherwise one streaming scan (scan.ts) counts and locates at once.
 */
import { closeSync } from 'node:fs';
import { InvalidArgumentError } from '../../errors.js';
import { type CalendarDate, type DateFormName, dateForms, isoDate, parseDate } from './dates.js';
import { DigitIndex, type BuildIndexResult, ensureIndex, indexPathFor, indexStatus } from './kmer-index.js';
import { openForReading, readDigits, readSearchableDigits } from './layout.js';
import { scanDigits } from './scan.js';

/** Digits of context on each side of a reported occurrence. */
export const DEFAULT_CONTEXT = 20;

export interface FindOptions {
  /** Report the first occurrence at a position greater than this (default 0: the first one). */
  readonly afterPosition?: number;
  /** Occurrences to list in `positions` (default 1). */
  readonly limit?: number;
  /** Digits of context on each side (default 20). */
  readonly context?: number;
  /**
   * 'auto' (default): use a fresh index when there is one, else scan.
   * true: build the index if missing or stale, then use it. false: always scan.
   */
  readonly index?: boolean | 'auto';
  /** Where the index lives (default `<file>.idx`). */
  readonly indexPath?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
  /** Called once if an index gets built, before the query runs. */
  readonly onIndexBuilt?: (built: BuildIndexResult) => void;
}

export interface FindResult {
  readonly query: string;
  readonly file: string;
  /** Searchable digits in the file. */
  readonly digits: number;
  /** First occurrence after `afterPosition`, or null. */
  readonly position: number | null;
  /** All occurrences in the file (overlapping). */
  readonly count: number;
  /** Up to `context` digits before and after the occurrence at `position` ('' when absent). */
  readonly before: string;
  readonly after: string;
  readonly afterPosition: number;
  /** The first `limit` occurrences after `afterPosition`. */
  readonly positions: number[];
  /** True when more occurrences after `afterPosition` exist than `positions` lists. */
  readonly truncated: boolean;
  readonly method: 'scan' | 'index' | 'index+scan';
  readonly elapsedMs: number;
}

/**
 * Checks a digit-string query: non-empty, digits only. Returns it trimmed.
 * @throws {InvalidArgumentError} the query is empty after trimming, or holds anything but 0-9 (the message names the first bad character)
 * @example
 * checkQuery(' 14159 '); // '14159'
 */
export function checkQuery(query: string): string {
  const q = query.trim();
  if (q.length === 0) throw new InvalidArgumentError('empty query: give a digit string such as 14159');
  const bad = /[^0-9]/.exec(q);
  if (bad) {
    throw new InvalidArgumentError(`query "${query}": only the digits 0-9 may be searched (found '${bad[0]}' at character ${bad.index + 1})`);
  }
  return q;
}

function checkCount(value: number | undefined, name: string, minimum: number): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < minimum)) {
    throw new InvalidArgumentError(`${name}: expected an integer >= ${minimum}, got ${value}`);
  }
}

/**
 * Where `query` first occurs in `file` (after `afterPosition`), how often, with context.
 * @throws {InvalidArgumentError} the query is not a digit string, is longer than the file's searchable digits,
 * or `afterPosition`, `limit` or `context` is not an integer in range; with `index: true`, the file has 2^32 digits or more
 * @throws {InvalidNumberError} the file is not a digit file, or a non-digit byte is met while scanning or indexing it
 * @throws {StorageError} the file (or the index) cannot be opened, read or written, or the file changed while being indexed
 * @throws {CancelledError} `options.signal` was aborted during a scan or an index build
 * @example
 * const r = await findDigits('pi-1000000.txt', '999999');
 * r.position; // 762 (the Feynman point)
 */
export async function findDigits(file: string, query: string, options: FindOptions = {}): Promise<FindResult> {
  const began = performance.now();
  const q = checkQuery(query);
  checkCount(options.afterPosition, 'after position', 0);
  checkCount(options.limit, 'limit', 1);
  checkCount(options.context, 'context', 0);
  const afterPosition = options.afterPosition ?? 0;
  const limit = options.limit ?? 1;
  const context = options.context ?? DEFAULT_CONTEXT;
  const indexPath = options.indexPath ?? indexPathFor(file);
  const mode = options.index ?? 'auto';
  const useIndex = mode === true || (mode === 'auto' && indexStatus(file, indexPath) === 'fresh');

  if (useIndex) {
    const { index, built } = await ensureIndex(file, { indexPath, signal: options.signal, onProgress: options.onProgress });
    if (built) options.onIndexBuilt?.(built);
    try {
      checkLength(q, index.digits, file);
      const answer = await index.query(q, { afterPosition, limit: limit + 1 });
      return assemble(file, q, index.digitFd, index, answer.count, answer.positions, answer.method, afterPosition, limit, context, began);
    } finally {
      index.close();
    }
  }

  const fd = openForReading(file);
  try {
    const layout = readSearchableDigits(file, fd);
    checkLength(q, layout.digits, file);
    const scanned = await scanDigits(fd, layout, Buffer.from(q, 'latin1'), {
      listAfter: afterPosition,
      limit: limit + 1,
      signal: options.signal,
      onProgress: options.onProgress,
    });
    return assemble(file, q, fd, { layout }, scanned.count ?? 0, scanned.positions, 'scan', afterPosition, limit, context, began);
  } finally {
    closeSync(fd);
  }
}

function checkLength(q: string, digits: number, file: string): void {
  if (q.length > digits) {
    throw new InvalidArgumentError(`query of ${q.length} digits is longer than ${file}, which has ${digits} searchable digits`);
  }
}

function assemble(
  file: string,
  query: string,
  fd: number,
  where: Pick<DigitIndex, 'layout'>,
  count: number,
  found: number[],
  method: FindResult['method'],
  afterPosition: number,
  limit: number,
  context: number,
  began: number,
): FindResult {
  const positions = found.slice(0, limit);
  const position = positions[0] ?? null;
  const layout = where.layout;
  const before = position === null || context === 0 ? '' : readDigits(fd, layout, position - context, position - 1);
  const after = position === null || context === 0 ? '' : readDigits(fd, layout, position + query.length, position + query.length + context - 1);
  return {
    query,
    file,
    digits: layout.digits,
    position,
    count,
    before,
    after,
    afterPosition,
    positions,
    truncated: found.length > limit,
    method,
    elapsedMs: performance.now() - began,
  };
}

export interface DateFormResult extends FindResult {
  /** The forms (DDMMYYYY, ...) that write the date as `query`. */
  readonly forms: DateFormName[];
}

export interface FindDateResult {
  /** The date as given. */
  readonly input: string;
  /** The date read, as YYYY-MM-DD. */
  readonly date: string;
  /** One result per distinct digit string, in form order (DDMMYYYY first). */
  readonly results: DateFormResult[];
  /** The result with the earliest occurrence (undefined when no form occurs). */
  readonly earliest: DateFormResult | undefined;
}

/**
 * Searches every usual form of a date (see dates.ts) and reports each.
 * @throws {InvalidArgumentError} `date` is text that `parseDate` refuses, or as for `findDigits`
 * @throws {InvalidNumberError} as for `findDigits`: the file is not a digit file or holds junk
 * @throws {StorageError} as for `findDigits`: the file or its index cannot be used
 * @throws {CancelledError} `options.signal` was aborted
 * @example
 * const r = await findDate('pi-1000000.txt', '14/03/1987');
 * r.date; // '1987-03-14'; r.earliest is the form found first, if any
 */
export async function findDate(file: string, date: string | CalendarDate, options: FindOptions = {}): Promise<FindDateResult> {
  const parsed = typeof date === 'string' ? parseDate(date) : date;
  const results: DateFormResult[] = [];
  for (const form of dateForms(parsed)) {
    const result = await findDigits(file, form.digits, options);
    results.push({ ...result, forms: form.forms });
  }
  let earliest: DateFormResult | undefined;
  for (const r of results) if (r.position !== null && (earliest === undefined || r.position < earliest.position!)) earliest = r;
  return { input: typeof date === 'string' ? date : isoDate(parsed), date: isoDate(parsed), results, earliest };
}
