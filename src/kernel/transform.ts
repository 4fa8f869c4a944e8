/**
 * kernel/transform — transform-level access to the compiled FFT of fftcore.ts, for block convolutions whose
 * block spectra are computed once, cached (on disk, by the out-of-core engine), and combined many times.
 *
 * A block holds `size` real coefficients (balanced base-10^d digits, size a power of two); it is packed
 * into `size/2` complex points (x_j = c_2j + i·c_2j+1), zero-padded to `size` complex points (real length
 * N = 2·size, so the product of two blocks — 2·size − 1 coefficients — never wraps), transformed by
 * fftcore's DIF FFT (compiled, in the wasm memory; bit-reversed output), and UNTANGLED (compiled too) into the
 * spectrum of the real sequence:
 * position p of a pair (p, p') holds Â(k) and position p' holds Â(k + size) (assembly/fft.ts `tangle`).
 * Untangled spectra multiply pointwise as plain complex numbers, so a diagonal Σ_i Â_i·B̂_{k−i} is a
 * multiply-accumulate; re-tangling (linear, done once per diagonal) and the DIT FFT give the block
 * product. Position 0 is special: it carries the two real values Â(0) (re) and Â(size) (im), which
 * multiply componentwise; position 1 carries Â(size/2), whose partner is its conjugate.
 *
 * The formulas are those of fftcore's `pointwiseAt` (E = (X + conj X')/2, O = (X − conj X')/(2i),
 * Â(k) = E + wO, Â(k+size) = E − wO, w = e^{−2πik/N}) split into their two linear halves.
 *
 * Error bound (blockConvolutionBound): Percival's theorem with n = log2(N) + 1 (the packing charged as one more
 * level) and β = 4ε (fftcore's tables, cosSin), except that the untangling twiddles are two-level products
 * (β2 = 10.3ε, see fftcore): their level is charged β2, in blockConvolutionBound.
 */
import { forwardAt, inverseAt, powerOfTwoTables, twoLevel } from './fftcore.js';
import { activeThreads, runShares, warmThreads, type Job } from './threads.js';
import { f64View, u8View, wasm, wasmAlloc, wasmFree } from './wasmheap.js';

const EPS = 2 ** -53;
const BETA = 4 * EPS;
/** Error of a two-level twiddle (fftcore's BETA2). */
const BETA2 = 10.3 * EPS;

/** Percival's bound on max |computed − exact| of a length-2^logN convolution with the given norm product. */
export function percivalBound(logN: number, normProduct: number): number {
  const n = logN + 1;
  const e = 3 * n * Math.log1p(EPS) + (3 * n + 1) * Math.log1p(EPS * Math.sqrt(5)) + 3 * n * Math.log1p(BETA);
  return normProduct * Math.expm1(e);
}

/**
 * Bound on |computed − exact| of any coefficient of a block convolution whose diagonals sum up to
 * `terms` block products, for operands with Euclidean norms whose product is `normProduct`.
 *
 * Each block product obeys Percival's bound with its own norms; by Cauchy–Schwarz the norms of the
 * products on one diagonal sum to at most ||a||·||b||, so the per-product errors sum to the
 * single-product bound taken at the full norm product. Sequential accumulation of `terms` spectra adds
 * at most (terms − 1)·ε relative error per point; one radix-2 level of Percival's bound already allows
 * more than 20ε, so we charge one extra level per 20 terms (plus one), which is conservative.
 */
export function blockConvolutionBound(size: number, terms: number, normProduct: number): number {
  const extraLevels = 1 + Math.ceil(Math.max(0, terms - 1) / 20);
  // The packing level's twiddles (untangle, retangle) are two-level (β2 = 10.3ε), not β: Percival charges every
  // level's twiddle in three places (two forward transforms and the inverse), so 3·(log(1+β2) − log(1+β)) more.
  const packing = 3 * (Math.log1p(BETA2) - Math.log1p(BETA));
  const bound = percivalBound(Math.log2(2 * size) + extraLevels, normProduct);
  return bound + (bound + normProduct) * Math.expm1(packing);
}

// ---------------------------------------------------------------- two levels: the out-of-core 2-D transform

