/**
 * outofcore/product — the out-of-core multiplication as an engine operation: disk guard, scratch
 * folder, the block convolution into a staged result file, the sign, and the trim of a leading zero.
 */
import type { StreamNumber } from '../../number.js';
import { AtomicFile } from '../../storage/index.js';
import { progressReporter, throwIfCancelled, type OperationOptions } from '../context.js';
import { MINUS, writeNatResult, writeResult, type ResultShape } from '../result.js';
import {
  CHECK_PRIME, Multiplier, budgetFor, divisionHeldBytes, fftMulDigits, loadedHeldBytes, natMul, planProduct, prepareDigitProduct, releaseFftCaches, type DigitSource,
  type ProductPlan,
} from '../../kernel/index.js';
import type { DigitReader } from '../../storage/index.js';
import { loadNat } from '../load.js';
import { convolveBlocksOnDisk, productScratchBytes, reservedDigits, type MultiplyOutcome } from './multiply.js';
import type { OutOfCoreMethod } from '../../kernel/planner.js';
import { resumableRun } from './resume.js';
import { getConfig } from '../../config.js';

/** The tag under which a resumable product records its units in its journal. */
const PRODUCT_TAG = 'mul';

/**
 * Whether the product of file operands of these digit counts, loaded as limbs, runs out of core (the planner's call,
 * kernel/planner.ts, 'files' operands: budget.ts loadedHeldBytes): the question an operation that loads its operands
 * asks before it loads anything (the square root in memory; the division's and power's largest products below), with
 * `held` bytes beside the product.
 * @example plannedOutOfCore(10, 10) // false
 */
export function plannedOutOfCore(aDigits: number, bDigits: number, held = 0, square = false): boolean {
  const budget = budgetFor('inMemory') - held;
  return budget <= 0 || planProduct(aDigits, bDigits, { operands: 'files', square, budget }).method === 'outOfCore';
}

/**
 * Whether a division of an `aDigits`-digit dividend by a `bDigits`-digit divisor runs out of core. In memory it holds
 * its largest product, the quotient-sized estimate or the remainder q·b (q = a − b + 1 digits: q × max(q, b) bounds
 * both), loaded, beside what budget.ts `divisionHeldBytes` counts; that product may be one FFT or one budget split.
 * @example divisionPlannedOutOfCore(2e7, 1e7) // false at the default 1 GiB
 */
export function divisionPlannedOutOfCore(aDigits: number, bDigits: number): boolean {
  const q = Math.max(1, aDigits - bDigits + 1);
  return plannedOutOfCore(q, Math.max(q, bDigits), divisionHeldBytes(aDigits, bDigits));
}

/**
 * The memory budget the products of an in-memory division (kernel natDivMod) plan within: the budget less what the
 * division holds beside its largest product (divisionPlannedOutOfCore's count), so that they split rather than
 * overrun it.
 */
export function divisionMultiplier(aDigits: number, bDigits: number): Multiplier {
  return multiplierBeside(divisionHeldBytes(aDigits, bDigits));
}

/**
 * The Multiplier the products of an in-memory power of `digits` digits plan with: the budget less the loaded last
 * square's operands and result (what powerPlannedOutOfCore counts beside it), so that a square that must split does.
 */
export function powerMultiplier(digits: number): Multiplier {
  const half = Math.ceil(digits / 2);
  return multiplierBeside(loadedHeldBytes(half, half));
}

/** A Multiplier whose products plan within the in-memory budget less `held` bytes (at least one byte). */
function multiplierBeside(held: number): Multiplier {
  return new Multiplier({ budget: Math.max(1, budgetFor('inMemory') - held) });
}

/**
 * Whether a power of `digits` digits runs out of core. In memory its largest product is the last square, of two
 * ⌈digits/2⌉-digit halves, loaded (the previous power is its operand; the base, when it is the last multiplier, is at
 * most that long and its product no longer); one FFT or one budget split.
 * @example powerPlannedOutOfCore(1e8) // false at the default 1 GiB
 */
export function powerPlannedOutOfCore(digits: number): boolean {
  const half = Math.ceil(digits / 2);
  return plannedOutOfCore(half, half, 0, true);
}

/** Whether x and y are the same digits of the same file (a square: one transform, one read). */
function sameOperand(x: StreamNumber, y: StreamNumber): boolean {
  return x.info.path === y.info.path && x.info.start === y.info.start && x.digitCount === y.digitCount;
}

/**
 * The plan of the engine's product x·y (kernel/planner.ts, 'streamed' operands): 'fft' runs it streamed
 * (mulInMemory), 'outOfCore' out of core (mulOutOfCore), any other method in memory on the loaded operands.
 * @example planFileProduct(x, y).method // 'fft' for two 10^6-digit files at the default budget
 */
export function planFileProduct(x: StreamNumber, y: StreamNumber): ProductPlan {
  prepareDigitProduct(x.digitCount, y.digitCount); // before planning, which loads the kernel
  return planProduct(x.digitCount, y.digitCount, { operands: 'streamed', square: sameOperand(x, y) });
}

/** A file's digits as the kernel's DigitSource, through an open reader; a cancelled operation stops at the next piece. */
function digitSource(x: StreamNumber, reader: DigitReader, options: OperationOptions): DigitSource {
  return {
    digits: x.digitCount,
    read: async (from, length, into) => {
      throwIfCancelled(options, 'mul');
      return reader.read(from, length, into);
    },
  };
}

