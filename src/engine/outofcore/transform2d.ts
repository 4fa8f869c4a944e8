/**
 * outofcore/transform2d — the out-of-core product of many blocks: a block method whose outer convolution is itself
 * a fast transform, i.e. one 2-D transform over disk. Its cost grows like n log n at any size the disk holds.
 *
 * Why. The block convolution (multiply.ts) sums Σ Â_i·B̂_j over all pairs of block spectra, reading each pair from
 * disk: n² pair reads for n blocks, which dominates beyond ~30 blocks (2e8 → 4e8 digits at 256 MiB took 6.5×). With
 * position = i·s + t (block i, offset t in a block of s balanced base-10^d digits), x^s = y, the product is the 2-D
 * acyclic convolution of the arrays A[i][t] and B[i][t]: inner length 2·s over t (rows: the kernel's block transform,
 * kernel/transform.ts), outer length M >= na + nb − 1 over the block index (columns: compiled, `convolveColumns` in
 * assembly/fft.ts), then the rows overlap-add (row j's coefficients t >= s belong to block j + 1). The pairs' sum
 * becomes an outer transform of length M per column: O(s·M log M) flops instead of O(s·n²), and every scratch
 * byte is read and written a constant number of times (below). This is apfloat's disk "two-pass" transform, with
 * the row transforms done in memory by the kernel's proven FFT and the column transforms by the same compiled code.
 *
 * Passes (docs/ARCHITECTURE.md, "Out of core"):
 *  1. spectra — each operand is read least significant block first, balanced (blocks.ts), its block transformed
 *     (forwardBlockAt: untangled spectrum of s complex points) and written to a scratch file laid out in STRIPES:
 *     stripe q holds columns [q·w, (q+1)·w) of every block, block after block, so pass 2 reads one stripe of all
 *     blocks with ONE sequential read (pass 1 writes s/w pieces of 16·w bytes per block).
 *  2. columns — per stripe: read it for both operands into the wasm memory, convolve its w columns over the block
 *     index (outer forward transforms, pointwise product, outer inverse; on the kernel's threads), and write the
 *     product's na + nb − 1 rows of the stripe to the row file (row-major: R pieces of 16·w bytes).
 *  3. rows — per product row j: read it (one sequential read of 16·s bytes), inner inverse transform, round (the
 *     rounding-distance check: > 1/4 is a fault, retried with smaller digits), add the previous row's upper half,
 *     carry, and hand s base-10^d digits to the ProductWriter, which writes them back to front at known positions.
 *  I/O per operand coefficient: pass 1 writes 16 bytes; pass 2 reads 16 and writes ~32 (the product has twice the
 *  rows); pass 3 reads ~32. Reads are sequential; writes are pieces of 16·w bytes (w >= 1024 at sane budgets). The
 *  scratch files are written once and read once, so when they outgrow the page cache's room their transfers bypass
 *  it (O_DIRECT, scratch.ts scratchBypassesPageCache and RecordFile: a tenth or less of the system time of buffered
 *  I/O, and none of its reclaim); stripe buffers and rows are WasmBlocks aligned for it.
 *
 * Error bound (kernel/transform.ts `transform2DBound`, derivation there). The 2-D DFT of an s × M array is
 * (F_M ⊗ I)(I ⊗ F_s): the inner transforms' log2(s) levels and the outer transforms' log2(M) levels form one sequence
 * of radix-2 levels of √2-scaled unitary butterflies with table twiddles (β = 4ε), exactly the structure Percival's
 * theorem (Math. Comp. 72, 2003, Thm 5.1) charges; the real-to-complex packing adds one level with two-level
 * twiddles (β2 = 10.3ε). With n = log2(s) + log2(M) + 2 levels (packing and one spare) and the operands' digit
 * vectors' Euclidean norms ‖a‖, ‖b‖, every coefficient errs by less than
 *   ‖a‖·‖b‖·((1+ε)^{3n}·(1+ε√5)^{3n+1}·(1+β)^{3n} − 1) + (packing's β2 − β correction),
 * the scalings by 1/s and 1/M being exact powers of two. An output digit adds two coefficients (a row's low half and
 * the previous row's high half) that are rounded separately, so a bound < 1/2 makes every digit exact. Every
 * coefficient's distance to the nearest integer is measured as well (> 1/4: redo with a smaller d), and the product's
 * residue modulo a random prime must match the operands' (residue.ts).
 *
 * Digit size: a policy (docs/ARCHITECTURE.md, "Out of core"). The bound is linear in ‖a‖·‖b‖: with random 3-digit
 * digits it passes 1/2 at ~2.4·10^8-digit operands and reaches 3.5 at 1.6·10^9, and dropping to d = 2 costs 1.5× the
 * coefficients (one doubling took 2.6× instead of ≈ 2.1×). The errors actually made are far smaller
 * (bench/rounding-2d.ts): ~10^-5 of the bound for random digits, at most 0.9% of it for digits all at one extreme (the
 * most coherent operands tried). So d is the largest of 4, 3, 2 whose bound is < 1/2 ('proven') or <
 * TRANSFORM2D_POLICY_LIMIT = 4 ('policy': worst measured error ≈ 0.04 there; an error past 1/4 is caught by the
 * rounding check and redone with d − 1, and a wrong product would also have to pass the residue check modulo a random
 * prime of ~2^25 — what is given up is the proof, not the checks); else 1. The norms come first from samples of the
 * operands (blocks.ts sampleMeanSquares), so digits at the extremes (3× a random digit's mean square) get the smaller d
 * before any work; pass 1 measures the exact norms and retries with d − 1 when they do not pass. For random digits and
 * s = 2^20 that is d = 3 from 4·10^7 to ~1.8·10^9-digit operands: no change of d within 10^8 … 1.6·10^9.
 *
 * Memory (all within BUDGET_SHARES.outOfCoreBlocks of MATHSTREAM_MEMORY): passes 1 and 3 hold one block transform
 * (16·s bytes in wasm), the block's balanced digits or the pending upper half (8·s), its text (d·s, twice) and the
 * tables (~5·s) — s comes from multiply.ts blockSizeForBudget, which plans 128 bytes per point; pass 2 holds one
 * stripe of both operands and of the product (16·w·(na + nb + R) bytes) and each thread's two columns of M points
 * (32·M), w chosen by `chunkColumns` to fit. Measured peak RSS at 256 MiB: ~310 MiB for 10^8-digit operands.
 * Disk: multiply.ts productScratchBytes (spectra + rows, checked against the free disk before any work).
 *
 * Resume: with a journal (journal.ts) every finished unit — a chunk of an operand's spectra (about 64 MiB of blocks,
 * with the reading's carry, norm and residue after it), a stripe of the row file, a chunk of output rows — is recorded
 * under `<tag>:d<d>:<unit>` with checksums of its data (kernel/checksum.ts): a spectra chunk one per stripe (its
 * piece of that stripe), a stripe one per product row (its piece of that row), taken from memory as the data is
 * written; output rows one for the chunk, read back once. A rerun with the same tag skips the recorded units and
 * checks their data as it USES it, never reading it back before: pass 2 checks each chunk's piece of a stripe as it
 * reads the stripe, pass 3 each stripe's piece of a row as it reads the row (the output rows, which nothing reads
 * again, are checked before the rows pass resumes after them). A piece that does not match is never used: its unit
 * alone is computed again from the recorded state before it (a spectra chunk from the previous chunk's reading
 * state, a stripe from the spectra) — it comes out bit for bit as first computed, so what was already used from its
 * other pieces stays valid — and the piece is read again. A recomputation that contradicts its own record (the record
 * itself is wrong) drops every record of the product, which starts over. Records are appended without flushing data
 * or journal (journal.ts, "Durability"): a kill keeps both in the page cache; a power loss may lose either, and the
 * checks on use turn a record whose data was lost into a unit redone. So a kill loses at most one chunk of a pass.
 * Scratch files then have deterministic names in the (caller's) scratch folder and survive a failure.
 */
