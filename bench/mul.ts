/**
 * bench/mul — the multiplication targets of issue 11, each against native GMP in the same run:
 *
 *  1. kernel product of two n-digit numbers (default 1.6·10^7) on ONE thread (natMul on limbs already in memory)
 *     against GMP mpz_mul on the same numbers in binary (target: ours/GMP <= 1.2); also ours on every thread, and
 *     fft.ts's fftMulLimbs with its compiled residue check (what natMul costs once it leaves the check to it);
 *  2. file → file product (the engine's `mul` on StreamNumbers: validate, read, multiply, write a tracked file; the
 *     `plan` column says how the planner ran it: 'fft' streamed from and to the files, 'split' or 'outOfCore')
 *     against native GMP's decimal pipeline (read, mpz_set_str, mpz_mul, mpz_get_str, write), outputs compared byte
 *     for byte (target at 1.6·10^7: ours/GMP <= 0.1);
 *  3. growth of the file → file product from 10^6 to 6.4·10^7 digits: t(4n)/t(n) (target <= 4.5);
 *  0. (first) the decimal conversions the file → file product pays around the kernel product, at the --conv sizes
 *     (default: the kernel sizes): digits → limbs, limbs → digits whole and in the writer's pieces, and the residue
 *     of the product (natMul's check), each a median of --runs.
 *
 *   node --expose-gc dist/bench/mul.js [--kernel 1.6e7] [--files 1e6,4e6,1.6e7,6.4e7] [--runs 3]
 *                                      [--gmp-pipeline-max 1.6e7] [--skip gmp] [--conv 1.6e7]
 *
 * On a shared machine wall times move with the load; the kernel table also gives process CPU times (ours on one
 * thread: its workers are idle) and their ratio, which the load disturbs much less.
 *
 * GMP: bench/gmp-mul.c, compiled here with gcc into bench/out/ when GMP's header is installed (libgmp-dev);
 * without it the GMP columns are skipped. Each file → file size runs in its own child process, so its peak RSS
 * (the kernel's wasm memory included) is its own. Runs are interleaved (ours, GMP, ours, …): load from other
 * processes on a shared machine hits both alike; medians are printed. Process CPU times (ours: every thread) are
 * printed beside the wall times: on a loaded machine their ratio moves much less.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configure, getConfig } from '../src/config.js';
import { mul } from '../src/engine/index.js';
import { planFileProduct } from '../src/engine/outofcore/index.js';
import { natDigitPieces, natFromDigits, natMul, natToDigits } from '../src/kernel/index.js';
import { modLimbs } from '../src/kernel/nat.js';
import { fftMulLimbs, lastFftDigits, lastFftLength } from '../src/kernel/fft.js';
import { CHECK_PRIME } from '../src/kernel/mul.js';
import { StreamNumber } from '../src/number.js';
import { fmt, median, ratio } from './kernel-util.js';
import { peakRssMiB, writeRandomDigitFile } from './util.js';

const argv = process.argv.slice(2);
const get = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const list = (s: string): number[] => s.split(',').filter(Boolean).map(Number);

// ---------------------------------------------------------------- child mode: one file → file product

const child = get('--child');
if (child !== undefined) {
  const [fa, fb, home, out] = child.split(',');
  configure({ home: home! });
  const t = performance.now();
  const c = process.cpuUsage();
  const a = await StreamNumber.fromPath(fa!);
  const b = await StreamNumber.fromPath(fb!);
  const opened = (performance.now() - t) / 1000; // validating both files: what fromPath costs before any product
  const plan = planFileProduct(a, b).method; // 'fft': streamed (kernel/digitproduct.ts); 'split'; 'outOfCore'
  const result = await mul(a, b); // written to its (tracked) result file when this returns
  const s = (performance.now() - t) / 1000;
  const used = process.cpuUsage(c); // every thread of the process: the kernel's workers too
  const rss = peakRssMiB();
  copyFileSync(result.path, out!); // untimed: kept for the byte comparison with GMP
  process.stdout.write(JSON.stringify({ s, opened, cpu: (used.user + used.system) / 1e6, rss, plan }));
  process.exit(0);
}

// ---------------------------------------------------------------- the native anchor

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, '..', '..', 'bench', 'gmp-mul.c');
const outDir = join(here, '..', '..', 'bench', 'out');

/** Path of the compiled GMP driver, or undefined (no gcc or no GMP headers) with the reason printed. */
function gmpDriver(): string | undefined {
  if (argv.includes('--skip') && (get('--skip') ?? '').split(',').includes('gmp')) return undefined;
  const exe = join(outDir, 'gmp-mul');
  try {
    mkdirSync(outDir, { recursive: true });
    execFileSync('gcc', ['-O2', '-o', exe, source, '-lgmp'], { stdio: 'pipe' });
    return exe;
  } catch (e) {
    console.log(`GMP driver not built (gcc or libgmp-dev missing?): ${String((e as { stderr?: Buffer }).stderr ?? e).split('\n')[0]}`);
    return undefined;
  }
}

