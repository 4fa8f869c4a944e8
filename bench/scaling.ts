/**
 * bench/scaling — thread scaling (issue 11's bonus measurement): pi to 10^7 decimals (computePiToFile, the digits
 * written) and a 1.6·10^7-digit kernel product (natMul, limbs in memory) at 1, 2, 4, 8 and 16 threads
 * (MATHSTREAM_THREADS), each count in a fresh process. Prints wall and CPU time, peak RSS and the speedup over one
 * thread; pi's SHA-256 must be the same at every count (the digits do not depend on the threads) or it exits 1.
 *
 * Meant for a many-core machine, as one prepared run (`node --expose-gc dist/bench/scaling.js`); on the 2-core
 * development machine the counts above 2 only show what oversubscription costs.
 *
 *   node --expose-gc dist/bench/scaling.js [--threads 1,2,4,8,16] [--digits 1e7] [--mul 1.6e7] [--runs 3]
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { computePiToFile } from '../src/apps/pi/index.js';
import { natFromDigits, natMul } from '../src/kernel/index.js';
import { median, randomAscii, timed } from './kernel-util.js';
import { argOption, runTimedChild } from './util.js';

interface ChildResult {
  /** pi: SHA-256 of the file written. */
  sha?: string;
  /** mul: median wall and CPU seconds of one product. */
  s?: number;
  cpu?: number;
}

/** Child side: `--child pi DECIMALS OUT` or `--child mul DIGITS RUNS`; prints its result as JSON. */
async function child(mode: string, size: number, extra: string): Promise<ChildResult> {
  if (mode === 'pi') {
    const { path } = await computePiToFile(size, extra);
    return { sha: createHash('sha256').update(readFileSync(path)).digest('hex') };
  }
  const a = natFromDigits(randomAscii(size)), b = natFromDigits(randomAscii(size));
  natMul(a, b); // warm-up: tables, wasm memory growth, worker start
  const t = timed(Number(extra), () => natMul(a, b));
  return { s: t.s, cpu: t.cpu };
}

const childAt = process.argv.indexOf('--child');
if (childAt >= 0) {
  const [mode, size, extra] = process.argv.slice(childAt + 1);
  process.stdout.write(`${JSON.stringify(await child(mode!, Number(size), extra!))}\n`);
  process.exit(0);
}

const script = fileURLToPath(import.meta.url);
const threadCounts = (argOption('--threads') ?? '1,2,4,8,16').split(',').map(Number);
const decimals = Number(argOption('--digits') ?? 1e7);
const mulDigits = Number(argOption('--mul') ?? 1.6e7);
const runs = Number(argOption('--runs') ?? 3);
const home = mkdtempSync(join(tmpdir(), 'ms-scaling-'));
const rows: Array<Record<string, string | number>> = [];
const shas = new Set<string>();
let piOne = Number.NaN, mulOne = Number.NaN;
try {
  for (const threads of threadCounts) {
    const env = { MATHSTREAM_THREADS: String(threads), MATHSTREAM_HOME: join(home, `h${threads}`) };
    const piWalls: number[] = [], piCpus: number[] = [];
    let piRss = 0;
    for (let r = 0; r < runs; r++) {
      const pi = runTimedChild<ChildResult>(script, ['pi', String(decimals), join(home, 'pi.txt')], env);
      piWalls.push(pi.wall);
      piCpus.push(pi.cpu);
      piRss = Math.max(piRss, pi.rssMiB);
      shas.add(pi.result.sha!);
    }
    const mul = runTimedChild<ChildResult>(script, ['mul', String(mulDigits), String(runs)], env);
    const piWall = median(piWalls), mulWall = mul.result.s!;
    if (threads === 1) [piOne, mulOne] = [piWall, mulWall];
    rows.push({
      threads,
      [`pi ${decimals.toExponential(0)} wall s`]: piWall.toFixed(2),
      'pi CPU s': median(piCpus).toFixed(1),
      'pi speedup': (piOne / piWall).toFixed(2),
      'pi peak RSS MiB': Math.round(piRss),
      [`mul ${mulDigits.toExponential(1)} wall s`]: mulWall.toFixed(3),
      'mul CPU s': mul.result.cpu!.toFixed(3),
      'mul speedup': (mulOne / mulWall).toFixed(2),
    });
    console.error(`  ${threads} thread(s): pi ${piWall.toFixed(2)} s, mul ${mulWall.toFixed(3)} s`);
  }
} finally {
  rmSync(home, { recursive: true, force: true });
}
console.log(`thread scaling (medians of ${runs}; speedups against 1 thread when it is in the list)`);
console.table(rows);
if (shas.size !== 1) {
  console.log(`DISAGREEMENT: pi's digits differ between thread counts (${shas.size} different SHA-256)`);
  process.exitCode = 1;
} else console.log(`pi's digits agree at every thread count (SHA-256 ${[...shas][0]!.slice(0, 16)}…)`);
