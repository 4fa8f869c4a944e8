/**
 * rounding-2d bench — the largest rounding distance the out-of-core 2-D transform actually makes, against its proven
 * bound (kernel/transform.ts transform2DBound) and the estimate its digit-size policy uses (transform2DEstimate), per
 * operand size and digit size: the data behind the policy in transform2d.ts's header (docs/ARCHITECTURE.md, "Out of
 * core"). Each product is a real out-of-core product of two operand files (inner blocks of --block points, the
 * budget's by default), forced to digit size d; a fault hook reads every product row's coefficients before they are
 * rounded and keeps the largest distance to an integer.
 *
 *   node dist/bench/rounding-2d.js [--sizes 1e6,1e7] [--digits 3,4] [--block 1048576] [--kind random|extreme]
 *                                  [--dir /tmp/x]
 *   --kind extreme  operands whose balanced digits all sit at the extremes ("4" then "9"s: each base-10^d digit is
 *                   10^d/2 − 1), the norms' worst case
 *
 * Prints, per run: N, d, inner size s, outer length M, the measured maximum distance, the estimate, the proven bound,
 * and measured / estimate.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeRandomDigitFile, printTable } from './util.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}

function writeExtremeDigitFile(path: string, digits: number, d: number): void {
  // "4" followed by d − 1 nines, repeated: every balanced base-10^d digit is 10^d/2 − 1 (no carries).
  const unit = '4' + '9'.repeat(d - 1);
  const text = unit.repeat(Math.ceil(digits / d)).slice(0, digits);
  writeFileSync(path, text.replace(/^0+/, '1'));
}

const sizes = arg('sizes', '1e6,1e7').split(',').map(Number);
const digitSizes = arg('digits', '3,4').split(',').map(Number);
const kind = arg('kind', 'random');
const dirArg = arg('dir', '');
const dir = dirArg || mkdtempSync(join(tmpdir(), 'ms-rounding-'));
mkdirSync(dir, { recursive: true });
process.env.MATHSTREAM_HOME ??= join(dir, 'home');

const { StreamNumber } = await import('../src/number.js');
const { convolveBlocksOnDisk } = await import('../src/engine/outofcore/multiply.js');
const { ScratchDir } = await import('../src/engine/outofcore/scratch.js');
const { AtomicFile } = await import('../src/storage/index.js');
const { getConfig } = await import('../src/config.js');
const { transform2DBound, outerLength } = await import('../src/kernel/transform.js');

/**
 * The model checked here (an estimate, not a bound): the rounding errors of the L levels are independent, so the
 * error vector's norm is about ε·√L·‖a‖·‖b‖, spread evenly over the R = 2·s·M points of the transform; the largest
 * of R such errors is about √(2 ln R) standard deviations. Random digits follow it (measured/estimate 1.4–2.3);
 * operands with coherent digits (all at one extreme) do not (hundreds of times more): hence the policy's limit is
 * set on the proven bound, not on this estimate.
 */
function transform2DEstimate(size: number, M: number, normProduct: number): number {
  const R = 2 * size * M;
  return 2 ** -53 * normProduct * Math.sqrt(Math.log2(R) + 1) * Math.sqrt((2 * Math.log(R)) / R);
}
const { blockCount } = await import('../src/engine/outofcore/blocks.js');
const { MAX_INNER_SIZE } = await import('../src/engine/outofcore/transform2d.js');

const blockArg = Number(arg('block', '0'));
const rows: Array<Record<string, string | number>> = [];
try {
  for (const N of sizes) {
    for (const d of digitSizes) {
      const pa = join(dir, `a-${N}-${d}`), pb = join(dir, `b-${N}-${d}`);
      if (kind === 'extreme') {
        writeExtremeDigitFile(pa, N, d);
        writeExtremeDigitFile(pb, N, d);
      } else {
        writeRandomDigitFile(pa, N);
        writeRandomDigitFile(pb, N);
      }
      const x = await StreamNumber.fromPath(pa), y = await StreamNumber.fromPath(pb);
      const scratch = ScratchDir.create();
      const out = await AtomicFile.create(getConfig().logDir);
      let worst = 0, seen = false, M = 0, s = 0;
      const started = performance.now();
      try {
        await convolveBlocksOnDisk({
          a: x.info, b: y.info, out, offset: 0, scratch, method: 'transform2d', digitSize: d,
          ...(blockArg > 0 ? { blockSize: blockArg } : {}),
          faultHook: (dd, row, unit) => {
            if (dd !== d) return;
            seen = true;
            const inv = 1 / unit;
            for (let q = 0; q < row.length; q++) {
              const v = row[q]! * inv;
              const e = Math.abs(v - Math.round(v));
              if (e > worst) worst = e;
            }
            s = row.length / 2;
            M = unit / s;
          },
        });
      } finally {
        await out.abort();
        scratch.remove();
        x.free();
        y.free();
        rmSync(pa, { force: true });
        rmSync(pb, { force: true });
      }
      const seconds = (performance.now() - started) / 1000;
      const inner = s || Math.min(blockArg || MAX_INNER_SIZE, MAX_INNER_SIZE);
      const n = Math.ceil(N / d) + 1;
      const meanSquare = kind === 'extreme' ? (10 ** d / 2 - 1) ** 2 : (10 ** (2 * d) - 1) / 12;
      const M2 = M || outerLength(blockCount(N, d, inner), blockCount(N, d, inner));
      const estimate = transform2DEstimate(inner, M2, meanSquare * n);
      rows.push({
        N: N.toExponential(1), d, s: inner, M: M2, measured: seen ? worst.toExponential(2) : 'n/a', estimate: estimate.toExponential(2),
        proven: transform2DBound(inner, M2, meanSquare * n).toExponential(2), 'measured/estimate': (worst / estimate).toFixed(3), seconds: seconds.toFixed(1),
      });
      console.log(JSON.stringify(rows[rows.length - 1]));
    }
  }
} finally {
  if (!dirArg) rmSync(dir, { recursive: true, force: true });
}
printTable(rows);
