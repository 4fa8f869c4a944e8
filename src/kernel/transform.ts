/**
 * kernel/transform — transform-level access to the FFT of fft.ts, for block convolutions whose
 * block spectra are computed once, cached (on disk, by the out-of-core engine), and combined many times.
 *
 * A block holds `size` real coefficients (balanced base-10^d digits, size a power of two); it is packed
 * into `size/2` complex points (x_j = c_2j + i·c_2j+1), zero-padded to `size` complex points (real length
 * N = 2·size, so the product of two blocks — 2·size − 1 coefficients — never wraps), transformed by
 * fft.ts's DIF FFT (bit-reversed output), and UNTANGLED into the spectrum of the real sequence:
 * position p of a pair (p, p') holds Â(k) and position p' holds Â(k + size) (see `forEachPair`).
 * Untangled spectra multiply pointwise as plain complex numbers, so a diagonal Σ_i Â_i·B̂_{k−i} is a
 * multiply-accumulate; re-tangling (linear, done once per diagonal) and the DIT FFT give the block
 * product. Position 0 is special: it carries the two real values Â(0) (re) and Â(size) (im), which
 * multiply componentwise; position 1 carries Â(size/2), whose partner is its conjugate.
 *
 * The formulas are those of fft.ts's `pointwise` (E = (X + conj X')/2, O = (X − conj X')/(2i),
 * Â(k) = E + wO, Â(k+size) = E − wO, w = e^{−2πik/N}) split into their two linear halves.
 */
import { cosN, cosTable, difRec, ditRec, ensureCosTable, percivalBound } from './fft.js';

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
  ensureCosTable(2 * size);
  difRec(s.re, s.im, 0, size, size, cosN / (2 * size));
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
  ditRec(s.re, s.im, 0, size, size, cosN / (2 * size));
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
