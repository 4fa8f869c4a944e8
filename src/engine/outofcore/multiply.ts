/**
 * outofcore/multiply — products of operands larger than the memory budget, written least significant block first
 * into the result file. Two methods, chosen by kernel/planner.ts `planOutOfCore` from the block counts:
 *
 * - the 2-D transform (transform2d.ts): the block index is transformed too, so the cost grows like n log n at any
 *   size the disk holds. Used for more than a few blocks; its header has the design, the bound and the I/O per pass.
 * - the block convolution (this file), for a few blocks: block spectra cached on disk, each diagonal Σ Â_i·B̂_j
 *   accumulated in memory from pairs of spectra read back. It reuses the in-memory block transform unchanged and
 *   needs no row file, but reads n² pairs of spectra: it loses beyond a handful of blocks.
 *
 * Block convolution. Each operand is cut, least significant first, into blocks of `size` balanced base-10^d
 * digits (blocks.ts). Pass 1 transforms every block once (A_i → Â_i) and writes the untangled spectra to a scratch
 * file (16·size bytes each). Pass 2, for each diagonal k, accumulates Σ_{i+j=k} Â_i·B̂_j in memory,
 * inverse-transforms once, rounds, adds the overlapping upper half of the previous diagonal, carries, and hands
 * size finished base-10^d digits to the ProductWriter, which puts them back to front into the output file
 * (positions are known: digit p from the right lives at offset + reserved − 1 − p). Squaring reads one set of
 * spectra and visits each pair i < j once (weight 2).
 *
 * Checks (both methods). The digit size d is the largest whose rounding-error bound (blockConvolutionBound, with the
 * operands' ACTUAL norms measured during pass 1) is < 1/2 — for the 2-D transform, whose bound with the norms
 * (transform2DBound) is < 1/2 or under its measured policy limit (transform2d.ts header); every output's distance to the
 * nearest integer is also measured (> 1/4 means a fault: redo with smaller digits); and the product's residue modulo
 * a random prime must equal the product of the operands' residues (residue.ts).
 *
 * Memory: 64·size bytes (accumulator and two block spectra, 48·size; the pending upper half, 8·size; a diagonal's
 * text, d·size <= 4·size; pass 1's block and balancer, 28·size, freed before pass 2; twiddles); the 2-D
 * transform plans its column pass within the same share (transform2d.ts `chunkColumns`). Both work in the wasm
 * memory only (kernel/transform.ts WasmBlock, RowSettler), like the in-memory products: a division or a power runs
 * in-memory and out-of-core products one after the other, and the wasm memory never shrinks, so working sets kept
 * anywhere else would add to the largest one the wasm memory was grown to instead of reusing it (and, as JS arrays,
 * stay resident until V8 collects them). The block convolution's 128 MiB of Float64Arrays at 256 MiB took the
 * out-of-core division 10^8 / 5·10^7 to 485 MiB peak RSS (docs/ARCHITECTURE.md §5, "Out-of-core division").
 */
import { getConfig } from '../../config.js';
import { ArithmeticCheckError } from '../../errors.js';
import { BUDGET_SHARES } from '../../kernel/budget.js';
import { cosN, releaseFftCaches, MAX_ROUNDING_ERROR } from '../../kernel/fft.js';
import { planOutOfCore, type OutOfCoreMethod } from '../../kernel/planner.js';
import { RowSettler, WasmBlock, blockConvolutionBound, forwardBlockAt, inverseBlockAt, multiplyAccumulateAt } from '../../kernel/transform.js';
import type { AtomicFile, DigitFileInfo } from '../../storage/index.js';
import { progressReporter, throwIfCancelled, type OperationOptions } from '../context.js';
import { mulMod } from './residue.js';
import { randomCheckPrime } from '../../kernel/check-prime.js';
import { RecordFile, type ScratchDir } from './scratch.js';
import { blockCount, readBalancedBlocks, ProductWriter, type BalancedOperand } from './blocks.js';
import { MAX_INNER_SIZE, initialDigitSize2D, multiply2D, transform2DScratchBytes, type Transform2DOptions } from './transform2d.js';

/** Working bytes of the block convolution per unit of block size. */
export const BYTES_PER_BLOCK_POINT = 64;
const MIN_BLOCK = 1 << 10;
/**
 * The largest block: the block convolution's working set lives in the wasm memory (its 64·size bytes: 1 GiB at 2^24,
 * beside the tables and whatever else the operation keeps there), whose wasm32 limit is 4 GiB; a larger block would
 * make a budget of 8 GiB or more fail where a smaller one works. Reached from budgets of 4 GiB on (the 2-D transform
 * caps its inner blocks far below, at MAX_INNER_SIZE).
 */