import { ArithmeticCheckError } from '../../errors.js';
import { budgetFor } from '../../kernel/budget.js';
import { Checksum } from '../../kernel/checksum.js';
import { MAX_ROUNDING_ERROR, releaseFftCaches } from '../../kernel/fft.js';
import { randomCheckPrime } from '../../kernel/check-prime.js';
import {
  RowSettler, WasmBlock, convolveColumnChunk, forwardBlockAt, inverseBlockAt, outerLength, outerScratchBytes, transform2DGrounds,
  type DigitSizeGrounds,
} from '../../kernel/transform.js';
import { activeThreads } from '../../kernel/threads.js';
import { WASM_MEMORY_LIMIT, u8View, wasmAlloc, wasmFree } from '../../kernel/wasmheap.js';
import type { AtomicFile, DigitFileInfo } from '../../storage/index.js';
import { progressReporter, throwIfCancelled, type OperationOptions } from '../context.js';
import {
  blockCount, readBalancedBlocks, sampleMeanSquares, ProductWriter, type BalancedOperand, type BalancerState, type WriterState,
} from './blocks.js';
import { parseRecord, type Journal } from './journal.js';
import { mulMod } from './residue.js';
import { RecordFile, scratchBypassesPageCache, type ScratchDir } from './scratch.js';

/**
 * Largest inner block (points) of the 2-D transform. Its flops per point hardly depend on the split between inner
 * and outer levels (log2(s) + log2(M) is about log2 of the product's length), but an inner transform far beyond the
 * caches is slower, and the outer transforms of short columns run in cache: measured on 3·10^7-digit operands at a
 * 1 GiB budget, CPU time 4.2 s with s = 2^22, 3.2 s with 2^20, 4.0 s with 2^18 (more, smaller I/O pieces). A larger
 * budget keeps the stripes at their widest (MAX_STRIPE_COLUMNS) for more blocks instead.
 */
export const MAX_INNER_SIZE = 1 << 20;

/**
 * Widest stripe (columns): pieces of 2 MiB are already large sequential I/O; wider stripes only grow the wasm memory
 * (which never shrinks) and were no faster: 5·10^7-digit operands at 1 GiB took 5.7–8.2 s with 2^17 columns and
 * 6.5–8.6 s with 2^19 (peak RSS 262 vs 640 MiB).
 */
export const MAX_STRIPE_COLUMNS = 1 << 17;

/**
 * Spectra bytes a journaled run writes between two records (a chunk of blocks, recorded with its checksums). A kill
 * loses at most one chunk: one block of 2^20 points, about a sixtieth of the spectra pass of a 1.8·10^8-digit square.
 * A record costs one unflushed journal line (the checksums are taken as the data is written anyway), so chunks are
 * small: when they were flushed and read back before reuse, 4 blocks a chunk was the compromise.
 */