/**
 * Alignment of a WasmBlock in the wasm memory (whose base is page-aligned): 4096 bytes, what direct I/O needs of a
 * transfer's memory (engine/outofcore/scratch.ts DIRECT_IO_ALIGN), so that stripes and rows bypass the page cache.
 */
export const WASM_BLOCK_ALIGN = 4096;

/**
 * A block of `points` complex points (interleaved re, im doubles) in the wasm memory, for callers that read and
 * write it straight from and to files (engine/outofcore/transform2d.ts): views are taken anew on each call (a
 * growing wasm memory replaces its buffer), and the block is the caller's until `free`.
 */
export class WasmBlock {
  readonly ptr: number;
  /** What wasmAlloc returned (ptr is the first multiple of WASM_BLOCK_ALIGN in it). */
  private readonly allocated: number;

  constructor(readonly points: number) {
    this.allocated = wasmAlloc(16 * points + WASM_BLOCK_ALIGN);
    this.ptr = Math.ceil(this.allocated / WASM_BLOCK_ALIGN) * WASM_BLOCK_ALIGN;
  }

  /** The block's doubles (2·points; take it after the last allocation, never keep it). */
  doubles(): Float64Array {
    return f64View(this.ptr, 2 * this.points);
  }

  /** Bytes [from, from + length) of the block. */
  bytes(from = 0, length = 16 * this.points - from): Uint8Array {
    return u8View(this.ptr + from, length);
  }

  free(): void {
    wasmFree(this.allocated);
  }
}

/**
 * Inner forward transform of a block held interleaved in the wasm memory: coefficient q of the block at double q
 * (q < size; doubles from size on are ignored) in, its untangled spectrum out, in place (point p at doubles 2p, 2p + 1).
 */
export function forwardBlockAt(block: WasmBlock, size: number): void {
  const { lo, hi } = twoLevel(2 * size);
  forwardAt(block.ptr, size, size / 2); // points from size/2 on are zero (forwardAt clears them)
  wasm().tangle(block.ptr, size, lo, hi, 0);
}

/** Inner inverse transform in place: an untangled product spectrum in, coefficient q (times size) at double q out. */
export function inverseBlockAt(block: WasmBlock, size: number): void {
  const { lo, hi } = twoLevel(2 * size);
  wasm().tangle(block.ptr, size, lo, hi, 1);
  inverseAt(block.ptr, size);
}

/**
 * acc += weight · a ⊙ b for untangled block spectra (forwardBlockAt), interleaved: points p >= 1 multiply as
 * complex numbers; point 0 carries the two real values Â(0) (re) and Â(size) (im), which multiply componentwise.
 * The block convolution's diagonal sums (engine/outofcore/multiply.ts); weight 2 counts a square's pair i < j twice.
 */
export function multiplyAccumulateAt(acc: WasmBlock, a: WasmBlock, b: WasmBlock, size: number, weight: number): void {
  wasm().mulAccumulate(acc.ptr, a.ptr, b.ptr, size, weight);
}

/**
 * Balanced base-10^d digits of an operand's blocks, compiled (assembly/fft.ts `balanceBlock`): a block's ASCII
 * digits in, its digits least significant first out (`coefficients`, a view on the wasm memory), the carry running
 * from block to block, the squared norm summed.
 */
export class BlockBalancer {
  private readonly text: number;
  private readonly dst: number;
  private readonly res: number;

  constructor(
    readonly size: number,
    readonly d: number,
  ) {
    this.text = wasmAlloc(d * size);
    this.dst = wasmAlloc(8 * size);
    this.res = wasmAlloc(16);
    f64View(this.res, 2).fill(0);
  }

  /** Balances the block's digits (at most d·size ASCII digits, most significant first); returns the digit count. */
  balance(digits: Uint8Array): number {
    u8View(this.text, digits.length).set(digits);
    wasm().balanceBlock(this.text, digits.length, this.d, this.dst, this.res);
    return Math.ceil(digits.length / this.d);
  }

  /** The carry into the next block. */
  get carry(): number {
    return f64View(this.res, 2)[0]!;
  }

  set carry(c: number) {
    f64View(this.res, 2)[0] = c;
  }

  /** Sum of the squares of the digits balanced so far. */
  get sumSquares(): number {
    return f64View(this.res, 2)[1]!;
  }