interface GmpRun {
  mul: number[];
  /** The same runs in process CPU time. */
  mulCpu: number[];
  pipeline?: number;
  pipelineCpu?: number;
}

function runGmp(exe: string, fa: string, fb: string, out: string, runs: number, pipeline: boolean): GmpRun {
  const text = execFileSync(exe, [fa, fb, out, String(runs), ...(pipeline ? ['pipeline'] : [])], { encoding: 'utf8' });
  const r: GmpRun = { mul: [], mulCpu: [] };
  for (const line of text.trim().split('\n')) {
    const [what, ...values] = line.split(' ');
    if (what === 'mul') r.mul = values.map(Number);
    if (what === 'mulcpu') r.mulCpu = values.map(Number);
    if (what === 'pipeline') r.pipeline = Number(values[0]);
    if (what === 'pipelinecpu') r.pipelineCpu = Number(values[0]);
  }
  return r;
}

// ---------------------------------------------------------------- main

const kernelSizes = list(get('--kernel') ?? '1.6e7');
const fileSizes = list(get('--files') ?? '1e6,4e6,1.6e7,6.4e7');
const runs = Number(get('--runs') ?? 3);
const pipelineMax = Number(get('--gmp-pipeline-max') ?? 1.6e7);
const home = mkdtempSync(join(tmpdir(), 'ms-bench-mul-'));
configure({ home });
const exe = gmpDriver();
const allThreads = getConfig().threads;

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

const convSizes = list(get('--conv') ?? get('--kernel') ?? '1.6e7');
if (convSizes.length > 0) {
  console.log('\n0. decimal conversions around the product (ms, medians; one thread)');
  const rows: Array<Record<string, string | number>> = [];
  for (const n of convSizes) {
    const fa = join(home, 'ca.txt');
    writeRandomDigitFile(fa, n);
    const text = readFileSync(fa);
    rmSync(fa);
    const a = natFromDigits(text);
    const p = natMul(a, a);
    const ms = (fn: () => void): string => {
      const t: number[] = [];
      for (let r = 0; r < Math.max(3, runs); r++) {
        gc();
        const t0 = performance.now();
        fn();
        t.push(performance.now() - t0);
      }
      return median(t).toFixed(1);
    };
    rows.push({
      digits: n,
      'digits → limbs': ms(() => natFromDigits(text)),
      [`limbs → digits (${2 * n} digits)`]: ms(() => natToDigits(p)),
      'same, in 2^20-digit pieces': ms(() => {
        for (const piece of natDigitPieces(p)) if (piece.length === 0) throw new Error('empty piece');
      }),
      'product residue': ms(() => modLimbs(p.limbs, p.limbs.length, CHECK_PRIME)),
    });
  }
  console.table(rows);
}

console.log(`\n1. kernel product, limbs in memory: ours on 1 thread (and on ${allThreads}) vs GMP mpz_mul (binary)`);
const kernelRows: Array<Record<string, string | number>> = [];
for (const n of kernelSizes) {
  const fa = join(home, 'ka.txt'), fb = join(home, 'kb.txt');
  writeRandomDigitFile(fa, n);
  writeRandomDigitFile(fb, n);
  const a = natFromDigits(readFileSync(fa)), b = natFromDigits(readFileSync(fb));
  const one: number[] = [], oneCpu: number[] = [], all: number[] = [], gmp: number[] = [], gmpCpu: number[] = [];
  const fft: number[] = [], fftCpu: number[] = [];
  const time = (threads: number, into: number[], cpuInto: number[] = [], kernelOnly = false): void => {
    configure({ threads });
    gc();
    const c = process.cpuUsage();
    const t = performance.now();
    if (kernelOnly) fftMulLimbs(a.limbs, b.limbs, false, 4, CHECK_PRIME);
    else natMul(a, b);
    into.push((performance.now() - t) / 1000);
    const used = process.cpuUsage(c);
    cpuInto.push((used.user + used.system) / 1e6);
  };
  time(1, []); // warm-up: tables, wasm memory growth, worker start
  time(allThreads, []);
  for (let r = 0; r < runs; r++) {
    time(1, one, oneCpu);
    time(1, fft, fftCpu, true);
    if (exe) {
      const g = runGmp(exe, fa, fb, join(home, 'ko.txt'), 1, false);
      gmp.push(...g.mul);
      gmpCpu.push(...g.mulCpu);
    }
    time(allThreads, all);
  }
  configure({ threads: allThreads });
  const g = gmp.length ? median(gmp) : undefined;
  const gc1 = gmpCpu.length ? median(gmpCpu) : undefined;
  kernelRows.push({
    digits: n,
    'ours 1 thread s': fmt(median(one)),
    [`ours ${allThreads} threads s`]: fmt(median(all)),
    'GMP mpz_mul s': fmt(g),
    'ours(1)/GMP': ratio(median(one), g),
    [`ours(${allThreads})/GMP`]: ratio(median(all), g),
    'CPU s ours(1) / GMP': `${fmt(median(oneCpu))} / ${fmt(gc1)}`,
    'CPU ratio': ratio(median(oneCpu), gc1),
    'fftMulLimbs+wasm check(1) s': fmt(median(fft)),
    'its ratio wall / CPU': `${ratio(median(fft), g)} / ${ratio(median(fftCpu), gc1)}`,
    'fft digits': lastFftDigits,
    'fft length': lastFftLength,
  });
  rmSync(fa);
  rmSync(fb);
}
console.table(kernelRows);