const SPECTRA_BYTES_PER_UNIT = 1 << 24;

/**
 * Widest stripe of a journaled run: a kill loses at most the stripe pass 2 was computing, and 2^14 columns make that
 * at most a 64th of the pass at s = 2^20 (a rerun's loss is part of its overhead over the work left, which the resume
 * target leaves no room for). Pieces of 256 KiB are still large I/O; a record per stripe costs one unflushed journal
 * line of R checksums.
 */
const JOURNALED_STRIPE_COLUMNS = 1 << 14;

/** Output digits a journaled run writes between two records (a chunk of rows, recorded unflushed, as above). */
const DIGITS_PER_ROW_UNIT = 1 << 24;

/**
 * What the out-of-core product's caller (multiply.ts MultiplyRequest) passes through to the 2-D transform: the
 * journal, the read hook and the test knobs.
 */
export interface Transform2DOptions {
  /** Columns per stripe override (tests); default: the widest stripe whose pass-2 working set fits the budget. */
  readonly chunkColumns?: number;
  /**
   * Records the finished units of work (journal.ts) under `tag`, so that a rerun with the same journal, tag and
   * scratch folder resumes; both or neither.
   */
  readonly journal?: Journal;
  readonly tag?: string;
  /** Blocks of an operand's spectra per journal record (tests); default: about 2^26 bytes of spectra. */
  readonly blocksPerRecord?: number;
  /** Rows of the product per journal record (tests); default: about 2^26 output digits' worth. */
  readonly rowsPerRecord?: number;
  /** Fault injection (tests): sees, and may change, each product row's coefficients (times `unit`) before they are rounded. */
  readonly faultHook?: (digitSize: number, row: Float64Array, unit: number) => void;
  /** Digit size override (tests, bench/rounding-2d.ts): the first try uses it whatever the policy says. */
  readonly digitSize?: number;
  /** The policy's limit on the proven bound (tests); default TRANSFORM2D_POLICY_LIMIT (kernel/transform.ts). */
  readonly boundLimit?: number;
  /**
   * Called (and awaited) once before the operands' digits are first read, if they are read at all: a resumed product
   * whose spectra were all recorded never reads them. pow checks its restored step file there (power.ts), so a
   * rerun pays that file's read only when it is used; the hook throws when the file must not be used. The block
   * convolution calls it too.
   */
  readonly beforeRead?: () => Promise<void>;
}

export interface Transform2DRequest extends Transform2DOptions {
  readonly a: DigitFileInfo;
  readonly b?: DigitFileInfo;
  readonly scale: number;
  readonly out: AtomicFile;
  readonly offset: number;
  readonly reserved: number;
  readonly scratch: ScratchDir;
  /** Inner block size s (a power of two). */
  readonly size: number;
  readonly options: OperationOptions;
  readonly operation: string;
}

/**
 * Columns per stripe: the largest power of two w <= min(size, MAX_STRIPE_COLUMNS) whose pass-2 working set — one
 * stripe of both operands and of the product's R = na + nb − 1 rows, 16·w bytes a row, and each thread's two columns
 * of M points — fits the out-of-core share of the budget and half the wasm32 memory (at least 1).
 */
export function chunkColumns(size: number, na: number, nb: number, square: boolean, budget = budgetFor('outOfCoreBlocks')): number {
  const rows = na + (square ? 0 : nb) + na + nb - 1;
  const fixed = outerScratchBytes(outerLength(na, nb), activeThreads());
  // The stripe lives in the wasm memory (4 GiB at most, with the tables beside it): half of it at most.
  const limit = Math.min(budget, WASM_MEMORY_LIMIT / 2);
  let w = Math.min(size, MAX_STRIPE_COLUMNS);
  while (w > 1 && 16 * w * rows + fixed > limit) w /= 2;
  return w;
}

/** Bytes of scratch files the 2-D transform of operands with these block counts writes (spectra and product rows). */
export function transform2DScratchBytes(size: number, na: number, nb: number | undefined): number {
  const spectra = 16 * size * (na + (nb ?? 0));
  return spectra + 16 * size * (na + (nb ?? na) - 1);
}

/** Mean square of a random balanced base-10^d digit (uniform over 10^d consecutive integers). */
export function randomDigitMeanSquare(d: number): number {
  return (10 ** (2 * d) - 1) / 12;
}

/**
 * The digit-size policy (header, "Digit size"): the largest d in 4, 3, 2 on whose grounds (transform2DGrounds) the 2-D
 * transform of operands of these digit counts may run, their norms taken as count × mean square, the mean squares
 * given per d (sampleMeanSquares) or those of random digits; 1 when none.
 */
export function initialDigitSize2D(
  aDigits: number,
  bDigits: number,
  size: number,
  meanSquares?: (d: number) => readonly [number, number],
  limit?: number,
): number {
  for (const d of [4, 3, 2]) {
    const na = Math.ceil(aDigits / d) + 1, nb = Math.ceil(bDigits / d) + 1;
    const [ma, mb] = meanSquares?.(d) ?? [randomDigitMeanSquare(d), randomDigitMeanSquare(d)];
    const M = outerLength(blockCount(aDigits, d, size), blockCount(bDigits, d, size));
    if (transform2DGrounds(size, M, Math.sqrt(ma * na * mb * nb), limit) !== undefined) return d;
  }
  return 1;
}

