/**
 * outofcore-mul bench — does the out-of-core product grow like n log n? `mathstream mul` file → file of two random
 * N-digit operands at several memory budgets, each product in its own process under `/usr/bin/time -v` (wall time,
 * CPU time of the child, peak RSS), in one run with the reference: the same product with an 8 GiB budget (the fewest
 * blocks the engine plans). Prints t(2N)/t(N) per budget (n log n: a bit over 2), the ratio to the reference at the
 * same N, peak RSS beside the budget, the machine's load average around each run, and checks each product's residue
 * modulo a random prime against the operands' (so a wrong product cannot pass unnoticed).
 *
 *   node dist/bench/outofcore-mul.js [--sizes 1e8,2e8,4e8] [--budgets 256MiB,1GiB] [--reference 8GiB]
 *                                    [--runs 256MiB:1e8,1GiB:4e8,...] [--huge] [--dir /tmp/x]
 *   --huge      adds 8e8 and 1.6e9 to the sizes (1.6e9: ~34 GB of scratch at d = 3, plus 3.2 GB of operands and
 *               3.2 GB of product; the engine refuses up front when the disk cannot hold them: productScratchBytes)
 * Each row also shows the 2-D transform's digit size d (its grounds: proven or policy, transform2d.ts) and the
 * largest rounding distance of the product (the 1/4 check's margin).
 *   --runs      an explicit list of budget:N products instead of budgets × sizes (+ reference at the largest N)
 *   --reference none: no reference run
 *   node dist/bench/outofcore-mul.js --child A B   (internal: one product with the ambient MATHSTREAM_MEMORY)
 *
 * Operands are written once per size into --dir (default a fresh folder in the OS temp folder) and deleted with
 * each run's home (product and scratch) as soon as they are no longer needed.
 */
import { createReadStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { argOption, writeRandomDigitFile, printTable, runTimedChild } from './util.js';
import { asciiResidue, mulMod, powMod } from '../src/engine/outofcore/residue.js';
import { randomCheckPrime } from '../src/kernel/check-prime.js';

/** Value mod p of a digit file (most significant first), streamed. */
async function fileResidue(path: string, p: number): Promise<number> {
  let r = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 23 })) {
    const bytes = chunk as Buffer;
    let from = 0, to = bytes.length;
    if (r === 0 && bytes[0] === 45) from = 1; // '-'
    while (to > from && (bytes[to - 1] === 10)) to--;
    r = (mulMod(r, powMod(10, to - from, p), p) + asciiResidue(bytes, from, to, p)) % p;
  }
  return r;
}

async function child(a: string, b: string): Promise<void> {
  const { StreamNumber } = await import('../src/number.js');
  const { mul, plannedOutOfCore } = await import('../src/engine/index.js');
  const transform2d = await import('../src/engine/outofcore/transform2d.js');
  const x = await StreamNumber.fromPath(a);
  const y = await StreamNumber.fromPath(b);
  const started = performance.now();
  const product = await mul(x, y);
  const seconds = (performance.now() - started) / 1000;
  const p = Number(process.env.BENCH_PRIME);
  const residue = await fileResidue(product.path, p);
  const last = transform2d.lastTransform2D;
  console.log(JSON.stringify({
    seconds, digits: product.digitCount, residue, outOfCore: plannedOutOfCore(x.digitCount, y.digitCount),
    digitSize: last ? last.tried.join('→') : '', grounds: last?.grounds ?? '', maxError: last?.maxError ?? Number.NaN,
  }));
  product.free();
}

interface Run {
  budget: string;
  digits: number;
  seconds: number;
  cpuSeconds: number;
  /** System part of cpuSeconds (page-cache and I/O work grows with the machine's memory pressure). */
  sysSeconds: number;
  rssMiB: number;
  residueOk: boolean;
  load: string;
  outOfCore: boolean;
  /** The 2-D transform's digit sizes tried ('3', or '3→2' after a retry; '' for another method). */
  digitSize: string;
  grounds: string;
  /** Largest rounding distance of the product's rows. */
  maxError: number;
}

const MIB = 2 ** 20;

function parseBytes(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(KiB|MiB|GiB)?$/i.exec(text.trim());
  if (!m) throw new Error(`bad size ${text}`);
  const unit = (m[2] ?? '').toLowerCase();
  return Number(m[1]) * (unit === 'gib' ? 2 ** 30 : unit === 'mib' ? MIB : unit === 'kib' ? 1024 : 1);
}