const MAX_BLOCK = 1 << 24;

/** The largest power-of-two block size whose working set fits the budget (at most MAX_BLOCK). */
export function blockSizeForBudget(budget: number): number {
  let size = MIN_BLOCK;
  while (size < MAX_BLOCK && 2 * size * BYTES_PER_BLOCK_POINT <= budget * BUDGET_SHARES.outOfCoreBlocks) size *= 2;
  return size;
}

/** Inner block size for operands of these digit counts: the budget's, halved while a block is far longer than the operands. */
function blockSizeFor(aDigits: number, bDigits: number, budget: number, override?: number): number {
  const longest = Math.max(aDigits, bDigits);
  let size = override ?? blockSizeForBudget(budget);
  while (size > MIN_BLOCK / 8 && size / 2 >= Math.ceil(longest / 3) + 1) size /= 2;
  return size;
}

/**
 * The method an out-of-core product of these operands uses with the budget's blocks of `size`: planOutOfCore on the
 * block counts at the 2-D transform's inner size (min(size, MAX_INNER_SIZE)) and at the digit size its policy picks
 * for random digits (d = 3 from 4·10^7 to ~1.8·10^9 digits). Counted at the budget's own block size, a large budget
 * would keep the block convolution with a few huge blocks, which is slower than the 2-D transform with blocks that
 * fit the caches: 4·10^8-digit operands at 8 GiB, 3 × 3 blocks of 2^26 points, took 145 s (81 CPU s) where the 2-D
 * transform at 256 MiB took 97 s (68 CPU s), same run.
 */
function planFor(aDigits: number, bDigits: number | undefined, size: number, forced?: OutOfCoreMethod): OutOfCoreMethod {
  if (forced) return forced;
  const inner = Math.min(size, MAX_INNER_SIZE);
  const d = initialDigitSize2D(aDigits, bDigits ?? aDigits, inner);
  return planOutOfCore(blockCount(aDigits, d, inner), bDigits === undefined ? undefined : blockCount(bDigits, d, inner));
}

/**
 * Bytes of scratch files an out-of-core product of operands of these digit counts writes (b undefined: a square),
 * for the engine to refuse up front what the disk cannot hold: block spectra, and for the 2-D transform its product
 * rows. The 2-D transform is counted at the digit size its policy picks for random digits (transform2d.ts
 * initialDigitSize2D: d = 3 from 4·10^7 to ~1.8·10^9 digits, so 1.6·10^9 × 1.6·10^9 counts 34 GB, not the 51 GB of
 * d = 2); operands whose digits sit at the extremes get d = 2 from ~6·10^8 digits and need 1.5× that, so on a disk
 * between the two they end midway in a DiskFullError (no temp file, no row; a resumable run keeps its checkpoint).
 * The block convolution (a few blocks) is counted at d = 2 (the smallest digit size its bound picks up to ~10^10
 * digits). d = 1 would need twice as much and happens only for adversarial operands, which then fail the same way.
 * @example productScratchBytes(4e8, 4e8, 256 * 2 ** 20) // ~8.5 GB: spectra 4.3 GB, rows 4.3 GB (d = 3)
 */
export function productScratchBytes(aDigits: number, bDigits: number | undefined, budget = getConfig().memoryBudget, blockSize?: number): number {
  const size = blockSizeFor(aDigits, bDigits ?? aDigits, budget, blockSize);
  if (planFor(aDigits, bDigits, size) === 'transform2d') {
    const inner = Math.min(size, MAX_INNER_SIZE);
    const d = initialDigitSize2D(aDigits, bDigits ?? aDigits, inner);
    return transform2DScratchBytes(inner, blockCount(aDigits, d, inner), bDigits === undefined ? undefined : blockCount(bDigits, d, inner));
  }
  const d = 2;
  return 16 * size * (blockCount(aDigits, d, size) + (bDigits === undefined ? 0 : blockCount(bDigits, d, size)));
}

/** Decimal digits of a small positive multiplier (0 for 1). */
function extraDigits(scale: number): number {
  return scale === 1 ? 0 : String(scale).length;
}

/** Digits an out-of-core product of these sizes reserves in its output (the product may be one or more shorter). */
export function reservedDigits(aDigits: number, bDigits: number, scale = 1): number {
  return aDigits + bDigits + extraDigits(scale);
}

