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
import { forwardAt, inverseAt, twoLevel } from './fftcore.js';
import { f64View, wasm, wasmAlloc, wasmFree } from './wasmheap.js';

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

/** Complex vectors of `size` points: one block's spectrum (16·size bytes). */
export interface Spectrum {
  readonly re: Float64Array;
  readonly im: Float64Array;
}

export function newSpectrum(size: number): Spectrum {
  return { re: new Float64Array(size), im: new Float64Array(size) };
}

/** Points moved per copy between a block's JS arrays and the wasm memory (two 512 KiB staging arrays). */
const STAGE = 1 << 16;

/**
 * The block transform in the wasm memory (16·size bytes there, plus 1 MiB of staging and the tables): re and im are
 * copied in a stage at a time and interleaved (compiled), transformed forward and untangled (or re-tangled and
 * transformed backward), and copied back the same way.
 */
function transformBlock(s: Spectrum, size: number, inverse: boolean): void {
  const k = wasm();
  const { lo, hi } = twoLevel(2 * size);
  const work = wasmAlloc(16 * size);
  const stage = Math.min(STAGE, size);
  const staging = wasmAlloc(16 * stage);
  try {
    for (let t = 0; t < size; t += stage) {
      f64View(staging, stage).set(s.re.subarray(t, t + stage));
      f64View(staging + 8 * stage, stage).set(s.im.subarray(t, t + stage));
      k.interleave(work + 16 * t, staging, staging + 8 * stage, stage);
    }
    if (inverse) {
      k.tangle(work, size, lo, hi, 1);
      inverseAt(work, size);
    } else {
      forwardAt(work, size);
      k.tangle(work, size, lo, hi, 0);
    }
    for (let t = 0; t < size; t += stage) {
      k.deinterleave(staging, staging + 8 * stage, work + 16 * t, stage);
      s.re.set(f64View(staging, stage), t);
      s.im.set(f64View(staging + 8 * stage, stage), t);
    }
  } finally {
    wasmFree(staging);
    wasmFree(work);
  }
}

/**
 * Forward transform of one block: `s` holds the packed coefficients (re/im interleaving, zero beyond
 * size/2); on return it holds the untangled spectrum.
 */
export function forwardBlock(s: Spectrum, size: number): void {
  transformBlock(s, size, false);
}

/** acc += weight · a ⊙ b for untangled spectra. */
export function multiplyAccumulate(acc: Spectrum, a: Spectrum, b: Spectrum, size: number, weight: number): void {
  const ar = a.re, ai = a.im, br = b.re, bi = b.im, cr = acc.re, ci = acc.im;
  cr[0] += weight * ar[0]! * br[0]!;
  ci[0] += weight * ai[0]! * bi[0]!;
  for (let p = 1; p < size; p++) {
    const xr = ar[p]!, xi = ai[p]!, yr = br[p]!, yi = bi[p]!;
    cr[p] += weight * (xr * yr - xi * yi);
    ci[p] += weight * (xr * yi + xi * yr);
  }
}

/**
 * Inverse transform of an accumulated untangled product spectrum: on return, coefficient q of the
 * product (times `size`) is (q even ? re : im)[q >> 1], q < 2·size.
 */
export function inverseBlock(s: Spectrum, size: number): void {
  transformBlock(s, size, true);
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