/**
 * What the last 2-D product of this process did (diagnostics for bench/outofcore-mul.ts and the tests): the digit
 * sizes tried, in order, the grounds of the one that gave the result, the largest rounding distance its rows
 * showed (rows a resumed run skipped not counted), and the units an earlier run recorded whose data failed its check
 * when this run used it, computed again (`spectra-a-1`, `columns-3`).
 */
export let lastTransform2D: {
  readonly tried: readonly number[];
  readonly grounds: DigitSizeGrounds;
  readonly maxError: number;
  readonly repaired: readonly string[];
} | undefined;

/** What multiply2D returns: the writer's top digit (the product's length). */
export interface Transform2DOutcome {
  readonly significantDigits: number;
}

/** Bytes of the wasm buffer that verification reads scratch and output data into (hashed there, in place). */
const VERIFY_BUFFER_BYTES = 1 << 23;

/** Journal records of units whose data is checked against them before any use (journal.ts, "Durability"). */
const LAZY = { sync: false } as const;

/** Checksum (kernel/checksum.ts) of bytes [from, from + length) of a block in the wasm memory, hashed in place. */
function sumOf(block: WasmBlock, from: number, length: number): string {
  const sum = new Checksum(); // allocated before the view is taken: an allocation may move the wasm memory's buffer
  return sum.update(block.bytes(from, length)).digest();
}

/** Thrown by a sink to stop a reading of balanced blocks early (redoChunk). */
const STOP_READING = Symbol('stop reading');

/** A record that its own recomputation contradicts: the product's records are dropped and it starts over. */
class UntrustedRecords extends Error {}

function sameState(x: BalancerState, y: BalancerState): boolean {
  return x.blocks === y.blocks && x.carry === y.carry && x.sumSquares === y.sumSquares && x.residue === y.residue &&
    x.residueScale === y.residueScale && x.last === y.last;
}

/**
 * Reads the byte ranges `pieces` (position, length) through a wasm buffer and adds them to `sum` in order;
 * `read(position, target)` fills target and returns what it read (shorter: the file ends early). Returns false when
 * a range could not be read whole.
 */
async function sumRanges(sum: Checksum, pieces: Iterable<[number, number]>, read: (position: number, target: Uint8Array) => Promise<number>): Promise<boolean> {
  const buffer = wasmAlloc(VERIFY_BUFFER_BYTES);
  try {
    for (const [position, length] of pieces) {
      for (let done = 0; done < length; done += VERIFY_BUFFER_BYTES) {
        const want = Math.min(VERIFY_BUFFER_BYTES, length - done);
        const view = u8View(buffer, want);
        if ((await read(position + done, view)) !== want) return false;
        sum.update(view);
      }
    }
    return true;
  } finally {
    wasmFree(buffer);
  }
}

/** Reads the ranges `pieces` (position, length) of the output file in order and checksums them (null when the file is shorter). */
async function hashOutput(file: AtomicFile, pieces: Iterable<[number, number]>): Promise<string | null> {
  const sum = new Checksum();
  try {
    const ok = await sumRanges(sum, pieces, async (at, target) => (await file.readAt(at, target)).length);
    return ok ? sum.digest() : null;
  } finally {
    sum.free();
  }
}

/** A recorded chunk of pass 1: blocks [first, blocks) of an operand, and the reading's state after them. */
interface SpectraRecord extends BalancerState {
  readonly first: number;
  readonly p: number;
  /** The block size and stripe width the chunk was laid out with (a rerun with another budget may plan others). */
  readonly size: number;
  readonly w: number;
  /** Per stripe q, the checksum of the chunk's piece of it: 16·w bytes of each block, blocks [first, blocks). */
  readonly hashes: readonly string[];
}

/** A chunk of spectra an earlier run recorded, not yet checked against its data; `from`: the chunk before it. */
interface UncheckedChunk {
  /** Its unit's name (`spectra-a-3`). */
  readonly unit: string;
  readonly record: SpectraRecord;
  readonly from: SpectraRecord | undefined;
}

/** Pass 1's outcome for one operand, with what pass 2 needs to check (and redo) the chunks an earlier run recorded. */
interface OperandSpectra extends BalancedOperand {
  readonly src: DigitFileInfo;
  readonly file: RecordFile;
  /** Blocks a stripe of `file` holds room for. */
  readonly rows: number;
  readonly unchecked: UncheckedChunk[];
}

/** A recorded stripe of pass 2: the checksum of each product row's piece of it (16·w bytes), rows 0..R−1. */
interface ColumnsRecord {
  readonly R: number;
  readonly rows: readonly string[];
}

interface RowsRecord {
  readonly rows: number;
  /** The carry out of the chunk's last row (folded into the pending upper half). */
  readonly carry: number;
  readonly writer: WriterState;
  readonly from: number;
  /**
   * Checksum of the text the chunk's rows wrote, in the order written: row after row (each row's size·d digits in
   * file order, less what fell past the reserved top), taken from memory as it was written (`rowPieces` reads it
   * back in that order).
   */
  readonly pushed: string;
}

/**
 * The file ranges (position, length) the rows of a chunk wrote, in the order written: the writer places each row's
 * `rowDigits` digits below the previous ones, from digit `from` (counted from the units digit) to `to`, clipped at
 * the reserved top.
 */
function rowPieces(offset: number, reserved: number, from: number, to: number, rowDigits: number): Array<[number, number]> {
  const pieces: Array<[number, number]> = [];
  for (let lo = from; lo < Math.min(to, reserved); lo += rowDigits) {
    const hi = Math.min(lo + rowDigits, reserved);
    pieces.push([offset + reserved - hi, hi - lo]);
  }
  return pieces;
}

