/**
 * bench/kernel-util — shared pieces of bench/mul and bench/div: random ASCII operands, the gmp-wasm
 * decimal pipeline (string in, string out, as GMP users do it), timing with medians and argument parsing.
 */
import { randomFillSync } from 'node:crypto';
import { init as initGmp } from 'gmp-wasm';

export type Gmp = Awaited<ReturnType<typeof initGmp>>['binding'];

export async function gmpBinding(): Promise<Gmp> {
  return (await initGmp()).binding;
}

/** Random n-digit ASCII integer without leading zero. */
export function randomAscii(n: number): Uint8Array {
  const out = new Uint8Array(n);
  randomFillSync(out);
  for (let i = 0; i < n; i++) out[i] = 48 + (out[i] % 10);
  if (out[0] === 48) out[0] = 49;
  return out;
}

export const latin1 = (x: Uint8Array): string => Buffer.from(x.buffer, x.byteOffset, x.length).toString('latin1');

/** Loads ASCII digits into a fresh mpz (caller clears). */
export function gmpFromAscii(g: Gmp, ascii: Uint8Array): number {
  const p = g.malloc(ascii.length + 1);
  g.mem.set(ascii, p);
  g.mem[p + ascii.length] = 0;
  const z = g.mpz_t();
  g.mpz_init(z);
  if (g.mpz_set_str(z, p, 10) !== 0) throw new Error('gmp: mpz_set_str failed');
  g.free(p);
  return z;
}

/** Decimal ASCII of an mpz, copied out of wasm memory. */
export function gmpToAscii(g: Gmp, z: number): Uint8Array {
  const p = g.mpz_get_str(0, 10, z);
  let end = p;
  while (g.mem[end] !== 0) end++;
  const out = Uint8Array.from(g.mem.subarray(p, end));
  g.free(p);
  return out;
}

export function gmpFree(g: Gmp, ...zs: number[]): void {
  for (const z of zs) {
    g.mpz_clear(z);
    g.mpz_t_free(z);
  }
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** One timed call: wall seconds, CPU seconds of the whole process (every kernel thread included) and its value. */
export interface Timing<T> {
  s: number;
  cpu: number;
  value: T;
}

function once<T>(fn: () => T): Timing<T> {
  (globalThis as { gc?: () => void }).gc?.();
  const c = process.cpuUsage();
  const t = performance.now();
  const value = fn();
  const s = (performance.now() - t) / 1000;
  const d = process.cpuUsage(c);
  return { s, cpu: (d.user + d.system) / 1e6, value };
}

function medians<T>(samples: Timing<T>[]): Timing<T> {
  return { s: median(samples.map((x) => x.s)), cpu: median(samples.map((x) => x.cpu)), value: samples[samples.length - 1]!.value };
}

/**
 * Runs fn `runs` times (gc in between when exposed): median wall seconds, median CPU seconds (user + system of the
 * whole process, every kernel thread included: the steadier figure on a shared machine) and the last value.
 */
export function timed<T>(runs: number, fn: () => T): Timing<T> {
  return medians(Array.from({ length: runs }, () => once(fn)));
}

/**
 * Runs a and b alternately `runs` times: their medians, and the run-by-run wall ratios a/b. Side by side, a drift of
 * the shared machine (another process, a frequency change) lands on both alike, so the ratio of a pair is steadier
 * than the ratio of two medians taken seconds apart (bench/div's div/mul at 4·10^6 read 3.36 that way, 2.50 paired).
 */
export function timedPair<A, B>(runs: number, a: () => A, b: () => B): { a: Timing<A>; b: Timing<B>; ratios: number[] } {
  const as: Timing<A>[] = [], bs: Timing<B>[] = [];
  for (let i = 0; i < runs; i++) {
    as.push(once(a));
    bs.push(once(b));
  }
  return { a: medians(as), b: medians(bs), ratios: as.map((x, i) => x.s / bs[i]!.s) };
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;
}

export interface BenchArgs {
  sizes: number[];
  runs: number;
  skip: Set<string>;
  /** Largest n at which the slow competitors (BigInt) still run. */
  bigintMax: number;
}

/** --only 1e6,4e6  --runs 3  --skip bigint,gmp  --bigint-max 1.6e7 */
export function parseArgs(defaults: number[]): BenchArgs {
  const argv = process.argv.slice(2);
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const sizes = get('--only')?.split(',').map(Number) ?? defaults;
  return {
    sizes,
    runs: Number(get('--runs') ?? 3),
    skip: new Set((get('--skip') ?? '').split(',').filter(Boolean)),
    bigintMax: Number(get('--bigint-max') ?? 1.6e7),
  };
}

export const fmt = (s: number | undefined): string => (s === undefined ? '-' : s.toFixed(3));
export const ratio = (a: number | undefined, b: number | undefined): string =>
  a === undefined || b === undefined ? '-' : (a / b).toFixed(3);
