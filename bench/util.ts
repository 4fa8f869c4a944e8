/** Shared bench helpers for file-level benchmarks: random digit files, timing, peak RSS (medians: kernel-util). */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, writeSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import type { StreamNumber } from '../src/number.js';

/** Writes a random n-digit integer (no leading zero) to `path`, in 16 MiB pieces. */
export function writeRandomDigitFile(path: string, digits: number, negative = false): void {
  const fd = openSync(path, 'w');
  try {
    if (negative) writeSync(fd, '-');
    const piece = Buffer.allocUnsafe(Math.min(digits, 1 << 24));
    for (let done = 0; done < digits; done += piece.length) {
      const part = piece.subarray(0, Math.min(piece.length, digits - done));
      randomFillSync(part);
      for (let i = 0; i < part.length; i++) part[i] = 48 + (part[i]! % 10);
      if (done === 0 && part[0] === 48) part[0] = 49;
      writeSync(fd, part);
    }
  } finally {
    closeSync(fd);
  }
}

export async function timeIt<T>(fn: () => Promise<T> | T): Promise<{ seconds: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, value };
}

export { median } from './kernel-util.js';

export function printTable(rows: Array<Record<string, string | number>>): void {
  console.table(rows);
}

export function peakRssMiB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

/** What `runTimedChild` measured: the child's JSON result and, from `/usr/bin/time -v`, its process's figures. */
export interface TimedChild<T> {
  readonly result: T;
  /** Wall seconds of the whole child process (NaN without /usr/bin/time). */
  readonly wall: number;
  /** CPU seconds of the child process, user + system (NaN without /usr/bin/time). */
  readonly cpu: number;
  readonly sys: number;
  /** Peak RSS of the child process, MiB (NaN without /usr/bin/time). */
  readonly rssMiB: number;
}

/**
 * Runs `node script --child ...args` in its own process with `env` added to this one's, under `/usr/bin/time -v`
 * where it exists (the process's wall and CPU time and peak RSS), and parses the last line of its stdout as JSON:
 * how the out-of-core benches measure each operation on its own.
 * @throws Error when the child fails (with the end of its stderr)
 */
export function runTimedChild<T>(script: string, args: readonly string[], env: Record<string, string>): TimedChild<T> {
  const timed = existsSync('/usr/bin/time');
  const command = [process.execPath, script, '--child', ...args];
  const run = spawnSync(timed ? '/usr/bin/time' : command[0]!, timed ? ['-v', ...command] : command.slice(1), {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (run.status !== 0) throw new Error(`child ${args.join(' ')} failed: ${run.stderr.slice(-2000)}`);
  const field = (name: RegExp): number => Number(name.exec(run.stderr)?.[1] ?? Number.NaN);
  const wallText = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)/.exec(run.stderr)?.[1];
  const sys = field(/System time \(seconds\): ([\d.]+)/);
  return {
    result: JSON.parse(run.stdout.trim().split('\n').pop()!) as T,
    wall: wallText === undefined ? Number.NaN : wallText.split(':').reduce((s, part) => s * 60 + Number(part), 0),
    cpu: field(/User time \(seconds\): ([\d.]+)/) + sys,
    sys,
    rssMiB: field(/Maximum resident set size \(kbytes\): (\d+)/) / 1024,
  };
}

/**
 * A StreamNumber's value modulo `p` (a prime below 2^26), streamed: the benches' own check of a result. (The residue
 * code is imported here, not at the top: it loads the kernel, which the benches that only write digit files skip.)
 */
export async function residueMod(x: { stream(chunk?: number): AsyncGenerator<Uint8Array>; isNegative: boolean }, p: number): Promise<number> {
  const { asciiResidue, mulMod, powMod } = await import('../src/engine/outofcore/residue.js');
  let r = 0;
  for await (const chunk of x.stream(1 << 22)) {
    r = (mulMod(r, powMod(10, chunk.length, p), p) + asciiResidue(chunk, 0, chunk.length, p)) % p;
  }
  return x.isNegative ? (p - r) % p : r;
}

/** The value after `name` on the command line (`--sizes 1e7,4e7`), or undefined. */
export function argOption(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

/**
 * Checks a root s of a (s² ≤ a < (s + 1)², by one more product, outside the timed part) with the engine: the benches'
 * own check of isqrt.
 */
export async function rootIsFloor(a: StreamNumber, s: StreamNumber): Promise<boolean> {
  const { add, compare, mul, sub } = await import('../src/engine/index.js');
  const square = await mul(s, s);
  const rest = await sub(a, square);
  const twice = await add(s, s);
  try {
    return !rest.isNegative && (await compare(rest, twice)) <= 0; // a − s² ≤ 2s ⟺ a < (s + 1)²
  } finally {
    for (const n of [square, rest, twice]) n.free();
  }
}

/**
 * `runTimedChild` of an engine operation with its own MATHSTREAM_HOME and MATHSTREAM_MEMORY: the child's result with
 * its process's wall time, CPU time (user + sys) and peak RSS beside it.
 */
export function runWithBudget<T>(script: string, args: readonly string[], home: string, memory: string): T & { wall: number; processCpu: number; rssMiB: number } {
  const run = runTimedChild<T>(script, args, { MATHSTREAM_HOME: home, MATHSTREAM_MEMORY: memory });
  return { ...run.result, wall: run.wall, processCpu: run.cpu, rssMiB: run.rssMiB };
}
