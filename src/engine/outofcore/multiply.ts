/**
 * outofcore/multiply — products of operands larger than the memory budget, by a block convolution
 * with block spectra cached on disk.
 *
 * Why this design (and not apfloat's disk four-step/six-step "two-pass" NTT): a block convolution
 * reuses the in-memory FFT of kernel/fft.ts unchanged (same proven error bound, same speed), keeps
 * every disk access a large sequential read of one block spectrum, and produces the product least
 * significant block first, so it can be written straight into the result file with no second pass.
 * Its cost is ~4n block transforms for n blocks per operand, against ~3 full-length transforms in
 * memory (which cost about the same as 3n block transforms), plus n² cheap pointwise products:
 * within 2× of the in-memory product for the block counts a sane budget gives (n ≤ 16). A disk
 * four-step transform needs matrix transposes on disk (two full passes per transform) and its own
 * twiddle error analysis; it wins only when n is large, i.e. when memory is tiny compared to the data.
 *
 * Method. Each operand is cut, least significant first, into blocks of `size` balanced base-10^d
 * digits (kernel/transform.ts). Pass 1 transforms every block once (A_i → Â_i) and writes the
 * untangled spectra to a scratch file (16·size bytes each). Pass 2, for each diagonal k, accumulates
 * Σ_{i+j=k} Â_i·B̂_j in memory, inverse-transforms once, rounds, adds the overlapping upper half of the
 * previous diagonal, carries, and hands size finished base-10^d digits to the writer, which puts
 * them back to front into the output file (positions are known: digit p from the right lives at
 * offset + reserved − 1 − p). Squaring reads one set of spectra and visits each pair i < j once
 * (weight 2).
 *
 * Checks. The digit size d is the largest whose rounding-error bound (blockConvolutionBound, with the
 * operands' ACTUAL norms measured during pass 1) is < 1/2; every output's distance to the nearest
 * integer is also measured (> 1/4 means a fault: redo with smaller digits); and the product's
 * residue modulo a random prime must equal the product of the operands' residues (residue.ts).
 *
 * Memory: 64·size bytes (accumulator, two block spectra, carry-over half, digit buffers, twiddles).
 */
import { getConfig } from '../../config.js';
import { ArithmeticCheckError } from '../../errors.js';
import { BUDGET_SHARES } from '../../kernel/budget.js';
import { cosN, releaseFftCaches, MAX_ROUNDING_ERROR } from '../../kernel/fft.js';
import { blockConvolutionBound, forwardBlock, inverseBlock, multiplyAccumulate, newSpectrum, type Spectrum } from '../../kernel/transform.js';
import { DigitReader, type AtomicFile, type DigitFileInfo } from '../../storage/index.js';
import { progressReporter, throwIfCancelled, type OperationOptions } from '../context.js';
import { BackwardResidue, mulMod } from './residue.js';
import { randomCheckPrime } from '../../kernel/check-prime.js';
import { RecordFile, type ScratchDir } from './scratch.js';

/** Working bytes of the block convolution per unit of block size. */
export const BYTES_PER_BLOCK_POINT = 64;
const MIN_BLOCK = 1 << 10;

/** The largest power-of-two block size whose working set fits the budget. */
export function blockSizeForBudget(budget: number): number {
  let size = MIN_BLOCK;
  while (2 * size * BYTES_PER_BLOCK_POINT <= budget * BUDGET_SHARES.outOfCoreBlocks) size *= 2;
  return size;
}

/** Bytes of cached spectra for operands of these digit counts (d = 3, the usual digit size); b undefined = squaring. */
export function spectraBytes(aDigits: number, bDigits: number | undefined, size: number): number {
  const blocks = (digits: number) => Math.ceil((Math.ceil(digits / 3) + 1) / size);
  return 16 * size * (blocks(aDigits) + (bDigits === undefined ? 0 : blocks(bDigits)));
}

/** Decimal digits of a small positive multiplier (0 for 1). */
function extraDigits(scale: number): number {
  return scale === 1 ? 0 : String(scale).length;
}

/** Digits an out-of-core product of these sizes reserves in its output (the product may be one or more shorter). */
export function reservedDigits(aDigits: number, bDigits: number, scale = 1): number {
  return aDigits + bDigits + extraDigits(scale);
}

export interface MultiplyRequest {
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
}

export interface MultiplyOutcome {
  /** Digits written at [offset, offset + reserved). */
  readonly reserved: number;
  /** Leading zeros among them: the product has reserved − leadingZeros digits. */
  readonly leadingZeros: number;
}

/** Count of out-of-core products run in this process (diagnostics: tests check the routing with it). */
export let outOfCoreProducts = 0;

