/**
 * kernel/transform — transform-level access to the compiled FFT of fftcore.ts, for block convolutions whose
 * block spectra are computed once, cached (on disk, by the out-of-core engine), and combined many times.
 *
 * A block holds `size` real coefficients (balanced base-10^d digits, size a power of two); it is packed
 * into `size/2` complex points (x_j = c_2j + i·c_2j+1), zero-padded to `size` complex points (real length
 * N = 2·size, so the product of two blocks — 2·size − 1 coefficients — never wraps), transformed by
 * fftcore's DIF FFT (compiled, in the wasm memory; bit-reversed output), and UNTANGLED into the spectrum of the real sequence:
 * position p of a pair (p, p') holds Â(k) and position p' holds Â(k + size) (see `forEachPair`).
 * Untangled spectra multiply pointwise as plain complex numbers, so a diagonal Σ_i Â_i·B̂_{k−i} is a
 * multiply-accumulate; re-tangling (linear, done once per diagonal) and the DIT FFT give the block
 * product. Position 0 is special: it carries the two real values Â(0) (re) and Â(size) (im), which
 * multiply componentwise; position 1 carries Â(size/2), whose partner is its conjugate.
 *
 * The formulas are those of fftcore's `pointwiseAt` (E = (X + conj X')/2, O = (X − conj X')/(2i),
 * Â(k) = E + wO, Â(k+size) = E − wO, w = e^{−2πik/N}) split into their two linear halves.
 *
 * Error bound (blockConvolutionBound): Percival's theorem with n = log2(N) + 1 (the packing charged as one more
 * level) and β = 4ε: the transforms' tables are fftcore's (cosSin, β = 4ε), the untangling twiddles come from
 * `cosTable` (cos() of arguments in [0, π/2], error < 2ε).
 */
import { forwardAt, inverseAt } from './fftcore.js';
import { f64View, wasmAlloc, wasmFree } from './wasmheap.js';

const EPS = 2 ** -53;
const BETA = 4 * EPS;

/** Percival's bound on max |computed − exact| of a length-2^logN convolution with the given norm product. */
export function percivalBound(logN: number, normProduct: number): number {
  const n = logN + 1;
  const e = 3 * n * Math.log1p(EPS) + (3 * n + 1) * Math.log1p(EPS * Math.sqrt(5)) + 3 * n * Math.log1p(BETA);
  return normProduct * Math.expm1(e);
}

/**
 * H[t] = cos(2πt/cosN) for t in [0, cosN/2]: the untangling twiddles, one table for the largest size seen (smaller
 * sizes use a stride). For t in [0, 3N/4): cos = H[min(t, N − t)], sin = H[|t − N/4|].
 */
export let cosTable = new Float64Array(0);
export let cosN = 0;

function ensureCosTable(N: number): void {
  if (cosN >= N) return;
  const q = N / 4;
  const t = new Float64Array(2 * q + 1);
  const f = (2 * Math.PI) / N;
  // Arguments are kept in [0, π/2] (the β estimate above).
  for (let i = 0; i <= q; i++) t[i] = Math.cos(f * i);
  for (let i = q + 1; i <= 2 * q; i++) t[i] = -Math.cos(f * (2 * q - i));
  cosTable = t;
  cosN = N;
}

/** Frees the untangling table (fft.ts's releaseFftCaches calls it). */
export function releaseBlockTables(): void {
  cosTable = new Float64Array(0);
  cosN = 0;
}

/**
 * The DIF (forward) or DIT (inverse, unscaled) transform of the `size` points of s, run by the compiled kernel: the
 * points are interleaved into a wasm block, transformed there and copied back.
 */
function transformBlock(s: Spectrum, size: number, inverse: boolean): void {
  const ptr = wasmAlloc(16 * size);
  try {
    let v = f64View(ptr, 2 * size);
    const { re, im } = s;
    for (let i = 0; i < size; i++) {
      v[2 * i] = re[i]!;
      v[2 * i + 1] = im[i]!;
    }
    if (inverse) inverseAt(ptr, size);
    else forwardAt(ptr, size);
    v = f64View(ptr, 2 * size);
    for (let i = 0; i < size; i++) {
      re[i] = v[2 * i]!;
      im[i] = v[2 * i + 1]!;
    }
  } finally {
    wasmFree(ptr);
  }
}

