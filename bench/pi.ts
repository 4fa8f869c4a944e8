/**
 * bench/pi — pi to 10^6 and 10^7 decimals (10^8 on request): mathstream against GMP's own pi program
 * (gmp-chudnovsky, native), V8 BigInt and gmp-wasm, same run.
 *
 *   node dist/bench/pi.js [--digits 1e6,1e7] [--runs 3] [--skip bigint,gmp-mpfr] [--only a,b] [--threads N]
 *                         [--ooc-bytes-per-decimal 2.68]
 *
 * Every competitor produces the N decimals as ASCII text (the decimal output is part of the cost); each run
 * happens in a fresh child process, timed from the parent (wall clock, start-up included), its peak RSS from
 * `/usr/bin/time -v` when present (else the child's own maxRSS). The SHA-256 of the decimals must agree across
 * competitors (differential test) or the bench exits 1. `--threads N` sets MATHSTREAM_THREADS for the children.
 * The runs go round-robin over the competitors, and the targeted pair (mathstream-file, gmp-chudnovsky) runs `--runs`
 * times up to 10^7 decimals (others once from 10^7; everything once at 10^8 unless `--runs` is given): the verdict
 * uses the medians, and the run-by-run ratios of the pair are printed beside them.
 *
 * Anchor: `gmp-chudnovsky`, GMP's pi program (gmp-chudnovsky.c, public, e.g. github.com/crstrand/chudnovsky). It is
 * NOT part of this repository: the bench compiles it with `gcc -O2 ... -lgmp -lm` from the file named by
 * GMP_CHUDNOVSKY_SRC, or bench/out/gmp-chudnovsky.c (an ignored folder), and skips it when there is no source, no
 * gcc or no GMP. It runs as `gmp-chudnovsky N 1 > file` (its output mode writes the digits).
 * Targets (issue 11): mathstream-file / gmp-chudnovsky ≤ 1.0 at 10^7 (goal 0.8) and at 10^8, with mathstream's
 * peak RSS ≤ 1.5 GiB at the default budget; the ratio column and the verdict line print them.
 *
 * Competitors:
 * - `mathstream-ooc`: computePiToFile under a memory budget small enough to force the out-of-core plan
 *   (apps/pi/plan.ts): MATHSTREAM_MEMORY = decimals × `--ooc-bytes-per-decimal` (default 2.68, i.e. 256 MiB at 10^8,
 *   at least 1 MiB) for that child only; its subtrees in memory, merges, square root and quotient on files.
 * - `mathstream`: computePi (decimal limbs end to end; from 10^5 decimals the series' subtrees run on N threads,
 *   N = MATHSTREAM_THREADS or the machine's parallelism, within the memory budget), `mathstream-1t`
 *   computePiDigits (the synchronous driver: one thread), and `mathstream-file` computePiToFile (N threads, atomic
 *   file write included).
 * - `gmp-chudnovsky`: native GMP, see above.
 * - `bigint`: Chudnovsky with binary splitting on V8 BigInt, recursive-Newton isqrt, one
 *   big division, then BigInt#toString (the binary-to-decimal conversion).
 * - `gmp-chud`: the same algorithm on GMP's mpz through gmp-wasm's low-level binding
 *   (mpz_sqrt, mpz_tdiv_q, mpz_get_str) — gmp-chudnovsky's method, compiled to wasm.
 * - `gmp-mpfr`: MPFR's mpfr_const_pi (AGM) then mpfr_get_str, through gmp-wasm.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { init as initGmp } from 'gmp-wasm';
import { computePi, computePiDigits, computePiToFile } from '../src/apps/pi/index.js';
import { planPi } from '../src/apps/pi/plan.js';
import { median } from './kernel-util.js';

type Competitor = (decimals: number) => Promise<Uint8Array>;

/** Terms of the Chudnovsky series: each adds log10(640320^3 / 1728) = 14.18... digits. */
function chudnovskyTerms(digits: number): number {
  return Math.ceil((digits + 13) / 14.181647462725477) + 1;
}

