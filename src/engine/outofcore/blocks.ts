/**
 * outofcore/blocks — what both out-of-core product methods (multiply.ts's block convolution, transform2d.ts's 2-D
 * transform) share: the operands' balanced base-10^d digits, block by block, and the writer that puts the product's
 * digits into the output file back to front.
 */
import { ArithmeticCheckError } from '../../errors.js';
import { DigitReader, withChunkBuffers, type AtomicFile, type DigitFileInfo } from '../../storage/index.js';
import { throwIfCancelled, type OperationOptions } from '../context.js';
import { BackwardResidue } from './residue.js';
import { BlockBalancer } from '../../kernel/transform.js';

/**
 * Blocks of `size` balanced base-10^d digits an operand of `digits` decimal digits needs (an upper bound: one more
 * digit for the top carry).
 */
export function blockCount(digits: number, d: number, size: number): number {
  return Math.ceil((Math.ceil(digits / d) + 1) / size);
}

/** What reading an operand as balanced blocks measured. */
export interface BalancedOperand {
  /** Blocks handed to the sink (at most blockCount). */
  readonly blocks: number;
  /** Squared Euclidean norm of the balanced digit vector. */
  readonly sumSquares: number;
  /** The operand's value mod p. */
  readonly residue: number;
}

/** Pieces and their length that sampleMeanSquares reads (64 × 64 KiB: milliseconds, whatever the operand's size). */
const SAMPLES = 64;
const SAMPLE_DIGITS = 1 << 16;

/**
 * Mean square of the operand's balanced base-10^d digits for each d in `digitSizes`, estimated from SAMPLES evenly
 * spaced pieces of the file (the whole file when it is short), so that the 2-D transform can choose its digit size by
 * the operands' norms before its first pass (transform2d.ts): operands whose digits sit at the extremes (mean square
 * (10^d/2)², three times a random digit's) are seen up front and get smaller digits without paying a retry. Groups
 * are aligned on the least significant end like the balanced blocks; the carry between groups is left out (it moves
 * a digit by one, which an estimate ignores). Pass 1 measures the exact norms afterwards.
 */
export async function sampleMeanSquares(src: DigitFileInfo, digitSizes: readonly number[]): Promise<Map<number, number>> {
  const sums = new Map<number, { squares: number; count: number }>(digitSizes.map((d) => [d, { squares: 0, count: 0 }]));
  const reader = await DigitReader.open(src);
  try {
    const n = src.digitCount;
    const pieces = n <= SAMPLES * SAMPLE_DIGITS ? 1 : SAMPLES;
    const length = pieces === 1 ? n : SAMPLE_DIGITS;
    const buffer = Buffer.allocUnsafe(Math.max(1, length));
    for (let k = 0; k < pieces; k++) {
      const from = pieces === 1 ? 0 : Math.floor((k * (n - length)) / (pieces - 1));
      const digits = await reader.read(from, length, buffer);
      for (const d of digitSizes) {
        const B = 10 ** d;
        const sum = sums.get(d)!;
        // The first whole group of this piece: group boundaries sit at n − k·d.
        for (let i = (n - from) % d; i + d <= digits.length; i += d) {
          let v = 0;
          for (let j = 0; j < d; j++) v = v * 10 + digits[i + j]! - 48;
          if (v >= B / 2) v -= B;
          sum.squares += v * v;
          sum.count++;
        }
      }
    }
  } finally {
    await reader.close();
  }
  return new Map([...sums].map(([d, { squares, count }]) => [d, count > 0 ? squares / count : 0]));
}

/**
 * Where reading an operand as balanced blocks stands after a block: what a journal records after a chunk of blocks
 * (transform2d.ts), so that a rerun continues the reading there with the same carries, norm and residue.
 */
export interface BalancerState {
  /** Blocks handed to the sink so far. */
  readonly blocks: number;
  /** The balancing carry into the next block. */
  readonly carry: number;
  readonly sumSquares: number;
  /** The running residue of the digits read and 10^(digits read) mod p (BackwardResidue's state). */
  readonly residue: number;
  readonly residueScale: number;
  /** True after the operand's last block. */
  readonly last: boolean;
}

