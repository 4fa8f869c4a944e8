/**
 * `mathstream find DIGITS [--in FILE] [--all] [--json]` — where a digit string (or a date)
 * occurs in pi or in any digit file: first position (counted from the first digit after the
 * point), overlapping count, 20 digits of context each side.
 *
 * Without --in the largest `<home>/pi/pi-<N>.txt` is searched. On first use (no pi file in the home) the default
 * pi file (config `defaultPiDecimals`, 10^7 decimals) is computed and indexed, with progress on a TTY, so that
 * this and every later query is answered — later ones from the index, in milliseconds. --compute N asks for
 * N decimals instead. --index builds the index beside the file once and answers from it afterwards; without it
 * a fresh index is still used when present.
 */
import type { Command } from 'commander';
import { action } from '../error-boundary.js';
import { startProgress } from '../progress.js';
import { InvalidArgumentError } from '../../errors.js';
import { formatBytes, getConfig } from '../../config.js';
import {
  type FindOptions,
  type FindResult,

  checkQuery,
  ensurePiFile,
  findDate,
  findDigits,
  largestPiFile,
  looksLikeDate,
  parseDate,
  piDirectory,
} from '../../apps/find/index.js';

interface FindFlags {
  in?: string;
  all?: boolean;
  limit: string;
  after?: string;
  date?: string;
  index?: boolean;
  compute?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('find')
    .description('where a digit string (or a date) first occurs in pi or a digit file, how often, with context')
    .argument('[DIGITS]', 'digits to find, or a date such as 1987-03-14, 14/03/1987')
    .option('--in <FILE>', 'digit file to search (default: the largest <home>/pi/pi-<N>.txt)')
    .option('--all', 'list every occurrence (at most --limit of them)')
    .option('--limit <N>', 'most positions listed by --all', '1000')
    .option('--after <POS>', 'report the next occurrence after position POS')
    .option('--date <DATE>', 'search a date in its usual forms (DDMMYYYY, MMDDYYYY, YYYYMMDD, DDMMYY, MMDDYY, YYMMDD)')
    .option('--index', 'build the index beside the file if missing or stale, and answer from it')
    .option('--compute <N>', 'without --in: compute N decimals of pi into the home first, unless a long enough pi file exists')
    .option('--json', 'print one JSON object')
    .action(action(runFind));
}

async function runFind(digits: string | undefined, flags: FindFlags): Promise<void> {
  const dateText = flags.date ?? (digits !== undefined && looksLikeDate(digits) ? digits : undefined);
  if (flags.date !== undefined && digits !== undefined) throw new InvalidArgumentError('find: give either DIGITS or --date, not both');
  if (dateText === undefined && digits === undefined) throw new InvalidArgumentError('find: give the DIGITS to search (or --date DATE)');
  const limit = flags.all ? integerFlag(flags.limit, '--limit', 1) : 1;
  const afterPosition = flags.after === undefined ? 0 : integerFlag(flags.after, '--after', 0);
  // The query is checked before any pi file is computed: a typo must not cost a 10^7-decimal computation first.
  if (dateText !== undefined) parseDate(dateText);
  else checkQuery(digits!);
  const { path: file, firstUse } = await resolveFile(flags);

  const progress = startProgress('find');
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  const options: FindOptions = {
    afterPosition,
    limit,
    // The pi file made on first use gets its index at once: that is what makes the next queries instant.
    index: flags.index || firstUse ? true : 'auto',
    signal: abort.signal,
    onProgress: progress.onProgress,
    onIndexBuilt: (built) => {
      if (!flags.json) process.stderr.write(`built index ${built.path} (${formatBytes(built.bytes)}, k=${built.k}) in ${(built.buildMs / 1000).toFixed(1)} s\n`);
    },
  };
  try {
    if (dateText !== undefined) {
      const found = await findDate(file, dateText, options);
      progress.stop();
      const best = found.earliest ?? found.results[0]!;
      if (flags.json) {
        const forms = found.results.map((r) => ({ forms: r.forms, ...jsonFields(r, flags.all) }));
        print({ ...jsonFields(best, flags.all), query: dateText, date: found.date, form: best.forms, file, forms });
      } else {
        process.stdout.write(`${found.date} in ${file} (${found.results[0]!.digits} digits):\n`);
        for (const r of found.results) process.stdout.write(`  ${r.forms.join(' = ')}: ${describe(r, flags.all)}\n`);
      }
      return;
    }
    const result = await findDigits(file, digits!, options);
    progress.stop();
    if (flags.json) print({ ...jsonFields(result, flags.all), file });
    else process.stdout.write(`${describe(result, flags.all)}\n  in ${file} (${result.digits} digits)\n`);
  } finally {
    progress.stop();
    process.removeListener('SIGINT', onSignal);
  }
}

