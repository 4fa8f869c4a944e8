/**
 * config — where mathstream keeps its files and how much memory it may use.
 *
 * Resolved lazily from the environment on first use, then overridable with `configure()`:
 * - `MATHSTREAM_HOME`     home folder (default `./instance`); staged files in `<home>/log/`,
 *                         the tracker database at `<home>/mathstream.sqlite`.
 * - `MATHSTREAM_MEMORY`   working-memory budget per operation, e.g. `512MiB`, `2GiB`
 *                         (default: a quarter of physical RAM, capped at 1 GiB — enough for
 *                         in-memory products of ~4·10^7 digits; beyond that the out-of-core
 *                         product runs at about the in-memory speed, and pi to 10^8 digits stays
 *                         under 2 GiB of peak RSS).
 * - `MATHSTREAM_MAX_DIGITS` refuse results longer than this many digits (default: no limit
 *                         beyond the free disk).
 * - `MATHSTREAM_DEBUG`    non-empty: internal errors print their stack trace too (`debugEnabled`).
 * - `MATHSTREAM_CHUNK`    digits per streamed chunk (default 1 MiB of digits).
 * - `MATHSTREAM_PI_DECIMALS` decimals of the pi file `find` computes and indexes on first use (default 10^7:
 *                         about 10 s once, then every query is answered from the index in milliseconds).
 * - `MATHSTREAM_THREADS`  threads an in-memory FFT product, or pi's series, may use (a positive integer; default:
 *                         the machine's available parallelism, `os.availableParallelism()`). More threads than cores
 *                         are allowed (tests run 4 on 2 cores) and give the same digits. Used by kernel/threads.ts
 *                         (`fftThreads`).
 * - `MATHSTREAM_CHECKPOINT_DAYS` days after which a resumable run's checkpoint folder that no living process holds
 *                         counts as abandoned and is removed by start-up reconciliation and `gc` (default 7; a
 *                         number >= 0, fractions allowed; docs/ARCHITECTURE.md, "Resumable runs").
 */
import { availableParallelism, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { InvalidArgumentError } from './errors.js';

export interface MathStreamConfig {
  /** Absolute path of the home folder. */
  readonly home: string;
  /** `<home>/log`: the only folder whose files mathstream ever deletes. */
  readonly logDir: string;
  /** `<home>/mathstream.sqlite`. */
  readonly dbPath: string;
  /** Working-memory budget in bytes for one operation. */
  readonly memoryBudget: number;
  /** Digits per chunk for streaming reads and writes. */
  readonly chunkSize: number;
  /** Results longer than this are refused before any work; `undefined` = no limit. */
  readonly maxDigits: number | undefined;
  /** The prototype's behaviour: wipe the tracker tables at start-up instead of reconciling. */
  readonly resetOnStart: boolean;
  /** Decimals of the pi file that `find` computes and indexes on first use, when the home has none. */
  readonly defaultPiDecimals: number;
  /** Threads for arithmetic (FFT products, pi's series): MATHSTREAM_THREADS, default availableParallelism(). */
  readonly threads: number;
  /** Days after which an unheld checkpoint folder is abandoned (MATHSTREAM_CHECKPOINT_DAYS, default 7). */
  readonly checkpointMaxAgeDays: number;
}

export interface ConfigureOptions {
  home?: string;
  memoryBudget?: number | string;
  chunkSize?: number;
  maxDigits?: number;
  resetOnStart?: boolean;
  defaultPiDecimals?: number;
  threads?: number;
  checkpointMaxAgeDays?: number;
}

type Listener = (next: MathStreamConfig, previous: MathStreamConfig) => void;

let current: MathStreamConfig | undefined;
const listeners: Listener[] = [];

const UNITS: Record<string, number> = {
  '': 1, b: 1,
  k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9, t: 1e12, tb: 1e12,
  kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40,
};

/**
 * Parses a byte size: decimal (`1.5GB`) or binary (`512MiB`) units, or a plain count of bytes.
 * @throws {InvalidArgumentError} the text is not a size, or is below the 1 MiB minimum
 * @example parseByteSize('2GiB') // 2147483648
 */
export function parseByteSize(text: string, what = 'size'): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = match ? UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined) {
    throw new InvalidArgumentError(`${what}: cannot read "${text}" as a byte size (examples: 512MiB, 2GiB, 1000000)`);
  }
  const bytes = Math.floor(Number(match[1]) * unit);
  if (bytes < 1 << 20) throw new InvalidArgumentError(`${what}: ${text} is below the 1 MiB minimum`);
  return bytes;
}

/**
 * `MATHSTREAM_DEBUG` (any non-empty value): the CLI's error boundary adds the stack trace of an internal error
 * to its one-line report. Read apart from `getConfig()` on purpose: the error being reported may be a bad
 * setting that makes `getConfig()` itself throw.
 */