// ---------------------------------------------------------------- V8 BigInt

const C3_OVER_24 = 10939058860032000n;

function bigintSplit(a: number, b: number): [bigint, bigint, bigint] {
  if (b - a === 1) {
    if (a === 0) return [1n, 1n, 13591409n];
    const k = BigInt(a);
    const p = (6n * k - 5n) * (2n * k - 1n) * (6n * k - 1n);
    const t = p * (13591409n + 545140134n * k);
    return [p, k * k * k * C3_OVER_24, a & 1 ? -t : t];
  }
  const m = (a + b) >>> 1;
  const [p1, q1, t1] = bigintSplit(a, m);
  const [p2, q2, t2] = bigintSplit(m, b);
  return [p1 * p2, q1 * q2, t1 * q2 + p1 * t2];
}

function bigintIsqrt(n: bigint): bigint {
  if (n < 1n << 52n) {
    let r = BigInt(Math.floor(Math.sqrt(Number(n))));
    while (r * r > n) r--;
    while ((r + 1n) * (r + 1n) <= n) r++;
    return r;
  }
  // n has about 4h bits; the root of its top half, shifted back, is within a factor
  // (1 + 2^-h) of sqrt(n), so Newton from above needs only a couple of steps per level.
  const h = BigInt(n.toString(16).length);
  let x = (bigintIsqrt(n >> (2n * h)) + 1n) << h; // >= sqrt(n): Newton descends to the floor
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

const bigintPi: Competitor = async (decimals) => {
  const guard = 10;
  const [, q, t] = bigintSplit(0, chudnovskyTerms(decimals + guard));
  const one = 10n ** BigInt(decimals + guard);
  const pi = (426880n * bigintIsqrt(10005n * one * one) * q) / t;
  return Buffer.from(pi.toString().slice(1, decimals + 1), 'latin1');
};

// ---------------------------------------------------------------- gmp-wasm

type Gmp = Awaited<ReturnType<typeof initGmp>>['binding'];

function gmpChudnovsky(g: Gmp, decimals: number): Uint8Array {
  const guard = 10;
  const c = g.mpz_t();
  g.mpz_init_set_ui(c, 640320);
  g.mpz_mul_ui(c, c, 640320);
  g.mpz_mul_ui(c, c, 26680); // 640320^3 / 24
  const split = (a: number, b: number): [number, number, number] => {
    const p = g.mpz_t(), q = g.mpz_t(), t = g.mpz_t();
    g.mpz_init(p); g.mpz_init(q); g.mpz_init(t);
    if (b - a === 1) {
      if (a === 0) {
        g.mpz_set_ui(p, 1); g.mpz_set_ui(q, 1); g.mpz_set_ui(t, 13591409);
      } else {
        g.mpz_set_ui(p, 6 * a - 5); g.mpz_mul_ui(p, p, 2 * a - 1); g.mpz_mul_ui(p, p, 6 * a - 1);
        g.mpz_set_ui(q, a); g.mpz_mul_ui(q, q, a); g.mpz_mul_ui(q, q, a); g.mpz_mul(q, q, c);
        g.mpz_set_ui(t, a); g.mpz_mul_ui(t, t, 545140134); g.mpz_add_ui(t, t, 13591409); g.mpz_mul(t, t, p);
        if (a & 1) g.mpz_neg(t, t);
      }
      return [p, q, t];
    }
    const m = (a + b) >>> 1;
    const [p1, q1, t1] = split(a, m);
    const [p2, q2, t2] = split(m, b);
    g.mpz_mul(t, t1, q2);
    g.mpz_addmul(t, p1, t2);
    g.mpz_mul(p, p1, p2);
    g.mpz_mul(q, q1, q2);
    for (const x of [p1, q1, t1, p2, q2, t2]) { g.mpz_clear(x); g.mpz_t_free(x); }
    return [p, q, t];
  };
  const [p, q, t] = split(0, chudnovskyTerms(decimals + guard));
  const s = g.mpz_t();
  g.mpz_init(s);
  g.mpz_ui_pow_ui(s, 10, 2 * (decimals + guard));
  g.mpz_mul_ui(s, s, 10005);
  g.mpz_sqrt(s, s);
  g.mpz_mul(s, s, q);
  g.mpz_mul_ui(s, s, 426880);
  g.mpz_tdiv_q(s, s, t);
  const text = g.mpz_get_str(0, 10, s);
  const out = Uint8Array.from(g.mem.subarray(text + 1, text + 1 + decimals));
  for (const x of [c, p, q, t, s]) { g.mpz_clear(x); g.mpz_t_free(x); }
  g.free(text);
  return out;
}

async function gmpBinding(): Promise<Gmp> {
  return (await initGmp()).binding;
}

const gmpChud: Competitor = async (decimals) => gmpChudnovsky(await gmpBinding(), decimals);

const gmpMpfr: Competitor = async (decimals) => {
  const g = await gmpBinding();
  const x = g.mpfr_t();
  g.mpfr_init2(x, Math.ceil((decimals + 30) * Math.log2(10)));
  g.mpfr_const_pi(x, 0);
  const exponent = g.malloc(4);
  const text = g.mpfr_get_str(0, exponent, 10, decimals + 20, x, 1 /* toward zero */);
  const out = Uint8Array.from(g.mem.subarray(text + 1, text + 1 + decimals));
  g.mpfr_free_str(text);
  g.free(exponent);
  g.mpfr_clear(x);
  g.mpfr_t_free(x);
  return out;
};

// ---------------------------------------------------------------- mathstream

const ours: Competitor = async (decimals) => computePi(decimals);

const oursOneThread: Competitor = async (decimals) => computePiDigits(decimals);

const oursFile: Competitor = async (decimals) => {
  const dir = mkdtempSync(join(tmpdir(), 'ms-pi-bench-'));
  try {
    const { path } = await computePiToFile(decimals, join(dir, 'pi.txt'));
    const text = readFileSync(path);
    return text.subarray(2, 2 + decimals);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

/** Out of core: forced by the child's small MATHSTREAM_MEMORY (see oocEnv), checked here so the row means what it says. */
const oursOutOfCore: Competitor = async (decimals) => {
  if (planPi(decimals, 12).method !== 'outOfCore') throw new Error('mathstream-ooc: the budget did not force the out-of-core plan');
  return oursFile(decimals);
};

const COMPETITORS: Record<string, Competitor> = {
  mathstream: ours,
  'mathstream-ooc': oursOutOfCore,
  'mathstream-1t': oursOneThread,
  'mathstream-file': oursFile,
  'gmp-chud': gmpChud,
  'gmp-mpfr': gmpMpfr,
  bigint: bigintPi,
};

// ---------------------------------------------------------------- native GMP anchor

const here = dirname(fileURLToPath(import.meta.url));
/** bench/out of the source tree (dist/bench/pi.js → ../../bench/out). */
const outDir = resolve(here, '..', '..', 'bench', 'out');

/** Compiles gmp-chudnovsky.c (never part of the repository) into bench/out; undefined (with the reason) if it cannot. */
function nativeChudnovsky(): { binary?: string; reason?: string } {
  const source = process.env['GMP_CHUDNOVSKY_SRC'] ?? join(outDir, 'gmp-chudnovsky.c');
  if (!existsSync(source)) return { reason: `no source (set GMP_CHUDNOVSKY_SRC or put it at ${source})` };
  mkdirSync(outDir, { recursive: true });
  const binary = join(outDir, 'gmp-chudnovsky');
  if (existsSync(binary) && statSync(binary).mtimeMs >= statSync(source).mtimeMs) return { binary };
  const cc = spawnSync('gcc', ['-O2', source, '-o', binary, '-lgmp', '-lm'], { encoding: 'utf8' });
  if (cc.error || cc.status !== 0) return { reason: `gcc failed: ${(cc.error?.message ?? cc.stderr).trim().split('\n')[0]}` };
  return { binary };
}

/** The N decimals in gmp-chudnovsky's output file ("pi(0,terms)=\n0.31415...e1"). */
function chudnovskyDecimals(path: string, decimals: number): Uint8Array {
  const text = readFileSync(path);
  const at = text.indexOf('=\n0.3');
  if (at < 0) throw new Error('gmp-chudnovsky: no digits in its output');
  return text.subarray(at + 5, at + 5 + decimals);
}

// ---------------------------------------------------------------- driver

interface Sample {
  seconds: number;
  /** User + system CPU seconds of the child (from /usr/bin/time -v; NaN without it). */
  cpuSeconds: number;
  maxRssMiB: number;
  sha256: string;
}

/** Child side: one competitor, one size; prints its SHA-256 and own peak RSS as JSON. */
async function worker(name: string, decimals: number): Promise<void> {
  const competitor = COMPETITORS[name];
  if (!competitor) throw new Error(`unknown competitor ${name}`);
  const digits = await competitor(decimals);
  if (digits.length !== decimals) throw new Error(`${name} returned ${digits.length} decimals, expected ${decimals}`);
  const sample = {
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    sha256: createHash('sha256').update(digits).digest('hex'),
  };
  process.stdout.write(`${JSON.stringify(sample)}\n`);
}

const timeV = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** Runs argv (under /usr/bin/time -v when present) with stdout into `stdoutPath`; wall seconds and peak RSS. */
function runTimed(
  argv: string[],
  stdoutPath: string,
  env: NodeJS.ProcessEnv,
): { seconds: number; cpuSeconds: number; rssMiB?: number; stderr: string; status: number | null } {
  const fd = openSync(stdoutPath, 'w');
  try {
    const command = timeV ? [timeV, '-v', ...argv] : argv;
    const started = process.hrtime.bigint();
    const child = spawnSync(command[0]!, command.slice(1), { stdio: ['ignore', fd, 'pipe'], env, encoding: 'utf8', maxBuffer: 1 << 24 });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(child.stderr ?? '');
    const user = /User time \(seconds\): ([\d.]+)/.exec(child.stderr ?? '');
    const system = /System time \(seconds\): ([\d.]+)/.exec(child.stderr ?? '');
    const cpuSeconds = user && system ? Number(user[1]) + Number(system[1]) : NaN;
    return { seconds, cpuSeconds, rssMiB: rss ? Number(rss[1]) / 1024 : undefined, stderr: child.stderr ?? '', status: child.status };
  } finally {
    closeSync(fd);
  }
}

function runChild(name: string, decimals: number, env: NodeJS.ProcessEnv, native: string | undefined): Sample {
  const dir = mkdtempSync(join(tmpdir(), 'ms-pi-bench-run-'));
  try {
    const outPath = join(dir, 'stdout');
    if (name === 'gmp-chudnovsky') {
      const run = runTimed([native!, String(decimals), '1'], outPath, env);
      if (run.status !== 0) throw new Error(`gmp-chudnovsky at ${decimals} failed: ${run.stderr.trim()}`);
      const digits = chudnovskyDecimals(outPath, decimals);
      return { seconds: run.seconds, cpuSeconds: run.cpuSeconds, maxRssMiB: run.rssMiB ?? NaN, sha256: createHash('sha256').update(digits).digest('hex') };
    }
    const self = fileURLToPath(import.meta.url);
    const run = runTimed([process.execPath, '--max-old-space-size=8192', self, '--worker', name, String(decimals)], outPath, env);
    if (run.status !== 0) throw new Error(`${name} at ${decimals} failed: ${run.stderr.trim()}`);
    const reply = JSON.parse(readFileSync(outPath, 'utf8').trim().split('\n').pop()!) as { maxRssMiB: number; sha256: string };
    return { seconds: run.seconds, cpuSeconds: run.cpuSeconds, maxRssMiB: run.rssMiB ?? reply.maxRssMiB, sha256: reply.sha256 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The two competitors the targets compare (mathstream-file against gmp-chudnovsky): always run `runs` times. */
const ANCHORED = new Set(['mathstream-file', 'gmp-chudnovsky']);

/**
 * Runs of one competitor at one size. The targeted pair runs `runs` times up to 10^7 decimals (one run there rested
 * the 0.8 goal on a single sample of each); from 10^8 every competitor runs once (~3 min a run) unless `--runs` is
 * given. Other slow competitors run once from 10^7: the ratio, not the decimal, is the point.
 */
function runsAt(name: string, decimals: number, runs: number, runsGiven: boolean): number {
  if (decimals >= 1e8) return runsGiven ? runs : 1;
  if (decimals >= 1e7) return ANCHORED.has(name) ? runs : 1;
  return runs;
}

/** Ratio of the i-th run of `a` to the i-th run of `b`: runs made in the same round, side by side. */
function pairedRatios(a: Sample[], b: Sample[]): number[] {
  return a.slice(0, b.length).map((s, i) => s.seconds / b[i]!.seconds);
}


function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1]! : fallback;
}

/** MATHSTREAM_MEMORY of the mathstream-ooc child at `decimals`: small enough to force the out-of-core plan. */
function oocMemory(decimals: number): string {
  const perDecimal = Number(option('ooc-bytes-per-decimal', '2.68'));
  return String(Math.max(1 << 20, Math.round(decimals * perDecimal)));
}

async function main(): Promise<void> {
  const workerAt = process.argv.indexOf('--worker');
  if (workerAt >= 0) {
    await worker(process.argv[workerAt + 1]!, Number(process.argv[workerAt + 2]));
    return;
  }
  const sizes = option('digits', '1e6,1e7').split(',').map(Number);
  const runs = Number(option('runs', '3'));
  const runsGiven = process.argv.includes('--runs');
  const skip = new Set(option('skip', '').split(',').filter(Boolean));
  const only = option('only', '').split(',').filter(Boolean);
  const threads = option('threads', '');
  const env: NodeJS.ProcessEnv = { ...process.env, ...(threads ? { MATHSTREAM_THREADS: threads } : {}) };
  const native = nativeChudnovsky();
  if (!native.binary) console.log(`gmp-chudnovsky skipped: ${native.reason}`);
  const names = [...Object.keys(COMPETITORS), ...(native.binary ? ['gmp-chudnovsky'] : [])].filter(
    (n) => !skip.has(n) && (only.length === 0 || only.includes(n)),
  );
  let agree = true;
  console.log(
    `pi benchmark: median wall time of each competitor in a fresh process (start-up included), largest peak RSS; ` +
      `MATHSTREAM_THREADS=${env['MATHSTREAM_THREADS'] ?? '(default)'}, MATHSTREAM_MEMORY=${env['MATHSTREAM_MEMORY'] ?? '(default)'}`,
  );
  for (const decimals of sizes) {
    const rows: { name: string; seconds: number; cpu: number; rss: number; sha: string; samples: Sample[] }[] = [];
    const plan = names.map((name) => ({ name, count: runsAt(name, decimals, runs, runsGiven), samples: [] as Sample[] }));
    // Round-robin, not one competitor after the other: a drift of the shared machine (GMP's own 10^7 time moved
    // 6.3–8.9 s within minutes) then lands on every competitor alike, and the paired ratios below compare runs made
    // side by side.
    for (let round = 0; plan.some((p) => p.samples.length < p.count); round++) {
      for (const p of plan) {
        if (p.samples.length >= p.count) continue;
        const childEnv = p.name === 'mathstream-ooc' ? { ...env, MATHSTREAM_MEMORY: oocMemory(decimals) } : env;
        const sample = runChild(p.name, decimals, childEnv, native.binary);
        p.samples.push(sample);
        console.error(`  ${decimals} ${p.name} run ${round + 1}/${p.count}: ${sample.seconds.toFixed(3)} s, CPU ${sample.cpuSeconds.toFixed(1)} s, ${sample.maxRssMiB.toFixed(0)} MiB`);
      }
    }
    for (const { name, samples } of plan) {
      rows.push({
        name,
        seconds: median(samples.map((s) => s.seconds)),
        cpu: median(samples.map((s) => s.cpuSeconds)),
        rss: Math.max(...samples.map((s) => s.maxRssMiB)),
        sha: samples[0]!.sha256,
        samples,
      });
      if (samples.some((s) => s.sha256 !== samples[0]!.sha256)) agree = false;
    }
    const base = rows.find((r) => r.name === 'mathstream') ?? rows[0]!;
    console.log(`\n${decimals.toExponential(0)} decimals`);
    console.log('competitor        time (s)    CPU (s)   vs mathstream   peak RSS (MiB)   sha256 (first 16)');
    for (const r of rows) {
      console.log(
        `${r.name.padEnd(16)} ${r.seconds.toFixed(3).padStart(9)} ${r.cpu.toFixed(1).padStart(10)}   ${(r.seconds / base.seconds).toFixed(2).padStart(12)}x   ${r.rss
          .toFixed(0)
          .padStart(14)}   ${r.sha.slice(0, 16)}`,
      );
      if (r.sha !== base.sha) agree = false;
    }
    const anchor = rows.find((r) => r.name === 'gmp-chudnovsky');
    const ooc = rows.find((r) => r.name === 'mathstream-ooc');
    if (ooc) {
      const budget = Number(oocMemory(decimals));
      const inMemory = rows.find((r) => r.name === 'mathstream-file') ?? rows.find((r) => r.name === 'mathstream');
      console.log(
        `mathstream-ooc (budget ${(budget / 2 ** 20).toFixed(1)} MiB): ${inMemory ? `${(ooc.seconds / inMemory.seconds).toFixed(2)}x ${inMemory.name}, ` : ''}` +
          `${anchor ? `${(ooc.seconds / anchor.seconds).toFixed(2)}x gmp-chudnovsky, ` : ''}` +
          `peak RSS ${ooc.rss.toFixed(0)} MiB vs budget + 512 MiB = ${(budget / 2 ** 20 + 512).toFixed(0)}`,
      );
    }
    const file = rows.find((r) => r.name === 'mathstream-file') ?? rows.find((r) => r.name === 'mathstream');
    if (anchor && file) {
      const ratio = file.seconds / anchor.seconds;
      const paired = pairedRatios(file.samples, anchor.samples);
      if (paired.length > 1) {
        console.log(
          `${file.name} / gmp-chudnovsky, run by run (side by side): ${paired.map((r) => r.toFixed(3)).join(', ')}; ` +
            `median ${median(paired).toFixed(3)}, worst ${Math.max(...paired).toFixed(3)}`,
        );
      }
      const bar = 1.0;
      const rssOk = decimals < 1e8 || file.rss <= 1.5 * 1024;
      console.log(
        `${file.name} / gmp-chudnovsky = ${ratio.toFixed(2)} (target <= ${bar.toFixed(1)}${decimals < 1e8 ? ', goal 0.8' : ''}` +
          `${decimals >= 1e8 ? `, peak RSS ${file.rss.toFixed(0)} MiB vs 1536` : ''}): ${ratio <= bar && rssOk ? 'met' : 'NOT met'}`,
      );
    }
  }
  if (!agree) {
    console.log('\nDISAGREEMENT: competitors produced different decimals');
    process.exitCode = 1;
  } else console.log('\nall competitors agree (SHA-256 of the decimals)');
}

await main();