function jsonFields(r: FindResult, all: boolean | undefined): Record<string, unknown> {
  return {
    query: r.query,
    position: r.position,
    count: r.count,
    before: r.before,
    after: r.after,
    ...(r.afterPosition > 0 ? { afterPosition: r.afterPosition } : {}),
    ...(all ? { positions: r.positions, truncated: r.truncated } : {}),
    digits: r.digits,
    method: r.method,
    elapsedMs: Math.round(r.elapsedMs * 100) / 100,
  };
}

function describe(r: FindResult, all: boolean | undefined): string {
  const where = r.afterPosition > 0 ? ` after position ${r.afterPosition}` : '';
  const times = `${r.count} occurrence${r.count === 1 ? '' : 's'} in all`;
  if (r.position === null) return `${r.query} does not occur${where} (${times})`;
  const ellipsisBefore = r.position - r.before.length > 1 ? '...' : '';
  const ellipsisAfter = r.position + r.query.length - 1 + r.after.length < r.digits ? '...' : '';
  let text = `${r.query} at position ${r.position}${where ? ` (first${where})` : ''}; ${times}\n  ${ellipsisBefore}${r.before}[${r.query}]${r.after}${ellipsisAfter}`;
  if (all) text += `\n  positions: ${r.positions.join(' ')}${r.truncated ? ` ... (first ${r.positions.length} listed; raise --limit for more)` : ''}`;
  return text;
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

function integerFlag(text: string, name: string, minimum: number): number {
  const value = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < minimum) {
    throw new InvalidArgumentError(`find ${name}: expected an integer >= ${minimum}, got "${text}"`);
  }
  return value;
}

/** The file to search: --in, else a pi file in the home (computed when asked to, or on first use). */
async function resolveFile(flags: FindFlags): Promise<{ path: string; firstUse: boolean }> {
  if (flags.in !== undefined) {
    if (flags.compute !== undefined) throw new InvalidArgumentError('find: --compute makes a pi file in the home; it cannot be combined with --in');
    return { path: flags.in, firstUse: false };
  }
  if (flags.compute !== undefined) return { path: await computeFile(integerFlag(flags.compute, '--compute', 1), flags.json), firstUse: false };
  const present = largestPiFile();
  if (present) {
    if (!flags.json) process.stderr.write(`searching ${present.path}, the largest pi file in the home (${present.decimals} decimals)\n`);
    return { path: present.path, firstUse: false };
  }
  const decimals = getConfig().defaultPiDecimals;
  if (!flags.json) process.stderr.write(`first use: no pi file in ${piDirectory()} yet; computing ${decimals.toLocaleString('en')} decimals of pi and indexing them (once)\n`);
  return { path: await computeFile(decimals, flags.json), firstUse: true };
}

async function computeFile(decimals: number, json: boolean | undefined): Promise<string> {
  const progress = startProgress(`pi ${decimals}`);
  try {
    const file = await ensurePiFile(decimals, { onProgress: progress.onProgress });
    progress.stop();
    if (!json) {
      process.stderr.write(file.computed ? `computed ${file.path} (${file.decimals} decimals)\n` : `searching ${file.path} (${file.decimals} decimals, already present)\n`);
    }
    return file.path;
  } finally {
    progress.stop();
  }
}