/**
 * Writes |a|·|b|·scale (digits only) into `out` at [offset, offset + reserved) by the 2-D transform, retrying with
 * smaller digits when a bound or a check says so.
 * @throws ArithmeticCheckError when the residue check fails, or the rounding check fails at every digit size.
 */
export async function multiply2D(request: Transform2DRequest): Promise<Transform2DOutcome> {
  const { a, b, size, scratch, options, operation, journal } = request;
  const square = b === undefined;
  const bDigits = square ? a.digitCount : b.digitCount;
  const journaled = journal !== undefined && request.tag !== undefined;
  const stem = (request.tag ?? '').replace(/[^A-Za-z0-9._-]/g, '_');
  const key = (d: number, unit: string) => `${request.tag}:d${d}:${unit}`;
  const path = (d: number, name: string) => (journaled ? scratch.namedPath(`${stem}.d${d}.${name}`) : scratch.newPath(name));
  let checked: Promise<void> | undefined;
  /** Before any read of the operands' digits (sampling, pass 1, a chunk redone): the caller's check, once. */
  const beforeRead = (): Promise<void> => (checked ??= request.beforeRead?.() ?? Promise.resolve());

  // The operands' norms, sampled, choose the first digit size; pass 1 measures them exactly and may still lower it.
  // A journaled rerun takes the digit size its earlier run recorded units at (chosen the same way from the same
  // operands, or lowered by a retry): no sampling, and the units are found.
  let first = request.digitSize ?? (journaled ? [4, 3, 2, 1].find((d) => journal.get(key(d, 'spectra-a-0')) !== undefined) : undefined);
  if (first === undefined) {
    await beforeRead();
    const candidates = [4, 3, 2];
    const sa = await sampleMeanSquares(a, candidates);
    const sb = square ? sa : await sampleMeanSquares(b, candidates);
    first = initialDigitSize2D(a.digitCount, bDigits, size, (d) => [sa.get(d)!, sb.get(d)!], request.boundLimit);
  }
  const tried: number[] = [];
  /** Units an earlier run recorded whose data failed its check when used, and were computed again (diagnostics). */
  const repairedUnits: string[] = [];
  for (let d = first; d >= 1; d--) {
    tried.push(d);
    const maxA = blockCount(a.digitCount, d, size), maxB = blockCount(bDigits, d, size);
    // The stripe width is planned for the largest block counts, so that it does not depend on what pass 1 finds.
    const w = Math.min(size, request.chunkColumns ?? Math.min(chunkColumns(size, maxA, maxB, square), journaled ? JOURNALED_STRIPE_COLUMNS : Infinity));
    const stripes = size / w;
    const recordA = journaled ? parseRecord<SpectraRecord>(journal.get(key(d, 'spectra-a-0'))) : undefined;
    const p = recordA?.p ?? randomCheckPrime();
    // Direct I/O when the scratch outgrows the page cache's room (scratch.ts scratchBypassesPageCache): every stripe
    // piece and row is then an aligned view of an aligned WasmBlock once 16·w is a multiple of DIRECT_IO_ALIGN
    // (w >= 256); narrower test stripes go through the page cache.
    const direct = scratchBypassesPageCache(transform2DScratchBytes(size, maxA, square ? undefined : maxB));
    const fileA = await RecordFile.openOrCreate(path(d, 'spectra-a'), 16 * w, direct);
    const fileB = square ? fileA : await RecordFile.openOrCreate(path(d, 'spectra-b'), 16 * w, direct);
    const rowFile = await RecordFile.openOrCreate(path(d, 'rows'), 16 * w, direct);
    let keep = false;
    try {
      const total = maxA + (square ? 0 : maxB) + stripes + maxA + maxB;
      const report = progressReporter(options, total);
      let done = 0;

      /** Writes one transformed block's pieces into the stripes of `file` (`rows` blocks a stripe), checksumming each. */
      const writeBlock = async (block: WasmBlock, file: RecordFile, rows: number, i: number, sums: readonly Checksum[] | undefined) => {
        const pieces: Array<[number, Uint8Array]> = [];
        for (let q = 0; q < stripes; q++) {
          const piece = block.bytes(16 * w * q, 16 * w);
          sums?.[q]!.update(piece);
          pieces.push([16 * w * (q * rows + i), piece]);
        }
        await writePieces(file, pieces);
      };

      // Pass 1: spectra, in stripes; journaled, in chunks of blocks, each recorded with its pieces' checksums.
      const spectra = async (src: DigitFileInfo, file: RecordFile, rows: number, unit: string): Promise<OperandSpectra> => {
        let from: SpectraRecord | undefined;
        let chunk = 0;
        const unchecked: UncheckedChunk[] = [];
        if (journaled) {
          // Resume after the last chunk of a chain of recorded chunks. Their data is not read here: pass 2 checks each
          // chunk's piece of a stripe against the record as it reads the stripe (`checkSpectra`), and redoes a chunk
          // whose data does not match before anything uses it.
          for (; ; chunk++) {
            const record = parseRecord<SpectraRecord>(journal.get(key(d, `${unit}-${chunk}`)));
            if (
              !record || record.p !== p || record.size !== size || record.w !== w || record.first !== (from?.blocks ?? 0) ||
              !(record.blocks > record.first && record.blocks <= rows) || !Array.isArray(record.hashes) || record.hashes.length !== stripes
            ) break;
            unchecked.push({ unit: `${unit}-${chunk}`, record, from });
            from = record;
            if (record.last) break;
          }
          if (from) {
            done += from.blocks;
            report(done, 'spectra');
          }
          if (from?.last) {
            done += rows - from.blocks;
            return { blocks: from.blocks, sumSquares: from.sumSquares, residue: from.residue, src, file, rows, unchecked };
          }
        }
        await beforeRead();
        const perRecord = request.blocksPerRecord ?? Math.max(1, Math.floor(SPECTRA_BYTES_PER_UNIT / (16 * size)));
        const block = new WasmBlock(size);
        // The chunk's checksums: one per stripe, of the chunk's piece of that stripe (its blocks, in order).
        let sums: Checksum[] = [];
        let first = from?.blocks ?? 0;
        try {
          const result = await readBalancedBlocks(src, d, size, p, options, operation, async (i, coefficients, state) => {
            block.doubles().subarray(0, size).set(coefficients);
            forwardBlockAt(block, size);
            if (journaled && sums.length === 0) sums = Array.from({ length: stripes }, () => new Checksum());
            await writeBlock(block, file, rows, i, journaled ? sums : undefined);
            report(++done, 'spectra');
            if (journaled && (state.blocks - first === perRecord || state.last)) {
              // Recorded without a flush: a record whose data a power loss took is caught by checkSpectra.
              const record: SpectraRecord = { ...state, first, p, size, w, hashes: sums.map((sum) => sum.digest()) };
              sums = [];
              await journal.set(key(d, `${unit}-${chunk++}`), JSON.stringify(record), LAZY);
              first = state.blocks;
            }
          }, from);
          // Blocks pass 1 did not reach (the operand needed fewer than the upper bound) stay unread by pass 2.
          done += rows - result.blocks;
          return { ...result, src, file, rows, unchecked };
        } finally {
          for (const sum of sums) sum.free();
          block.free();
        }
      };

      /**
       * Computes a recorded chunk of spectra again (its data did not match its record) and writes it over the old
       * one. The reading starts from the state the chunk before it recorded, so the chunk comes out bit for bit as
       * first computed; if it does not (the record itself is wrong), nothing recorded for this product is trusted.
       */
      const redoChunk = async (operand: OperandSpectra, { record, from }: UncheckedChunk): Promise<void> => {
        await beforeRead();
        const block = new WasmBlock(size);
        const sums = Array.from({ length: stripes }, () => new Checksum());
        let end: BalancerState | undefined;
        try {
          await readBalancedBlocks(operand.src, d, size, p, options, operation, async (i, coefficients, state) => {
            block.doubles().subarray(0, size).set(coefficients);
            forwardBlockAt(block, size);
            await writeBlock(block, operand.file, operand.rows, i, sums);
            if (state.blocks === record.blocks) {
              end = state;
              throw STOP_READING;
            }
          }, from).catch((error: unknown) => {
            if (error !== STOP_READING) throw error;
          });
          const hashes = sums.map((sum) => sum.digest());
          if (end === undefined || !sameState(end, record) || hashes.some((hash, q) => hash !== record.hashes[q])) throw new UntrustedRecords();
        } finally {
          for (const sum of sums) sum.free();
          block.free();
        }
      };

      /**
       * Checks the pieces of stripe q that chunks recorded by an earlier run hold in `buffer` (the stripe as read, block i
       * at 16·w·i) against their records; a chunk that does not match is redone and its piece read again.
       */
      const checkSpectra = async (operand: OperandSpectra, q: number, buffer: WasmBlock): Promise<void> => {
        for (let k = 0; k < operand.unchecked.length; k++) {
          const chunk = operand.unchecked[k]!;
          const { first: lo, blocks: hi } = chunk.record;
          if (sumOf(buffer, 16 * w * lo, 16 * w * (hi - lo)) === chunk.record.hashes[q]) continue;
          await redoChunk(operand, chunk);
          repairedUnits.push(chunk.unit);
          operand.unchecked.splice(k--, 1); // written by this run now, every stripe of it
          await operand.file.readBytes(16 * w * (q * operand.rows + lo), buffer.bytes(16 * w * lo, 16 * w * (hi - lo)), operand.unchecked.length > 0);
        }
      };

      const ta = await spectra(a, fileA, maxA, 'spectra-a');
      const tb = square ? ta : await spectra(b, fileB, maxB, 'spectra-b');
      const na = ta.blocks, nb = tb.blocks;
      const M = outerLength(na, nb);
      const grounds = transform2DGrounds(size, M, Math.sqrt(ta.sumSquares * tb.sumSquares), request.boundLimit);
      if (grounds === undefined && d !== request.digitSize) {
        if (journaled) await journal.forget(`${request.tag}:d${d}:`, LAZY); // a rerun must not start at this size again
        continue;
      }
      const R = na + nb - 1;

      /** Pass 2's work on stripe q: both operands' pieces in (checked), the product's R rows of it out (recorded). */
      const columnStripe = async (q: number, A: WasmBlock, B: WasmBlock, C: WasmBlock): Promise<void> => {
        // A file an earlier run's records describe may be short (lost, or removed): what is missing reads as zeros,
        // which the checks then refuse.
        await fileA.readBytes(16 * w * q * maxA, A.bytes(0, 16 * w * na), ta.unchecked.length > 0);
        await checkSpectra(ta, q, A);
        if (!square) {
          await fileB.readBytes(16 * w * q * maxB, B.bytes(0, 16 * w * nb), tb.unchecked.length > 0);
          await checkSpectra(tb, q, B);
        }
        convolveColumnChunk(A, na, B, nb, C, w, M, q === 0);
        await writePieces(rowFile, Array.from({ length: R }, (_, j) => [16 * (j * size + q * w), C.bytes(16 * w * j, 16 * w)]));
        if (journaled) {
          // One checksum per row's piece, so that pass 3 can check each row as it reads it (`repairRow`).
          const rows = Array.from({ length: R }, (_, j) => sumOf(C, 16 * w * j, 16 * w));
          await journal.set(key(d, `columns-${q}`), JSON.stringify({ R, rows } satisfies ColumnsRecord), LAZY);
        }
      };
      /** Runs `work` with pass 2's stripe buffers, and drops the FFT caches around it (see below). */
      const withStripeBuffers = async (work: (A: WasmBlock, B: WasmBlock, C: WasmBlock) => Promise<void>): Promise<void> => {
        releaseFftCaches();
        const A = new WasmBlock(na * w);
        const B = square ? A : new WasmBlock(nb * w);
        const C = new WasmBlock(R * w);
        try {
          await work(A, B, C);
        } finally {
          C.free();
          if (!square) B.free();
          A.free();
          releaseFftCaches();
        }
      };

      // Pass 2: columns, one stripe at a time, into the row file. The inner transform's cached tables are dropped
      // first and the outer ones after: a cached table left between the stripe buffers and what pass 1 or 3 frees
      // would keep the allocator from reusing that space, and the wasm memory, which never shrinks, would creep up
      // along a chain of products (pow). Rebuilding the tables costs milliseconds.
      // Stripes an earlier run recorded are skipped; pass 3 checks their rows as it reads them.
      const uncheckedStripes = new Map<number, readonly string[]>();
      await withStripeBuffers(async (A, B, C) => {
        for (let q = 0; q < stripes; q++) {
          throwIfCancelled(options, operation);
          const record = journaled ? parseRecord<ColumnsRecord>(journal.get(key(d, `columns-${q}`))) : undefined;
          if (record && record.R === R && Array.isArray(record.rows) && record.rows.length === R) {
            uncheckedStripes.set(q, record.rows);
          } else {
            await columnStripe(q, A, B, C);
          }
          report(++done, 'columns');
        }
      });
      /**
       * Checks row j's pieces of the stripes an earlier run recorded (the row as read, in `block`); a stripe that does
       * not match is computed again (pass 2's work for that stripe, which rewrites it whole). True when the row must be
       * read again.
       */
      const repairRow = async (j: number, block: WasmBlock): Promise<boolean> => {
        let repaired = false;
        for (const [q, rows] of uncheckedStripes) {
          if (sumOf(block, 16 * w * q, 16 * w) === rows[j]) continue;
          uncheckedStripes.delete(q);
          await withStripeBuffers((A, B, C) => columnStripe(q, A, B, C));
          repairedUnits.push(`columns-${q}`);
          repaired = true;
        }
        return repaired;
      };

      // Pass 3: rows, into the output.
      const writer = new ProductWriter(request.out, request.offset, request.reserved, d, request.scale, p);
      const maxError = await settleRows(rowFile, R, M, size, d, writer, request, journaled ? (unit) => key(d, unit) : undefined, (rows) => {
        report(done + rows, 'rows');
      }, uncheckedStripes.size > 0 ? repairRow : undefined);
      if (!(maxError <= MAX_ROUNDING_ERROR)) {
        if (journaled) await journal.forget(`${request.tag}:d${d}:`, LAZY);
        continue;
      }
      await writer.finish();
      const expected = mulMod(mulMod(ta.residue, tb.residue, p), request.scale % p, p);
      if (writer.residue !== expected) {
        throw new ArithmeticCheckError(`${operation}: out-of-core product failed its check modulo ${p}; the result was discarded`);
      }
      report(total, 'rows');
      lastTransform2D = { tried, grounds: grounds ?? 'policy', maxError, repaired: repairedUnits };
      if (journaled) await journal.forget(`${request.tag}:`, LAZY);
      return { significantDigits: writer.significantDigits };
    } catch (error) {
      if (error instanceof UntrustedRecords && journaled) {
        // A record that its own recomputation contradicts: this product's records are dropped and it starts over
        // at the same digit size (its scratch files are removed below and made again).
        await journal.forget(`${request.tag}:`);
        tried.pop();
        d++;
        continue;
      }
      // A journaled run keeps its scratch files for the rerun that resumes it.
      keep = journaled;
      throw error;
    } finally {
      await fileA.close();
      if (!square) await fileB.close();
      await rowFile.close();
      if (!keep) {
        scratch.removeFile(fileA.path);
        if (!square) scratch.removeFile(fileB.path);
        scratch.removeFile(rowFile.path);
      }
    }
  }
  throw new ArithmeticCheckError(`${operation}: out-of-core product of ${a.digitCount}×${bDigits} digits exceeds the FFT error bound at every digit size`);
}