/** Writes |a|·|b|·scale (digits only) into `out` at `offset`, least significant block first. */
export async function convolveBlocksOnDisk(request: MultiplyRequest): Promise<MultiplyOutcome> {
  const { a, b, out, offset, scratch } = request;
  outOfCoreProducts++;
  const scale = request.scale ?? 1;
  const options = request.options ?? {};
  const operation = request.operation ?? 'mul';
  const square = b === undefined;
  const bDigits = square ? a.digitCount : b.digitCount;
  const reserved = reservedDigits(a.digitCount, bDigits, scale);
  const longest = Math.max(a.digitCount, bDigits);
  let size = request.blockSize ?? blockSizeForBudget(getConfig().memoryBudget);
  while (size > MIN_BLOCK / 8 && size / 2 >= Math.ceil(longest / 3) + 1) size /= 2;
  if (cosN > 2 * size) releaseFftCaches(); // a larger twiddle table left by an in-memory product would count against the budget

  const work = newSpectrum(size);
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
      const tick = () => report(++done);
      const ta = await transformOperand(a, d, size, cacheA, work, p, options, operation, tick);
      const tb = square ? ta : await transformOperand(b, d, size, cacheB, work, p, options, operation, tick);
      const terms = Math.min(ta.blocks, tb.blocks);
      if (blockConvolutionBound(size, terms, Math.sqrt(ta.sumSquares * tb.sumSquares)) >= 0.5) continue;
      const writer = new ProductWriter(out, offset, reserved, d, scale, p);
      const ok = await convolve(ta.blocks, tb.blocks, square, cacheA, cacheB, size, d, work, writer, options, operation, tick);
      if (!ok) continue;
      await writer.finish();
      const expected = mulMod(mulMod(ta.residue, tb.residue, p), scale % p, p);
      if (writer.residue !== expected) {
        throw new ArithmeticCheckError(`${operation}: out-of-core product failed its check modulo ${p}; the result was discarded`);
      }
      report(progressTotal);
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

function blockCount(digits: number, d: number, size: number): number {
  return Math.ceil((Math.ceil(digits / d) + 1) / size);
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

interface TransformedOperand {
  readonly blocks: number;
  /** Squared Euclidean norm of the balanced digit vector. */
  readonly sumSquares: number;
  readonly residue: number;
}

/**
 * Pass 1: reads the operand least significant block first, converts each block to balanced base-10^d
 * digits (|digit| ≤ 10^d/2, the carry running across blocks), transforms it and caches the spectrum.
 */
async function transformOperand(
  src: DigitFileInfo,
  d: number,
  size: number,
  cache: RecordFile,
  work: Spectrum,
  p: number,
  options: OperationOptions,
  operation: string,
  tick: () => void,
): Promise<TransformedOperand> {
  const B = 10 ** d;
  const half = B / 2;
  const residue = new BackwardResidue(p);
  const reader = await DigitReader.open(src);
  const buffer = Buffer.allocUnsafe(d * size);
  let carry = 0;
  let sumSquares = 0;
  let blocks = 0;
  try {
    for (let end = src.digitCount; end > 0 || carry !== 0; end -= d * size) {
      throwIfCancelled(options, operation);
      const from = Math.max(0, end - d * size);
      const digits = end > 0 ? await reader.read(from, end - from, buffer) : buffer.subarray(0, 0);
      residue.add(digits);
      work.re.fill(0);
      work.im.fill(0);
      let q = 0;
      for (let hi = digits.length; hi > 0; hi -= d, q++) {
        let v = 0;
        for (let i = Math.max(0, hi - d); i < hi; i++) v = v * 10 + digits[i]! - 48;
        v += carry;
        carry = v >= half ? 1 : 0;
        v -= carry * B;
        sumSquares += v * v;
        if ((q & 1) === 0) work.re[q >> 1] = v;
        else work.im[q >> 1] = v;
      }
      if (from === 0 && carry !== 0 && q < size) {
        // The top carry fits in this block as one more digit.
        if ((q & 1) === 0) work.re[q >> 1] = carry;
        else work.im[q >> 1] = carry;
        sumSquares += 1;
        carry = 0;
      }
      forwardBlock(work, size);
      await cache.write(blocks++, [work.re, work.im]);
      tick();
      if (from === 0 && end > 0 && carry === 0) break;
    }
  } finally {
    await reader.close();
  }
  return { blocks, sumSquares, residue: residue.residue };
}

/**
 * Pass 2: diagonal by diagonal, the product's base-10^d digits, least significant first, into the
 * writer. Returns false when an output's rounding error exceeds MAX_ROUNDING_ERROR (a fault: the
 * caller retries with smaller digits).
 */
async function convolve(
  na: number,
  nb: number,
  square: boolean,
  cacheA: RecordFile,
  cacheB: RecordFile,
  size: number,
  d: number,
  acc: Spectrum,
  writer: ProductWriter,
  options: OperationOptions,
  operation: string,
  tick: () => void,
): Promise<boolean> {
  const B = 10 ** d;
  const x = newSpectrum(size);
  const y = newSpectrum(size);
  const pending = new Float64Array(size); // upper half of the previous diagonal, rounded
  const digits = new Float64Array(size);
  const scale = 1 / size;
  for (let k = 0; k < na + nb - 1; k++) {
    throwIfCancelled(options, operation);
    acc.re.fill(0);
    acc.im.fill(0);
    const first = Math.max(0, k - nb + 1);
    const last = Math.min(k, na - 1);
    if (square) {
      for (let i = first; i < k - i; i++) {
        await cacheA.read(i, [x.re, x.im]);
        await cacheA.read(k - i, [y.re, y.im]);
        multiplyAccumulate(acc, x, y, size, 2);
      }
      if (k % 2 === 0 && k / 2 <= last) {
        await cacheA.read(k / 2, [x.re, x.im]);
        multiplyAccumulate(acc, x, x, size, 1);
      }
    } else {
      for (let i = first; i <= last; i++) {
        await cacheA.read(i, [x.re, x.im]);
        await cacheB.read(k - i, [y.re, y.im]);
        multiplyAccumulate(acc, x, y, size, 1);
      }
    }
    inverseBlock(acc, size);
    let maxError = 0;
    let carry = 0;
    for (let q = 0; q < size; q++) {
      const low = ((q & 1) === 0 ? acc.re[q >> 1]! : acc.im[q >> 1]!) * scale;
      const lowRounded = Math.round(low);
      const high = ((q & 1) === 0 ? acc.re[(q + size) >> 1]! : acc.im[(q + size) >> 1]!) * scale;
      const highRounded = Math.round(high);
      const error = Math.max(Math.abs(low - lowRounded), Math.abs(high - highRounded));
      maxError = Math.max(maxError, error); // NaN propagates and fails the test below
      const v = lowRounded + pending[q]! + carry;
      carry = Math.floor(v / B);
      digits[q] = v - carry * B;
      pending[q] = highRounded;
    }
    if (!(maxError <= MAX_ROUNDING_ERROR)) return false;
    pending[0] += carry;
    await writer.push(digits, size);
    tick();
  }
  // The last diagonal's upper half, carried.
  let carry = 0;
  for (let q = 0; q < size; q++) {
    const v = pending[q]! + carry;
    carry = Math.floor(v / B);
    digits[q] = v - carry * B;
  }
  if (carry !== 0) throw new ArithmeticCheckError(`${operation}: out-of-core product overflows its length: internal fault`);
  await writer.push(digits, size);
  return true;
}

/**
 * Receives the product's base-10^d digits least significant first, multiplies the stream by `scale`,
 * and writes the decimal text back to front into [offset, offset + reserved). Digits beyond the
 * reserved room must be zero. Keeps the residue of what it wrote and where its top non-zero digit is.
 */
class ProductWriter {
  private written = 0; // decimal digits placed, counted from the units digit
  private scaleCarry = 0;
  private readonly residueOfOutput: BackwardResidue;
  /** Decimal digits up to and including the highest non-zero one. */
  significantDigits = 0;

  constructor(
    private readonly file: AtomicFile,
    private readonly offset: number,
    private readonly reserved: number,
    private readonly d: number,
    private readonly scale: number,
    p: number,
  ) {
    this.residueOfOutput = new BackwardResidue(p);
  }

  get residue(): number {
    return this.residueOfOutput.residue;
  }

  async push(digits: Float64Array, count: number): Promise<void> {
    const d = this.d;
    const B = 10 ** d;
    const text = Buffer.allocUnsafe(count * d);
    let carry = this.scaleCarry;
    const scale = this.scale;
    for (let q = 0; q < count; q++) {
      let v = digits[q]! * scale + carry;
      carry = Math.floor(v / B);
      v -= carry * B;
      for (let i = (count - q) * d - 1, j = 0; j < d; j++, i--) {
        const r = v % 10;
        text[i] = 48 + r;
        v = (v - r) / 10;
      }
    }
    this.scaleCarry = carry;
    await this.place(text);
  }

  /** Flushes what the scaling carried past the last digit. */
  async finish(): Promise<void> {
    if (this.scaleCarry === 0) return;
    const text = Buffer.from(String(this.scaleCarry), 'latin1');
    this.scaleCarry = 0;
    await this.place(text);
  }

  private async place(text: Buffer): Promise<void> {
    this.residueOfOutput.add(text);
    const top = this.written + text.length; // digits placed after this chunk
    const firstNonZero = text.findIndex((c) => c !== 48);
    if (firstNonZero >= 0) this.significantDigits = Math.max(this.significantDigits, top - firstNonZero);
    const excess = Math.max(0, top - this.reserved);
    if (excess > 0 && firstNonZero >= 0 && firstNonZero < excess) {
      throw new ArithmeticCheckError('out-of-core product has more digits than reserved: internal fault');
    }
    if (excess < text.length) await this.file.writeAt(this.offset + this.reserved - top + excess, text.subarray(excess));
    this.written = top;
  }
}