/**
 * Reads `src` least significant block first as balanced base-10^d digits (|digit| <= 10^d/2, the carry running
 * across blocks) and hands each block to `sink` as `size` coefficients (coefficient q = the block's q-th digit,
 * zero past the operand's top; balanced by the compiled kernel, kernel/transform.ts BlockBalancer), with the state
 * after it. The array is a view on the wasm memory reused for every block: the sink must be done with it when its
 * promise resolves, and must copy it before allocating wasm memory. With `from` (a state a sink saw, not the last)
 * the reading continues after that block: the blocks it hands over, and what it returns, are those of a reading
 * from the start.
 */
export async function readBalancedBlocks(
  src: DigitFileInfo,
  d: number,
  size: number,
  p: number,
  options: OperationOptions,
  operation: string,
  sink: (index: number, coefficients: Float64Array, state: BalancerState) => Promise<void>,
  from?: BalancerState,
): Promise<BalancedOperand> {
  return withChunkBuffers(1, d * size, (buffers) => balanceBlocks(src, d, size, p, options, operation, sink, buffers[0]!, from));
}

/** readBalancedBlocks through `buffer` (d·size bytes, pooled: a fresh one was d·size bytes of garbage per operand). */
async function balanceBlocks(
  src: DigitFileInfo,
  d: number,
  size: number,
  p: number,
  options: OperationOptions,
  operation: string,
  sink: (index: number, coefficients: Float64Array, state: BalancerState) => Promise<void>,
  buffer: Buffer,
  from?: BalancerState,
): Promise<BalancedOperand> {
  const residue = new BackwardResidue(p);
  const reader = await DigitReader.open(src);
  const balancer = new BlockBalancer(size, d);
  let blocks = 0;
  if (from) {
    blocks = from.blocks;
    balancer.carry = from.carry;
    balancer.sumSquares = from.sumSquares;
    residue.restore(from.residue, from.residueScale);
  }
  try {
    for (let end = src.digitCount - blocks * d * size; end > 0 || balancer.carry !== 0; end -= d * size) {
      throwIfCancelled(options, operation);
      const start = Math.max(0, end - d * size);
      const digits = end > 0 ? await reader.read(start, end - start, buffer) : buffer.subarray(0, 0);
      residue.add(digits);
      const q = balancer.balance(digits);
      const coefficients = balancer.coefficients();
      coefficients.fill(0, q);
      if (start === 0 && balancer.carry !== 0 && q < size) {
        // The top carry fits in this block as one more digit.
        coefficients[q] = balancer.carry;
        balancer.sumSquares += 1;
        balancer.carry = 0;
      }
      // Past the top digit only a carry remains, and the block after the top one always takes it (q = 0 < size).
      const last = start === 0 && balancer.carry === 0;
      const { value, scale } = residue.state();
      blocks++;
      await sink(blocks - 1, coefficients, { blocks, carry: balancer.carry, sumSquares: balancer.sumSquares, residue: value, residueScale: scale, last });
      if (last) break;
    }
    return { blocks, sumSquares: balancer.sumSquares, residue: residue.residue };
  } finally {
    balancer.free();
    await reader.close();
  }
}

/** Base-10^d digits ProductWriter.push converts to text at a time (at most 1 MiB of text, the streaming chunk). */
const PUSH_PIECE = 1 << 18;

/** Where a ProductWriter stands (a journal records it after each finished chunk of rows, transform2d.ts). */
export interface WriterState {
  readonly written: number;
  readonly scaleCarry: number;
  readonly residue: number;
  readonly residueScale: number;
  readonly significantDigits: number;
}

/**
 * Receives the product's base-10^d digits least significant first, multiplies the stream by `scale`,
 * and writes the decimal text back to front into [offset, offset + reserved). Digits beyond the
 * reserved room must be zero. Keeps the residue of what it wrote and where its top non-zero digit is.
 */
export class ProductWriter {
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

  /** Decimal digits placed so far (counted from the units digit). */
  get placed(): number {
    return this.written;
  }

  state(): WriterState {
    const { value, scale } = this.residueOfOutput.state();
    const { written, scaleCarry, significantDigits } = this;
    return { written, scaleCarry, residue: value, residueScale: scale, significantDigits };
  }

  restore(s: WriterState): void {
    this.written = s.written;
    this.scaleCarry = s.scaleCarry;
    this.residueOfOutput.restore(s.residue, s.residueScale);
    this.significantDigits = s.significantDigits;
  }