/** Complex vectors of `size` points: one block's spectrum (16·size bytes). */
export interface Spectrum {
  readonly re: Float64Array;
  readonly im: Float64Array;
}

export function newSpectrum(size: number): Spectrum {
  return { re: new Float64Array(size), im: new Float64Array(size) };
}

/** Calls fn(p, p', wr, wi) for every conjugate pair of bit-reversed positions p < p' (p >= 2) of a length-`size` spectrum. */
function forEachPair(size: number, fn: (p: number, p2: number, wr: number, wi: number) => void): void {
  const N = 2 * size;
  ensureCosTable(N);
  const C = cosTable;
  const quarter = cosN >> 2;
  const cstride = cosN / N;
  for (let base = 2; base < size; base <<= 1) {
    const revBase = size / (2 * base);
    const halfBase = base >> 1;
    let r = 0; // rev(i) in log2(size) bits
    for (let i = 0; i < halfBase; i++) {
      const j = base + i;
      const k = revBase + r;
      const tt = k * cstride;
      if (2 * k <= size) fn(j, 3 * base - 1 - j, C[tt]!, -C[quarter - tt]!);
      else fn(j, 3 * base - 1 - j, -C[2 * quarter - tt]!, -C[tt - quarter]!);
      let bit = size >> 1;
      while (r & bit) {
        r ^= bit;
        bit >>= 1;
      }
      r |= bit;
    }
  }
}

/**
 * Forward transform of one block: `s` holds the packed coefficients (re/im interleaving, zero beyond
 * size/2); on return it holds the untangled spectrum.
 */
export function forwardBlock(s: Spectrum, size: number): void {
  transformBlock(s, size, false);
  untangle(s, size);
}

function untangle(s: Spectrum, size: number): void {
  const { re, im } = s;
  // p = 0: Â(0) = Re x + Im x, Â(size) = Re x − Im x (both real).
  const x0r = re[0]!, x0i = im[0]!;
  re[0] = x0r + x0i;
  im[0] = x0r - x0i;
  // p = 1: w = −i, Â(size/2) = conj(X).
  im[1] = -im[1]!;
  forEachPair(size, (p, p2, wr, wi) => {
    const xr = re[p]!, xi = im[p]!, mr = re[p2]!, mi = im[p2]!;
    const er = 0.5 * (xr + mr), ei = 0.5 * (xi - mi), or = 0.5 * (xi + mi), oi = -0.5 * (xr - mr);
    const tr = wr * or - wi * oi, ti = wr * oi + wi * or;
    re[p] = er + tr;
    im[p] = ei + ti;
    re[p2] = er - tr;
    im[p2] = ei - ti;
  });
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
  retangle(s, size);
  transformBlock(s, size, true);
}

function retangle(s: Spectrum, size: number): void {
  const { re, im } = s;
  const p0 = re[0]!, q0 = im[0]!;
  re[0] = 0.5 * (p0 + q0);
  im[0] = 0.5 * (p0 - q0);
  im[1] = -im[1]!;
  forEachPair(size, (p, p2, wr, wi) => {
    const pr = re[p]!, pi = im[p]!, qr = re[p2]!, qi = im[p2]!;
    const sr = pr + qr, si = pi + qi, dr = pr - qr, di = pi - qi;
    const dcr = dr * wr + di * wi, dci = di * wr - dr * wi;
    re[p] = 0.5 * (sr - dci);
    im[p] = 0.5 * (si + dcr);
    re[p2] = 0.5 * (sr + dci);
    im[p2] = 0.5 * (dcr - si);
  });
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
  return percivalBound(Math.log2(2 * size) + extraLevels, normProduct);
}
