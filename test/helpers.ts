/** Shared test helpers: a fresh home per test file, and BigInt oracles. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configure, getConfig } from '../src/config.js';
import type { StreamNumber } from '../src/number.js';

/** Points mathstream at a new empty home and returns its path. */
export function freshHome(prefix = 'ms-'): string {
  const home = mkdtempSync(join(tmpdir(), prefix));
  configure({ home });
  return home;
}

/** Files currently in `<home>/log` (none when the folder does not exist). */
export function logFiles(home: string): string[] {
  const dir = join(home, 'log');
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

/** Python's floor division on bigints. */
export function floorDiv(x: bigint, y: bigint): bigint {
  const q = x / y;
  return x % y !== 0n && x < 0n !== y < 0n ? q - 1n : q;
}

/** Python's modulo: the result takes the divisor's sign. */
export function floorMod(x: bigint, y: bigint): bigint {
  return x - floorDiv(x, y) * y;
}

/**
 * floor(sqrt(n)) by Newton from above, started at 2^(ceil(bits/2)) >= sqrt(n) so it needs only
 * O(log bits) steps (from n itself it would crawl down one bit per step).
 */
export function bigintSqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt((n.toString(2).length >> 1) + 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

export { randomInteger, randomNatural, seededRandom } from './random.js';

/** A small tmpfs mounted for a test file (needs root, as in CI), or the reason it is skipped. */
export interface SmallDisk {
  readonly mountPoint: string;
  /** `false` when mounted; otherwise the reason to skip (for node:test's `skip`). */
  readonly skip: string | false;
  /** Unmounts (lazily: a child may still hold a file) and removes the mount point. */
  release(): void;
}

/** Mounts a `size` tmpfs (`4m`, `8m`) on a new temp folder. */
export function mountSmallDisk(size: string, prefix: string): SmallDisk {
  const mountPoint = mkdtempSync(join(tmpdir(), prefix));
  let mounted = false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mountPoint], { stdio: 'ignore' });
    mounted = true;
  } catch {
    mounted = false;
  }
  return {
    mountPoint,
    skip: mounted ? false : `needs root to mount a ${size} tmpfs (mount -t tmpfs -o size=${size})`,
    release() {
      if (mounted) execFileSync('umount', ['-l', mountPoint]);
      rmSync(mountPoint, { recursive: true, force: true });
    },
  };
}

/** Runs `body` with the memory budget set to `budget` (bytes or a size like '32MiB'), then restores it. */
export async function withBudget<T>(budget: string | number, body: () => Promise<T>): Promise<T> {
  const previous = getConfig().memoryBudget;
  configure({ memoryBudget: budget });
  try {
    return await body();
  } finally {
    configure({ memoryBudget: previous });
  }
}

/** The result's text (sign included); frees the number. */
export async function textOf(x: StreamNumber): Promise<string> {
  const reader = await x.openReader();
  try {
    return (x.isNegative ? '-' : '') + Buffer.from(await reader.read(0, x.digitCount)).toString('latin1');
  } finally {
    await reader.close();
    x.free();
  }
}
