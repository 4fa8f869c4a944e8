/**
 * outofcore/product — the out-of-core multiplication as an engine operation: disk guard, scratch
 * folder, the block convolution into a staged result file, the sign, and the trim of a leading zero.
 */
import type { StreamNumber } from '../../number.js';
import type { AtomicFile } from '../../storage/index.js';
import { ensureResultFits, type OperationOptions } from '../context.js';
import { MINUS, writeResult, type ResultShape } from '../result.js';
import { convolveBlocksOnDisk, productScratchBytes, reservedDigits, type MultiplyOutcome } from './multiply.js';
import type { OutOfCoreMethod } from '../../kernel/planner.js';
import { ScratchDir } from './scratch.js';
import { getConfig } from '../../config.js';

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

/** |x|·|y| with the given sign, out of core; both operands non-zero. */
export async function mulOutOfCore(
  x: StreamNumber,
  y: StreamNumber,
  negative: boolean,
  options: OperationOptions = {},
  tuning: OutOfCoreTuning = {},
): Promise<StreamNumber> {
  const square = x.info.path === y.info.path && x.info.start === y.info.start && x.digitCount === y.digitCount;
  const scratchBytes = productScratchBytes(x.digitCount, square ? undefined : y.digitCount, getConfig().memoryBudget, tuning.blockSize);
  ensureResultFits('mul', x.digitCount + y.digitCount, scratchBytes);
  const scratch = ScratchDir.create();
  try {
    return await writeResult(async (file) => {
      const sign = negative ? 1 : 0;
      const outcome = await convolveBlocksOnDisk({
        a: x.info,
        b: square ? undefined : y.info,
        out: file,
        offset: sign,
        scratch,
        blockSize: tuning.blockSize,
        method: tuning.method,
        chunkColumns: tuning.chunkColumns,
        options,
        operation: 'mul',
      });
      return settleProduct(file, negative, outcome);
    });
  } finally {
    scratch.remove();
  }
}

export { reservedDigits };
