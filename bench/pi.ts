/**
 * bench/pi — pi to 10^6 and 10^7 decimals: mathstream against V8 BigInt and gmp-wasm, same run.
 *
 *   node dist/bench/pi.js [--digits 1e6,1e7] [--runs 3] [--skip bigint,gmp-mpfr]
 *
 * Every competitor produces the N decimals as ASCII text (the decimal output is part of the
 * cost, as in gmp-chudnovsky's timing); each run happens in a fresh child process so its peak
 * RSS (`process.resourceUsage().maxRSS`) is its own. The SHA-256 of the decimals must agree
 * across competitors (differential test) or the bench exits 1.
 *
 * Competitors:
 * - `mathstream`: computePi (decimal limbs end to end; from 10^5 decimals the series' two halves run on two
 *   threads), `mathstream-1t` computePiDigits (the synchronous driver: one thread), and `mathstream-file`
 *   computePiToFile (two threads, atomic file write included).
 * - `bigint`: Chudnovsky with binary splitting on V8 BigInt, recursive-Newton isqrt, one
 *   big division, then BigInt#toString (the binary-to-decimal conversion).
 * - `gmp-chud`: the same algorithm on GMP's mpz through gmp-wasm's low-level binding
 *   (mpz_sqrt, mpz_tdiv_q, mpz_get_str) — gmp-chudnovsky's method, compiled to wasm.
 * - `gmp-mpfr`: MPFR's mpfr_const_pi (AGM) then mpfr_get_str, through gmp-wasm.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { init as initGmp } from 'gmp-wasm';
import { computePi, computePiDigits, computePiToFile } from '../src/apps/pi/index.js';

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

const COMPETITORS: Record<string, Competitor> = {
  mathstream: ours,
  'mathstream-1t': oursOneThread,
  'mathstream-file': oursFile,
  'gmp-chud': gmpChud,
  'gmp-mpfr': gmpMpfr,
  bigint: bigintPi,
};

// ---------------------------------------------------------------- driver

interface Sample {
  seconds: number;
  maxRssMiB: number;
  sha256: string;
}

/** Child side: one competitor, one size; prints a JSON Sample. */
async function worker(name: string, decimals: number): Promise<void> {
  const competitor = COMPETITORS[name];
  if (!competitor) throw new Error(`unknown competitor ${name}`);
  const started = performance.now();
  const digits = await competitor(decimals);
  const seconds = (performance.now() - started) / 1000;
  if (digits.length !== decimals) throw new Error(`${name} returned ${digits.length} decimals, expected ${decimals}`);
  const sample: Sample = {
    seconds,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    sha256: createHash('sha256').update(digits).digest('hex'),
  };
  process.stdout.write(`${JSON.stringify(sample)}\n`);
}

function runChild(name: string, decimals: number): Sample {
  const self = fileURLToPath(import.meta.url);
  const child = spawnSync(process.execPath, ['--max-old-space-size=8192', self, '--worker', name, String(decimals)], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (child.status !== 0) throw new Error(`${name} at ${decimals} failed: ${child.stderr.trim()}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as Sample;
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1]! : fallback;
}

async function main(): Promise<void> {
  const workerAt = process.argv.indexOf('--worker');
  if (workerAt >= 0) {
    await worker(process.argv[workerAt + 1]!, Number(process.argv[workerAt + 2]));
    return;
  }
  const sizes = option('digits', '1e6,1e7').split(',').map(Number);
  const runs = Number(option('runs', '3'));
  const skip = new Set(option('skip', '').split(',').filter(Boolean));
  const only = option('only', '').split(',').filter(Boolean);
  const names = Object.keys(COMPETITORS).filter((n) => !skip.has(n) && (only.length === 0 || only.includes(n)));
  let agree = true;
  console.log('pi benchmark: median wall time of each competitor in a fresh process, peak RSS of the slowest run');
  for (const decimals of sizes) {
    const rows: { name: string; seconds: number; rss: number; sha: string }[] = [];
    for (const name of names) {
      // Slow competitors at large sizes run once: the ratio, not the decimal, is the point.
      const count = decimals >= 1e7 ? 1 : runs;
      const samples: Sample[] = [];
      for (let i = 0; i < count; i++) samples.push(runChild(name, decimals));
      rows.push({
        name,
        seconds: median(samples.map((s) => s.seconds)),
        rss: Math.max(...samples.map((s) => s.maxRssMiB)),
        sha: samples[0]!.sha256,
      });
      const last = rows[rows.length - 1]!;
      console.error(`  ${decimals} ${name}: ${last.seconds.toFixed(3)} s, ${last.rss.toFixed(0)} MiB`);
    }
    const base = rows.find((r) => r.name === 'mathstream') ?? rows[0]!;
    console.log(`\n${decimals.toExponential(0)} decimals`);
    console.log('competitor        time (s)   vs mathstream   peak RSS (MiB)   sha256 (first 16)');
    for (const r of rows) {
      console.log(
        `${r.name.padEnd(16)} ${r.seconds.toFixed(3).padStart(9)}   ${(r.seconds / base.seconds).toFixed(2).padStart(12)}x   ${r.rss
          .toFixed(0)
          .padStart(14)}   ${r.sha.slice(0, 16)}`,
      );
      if (r.sha !== base.sha) agree = false;
    }
  }
  if (!agree) {
    console.log('\nDISAGREEMENT: competitors produced different decimals');
    process.exitCode = 1;
  } else console.log('\nall competitors agree (SHA-256 of the decimals)');
}

await main();