/** The out-of-core product's request; its Transform2DOptions (journal, read hook, test knobs) go to the 2-D transform, the read hook to the block convolution too. */
export interface MultiplyRequest extends Transform2DOptions {
  readonly a: DigitFileInfo;
  /** Second factor; undefined squares `a`. */
  readonly b?: DigitFileInfo;
  /** A small multiplier (1 ≤ scale ≤ 2^26) folded into the output stream (pow's square-and-multiply). */
  readonly scale?: number;
  /** Output file and the byte offset of the first reserved digit. */
  readonly out: AtomicFile;
  readonly offset: number;
  readonly scratch: ScratchDir;
  /** Block size override (tests use tiny blocks); default from the memory budget. */
  readonly blockSize?: number;
  readonly options?: OperationOptions;
  readonly operation?: string;
  /** Method override (tests); default: kernel/planner.ts planOutOfCore. */
  readonly method?: OutOfCoreMethod;
}

export interface MultiplyOutcome {
  /** Digits written at [offset, offset + reserved). */
  readonly reserved: number;
  /** Leading zeros among them: the product has reserved − leadingZeros digits. */
  readonly leadingZeros: number;
}

/** Count of out-of-core products run in this process (diagnostics: tests check the routing with it). */
export let outOfCoreProducts = 0;

/**
 * Writes |a|·|b|·scale (digits only) into `out` at `offset`, least significant block first, by the method
 * planOutOfCore picks.
 * @throws ArithmeticCheckError when a check fails at every digit size (the result is never written wrong).
 * @throws StorageError when a scratch or output file cannot be written or read.
 */
export async function convolveBlocksOnDisk(request: MultiplyRequest): Promise<MultiplyOutcome> {
  const { a, b, out, offset, scratch } = request;
  outOfCoreProducts++;
  const scale = request.scale ?? 1;
  const options = request.options ?? {};
  const operation = request.operation ?? 'mul';
  const square = b === undefined;
  const bDigits = square ? a.digitCount : b.digitCount;
  const reserved = reservedDigits(a.digitCount, bDigits, scale);
  const size = blockSizeFor(a.digitCount, bDigits, getConfig().memoryBudget, request.blockSize);
  if (cosN > 2 * size) releaseFftCaches(); // a larger twiddle table left by an in-memory product would count against the budget
  if (planFor(a.digitCount, square ? undefined : bDigits, size, request.method) === 'transform2d') {
    const outcome = await multiply2D({
      ...request, // its Transform2DOptions
      a, b, scale, out, offset, reserved, scratch, size: Math.min(size, MAX_INNER_SIZE), options, operation,
    });
    return { reserved, leadingZeros: reserved - outcome.significantDigits };
  }
  await request.beforeRead?.(); // the block convolution reads the operands at once
  for (let d = initialDigitSize(a.digitCount, bDigits, size); d >= 1; d--) {
    const p = randomCheckPrime();
    const cacheA = await RecordFile.create(scratch.newPath('spectra-a'), 16 * size);
    const cacheB = square ? cacheA : await RecordFile.create(scratch.newPath('spectra-b'), 16 * size);
    try {
      // One tick per transformed operand block, one per diagonal.
      const blocksA = blockCount(a.digitCount, d, size), blocksB = blockCount(bDigits, d, size);
      const progressTotal = blocksA + (square ? 0 : blocksB) + blocksA + blocksB - 1;
      const report = progressReporter(options, progressTotal);
      let done = 0;
      const tick = () => report(++done, 'spectra');
      const ta = await transformOperand(a, d, size, cacheA, p, options, operation, tick);
      const tb = square ? ta : await transformOperand(b, d, size, cacheB, p, options, operation, tick);
      const terms = Math.min(ta.blocks, tb.blocks);
      if (blockConvolutionBound(size, terms, Math.sqrt(ta.sumSquares * tb.sumSquares)) >= 0.5) continue;
      const writer = new ProductWriter(out, offset, reserved, d, scale, p);
      const ok = await convolve(ta.blocks, tb.blocks, square, cacheA, cacheB, size, d, writer, options, operation, () => report(++done, 'rows'));
      if (!ok) continue;
      await writer.finish();
      const expected = mulMod(mulMod(ta.residue, tb.residue, p), scale % p, p);
      if (writer.residue !== expected) {
        throw new ArithmeticCheckError(`${operation}: out-of-core product failed its check modulo ${p}; the result was discarded`);
      }
      report(progressTotal, 'rows');
      return { reserved, leadingZeros: reserved - writer.significantDigits };
    } finally {
      await cacheA.close();
      if (!square) await cacheB.close();
      scratch.removeFile(cacheA.path);
      if (!square) scratch.removeFile(cacheB.path);
    }
  }
  throw new ArithmeticCheckError(`${operation}: out-of-core product of ${a.digitCount}×${bDigits} digits exceeds the FFT error bound at every digit size`);
}


