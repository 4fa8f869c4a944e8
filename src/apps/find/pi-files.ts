/**
 * find/pi-files — the pi files kept in the home, `<home>/pi/pi-<N>.txt` (N decimals), which
 * `mathstream find` searches when no file is named.
 *
 * They live outside the log folder on purpose: they are the user's data, expensive to recompute,
 * and the collector must never sweep them. Computing one is apps/pi's job (computePiToFile),
 * imported lazily.
 */
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { getConfig } from '../../config.js';
import { InvalidArgumentError, StorageError } from '../../errors.js';

export interface PiFile {
  readonly path: string;
  readonly decimals: number;
}

const NAME = /^pi-(\d+)\.txt$/;

/**
 * `<home>/pi`.
 * @throws {InvalidArgumentError} `home` is omitted and the configuration cannot be read (a bad environment variable)
 * @example
 * piDirectory('/home/ada/.mathstream'); // '/home/ada/.mathstream/pi'
 */
export function piDirectory(home = getConfig().home): string {
  return join(home, 'pi');
}

/**
 * `<home>/pi/pi-<decimals>.txt`.
 * @throws {InvalidArgumentError} `home` is omitted and the configuration cannot be read (a bad environment variable)
 * @example
 * piFilePath(1000, '/home/ada/.mathstream'); // '/home/ada/.mathstream/pi/pi-1000.txt'
 */
export function piFilePath(decimals: number, home = getConfig().home): string {
  return join(piDirectory(home), `pi-${decimals}.txt`);
}

/**
 * The pi files present, largest first: `<home>/pi/pi-<N>.txt`, and also `<home>/pi-<N>.txt`
 * (where examples/pi-finder writes). Unreadable folders and files that vanish meanwhile are skipped.
 * @throws {InvalidArgumentError} `home` is omitted and the configuration cannot be read (a bad environment variable)
 * @example
 * listPiFiles().map((f) => f.decimals); // e.g. [1000000, 1000]
 */
export function listPiFiles(home = getConfig().home): PiFile[] {
  const files: PiFile[] = [];
  for (const dir of [piDirectory(home), home]) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const match = NAME.exec(name);
      if (!match) continue;
      const path = join(dir, name);
      try {
        if (statSync(path).isFile()) files.push({ path, decimals: Number(match[1]) });
      } catch {
        // Vanished between readdir and stat: not a candidate.
      }
    }
  }
  return files.sort((a, b) => b.decimals - a.decimals);
}

/**
 * The largest pi file in the home, or undefined.
 * @throws {InvalidArgumentError} `home` is omitted and the configuration cannot be read (a bad environment variable)
 * @example
 * const file = largestPiFile(); // { path: '<home>/pi/pi-1000000.txt', decimals: 1000000 } or undefined
 */
export function largestPiFile(home = getConfig().home): PiFile | undefined {
  return listPiFiles(home)[0];
}

/**
 * A pi file with at least `decimals` decimals: the largest present if it is long enough,
 * otherwise a new `pi-<decimals>.txt` computed by apps/pi.
 * @throws {InvalidArgumentError} `decimals` is not a positive safe integer
 * @throws {ResultTooLargeError} the file to compute exceeds `MATHSTREAM_MAX_DIGITS` or the free disk
 * @throws {StorageError} `<home>/pi` cannot be created, or the new file cannot be written
 * @throws {CancelledError} `options.signal` was aborted while computing (no file is left)
 * @example
 * const { path, computed } = await ensurePiFile(1_000_000); // computed: false when one was already there
 */
export async function ensurePiFile(
  decimals: number,
  options: { home?: string; signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
): Promise<PiFile & { computed: boolean }> {
  if (!Number.isSafeInteger(decimals) || decimals < 1) {
    throw new InvalidArgumentError(`pi decimals: expected a positive integer, got ${decimals}`);
  }
  const home = options.home ?? getConfig().home;
  const present = largestPiFile(home);
  if (present && present.decimals >= decimals) return { ...present, computed: false };
  // Loaded on demand: searching must not pay for (or depend on) loading the pi engine.
  const pi = await import('../pi/index.js');
  try {
    mkdirSync(piDirectory(home), { recursive: true });
  } catch (error) {
    throw new StorageError(piDirectory(home), 'create', error);
  }
  const written = await pi.computePiToFile(decimals, piFilePath(decimals, home), { signal: options.signal, onProgress: options.onProgress });
  return { path: written.path, decimals: written.decimals, computed: true };
}