  set sumSquares(s: number) {
    f64View(this.res, 2)[1] = s;
  }

  /** The last block's digits (size doubles; a view: take it anew after any allocation). */
  coefficients(): Float64Array {
    return f64View(this.dst, this.size);
  }

  free(): void {
    wasmFree(this.res);
    wasmFree(this.dst);
    wasmFree(this.text);
  }
}

/**
 * The compiled end of a product row (assembly/fft.ts `settleRow`): rounding with the distance measured, the
 * overlap-add of the previous row's upper half (`pending`, kept here in the wasm memory), base-10^d carries, an
 * optional small multiplier, and the row's digits as ASCII text (`text`, most significant first).
 */
export class RowSettler {
  private readonly pending: number;
  private readonly textPtr: number;
  private readonly res: number;

  constructor(readonly size: number) {
    this.pending = wasmAlloc(8 * size);
    this.textPtr = wasmAlloc(4 * size);
    this.res = wasmAlloc(24);
    f64View(this.pending, size).fill(0);
  }

  /**
   * Settles the row in `block` (coefficient q times 1/scale at double q, q < 2·size) with digits of size d and the
   * multiplier `mult` whose carry in is `multCarry`. Returns the largest rounding distance (NaN for a non-finite
   * coefficient), the carry out of the row (already folded into the pending upper half), and the multiplier's carry.
   */
  settle(block: WasmBlock, scale: number, d: number, mult: number, multCarry: number): { maxError: number; carry: number; multCarry: number } {
    const r = f64View(this.res, 3);
    r[2] = multCarry;
    wasm().settleRow(block.ptr, this.size, scale, this.pending, d, mult, this.textPtr, this.res);
    const out = f64View(this.res, 3);
    const pending = f64View(this.pending, this.size);
    pending[0] = pending[0]! + out[1]!;
    return { maxError: out[0]!, carry: out[1]!, multCarry: out[2]! };
  }

  /** The last settled row's digits as text (size·d bytes; a view, valid until the next settle or free). */
  text(d: number): Uint8Array {
    return u8View(this.textPtr, this.size * d);
  }

  /** The pending upper half (a view; take it anew after any allocation). */
  pendingView(): Float64Array {
    return f64View(this.pending, this.size);
  }

  free(): void {
    wasmFree(this.res);
    wasmFree(this.textPtr);
    wasmFree(this.pending);
  }
}

/** Length of the outer transform over na and nb blocks: a power of two >= na + nb − 1 (acyclic), at least 16. */
export function outerLength(na: number, nb: number): number {
  let M = 16;
  while (M < na + nb - 1) M *= 2;
  return M;
}

/** Wasm bytes the outer level's threads use besides the chunk itself (each thread's two columns of M points). */
export function outerScratchBytes(M: number, threads = activeThreads()): number {
  return 32 * M * threads;
}

/**
 * The outer level of the 2-D transform for one chunk of w columns (compiled: assembly/fft.ts `convolveColumns`):
 * column c of A (na rows of w points, row-major, at A.ptr) and of B (nb rows; B = A squares) are transformed over the
 * block index (length M = outerLength), multiplied pointwise, transformed back (unscaled: times M), and rows
 * j < na + nb − 1 of the result are stored into C (row-major, w points a row). `special`: column 0 of the chunk is
 * point 0 of the untangled inner spectra (two real values that multiply componentwise). The columns are dealt out
 * to the kernel's threads in contiguous ranges; each column goes through the same operations whatever the number of
 * threads, so the bits do not depend on it.
 */
export function convolveColumnChunk(A: WasmBlock, na: number, B: WasmBlock, nb: number, C: WasmBlock, w: number, M: number, special: boolean): void {
  const dir = powerOfTwoTables(M);
  const T = Math.max(1, Math.min(activeThreads(), w));
  if (T > 1) warmThreads();
  const X = wasmAlloc(outerScratchBytes(M, T));
  try {
    const shares: Job[][] = [];
    for (let t = 0, c0 = 0; t < T; t++) {
      const c1 = c0 + Math.floor(w / T) + (t < w % T ? 1 : 0);
      shares.push([['convolveColumns', A.ptr, na, B.ptr, nb, C.ptr, w, c0, c1, M, X + 32 * M * t, dir, special ? 1 : 0]]);
      c0 = c1;
    }
    runShares(wasm(), shares);
  } finally {
    wasmFree(X);
  }
}