export function debugEnabled(): boolean {
  return (process.env.MATHSTREAM_DEBUG ?? '') !== '';
}

/**
 * Formats a byte count for messages, in binary units (the inverse direction of `parseByteSize`).
 * @example formatBytes(3 * 2 ** 29) // '1.5 GiB'; formatBytes(2 ** 21) // '2 MiB'
 */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  // Whole values read as they are written in settings (`64 KiB`, `2 MiB`); others keep one decimal.
  return `${value.toFixed(Number.isInteger(value) ? 0 : 1)} ${units[unit]}`;
}

function defaultMemoryBudget(): number {
  return Math.min(Math.floor(totalmem() / 4), 2 ** 30);
}

function positiveInteger(text: string, what: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidArgumentError(`${what}: expected a positive integer, got "${text}"`);
  }
  return value;
}

function build(options: ConfigureOptions, base?: MathStreamConfig): MathStreamConfig {
  const env = process.env;
  // An empty MATHSTREAM_HOME means unset (as `MATHSTREAM_HOME= cmd` reads), never the current folder.
  const home = resolve(options.home ?? base?.home ?? (env.MATHSTREAM_HOME?.trim() || 'instance'));
  const budget = options.memoryBudget ?? base?.memoryBudget ?? env.MATHSTREAM_MEMORY;
  const memoryBudget =
    budget === undefined ? defaultMemoryBudget() : typeof budget === 'number' ? budget : parseByteSize(budget, 'MATHSTREAM_MEMORY');
  const chunkSize =
    options.chunkSize ?? base?.chunkSize ?? (env.MATHSTREAM_CHUNK ? positiveInteger(env.MATHSTREAM_CHUNK, 'MATHSTREAM_CHUNK') : 1 << 20);
  const maxDigits =
    options.maxDigits ?? base?.maxDigits ?? (env.MATHSTREAM_MAX_DIGITS ? positiveInteger(env.MATHSTREAM_MAX_DIGITS, 'MATHSTREAM_MAX_DIGITS') : undefined);
  const resetOnStart = options.resetOnStart ?? base?.resetOnStart ?? false;
  const defaultPiDecimals =
    options.defaultPiDecimals ??
    base?.defaultPiDecimals ??
    (env.MATHSTREAM_PI_DECIMALS ? positiveInteger(env.MATHSTREAM_PI_DECIMALS, 'MATHSTREAM_PI_DECIMALS') : 10_000_000);
  const threads =
    options.threads ?? base?.threads ?? (env.MATHSTREAM_THREADS?.trim() ? positiveInteger(env.MATHSTREAM_THREADS.trim(), 'MATHSTREAM_THREADS') : availableParallelism());
  if (!Number.isSafeInteger(threads) || threads < 1) throw new InvalidArgumentError(`threads: expected a positive integer, got ${threads}`);
  const checkpointMaxAgeDays =
    options.checkpointMaxAgeDays ?? base?.checkpointMaxAgeDays ?? (env.MATHSTREAM_CHECKPOINT_DAYS?.trim() ? Number(env.MATHSTREAM_CHECKPOINT_DAYS.trim()) : 7);
  if (!Number.isFinite(checkpointMaxAgeDays) || checkpointMaxAgeDays < 0) {
    throw new InvalidArgumentError(`MATHSTREAM_CHECKPOINT_DAYS: expected a number of days >= 0, got "${checkpointMaxAgeDays}"`);
  }
  return Object.freeze({
    home,
    logDir: join(home, 'log'),
    dbPath: join(home, 'mathstream.sqlite'),
    memoryBudget,
    chunkSize,
    maxDigits,
    resetOnStart,
    defaultPiDecimals,
    threads,
    checkpointMaxAgeDays,
  });
}

/**
 * The configuration in force, resolved from the environment (`MATHSTREAM_*`, README "Configuration") on first
 * call, then as `configure()` last left it.
 * @throws {InvalidArgumentError} an environment variable holds a value that cannot be read (named in the message)
 * @example getConfig().memoryBudget // 1073741824 on a machine with 4 GiB or more
 */
export function getConfig(): MathStreamConfig {
  current ??= build({});
  return current;
}

/**
 * Overrides settings for this process. Changing `home` makes the tracker reopen its database
 * in the new home (listeners registered with `onConfigChange` are told).
 * @throws {InvalidArgumentError} a setting is out of range (a memory budget below 1 MiB, threads < 1, ...)
 * @example configure({ home: '/data/ms', memoryBudget: '4GiB', threads: 8 });
 */
export function configure(options: ConfigureOptions): MathStreamConfig {
  const previous = getConfig();
  current = build(options, previous);
  for (const listener of listeners) listener(current, previous);
  return current;
}

/** Lets a room (the tracker) react to a new configuration without config importing it. */
export function onConfigChange(listener: Listener): void {
  listeners.push(listener);
}