/** Writes (position, bytes) pieces to `file`, one after another (a direct write runs in place: scratch.ts). */
async function writePieces(file: RecordFile, pieces: ReadonlyArray<readonly [number, Uint8Array]>): Promise<void> {
  for (const [position, bytes] of pieces) await file.writeBytes(position, bytes);
}

/**
 * Whether a journaled product under `tag` has recorded the whole spectra pass of its first operand (of both unless
 * `square`) at some digit size: a rerun of it then never reads the operands' digits unless a chunk fails its check
 * (pow defers its step file's check on that, power.ts).
 */
export function spectraRecorded(journal: Journal, tag: string, square: boolean): boolean {
  const complete = (d: number, unit: string): boolean => {
    for (let chunk = 0; ; chunk++) {
      const record = parseRecord<SpectraRecord>(journal.get(`${tag}:d${d}:${unit}-${chunk}`));
      if (!record) return false;
      if (record.last) return true;
    }
  };
  return [4, 3, 2, 1].some((d) => complete(d, 'spectra-a') && (square || complete(d, 'spectra-b')));
}

/**
 * Pass 3: row by row, the product's base-10^d digits, least significant first, into the writer. Returns the largest
 * rounding distance of the rows it settled; past MAX_ROUNDING_ERROR (or NaN) it stops at once (a fault: the caller
 * retries with smaller digits).
 * With a journal (`key`), every chunk of rows whose digits are written is recorded, and a rerun resumes after the
 * last chunk whose output still hashes to its record. `repair` (stripes an earlier run recorded) checks each row as it
 * is read and says when it had to rewrite part of it (the row is then read again).
 */
