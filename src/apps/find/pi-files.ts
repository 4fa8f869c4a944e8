/**
 * find/pi-files — the pi files kept in the home, `<home>/pi/pi-<N>.txt` (N decimals), which
 * `mathstream find` searches when no file is named.
 *
 * They live outside the log folder on purpose: they are the user's data, expensive to recompute,
 * and the collector must never sweep them. Computing one is apps/pi's job; it is loaded lazily so
 * that searching never pays for (or depends on) the pi engine.
 */
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { getConfig } from '../../config.js';
import { InvalidArgumentError, MathStreamError, StorageError } from '../../errors.js';

export interface PiFile {
  readonly path: string;
  readonly decimals: number;
}

const NAME = /^pi-(\d+)\.txt$/;

/** `<home>/pi`. */
export function piDirectory(home = getConfig().home): string {
  return join(home, 'pi');
}

/** `<home>/pi/pi-<decimals>.txt`. */
export function piFilePath(decimals: number, home = getConfig().home): string {
  return join(piDirectory(home), `pi-${decimals}.txt`);
}

/** The pi files present, largest first. */
export function listPiFiles(home = getConfig().home): PiFile[] {
  let names: string[];
  try {
    names = readdirSync(piDirectory(home));
  } catch {
    return [];
  }
  const files: PiFile[] = [];
  for (const name of names) {
    const match = NAME.exec(name);
    if (!match) continue;
    const path = join(piDirectory(home), name);
    try {
      if (statSync(path).isFile()) files.push({ path, decimals: Number(match[1]) });
    } catch {
      // Vanished between readdir and stat: not a candidate.
    }
  }
  return files.sort((a, b) => b.decimals - a.decimals);
}

/** The largest pi file in the home, or undefined. */
export function largestPiFile(home = getConfig().home): PiFile | undefined {
  return listPiFiles(home)[0];
}

interface PiModule {
  computePiToFile(
    decimals: number,
    outPath: string,
    options?: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void },
  ): Promise<{ path: string; decimals: number }>;
}

/**
 * A pi file with at least `decimals` decimals: the largest present if it is long enough,
 * otherwise a new `pi-<decimals>.txt` computed by apps/pi.
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
  // A computed specifier keeps this module free of a static dependency on the pi engine.
  const specifier = '../pi/index.js';
  let pi: PiModule;
  try {
    pi = (await import(specifier)) as PiModule;
  } catch (error) {
    throw new MathStreamError(`cannot load the pi engine (apps/pi): ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof pi.computePiToFile !== 'function') throw new MathStreamError('apps/pi does not export computePiToFile');
  try {
    mkdirSync(piDirectory(home), { recursive: true });
  } catch (error) {
    throw new StorageError(piDirectory(home), 'create', error);
  }
  const written = await pi.computePiToFile(decimals, piFilePath(decimals, home), { signal: options.signal, onProgress: options.onProgress });
  return { path: written.path, decimals: written.decimals, computed: true };
}