/**
 * |x|·|y| with the given sign, in memory, for products that `planFileProduct` does not plan out of core (progress in
 * three steps: read, multiply, write). A product planned as one FFT is streamed (kernel/digitproduct.ts): the
 * operands go from their files straight into the transforms and the product from them to the result file a piece
 * at a time, so nothing but the transforms is held (what the planner counted). Any other: both operands loaded as
 * limbs, the planner's in-memory product (natMul: small methods or the budget split), one staged result.
 * @throws {CancelledError} when `options.signal` fires between the steps
 */
export async function mulInMemory(x: StreamNumber, y: StreamNumber, negative: boolean, options: OperationOptions): Promise<StreamNumber> {
  const report = progressReporter(options, 3);
  if (planFileProduct(x, y).method === 'fft') {
    // The transform buffers go to the lowest free range that holds them (wasmheap.ts, first fit) and the tables above
    // them; twiddle tables an earlier product of another length left cached sit above that product's freed buffers
    // and pin the heap there, so longer buffers would go above them: the wasm memory would outgrow the plan by what
    // they pin. Freed first, the tables are rebuilt for this length (milliseconds against the product's ~1 s at
    // 10^7 digits). An operation that runs products one after the other (the out-of-core division and square root)
    // thus holds the largest one's plan: isqrt of 10^8 digits at 256 MiB grew the wasm memory to 283 MiB for a
    // 233 MiB product, peak RSS 450 MiB; with this, 227 MiB and 385 (docs/ARCHITECTURE.md §5, "Out-of-core division").
    releaseFftCaches();
    const square = sameOperand(x, y);
    const readers = await Promise.all([x.openReader(), ...(square ? [] : [y.openReader()])]);
    let product;
    try {
      product = await fftMulDigits(digitSource(x, readers[0]!, options), square ? undefined : digitSource(y, readers[1]!, options), {
        checkPrime: CHECK_PRIME,
      });
    } finally {
      await Promise.all(readers.map((r) => r.close()));
    }
    try {
      report(2);
      throwIfCancelled(options, 'mul');
      const result = await writeNatResult(negative, product.value);
      report(3);
      return result;
    } finally {
      product.release();
    }
  }
  const [p, q] = await Promise.all([loadNat(x), loadNat(y)]);
  report(1);
  throwIfCancelled(options, 'mul');
  const product = natMul(p, q);
  report(2);
  throwIfCancelled(options, 'mul');
  const result = await writeNatResult(negative, product);
  report(3);
  return result;
}

/** Tuning knobs for tests: a block size far below what the budget gives exercises many blocks on small operands. */
export interface OutOfCoreTuning {
  readonly blockSize?: number;
  /** Forces the block convolution or the 2-D transform (default: kernel/planner.ts planOutOfCore). */
  readonly method?: OutOfCoreMethod;
  /** Columns per stripe of the 2-D transform (default from the budget). */
  readonly chunkColumns?: number;
}

/**
 * Turns a product written at [sign, sign + reserved) into a canonical result: squeezes out leading
 * zeros (one bounded-memory copy, needed only when the product is shorter than reserved) and writes the sign.
 */
export async function settleProduct(file: AtomicFile, negative: boolean, outcome: MultiplyOutcome): Promise<ResultShape> {
  const sign = negative ? 1 : 0;
  const digitCount = outcome.reserved - outcome.leadingZeros;
  if (outcome.leadingZeros > 0) await file.moveDown(sign + outcome.leadingZeros, digitCount, sign);
  if (negative) await file.writeAt(0, MINUS);
  return { negative, digitCount, isZero: false };
}

/**
 * |x|·|y| with the given sign, out of core; both operands non-zero. With `options.resume` the product works in a
 * checkpoint folder that a rerun after a kill continues from (outofcore/resume.ts).
 * @throws {ResultTooLargeError} the disk cannot hold the result and the scratch (before any work)
 * @throws {DiskFullError} the disk filled up midway
 * @throws {CheckpointBusyError} with `resume`, the same product is being computed by another process
 */
export async function mulOutOfCore(
  x: StreamNumber,
  y: StreamNumber,
  negative: boolean,
  options: OperationOptions = {},
  tuning: OutOfCoreTuning = {},
): Promise<StreamNumber> {
  const square = sameOperand(x, y);
  const scratchBytes = productScratchBytes(x.digitCount, square ? undefined : y.digitCount, getConfig().memoryBudget, tuning.blockSize);
  const spec = { operation: 'mul', operands: square ? [x.info] : [x.info, y.info], parameters: { negative, square } };
  return resumableRun(spec, { digits: x.digitCount + y.digitCount, scratchBytes }, options, async (run) => {
    const finished = await run.finished();
    if (finished) return finished;
    run.resumed(run.recorded(`${PRODUCT_TAG}:`), undefined, 'units of the product');
    return writeResult(async (file) => {
      const sign = negative ? 1 : 0;
      const outcome = await convolveBlocksOnDisk({
        a: x.info,
        b: square ? undefined : y.info,
        out: file,
        offset: sign,
        scratch: run.scratch,
        blockSize: tuning.blockSize,
        method: tuning.method,
        chunkColumns: tuning.chunkColumns,
        options,
        operation: 'mul',
        // A resumable product records its units (outofcore/transform2d.ts): a kill inside it resumes inside it.
        ...(run.durable ? { journal: run.journal, tag: PRODUCT_TAG } : {}),
      });
      if (run.durable) await file.truncate(sign + outcome.reserved); // a reused file may hold more than this product
      return settleProduct(file, negative, outcome);
    }, await run.resultTarget('product.partial'));
  });
}

export { reservedDigits };