async function settleRows(
  rowFile: RecordFile,
  R: number,
  M: number,
  size: number,
  d: number,
  writer: ProductWriter,
  request: Transform2DRequest,
  key: ((unit: string) => string) | undefined,
  progress: (rows: number) => void,
  repair?: (j: number, block: WasmBlock) => Promise<boolean>,
): Promise<number> {
  const { journal, options, operation, out } = request;
  const scale = 1 / (size * M); // the inner inverse gives size times, the outer M times the coefficient: exact
  const block = new WasmBlock(size);
  const settler = new RowSettler(size); // holds the previous row's upper half, rounded, with its carry folded in
  const rowsPerUnit = request.rowsPerRecord ?? Math.max(1, Math.floor(DIGITS_PER_ROW_UNIT / (size * d)));
  let unitSum: Checksum | undefined; // the current chunk of rows' checksum (RowsRecord.pushed)
  try {
    /** Row j: its lower half (plus the pending upper half of row j − 1) into digits, its upper half pending. */
    const settle = async (j: number) => {
      await rowFile.readBytes(16 * size * j, block.bytes(), repair !== undefined);
      if (await repair?.(j, block)) await rowFile.readBytes(16 * size * j, block.bytes(), true);
      inverseBlockAt(block, size);
      request.faultHook?.(d, block.doubles(), size * M);
      return settler.settle(block, scale, d, writer.multiplier, writer.multiplierCarry);
    };

    let start = 0;
    let unit = 0;
    let unitFrom = 0; // writer.placed where the current chunk of rows began
    if (key && journal) {
      // Resume after the last chunk of rows whose output is intact.
      let carry = 0;
      for (; ; unit++) {
        const record = parseRecord<RowsRecord>(journal.get(key(`rows-${unit}`)));
        if (!record || record.from !== writer.placed || typeof record.pushed !== 'string') break;
        if ((record.writer.written - record.from) % (size * d) !== 0) break;
        const pieces = rowPieces(request.offset, request.reserved, record.from, record.writer.written, size * d);
        if ((await hashOutput(out, pieces)) !== record.pushed) break;
        writer.restore(record.writer);
        start = record.rows;
        carry = record.carry;
      }
      unitFrom = writer.placed;
      if (start > 0) {
        // The upper half of row start − 1, rounded (the same bits as when it was first computed), plus the carry out
        // of that row, which depends on the rows before it: recorded, not recomputed.
        const again = await settle(start - 1);
        const pending = settler.pendingView();
        pending[0] = pending[0]! - again.carry + carry;
      }
    }

    let maxError = 0;
    for (let j = start; j < R; j++) {
      throwIfCancelled(options, operation);
      const row = await settle(j);
      if (!(row.maxError <= MAX_ROUNDING_ERROR)) return row.maxError;
      maxError = Math.max(maxError, row.maxError);
      if (key && journal && !unitSum) unitSum = new Checksum(); // before the text's view: an allocation may move it
      const text = settler.text(d);
      // What the writer writes of it: all but the digits past the reserved top (zeros, ProductWriter checks).
      unitSum?.update(text.subarray(Math.min(text.length, Math.max(0, writer.placed + text.length - request.reserved))));
      await writer.pushText(text, row.multCarry);
      if (unitSum && key && journal && ((j + 1 - start) % rowsPerUnit === 0 || j + 1 === R)) {
        // Recorded without a flush: a rerun checks the chunk's output against the record before it resumes after it.
        const record: RowsRecord = { rows: j + 1, carry: row.carry, writer: writer.state(), from: unitFrom, pushed: unitSum.digest() };
        unitSum = undefined;
        await journal.set(key(`rows-${unit++}`), JSON.stringify(record), LAZY);
        unitFrom = writer.placed;
      }
      progress(j + 1);
    }
    // The last row's upper half, carried.
    await writer.pushCarriedTail(settler.pendingView(), size, operation);
    progress(R + 1);
    return maxError;
  } finally {
    unitSum?.free();
    settler.free();
    block.free();
  }
}