function measure(a: string, b: string, home: string, budget: string, p: number, expected: number): Run {
  const load0 = loadavg()[0]!;
  let run;
  try {
    run = runTimedChild<{
      seconds: number; digits: number; residue: number; outOfCore: boolean; digitSize: string; grounds: string; maxError: number;
    }>(fileURLToPath(import.meta.url), [a, b], { MATHSTREAM_HOME: home, MATHSTREAM_MEMORY: budget, BENCH_PRIME: String(p) });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  const result = run.result;
  return {
    budget,
    digits: 0,
    seconds: result.seconds,
    cpuSeconds: run.cpu,
    sysSeconds: run.sys,
    rssMiB: run.rssMiB,
    residueOk: result.residue === expected,
    load: `${load0.toFixed(1)}→${loadavg()[0]!.toFixed(1)}`,
    outOfCore: result.outOfCore,
    digitSize: result.digitSize,
    grounds: result.grounds,
    maxError: result.maxError,
  };
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return child(process.argv[3]!, process.argv[4]!);
  const sizes = (argOption('--sizes') ?? '1e8,2e8,4e8').split(',').map(Number);
  if (process.argv.includes('--huge')) sizes.push(8e8, 1.6e9);
  const budgets = (argOption('--budgets') ?? '256MiB,1GiB').split(',');
  const reference = argOption('--reference') ?? '8GiB';
  let plan: [string, number][];
  const explicit = argOption('--runs');
  if (explicit) {
    plan = explicit.split(',').map((s) => {
      const [budget, n] = s.split(':');
      return [budget!, Number(n)];
    });
  } else {
    plan = sizes.flatMap((n) => budgets.map((budget): [string, number] => [budget, n]));
    if (reference !== 'none') plan.push([reference, Math.max(...sizes)]);
  }
  const dir = argOption('--dir') ?? mkdtempSync(join(tmpdir(), 'ms-bench-oocmul-'));
  mkdirSync(dir, { recursive: true });
  const p = randomCheckPrime();
  const runs: Run[] = [];
  console.log(`outofcore-mul: ${plan.map(([b, n]) => `${b}:${n.toExponential()}`).join(' ')}; residues mod ${p}; load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  try {
    const bySize = [...new Set(plan.map(([, n]) => n))].sort((x, y) => x - y);
    for (const n of bySize) {
      const a = join(dir, `a-${n}.txt`), b = join(dir, `b-${n}.txt`);
      writeRandomDigitFile(a, n);
      writeRandomDigitFile(b, n);
      const expected = mulMod(await fileResidue(a, p), await fileResidue(b, p), p);
      for (const [budget] of plan.filter(([, m]) => m === n)) {
        const run = { ...measure(a, b, join(dir, `home-${budget}-${n}`), budget, p, expected), digits: n };
        runs.push(run);
        console.log(JSON.stringify(run));
        if (!run.residueOk) throw new Error(`the ${n}-digit product at ${budget} failed its residue check`);
      }
      rmSync(a, { force: true });
      rmSync(b, { force: true });
    }
  } finally {
    if (!argOption('--dir')) rmSync(dir, { recursive: true, force: true });
  }
  const refRuns = runs.filter((r) => r.budget === reference);
  printTable(runs.map((r) => {
    const half = runs.find((s) => s.budget === r.budget && s.digits === r.digits / 2);
    const ref = refRuns.find((s) => s.digits === r.digits);
    return {
      budget: r.budget,
      N: r.digits.toExponential(),
      'wall s': r.seconds.toFixed(1),
      'CPU s': r.cpuSeconds.toFixed(1),
      'sys s': r.sysSeconds.toFixed(1),
      't(N)/t(N/2)': half ? (r.seconds / half.seconds).toFixed(2) : '',
      't(N)/t(N/2) CPU': half ? (r.cpuSeconds / half.cpuSeconds).toFixed(2) : '',
      d: r.digitSize + (r.grounds ? ` (${r.grounds})` : ''),
      'max rounding': Number.isFinite(r.maxError) ? r.maxError.toExponential(1) : '',
      'vs ref': ref && ref !== r ? (r.seconds / ref.seconds).toFixed(2) : '',
      'peak RSS MiB': r.rssMiB.toFixed(0),
      'RSS − budget MiB': (r.rssMiB - parseBytes(r.budget) / MIB).toFixed(0),
      route: r.outOfCore ? 'out of core' : 'in memory',
      residue: r.residueOk ? 'ok' : 'WRONG',
      load: r.load,
    };
  }));
  console.log('targets: t(2N)/t(N) ≈ 2 (n log n); peak RSS <= budget + 150 MiB');
}

await main();
