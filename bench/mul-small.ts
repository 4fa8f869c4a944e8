/**
 * bench/mul-small — µs per product of two random n-limb naturals (n = 1 … 256) by schoolbook, Karatsuba and FFT
 * (thresholds forced per column), and by natMul with the default thresholds, to place the crossovers; BigInt
 * (same operands, multiplication only) for reference. Median of several batches; run on a quiet machine.
 *
 *   node dist/bench/mul-small.js [--sizes 4,16,48,64,80,96,128]
 */
import { natFromDigits, natMul } from '../src/kernel/index.js';
import { natToBigInt } from '../src/kernel/nat.js';
import { KARATSUBA_THRESHOLD, FFT_THRESHOLD } from '../src/kernel/mul.js';
import { median, randomAscii } from './kernel-util.js';

const argv = process.argv.slice(2);
const i = argv.indexOf('--sizes');
const sizes = i >= 0 ? argv[i + 1].split(',').map(Number) : [1, 2, 4, 8, 16, 24, 32, 48, 64, 80, 96, 128, 192, 256];
const defaults = { k: KARATSUBA_THRESHOLD, f: FFT_THRESHOLD };

function perProduct(fn: () => unknown, n: number): number {
  const reps = Math.max(20, Math.floor(2e6 / (n * n + 50 * n)));
  const batches: number[] = [];
  for (let b = 0; b < 7; b++) {
    const t = performance.now();
    for (let r = 0; r < reps; r++) fn();
    batches.push(((performance.now() - t) * 1000) / reps);
  }
  return median(batches);
}

const rows: Array<Record<string, string | number>> = [];
for (const n of sizes) {
  const a = natFromDigits(randomAscii(4 * n)), b = natFromDigits(randomAscii(4 * n));
  const ref = natToBigInt(a) * natToBigInt(b);
  const run = (k: number, f: number): number => {
    const options = { karatsubaThreshold: k, fftThreshold: f };
    if (natToBigInt(natMul(a, b, options)) !== ref) throw new Error(`bench/mul-small: wrong product at n=${n}`);
    return perProduct(() => natMul(a, b, options), n);
  };
  const school = run(1e9, 1e9);
  const kara = run(24, 1e9);
  const fft = n >= 4 ? run(1e9, 4) : NaN;
  if (natToBigInt(natMul(a, b)) !== ref) throw new Error(`bench/mul-small: wrong default product at n=${n}`);
  const dflt = perProduct(() => natMul(a, b), n);
  const x = natToBigInt(a), y = natToBigInt(b);
  const big = perProduct(() => x * y, n);
  rows.push({
    limbs: n,
    'schoolbook µs': school.toFixed(2),
    'Karatsuba (leaf 24) µs': kara.toFixed(2),
    'FFT µs': Number.isNaN(fft) ? '-' : fft.toFixed(2),
    'natMul µs': dflt.toFixed(2),
    'BigInt µs (mul only)': big.toFixed(2),
  });
}
console.table(rows);
console.log(`thresholds: Karatsuba from ${defaults.k} limbs, FFT from ${defaults.f} limbs`);
