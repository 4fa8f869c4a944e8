/**
 * bench/engine — the pipeline, decimal FILE → decimal FILE, at the engine level:
 * mathstream `mul`/`div` on StreamNumbers (validate, load, multiply, write a tracked result file)
 * against V8 BigInt and gmp-wasm doing read file + parse + op + toString + write file, same run,
 * outputs compared byte for byte.
 *
 *   node --expose-gc dist/bench/engine.js [--only 1e6,4e6] [--runs 3] [--skip bigint,gmp] [--bigint-max 4e6]
 *
 * Division is 2n digits by n digits. Competitors run once per size above 4e6 digits.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configure } from '../src/config.js';
import { div, mul } from '../src/engine/index.js';
import { StreamNumber } from '../src/number.js';
import { fmt, gmpBinding, gmpFree, gmpFromAscii, gmpToAscii, latin1, median, parseArgs, ratio } from './kernel-util.js';
import { writeRandomDigitFile } from './util.js';

const args = parseArgs([1e5, 1e6, 4e6, 1.6e7]);
const home = mkdtempSync(join(tmpdir(), 'ms-bench-engine-'));
configure({ home });
const g = args.skip.has('gmp') ? undefined : await gmpBinding();
type Op = 'mul' | 'div';

async function seconds<T>(runs: number, fn: () => Promise<T> | T): Promise<{ s: number; value: T }> {
  const times: number[] = [];
  let value!: T;
  for (let i = 0; i < runs; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    const t = performance.now();
    value = await fn();
    times.push((performance.now() - t) / 1000);
  }
  return { s: median(times), value };
}

async function oursFileToFile(op: Op, fa: string, fb: string): Promise<string> {
  const a = await StreamNumber.fromPath(fa);
  const b = await StreamNumber.fromPath(fb);
  const result = await (op === 'mul' ? mul(a, b) : div(a, b));
  const text = readFileSync(result.path, 'latin1');
  result.free();
  a.free();
  b.free();
  return text;
}

function bigintFileToFile(op: Op, fa: string, fb: string, out: string): string {
  const x = BigInt(readFileSync(fa, 'latin1'));
  const y = BigInt(readFileSync(fb, 'latin1'));
  const text = (op === 'mul' ? x * y : x / y).toString();
  writeFileSync(out, text);
  return text;
}

function gmpFileToFile(op: Op, fa: string, fb: string, out: string): string {
  const x = gmpFromAscii(g!, readFileSync(fa));
  const y = gmpFromAscii(g!, readFileSync(fb));
  if (op === 'mul') g!.mpz_mul(x, x, y);
  else g!.mpz_fdiv_q(x, x, y);
  const text = latin1(gmpToAscii(g!, x));
  gmpFree(g!, x, y);
  writeFileSync(out, text);
  return text;
}

const rows: Array<Record<string, string | number>> = [];
const mulTimes = new Map<number, number>();
for (const op of ['mul', 'div'] as Op[]) {
  for (const n of args.sizes) {
    const fa = join(home, `a-${n}.txt`);
    const fb = join(home, `b-${n}.txt`);
    writeRandomDigitFile(fa, op === 'mul' ? n : 2 * n);
    writeRandomDigitFile(fb, n);
    const ours = await seconds(args.runs, () => oursFileToFile(op, fa, fb));
    const slowRuns = n > 4e6 ? 1 : args.runs;
    const out = join(home, 'competitor.txt');
    let big: { s: number; value: string } | undefined;
    if (!args.skip.has('bigint') && n <= args.bigintMax) {
      big = await seconds(slowRuns, () => bigintFileToFile(op, fa, fb, out));
      if (big.value !== ours.value) throw new Error(`bench/engine: BigInt disagrees on ${op} at n=${n}`);
    }
    let gmp: { s: number; value: string } | undefined;
    if (g) {
      gmp = await seconds(slowRuns, () => gmpFileToFile(op, fa, fb, out));
      if (gmp.value !== ours.value) throw new Error(`bench/engine: gmp-wasm disagrees on ${op} at n=${n}`);
    }
    if (op === 'mul') mulTimes.set(n, ours.s);
    const quarter = mulTimes.get(n / 4);
    rows.push({
      op,
      n,
      'mathstream s': fmt(ours.s),
      'BigInt s': fmt(big?.s),
      'gmp-wasm s': fmt(gmp?.s),
      'ours/BigInt': ratio(ours.s, big?.s),
      'ours/gmp': ratio(ours.s, gmp?.s),
      'growth t(n)/t(n/4)': op === 'mul' && quarter ? (ours.s / quarter).toFixed(2) : '-',
      'div/mul': op === 'div' && mulTimes.has(n) ? (ours.s / mulTimes.get(n)!).toFixed(2) : '-',
      checked: big || gmp ? 'agree' : 'unchecked',
    });
    rmSync(fa);
    rmSync(fb);
  }
}
console.table(rows);
console.log(`peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`);
rmSync(home, { recursive: true, force: true });
