/**
 * bench/mul — decimal string → decimal string multiplication of two random n-digit integers:
 * mathstream's kernel (natFromDigits, natMul, natToDigits) against V8 BigInt (BigInt(str) · BigInt(str),
 * toString) and gmp-wasm (mpz_set_str, mpz_mul, mpz_get_str), same run, results compared byte for byte.
 *
 *   node --expose-gc dist/bench/mul.js [--only 1e6,1.6e7] [--runs 3] [--skip bigint,gmp] [--bigint-max 4e6]
 *
 * Prints median seconds, ratios (ours / theirs), growth t(4n)/t(n), the FFT digit size used and peak RSS.
 * Competitors run once per size above 4e6 digits (BigInt takes ~30–50 s at 1.6e7); ours runs --runs times,
 * interleaved with the competitors' runs (shared machine: load hits everyone alike).
 */
import { natFromDigits, natMul, natToDigits } from '../src/kernel/index.js';
import { lastFftDigits, lastFftLength } from '../src/kernel/fft.js';
import { fmt, gmpBinding, gmpFree, gmpFromAscii, gmpToAscii, latin1, median, parseArgs, randomAscii, ratio, sameBytes, timed } from './kernel-util.js';

const args = parseArgs([1e5, 1e6, 4e6, 1.6e7]);
const g = args.skip.has('gmp') ? undefined : await gmpBinding();
const rows: Array<Record<string, string | number>> = [];
let prev: { n: number; s: number } | undefined;

for (const n of args.sizes) {
  const a = randomAscii(n), b = randomAscii(n);
  // Runs are interleaved (ours, BigInt, ours, gmp, ours, ...) so that load from other processes on the shared
  // machine hits every competitor alike; each reports its median.
  const oursTimes: number[] = [];
  let oursValue: Uint8Array | undefined;
  const runOurs = (): void => {
    const r = timed(1, () => natToDigits(natMul(natFromDigits(a), natFromDigits(b))));
    oursTimes.push(r.s);
    oursValue = r.value;
  };
  const slowRuns = n > 4e6 ? 1 : args.runs;
  const bigTimes: number[] = [];
  const gmpTimes: number[] = [];
  let bigValue: string | undefined;
  let gmpValue: Uint8Array | undefined;
  const rounds = Math.max(args.runs, slowRuns);
  for (let r = 0; r < rounds; r++) {
    if (r < args.runs) runOurs();
    if (r < slowRuns && !args.skip.has('bigint') && n <= args.bigintMax) {
      const t = timed(1, () => (BigInt(latin1(a)) * BigInt(latin1(b))).toString());
      bigTimes.push(t.s);
      bigValue = t.value;
    }
    if (r < slowRuns && g) {
      const t = timed(1, () => {
        const x = gmpFromAscii(g, a), y = gmpFromAscii(g, b);
        g.mpz_mul(x, x, y);
        const out = gmpToAscii(g, x);
        gmpFree(g, x, y);
        return out;
      });
      gmpTimes.push(t.s);
      gmpValue = t.value;
    }
  }
  const ours = { s: median(oursTimes), value: oursValue! };
  const digitsUsed = lastFftDigits;
  const big = bigTimes.length ? { s: median(bigTimes), value: bigValue! } : undefined;
  const gmp = gmpTimes.length ? { s: median(gmpTimes), value: gmpValue! } : undefined;
  if (big && big.value !== latin1(ours.value)) throw new Error(`bench/mul: BigInt disagrees at n=${n}`);
  if (gmp && !sameBytes(gmp.value, ours.value)) throw new Error(`bench/mul: gmp-wasm disagrees at n=${n}`);
  rows.push({
    n,
    'mathstream s': fmt(ours.s),
    'BigInt s': fmt(big?.s),
    'gmp-wasm s': fmt(gmp?.s),
    'ours/BigInt': ratio(ours.s, big?.s),
    'ours/gmp': ratio(ours.s, gmp?.s),
    'growth t(n)/t(n/4)': prev && prev.n * 4 === n ? (ours.s / prev.s).toFixed(2) : '-',
    'fft digits': digitsUsed,
    'fft length': lastFftLength,
    checked: big || gmp ? 'agree' : 'unchecked',
  });
  prev = { n, s: ours.s };
}
console.table(rows);
console.log(`peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`);
