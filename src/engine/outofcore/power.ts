/**
 * outofcore/power — a^e for results beyond the memory budget: left-to-right square-and-multiply where
 * every step is an out-of-core product (multiply.ts) from one file to the next.
 *
 * A small base (|a| ≤ 2^26, e.g. 9^(9^9)) costs no extra pass: the multiplication by a is folded into
 * the squaring's output stream (multiply.ts's `scale`). A large base takes a second product per set
 * bit. Intermediates are unpublished files in the operation's scratch folder, kept with their leading
 * zero (a product may be one digit shorter than reserved; readers start past it), each deleted as
 * soon as the next one is written; the last step writes into the staged result. Peak disk: the
 * result, the previous intermediate (half its size) and the cached spectra (about 2.7 bytes per digit
 * of the squared operand).
 */
import { InvalidArgumentError } from '../../errors.js';
import type { StreamNumber } from '../../number.js';
import { AtomicFile, type DigitFileInfo } from '../../storage/index.js';
import { ensureResultFits, throwIfCancelled, type OperationOptions } from '../context.js';
import { writeResult } from '../result.js';
import { getConfig } from '../../config.js';
import { convolveBlocksOnDisk, productScratchBytes, type MultiplyOutcome } from './multiply.js';
import type { OutOfCoreTuning } from './product.js';
import { settleProduct } from './product.js';
import { ScratchDir } from './scratch.js';

/** Largest base folded into the output stream (scale · base-10^4 digit + carry stays exact). */
const FOLD_LIMIT = 2 ** 26;

interface Intermediate {
  readonly file: AtomicFile;
  readonly info: DigitFileInfo;
}

function intermediateInfo(file: AtomicFile, outcome: MultiplyOutcome): DigitFileInfo {
  const digitCount = outcome.reserved - outcome.leadingZeros;
  return {
    path: file.tempPath,
    negative: false,
    start: outcome.leadingZeros,
    end: outcome.reserved,
    digitCount,
    isZero: false,
    sizeBytes: outcome.reserved,
  };
}

/**
 * |a|^e with the given sign, out of core. `a` is not zero or ±1, e >= 2, and `estimatedDigits` is the
 * result's size estimate (for the disk guard and progress).
 */
export async function powOutOfCore(
  x: StreamNumber,
  exponent: number,
  negative: boolean,
  estimatedDigits: number,
  options: OperationOptions = {},
  tuning: OutOfCoreTuning = {},
): Promise<StreamNumber> {
  if (!Number.isSafeInteger(exponent) || exponent < 2) throw new InvalidArgumentError(`pow: out-of-core exponent ${exponent} must be >= 2`);
  const small = x.digitCount <= 8 ? Number(x.toString().replace('-', '')) : undefined;
  const fold = small !== undefined && small <= FOLD_LIMIT ? small : undefined;
  // Result + previous intermediate + the last squaring's scratch files.
  const half = Math.ceil(estimatedDigits / 2);
  ensureResultFits('pow', estimatedDigits, half + productScratchBytes(half, undefined, getConfig().memoryBudget, tuning.blockSize) + (1 << 20));

  const bits = exponent.toString(2);
  // Work of a step ~ digits squared at that step; progress weighs steps by their result size.
  const stepDigits: number[] = [];
  for (let i = 1; i < bits.length; i++) stepDigits.push(estimatedDigits / 2 ** (bits.length - 1 - i));
  const totalWork = stepDigits.reduce((s, v) => s + v, 0);
  let workDone = 0;
  const stepOptions = (share: number): OperationOptions => ({
    signal: options.signal,
    onProgress: options.onProgress
      ? (done, total, phase) => options.onProgress!(Math.min(totalWork, workDone + (share * done) / total), totalWork, phase)
      : undefined,
  });

  const scratch = ScratchDir.create();
  let current: Intermediate | undefined;
  const base = x.info;
  try {
    // One step: file ← current² (·a folded) ; then, for a large base with this bit set, file ← that · a.
    const step = async (i: number, out: AtomicFile, offset: number): Promise<MultiplyOutcome> => {
      throwIfCancelled(options, 'pow');
      const bit = bits[i] === '1';
      const source = current?.info ?? base;
      const share = stepDigits[i - 1]!;
      if (bit && fold === undefined) {
        const squared = await AtomicFile.create(scratch.path);
        const outcome = await convolveBlocksOnDisk({
          a: source, out: squared, offset: 0, scratch, blockSize: tuning.blockSize, method: tuning.method, chunkColumns: tuning.chunkColumns, options: stepOptions(share / 2), operation: 'pow',
        });
        await replaceCurrent({ file: squared, info: intermediateInfo(squared, outcome) });
        workDone += share / 2;
        return convolveBlocksOnDisk({
          a: current!.info, b: base, out, offset, scratch, blockSize: tuning.blockSize, method: tuning.method, chunkColumns: tuning.chunkColumns, options: stepOptions(share / 2), operation: 'pow',
        });
      }
      return convolveBlocksOnDisk({
        a: source, scale: bit ? fold : 1, out, offset, scratch, blockSize: tuning.blockSize, method: tuning.method, chunkColumns: tuning.chunkColumns, options: stepOptions(share), operation: 'pow',
      });
    };
    const replaceCurrent = async (next: Intermediate | undefined): Promise<void> => {
      await current?.file.abort();
      current = next;
    };

    for (let i = 1; i < bits.length - 1; i++) {
      const file = await AtomicFile.create(scratch.path);
      const outcome = await step(i, file, 0).catch(async (error: unknown) => {
        await file.abort();
        throw error;
      });
      await replaceCurrent({ file, info: intermediateInfo(file, outcome) });
      workDone += stepDigits[i - 1]!;
    }
    return await writeResult(async (file) => {
      const sign = negative ? 1 : 0;
      const outcome = await step(bits.length - 1, file, sign);
      await replaceCurrent(undefined);
      return settleProduct(file, negative, outcome);
    });
  } finally {
    await current?.file.abort();
    scratch.remove();
  }
}