/** Largest digit size whose bound holds for operands with random digits (mean square (10^d/2)²/3); pass 1 then checks the actual norms. */
function initialDigitSize(aDigits: number, bDigits: number, size: number): number {
  for (const d of [4, 3, 2]) {
    const na = Math.ceil(aDigits / d) + 1, nb = Math.ceil(bDigits / d) + 1;
    const h = 10 ** d / 2;
    const terms = Math.min(blockCount(aDigits, d, size), blockCount(bDigits, d, size));
    if (blockConvolutionBound(size, terms, (h * h * Math.sqrt(na * nb)) / 3) < 0.5) return d;
  }
  return 1;
}

/**
 * Pass 1: transforms every block of the operand (blocks.ts balances them) and caches its untangled spectrum (16·size
 * bytes, interleaved) as record i.
 */
async function transformOperand(
  src: DigitFileInfo,
  d: number,
  size: number,
  cache: RecordFile,
  p: number,
  options: OperationOptions,
  operation: string,
  tick: () => void,
): Promise<BalancedOperand> {
  const block = new WasmBlock(size);
  try {
    return await readBalancedBlocks(src, d, size, p, options, operation, async (i, coefficients) => {
      // Coefficient q at double q: the complex points x_j = c_2j + i·c_2j+1, zero-padded by forwardBlockAt.
      block.doubles().subarray(0, size).set(coefficients);
      forwardBlockAt(block, size);
      await cache.write(i, [block.doubles()]);
      tick();
    });
  } finally {
    block.free();
  }
}

/**
 * Pass 2: diagonal by diagonal, the product's base-10^d digits, least significant first, into the writer (rounded,
 * overlapped with the previous diagonal's upper half and carried by the compiled RowSettler, as the 2-D transform's
 * rows). Returns false when an output's rounding error exceeds MAX_ROUNDING_ERROR (a fault: the caller retries with
 * smaller digits).
 */
async function convolve(
  na: number,
  nb: number,
  square: boolean,
  cacheA: RecordFile,
  cacheB: RecordFile,
  size: number,
  d: number,
  writer: ProductWriter,
  options: OperationOptions,
  operation: string,
  tick: () => void,
): Promise<boolean> {
  const acc = new WasmBlock(size);
  const x = new WasmBlock(size);
  const y = new WasmBlock(size);
  const settler = new RowSettler(size); // the previous diagonal's upper half, rounded, with its carry folded in
  const scale = 1 / size; // the inverse block transform gives size times the coefficient: exact
  try {
    for (let k = 0; k < na + nb - 1; k++) {
      throwIfCancelled(options, operation);
      acc.doubles().fill(0);
      const first = Math.max(0, k - nb + 1);
      const last = Math.min(k, na - 1);
      if (square) {
        for (let i = first; i < k - i; i++) {
          await cacheA.read(i, [x.doubles()]);
          await cacheA.read(k - i, [y.doubles()]);
          multiplyAccumulateAt(acc, x, y, size, 2);
        }
        if (k % 2 === 0 && k / 2 <= last) {
          await cacheA.read(k / 2, [x.doubles()]);
          multiplyAccumulateAt(acc, x, x, size, 1);
        }
      } else {
        for (let i = first; i <= last; i++) {
          await cacheA.read(i, [x.doubles()]);
          await cacheB.read(k - i, [y.doubles()]);
          multiplyAccumulateAt(acc, x, y, size, 1);
        }
      }
      inverseBlockAt(acc, size);
      const row = settler.settle(acc, scale, d, writer.multiplier, writer.multiplierCarry);
      if (!(row.maxError <= MAX_ROUNDING_ERROR)) return false; // NaN fails too
      await writer.pushText(settler.text(d), row.multCarry);
      tick();
    }
    // The last diagonal's upper half, carried.
    await writer.pushCarriedTail(settler.pendingView(), size, operation);
    return true;
  } finally {
    settler.free();
    y.free();
    x.free();
    acc.free();
  }
}