/**
 * Bound on |computed − exact| of every coefficient of the 2-D convolution (inner real length 2·size, outer length
 * M) computed by forwardBlockAt, convolveColumnChunk and inverseBlockAt, for operands whose digit vectors' Euclidean
 * norms multiply to `normProduct`.
 *
 * Why Percival's theorem applies to two levels: the 2-D DFT of a size × M array is (F_M ⊗ I)(I ⊗ F_size), so the
 * row transforms' log2(size) levels followed by the column transforms' log2(M) levels are one sequence of
 * log2(size) + log2(M) levels, each a direct sum of √2-scaled unitary butterflies with table twiddles (β), computed
 * with the same floating-point operations Percival's proof charges (radix-4 stages count as two levels, as in
 * fftcore's mixedBound); the real-to-complex packing adds one level whose twiddles are two-level (β2); the pointwise
 * product is one (1+ε√5); the scalings by 1/size and 1/M are powers of two, exact. The 2-D cyclic convolution of
 * size (2·size) × M computed this way equals the acyclic one (rows hold < 2·size coefficients, columns < M rows), and
 * the Frobenius norms of the 2-D operand arrays are the Euclidean norms of the digit vectors. Point 0's two real
 * sequences are convolved separately by the same complex transforms (imaginary parts zero): no new operations. So
 * the bound is percivalBound with n = log2(size) + 1 + log2(M) levels (+1 spare, as blockConvolutionBound charges),
 * plus the packing level's β2 − β as there. An output digit is the sum of two such coefficients (a row's low half
 * and the previous row's high half), each rounded to an integer on its own: a bound < 1/2 makes every rounding exact.
 */
export function transform2DBound(size: number, M: number, normProduct: number): number {
  const packing = 3 * (Math.log1p(BETA2) - Math.log1p(BETA));
  const bound = percivalBound(Math.log2(2 * size) + Math.log2(M), normProduct);
  return bound + (bound + normProduct) * Math.expm1(packing);
}

/**
 * Largest proven 2-D bound (transform2DBound, with the operands' norms) at which the out-of-core product still uses a
 * digit size, by policy rather than proof (engine/outofcore/transform2d.ts `digitSizeGrounds`; docs/ARCHITECTURE.md,
 * "Out of core", digit-size policy). Why 4: the largest rounding distance measured (bench/rounding-2d.ts) is about
 * 10^-5 of the bound for random digits and at most 0.9% of it for the most coherent operands tried (every balanced
 * digit at the same extreme), so at 4 the worst measured error is ≈ 0.04, six times under the 1/4 at which the
 * rounding check calls a fault; and random digits keep d = 3 up to ~1.8·10^9-digit operands (bound 3.5 at 1.6·10^9),
 * while operands whose digits sit at the extremes (norms 3× random's) drop to d = 2 from ~6·10^8 digits.
 */
export const TRANSFORM2D_POLICY_LIMIT = 4;

/** Why a digit size is used: its bound is below 1/2 ('proven'), or below the policy's limit ('policy'). */
export type DigitSizeGrounds = 'proven' | 'policy';

/**
 * On what grounds the 2-D transform of these dimensions may use a digit size whose digit vectors' norms multiply to
 * `normProduct`: 'proven' (transform2DBound < 1/2: every rounding is exact), 'policy' (bound < `limit`: exact by the
 * measured error behaviour, and guarded by the rounding check and the residue check), or undefined (not at all).
 * A limit under 1/2 (tests: small operands behave like huge ones) admits only bounds under it.
 * @example transform2DGrounds(1 << 20, 1024, 4.4e13) // 'policy' (random 3-digit digits of 1.6·10^9-digit operands)
 */
export function transform2DGrounds(size: number, M: number, normProduct: number, limit = TRANSFORM2D_POLICY_LIMIT): DigitSizeGrounds | undefined {
  const bound = transform2DBound(size, M, normProduct);
  return bound < Math.min(0.5, limit) ? 'proven' : bound < limit ? 'policy' : undefined;
}