  /**
   * Pushes the pending upper half of the product's last row (or diagonal): exact integers, carried here into
   * base-10^d digits, in place (it is the pending half's last use; a copy was 8·count bytes of garbage per product,
   * 8 MiB at s = 2^20). A carry out of its top would mean the reserved length was wrong.
   * @throws {ArithmeticCheckError} on a carry out of the top (an internal fault, never a wrong digit written).
   */
  async pushCarriedTail(pending: Float64Array, count: number, operation: string): Promise<void> {
    const B = 10 ** this.d;
    let carry = 0;
    for (let q = 0; q < count; q++) {
      const v = pending[q]! + carry;
      carry = Math.floor(v / B);
      pending[q] = v - carry * B;
    }
    if (carry !== 0) throw new ArithmeticCheckError(`${operation}: out-of-core product overflows its length: internal fault`);
    await this.push(pending, count);
  }

  /**
   * The file range [start, start + length) the digits placed between `fromPlaced` and now occupy (clipped to the
   * reserved room).
   */
  rangeSince(fromPlaced: number): { start: number; length: number } {
    const top = Math.min(this.written, this.reserved);
    const bottom = Math.min(fromPlaced, this.reserved);
    return { start: this.offset + this.reserved - top, length: top - bottom };
  }

  /**
   * Places `count` base-10^d digits, least significant first, times the multiplier: converted to text PUSH_PIECE
   * digits at a time (each piece is placed below the next, as if the whole text had been placed at once) through a
   * pooled buffer (storage/chunkpool.ts), not a text buffer of the whole count per product (3 MiB at s = 2^20, d = 3).
   */
  async push(digits: Float64Array, count: number): Promise<void> {
    const d = this.d;
    const B = 10 ** d;
    const scale = this.scale;
    const piece = Math.max(1, Math.min(count, PUSH_PIECE));
    await withChunkBuffers(1, piece * d, async ([buffer]) => {
      for (let q0 = 0; q0 < count; q0 += piece) {
        const n = Math.min(piece, count - q0);
        const text = buffer!.subarray(0, n * d);
        let carry = this.scaleCarry;
        for (let q = 0; q < n; q++) {
          let v = digits[q0 + q]! * scale + carry;
          carry = Math.floor(v / B);
          v -= carry * B;
          for (let i = (n - q) * d - 1, j = 0; j < d; j++, i--) {
            const r = v % 10;
            text[i] = 48 + r;
            v = (v - r) / 10;
          }
        }
        this.scaleCarry = carry;
        await this.place(text);
      }
    });
  }

  /** The small multiplier folded into the stream and its carry now (for a caller that converts digits itself). */
  get multiplier(): number {
    return this.scale;
  }

  get multiplierCarry(): number {
    return this.scaleCarry;
  }

  /**
   * Places digits a caller converted to text itself, the multiplier already applied (transform2d.ts's compiled rows),
   * with the multiplier's carry after them.
   */
  async pushText(text: Uint8Array, multiplierCarry: number): Promise<void> {
    this.scaleCarry = multiplierCarry;
    await this.place(text);
  }

  /** Flushes what the scaling carried past the last digit. */
  async finish(): Promise<void> {
    if (this.scaleCarry === 0) return;
    const text = Buffer.from(String(this.scaleCarry), 'latin1');
    this.scaleCarry = 0;
    await this.place(text);
  }

  private async place(text: Uint8Array): Promise<void> {
    this.residueOfOutput.add(text);
    const top = this.written + text.length; // digits placed after this chunk
    let firstNonZero = 0;
    while (firstNonZero < text.length && text[firstNonZero] === 48) firstNonZero++;
    if (firstNonZero === text.length) firstNonZero = -1;
    if (firstNonZero >= 0) this.significantDigits = Math.max(this.significantDigits, top - firstNonZero);
    const excess = Math.max(0, top - this.reserved);
    if (excess > 0 && firstNonZero >= 0 && firstNonZero < excess) {
      throw new ArithmeticCheckError('out-of-core product has more digits than reserved: internal fault');
    }
    if (excess < text.length) await this.file.writeAt(this.offset + this.reserved - top + excess, text.subarray(excess));
    this.written = top;
  }
}