console.log('\n2./3. file → file product: ours (engine mul, own process each) vs native GMP decimal pipeline; growth');
const fileRows: Array<Record<string, string | number>> = [];
const fileTimes = new Map<number, number>();
const fileCpu = new Map<number, number>();
for (const n of fileSizes) {
  const fa = join(home, `a-${n}.txt`), fb = join(home, `b-${n}.txt`), gmpOut = join(home, 'gmp-out.txt');
  writeRandomDigitFile(fa, n);
  writeRandomDigitFile(fb, n);
  const oursTimes: number[] = [], oursOpened: number[] = [], oursCpu: number[] = [], gmpCpu: number[] = [];
  let rss = 0;
  let plan = '';
  const oursPath = join(home, 'ours-out.txt');
  const gmpTimes: number[] = [];
  const withGmp = exe !== undefined && n <= pipelineMax;
  // Every size `runs` times, the largest too: with one run the growth ratio t(6.4e7)/t(1.6e7) rested on one sample
  // of a shared machine (4.59 in one run, 3.61 the session before). A median of 3 costs ~7 s more.
  const rounds = runs;
  for (let r = 0; r < rounds; r++) {
    const res = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--child', `${fa},${fb},${join(home, `h${r}`)},${oursPath}`], { encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`bench/mul: our file → file product failed at n=${n}: ${res.stderr}`);
    const o = JSON.parse(res.stdout) as { s: number; opened: number; cpu: number; rss: number; plan: string };
    plan = o.plan;
    oursTimes.push(o.s);
    oursOpened.push(o.opened);
    oursCpu.push(o.cpu);
    rss = Math.max(rss, o.rss);
    if (withGmp) {
      const g = runGmp(exe, fa, fb, gmpOut, 0, true);
      gmpTimes.push(g.pipeline!);
      gmpCpu.push(g.pipelineCpu!);
    }
  }
  let checked = 'unchecked';
  if (withGmp) {
    if (Buffer.compare(readFileSync(oursPath), readFileSync(gmpOut)) !== 0) throw new Error(`bench/mul: GMP disagrees at n=${n}`);
    checked = 'agrees with GMP';
  }
  const s = median(oursTimes);
  fileTimes.set(n, s);
  fileCpu.set(n, median(oursCpu));
  const quarter = fileTimes.get(n / 4);
  const quarterCpu = fileCpu.get(n / 4);
  const g = gmpTimes.length ? median(gmpTimes) : undefined;
  fileRows.push({
    digits: n,
    'ours s': fmt(s),
    // Of which opening the operands (StreamNumber.fromPath validates each file in one pass): the rest is mul.
    'of which open s': fmt(median(oursOpened)),
    'GMP pipeline s': fmt(g),
    'ours/GMP': ratio(s, g),
    'CPU s ours / GMP': `${fmt(median(oursCpu))} / ${fmt(gmpCpu.length ? median(gmpCpu) : undefined)}`,
    'CPU ratio': ratio(median(oursCpu), gmpCpu.length ? median(gmpCpu) : undefined),
    't(n)/t(n/4)': quarter ? (s / quarter).toFixed(2) : '-',
    // The same ratio in CPU time: on a shared machine the wall ratio measures the neighbours too.
    'CPU(n)/CPU(n/4)': quarterCpu ? (median(oursCpu) / quarterCpu).toFixed(2) : '-',
    'ours peak RSS MiB': rss,
    plan,
    checked,
  });
  for (const f of [fa, fb, gmpOut, oursPath]) if (existsSync(f)) rmSync(f);
  for (let r = 0; r < rounds; r++) rmSync(join(home, `h${r}`), { recursive: true, force: true });
}
console.table(fileRows);
console.log(`memory budget ${Math.round(getConfig().memoryBudget / 2 ** 20)} MiB; threads ${allThreads}; this process's peak RSS ${peakRssMiB()} MiB`);
rmSync(home, { recursive: true, force: true });
