/**
 * kernel/fftcore — the complex FFT engine of in-memory multiplication: lengths M = 2^k and M = 3·2^k, radix-3 top
 * stage, radix-4 stages with per-size contiguous twiddle tables, in-cache radix-4 leaves, and the real-to-complex
 * pointwise step (untangle, multiply, optional second product added, re-tangle). Its proven error bound is
 * `mixedBound` (see there). The older power-of-two transforms of fft.ts stay for kernel/transform.ts.
 *
 * Two threads. From PARALLEL_MIN points, on SharedArrayBuffer-backed arrays, each transform runs in two steps
 * split with the helper thread of threads.ts (the top stage — for M = 3P the fused radix-3 + radix-4 pass — split
 * by butterfly index, then the independent sub-blocks shared out), and the pointwise step in two halves of equal work. Every element goes through the same
 * operations in the same order as in the serial code, so results are bit for bit the same and the bound holds.
 *
 * Orderings. The forward transform (decimation in frequency) takes natural order and leaves bit-reversed order; for
 * M = 3P it first does one radix-3 stage, so block b ∈ {0,1,2} of length P holds X[3k1 + b] with k1 in
 * bit-reversed order. The inverse (decimation in time, conjugate twiddles, unscaled) undoes exactly that.
 *
 * Twiddles. Every table entry is cos/sin(2πt/n) computed by `cosSin` from the exact integer t reduced to an
 * angle in [0, π/4] (error analysis there: |ω' − ω| < 3.7ε <= β = 4ε). Radix-4 stages of size n read the
 * half-period cosine table H_n (n/2 + 1 doubles, t = j, 2j, 3j: dense strided streams, no cache-hostile strides).
 * The radix-3 stage reads H_M (t = j, 2j). Twiddles needed in scattered order (the pointwise step) come from a two-level product
 * w^t = W_hi[t >> 10]·W_lo[t & 1023] of two small accurate tables: error < 2β + √5ε < 10.3ε =: β2.
 */

import { helperAvailable, helperWanted, isShared, notifyHelper, runWithHelper } from './threads.js';

const EPS = 2 ** -53;
const BETA = 4 * EPS;
/** Error of a twiddle built as the product of two table twiddles (2β + √5ε, rounded up). */
const BETA2 = 10.3 * EPS;
/** Largest block done by the iterative in-cache leaf (two Float64Arrays of 1024 = 16 KiB). */
const LEAF = 1024;
const LO_BITS = 10;
const LO = 1 << LO_BITS;
const H3 = Math.sqrt(3) / 2;

/**
 * cos and sin of 2πt/n for integers 0 <= t < n, 4 | n, into out[o], out[o+1].
 * The symmetries θ → 2π − θ, π − θ, π/2 − θ are applied on the exact integer t (n/2, n/4 exact), leaving an angle
 * a = π·(2t/n) <= π/4. 2t/n rounds once (exact for n a power of two), the product with fl(π) (relative error
 * 0.39ε) once: relative error < 2.4ε, absolute < (π/4)·2.4ε < 1.9ε. Math.cos/sin (fdlibm) err < 1 ulp <= ε on
 * values < 1, so |cos' − cos| < sin(π/4)·1.9ε + ε < 2.4ε, |sin' − sin| < 2.9ε, |ω' − ω| < 3.7ε <= β.
 */
function cosSin(t: number, n: number, out: Float64Array, o: number): void {
  let sinSign = 1;
  let cosSign = 1;
  let swap = false;
  if (2 * t > n) {
    t = n - t;
    sinSign = -1;
  }
  if (4 * t > n) {
    t = n / 2 - t;
    cosSign = -1;
  }
  if (8 * t > n) {
    t = n / 4 - t;
    swap = true;
  }
  const a = Math.PI * ((2 * t) / n);
  const c = Math.cos(a), s = Math.sin(a);
  out[o] = cosSign * (swap ? s : c);
  out[o + 1] = sinSign * (swap ? c : s);
}

// ---------------------------------------------------------------- tables

const halfTables = new Map<number, Float64Array>();
let helperHasTables = false;

/**
 * H_n[t] = cos(2πt/n), t in [0, n/2]; cos(2πm/n) = H[min(m, n − m)], sin(2πm/n) = H[|m − n/4|] for m < 3n/4.
 * Each thread computes its own tables (same function, same values). Sharing them would save the helper that
 * work, but shared memory is freed only by a full collection, which V8 does not start for it: released shared
 * tables piled up (pi to 10^8 digits: 2.7 GiB peak RSS instead of 1.8).
 */
function halfTable(n: number): Float64Array {
  let h = halfTables.get(n);
  if (h) return h;
  h = new Float64Array(n / 2 + 1);
  const tmp = new Float64Array(2);
  for (let t = 0; t <= n / 2; t++) {
    cosSin(t, n, tmp, 0);
    h[t] = tmp[0];
  }
  halfTables.set(n, h);
  return h;
}

/** Two-level table for w^t = e^{-2πit/n}, 0 <= t < n: lo holds (cos, −sin) of t < 1024, hi of multiples of 1024. */
interface TwoLevel {
  n: number;
  lo: Float64Array;
  hi: Float64Array;
}
const twoLevelTables = new Map<number, TwoLevel>();

function twoLevel(n: number): TwoLevel {
  let t = twoLevelTables.get(n);
  if (t) return t;
  const lo = new Float64Array(2 * LO);
  const hi = new Float64Array(2 * (Math.ceil(n / LO) + 1));
  for (let i = 0; i < LO; i++) {
    cosSin(i % n, n, lo, 2 * i);
    lo[2 * i + 1] = -lo[2 * i + 1];
  }
  for (let i = 0; 2 * i < hi.length; i++) {
    cosSin((i * LO) % n, n, hi, 2 * i);
    hi[2 * i + 1] = -hi[2 * i + 1];
  }
  t = { n, lo, hi };
  twoLevelTables.set(n, t);
  return t;
}

/** Frees every cached table (in the helper thread too). */
export function releaseCoreTables(): void {
  halfTables.clear();
  twoLevelTables.clear();
  if (helperHasTables) notifyHelper({ kind: 'release' });
  helperHasTables = false;
}

/**
 * Bytes of the tables a transform of M complex points caches; twice that from PARALLEL_MIN points when the helper
 * thread takes part (it keeps its own copy).
 */
export function coreTableBytes(M: number): number {
  const copies = M >= PARALLEL_MIN && helperWanted() ? 2 : 1;
  return copies * (8 * (M + 2 * LO) + 16 * (2 * M / LO + 2 * LO));
}

// ---------------------------------------------------------------- radix-4 stages and leaves

/**
 * DIF radix-4 stage on block [off, off+n): a, b, c, d = x[j + {0,1,2,3}·n/4], w = e^{-2πi/n}:
 * X0 = (a+c)+(b+d), X1 = ((a+c)−(b+d))·w^2j, X2 = ((a−c)−i(b−d))·w^j, X3 = ((a−c)+i(b−d))·w^3j.
 * Two radix-2 levels with the twiddles merged (one rounding fewer; ·(−i) is exact).
 */
function dif4(re: Float64Array, im: Float64Array, off: number, n: number, H: Float64Array, j0: number, j1: number): void {
  const q = n >> 2;
  for (let j = j0; j < j1; j++) {
    const i0 = off + j, i1 = i0 + q, i2 = i1 + q, i3 = i2 + q;
    const ar = re[i0], ai = im[i0], br = re[i1], bi = im[i1], cr = re[i2], ci = im[i2], dr = re[i3], di = im[i3];
    const s0r = ar + cr, s0i = ai + ci, d0r = ar - cr, d0i = ai - ci;
    const s1r = br + dr, s1i = bi + di, d1r = br - dr, d1i = bi - di;
    re[i0] = s0r + s1r;
    im[i0] = s0i + s1i;
    const j2 = 2 * j, j3 = 3 * j;
    let twR = H[j2], twI = -H[Math.abs(j2 - q)];
    let xr = s0r - s1r, xi = s0i - s1i;
    re[i1] = xr * twR - xi * twI;
    im[i1] = xr * twI + xi * twR;
    twR = H[j];
    twI = -H[q - j];
    xr = d0r + d1i;
    xi = d0i - d1r;
    re[i2] = xr * twR - xi * twI;
    im[i2] = xr * twI + xi * twR;
    twR = H[Math.min(j3, n - j3)];
    twI = -H[Math.abs(j3 - q)];
    xr = d0r - d1i;
    xi = d0i + d1r;
    re[i3] = xr * twR - xi * twI;
    im[i3] = xr * twI + xi * twR;
  }
}

/** Inverse of dif4 up to the factor 4 (conjugate twiddles), DIT direction. */
function dit4(re: Float64Array, im: Float64Array, off: number, n: number, H: Float64Array, j0: number, j1: number): void {
  const q = n >> 2;
  for (let j = j0; j < j1; j++) {
    const i0 = off + j, i1 = i0 + q, i2 = i1 + q, i3 = i2 + q;
    const j2 = 2 * j, j3 = 3 * j;
    let xr = re[i1], xi = im[i1];
    let twR = H[j2], twI = -H[Math.abs(j2 - q)];
    const p1r = xr * twR + xi * twI, p1i = xi * twR - xr * twI;
    xr = re[i2];
    xi = im[i2];
    twR = H[j];
    twI = -H[q - j];
    const p2r = xr * twR + xi * twI, p2i = xi * twR - xr * twI;
    xr = re[i3];
    xi = im[i3];
    twR = H[Math.min(j3, n - j3)];
    twI = -H[Math.abs(j3 - q)];
    const p3r = xr * twR + xi * twI, p3i = xi * twR - xr * twI;
    const y0r = re[i0], y0i = im[i0];
    const Ar = y0r + p1r, Ai = y0i + p1i, Br = y0r - p1r, Bi = y0i - p1i;
    const Sr = p2r + p3r, Si = p2i + p3i, Dr = p2r - p3r, Di = p2i - p3i;
    re[i0] = Ar + Sr;
    im[i0] = Ai + Si;
    re[i2] = Ar - Sr;
    im[i2] = Ai - Si;
    re[i1] = Br - Di;
    im[i1] = Bi + Dr;
    re[i3] = Br + Di;
    im[i3] = Bi - Dr;
  }
}

/** Twiddle-free radix-4 butterflies on consecutive groups of 4 (the last DIF stage of an even-log block). */
function dif4Small(re: Float64Array, im: Float64Array, off: number, n: number): void {
  for (let i0 = off; i0 < off + n; i0 += 4) {
    const i1 = i0 + 1, i2 = i0 + 2, i3 = i0 + 3;
    const ar = re[i0], ai = im[i0], br = re[i1], bi = im[i1], cr = re[i2], ci = im[i2], dr = re[i3], di = im[i3];
    const s0r = ar + cr, s0i = ai + ci, d0r = ar - cr, d0i = ai - ci;
    const s1r = br + dr, s1i = bi + di, d1r = br - dr, d1i = bi - di;
    re[i0] = s0r + s1r;
    im[i0] = s0i + s1i;
    re[i1] = s0r - s1r;
    im[i1] = s0i - s1i;
    re[i2] = d0r + d1i;
    im[i2] = d0i - d1r;
    re[i3] = d0r - d1i;
    im[i3] = d0i + d1r;
  }
}

function dit4Small(re: Float64Array, im: Float64Array, off: number, n: number): void {
  for (let i0 = off; i0 < off + n; i0 += 4) {
    const i1 = i0 + 1, i2 = i0 + 2, i3 = i0 + 3;
    const y0r = re[i0], y0i = im[i0], p1r = re[i1], p1i = im[i1], p2r = re[i2], p2i = im[i2], p3r = re[i3], p3i = im[i3];
    const Ar = y0r + p1r, Ai = y0i + p1i, Br = y0r - p1r, Bi = y0i - p1i;
    const Sr = p2r + p3r, Si = p2i + p3i, Dr = p2r - p3r, Di = p2i - p3i;
    re[i0] = Ar + Sr;
    im[i0] = Ai + Si;
    re[i2] = Ar - Sr;
    im[i2] = Ai - Si;
    re[i1] = Br - Di;
    im[i1] = Bi + Dr;
    re[i3] = Br + Di;
    im[i3] = Bi - Dr;
  }
}

function radix2Pairs(re: Float64Array, im: Float64Array, off: number, n: number): void {
  for (let i = off; i < off + n; i += 2) {
    const ur = re[i], ui = im[i], vr = re[i + 1], vi = im[i + 1];
    re[i] = ur + vr;
    im[i] = ui + vi;
    re[i + 1] = ur - vr;
    im[i + 1] = ui - vi;
  }
}

/** In-cache DIF of [off, off+n), n <= LEAF a power of two: radix-4 stages, a final radix-2 one if log2 n is odd. */
function difLeaf(re: Float64Array, im: Float64Array, off: number, n: number): void {
  let s = n;
  for (; s >= 8; s >>= 2) {
    const H = halfTable(s);
    for (let b = off; b < off + n; b += s) dif4(re, im, b, s, H, 0, s >> 2);
  }
  if (s === 4) dif4Small(re, im, off, n);
  else if (s === 2) radix2Pairs(re, im, off, n);
}

function ditLeaf(re: Float64Array, im: Float64Array, off: number, n: number): void {
  const odd = Math.log2(n) % 2 === 1;
  let s: number;
  if (odd) {
    radix2Pairs(re, im, off, n);
    s = 8;
  } else {
    if (n >= 4) dit4Small(re, im, off, n);
    s = 16;
  }
  for (; s <= n; s <<= 2) {
    const H = halfTable(s);
    for (let b = off; b < off + n; b += s) dit4(re, im, b, s, H, 0, s >> 2);
  }
}

/** DIF of the power-of-two block [off, off+n): radix-4 stages depth-first until blocks fit the leaf. */
export function difPow2(re: Float64Array, im: Float64Array, off: number, n: number): void {
  if (n <= LEAF) {
    difLeaf(re, im, off, n);
    return;
  }
  const q = n >> 2;
  dif4(re, im, off, n, halfTable(n), 0, q);
  for (let k = 0; k < 4; k++) difPow2(re, im, off + k * q, q);
}

export function ditPow2(re: Float64Array, im: Float64Array, off: number, n: number): void {
  if (n <= LEAF) {
    ditLeaf(re, im, off, n);
    return;
  }
  const q = n >> 2;
  for (let k = 0; k < 4; k++) ditPow2(re, im, off + k * q, q);
  dit4(re, im, off, n, halfTable(n), 0, q);
}

// ---------------------------------------------------------------- radix 3

/**
 * DIF radix-3 stage for M = 3P: with a, b, c = x[n1 + {0,1,2}·P], ω3 = e^{-2πi/3}, w = e^{-2πi/M}:
 * Y0 = a+b+c, Y1 = (a − (b+c)/2 − i·(√3/2)(b−c))·w^n1, Y2 = (a − (b+c)/2 + i·(√3/2)(b−c))·w^2n1.
 * It is the first stage of a mixed transform, so it alone knows the input's zero tail (x[t] = 0 for t >= filled).
 */
function dif3(re: Float64Array, im: Float64Array, P: number, H: Float64Array, j0: number, j1: number, filled: number): void {
  const M = 3 * P, q = M >> 2;
  for (let j = j0; j < j1; j++) {
    const i1 = j + P, i2 = i1 + P;
    // Points from `filled` on are zero and not read (their memory may hold anything): an operand fills less than
    // half of a product's transform, so c is never read and b rarely. Exact zeros leave every result bit as is.
    const ar = j < filled ? re[j] : 0, ai = j < filled ? im[j] : 0;
    const br = i1 < filled ? re[i1] : 0, bi = i1 < filled ? im[i1] : 0;
    const cr = i2 < filled ? re[i2] : 0, ci = i2 < filled ? im[i2] : 0;
    const sr = br + cr, si = bi + ci, dr = br - cr, di = bi - ci;
    re[j] = ar + sr;
    im[j] = ai + si;
    const mr = ar - 0.5 * sr, mi = ai - 0.5 * si;
    const er = H3 * di, ei = -H3 * dr; // −i·(√3/2)·d
    let wr = H[j], wi = -H[Math.abs(j - q)];
    let xr = mr + er, xi = mi + ei;
    re[i1] = xr * wr - xi * wi;
    im[i1] = xr * wi + xi * wr;
    const j2 = 2 * j;
    wr = H[Math.min(j2, M - j2)];
    wi = -H[Math.abs(j2 - q)];
    xr = mr - er;
    xi = mi - ei;
    re[i2] = xr * wr - xi * wi;
    im[i2] = xr * wi + xi * wr;
  }
}

/** Inverse of dif3 up to the factor 3 (conjugate twiddles). */
function dit3(re: Float64Array, im: Float64Array, P: number, H: Float64Array, j0: number, j1: number): void {
  const M = 3 * P, q = M >> 2;
  for (let j = j0; j < j1; j++) {
    const i1 = j + P, i2 = i1 + P;
    let wr = H[j], wi = -H[Math.abs(j - q)];
    let xr = re[i1], xi = im[i1];
    const ur = xr * wr + xi * wi, ui = xi * wr - xr * wi;
    const j2 = 2 * j;
    wr = H[Math.min(j2, M - j2)];
    wi = -H[Math.abs(j2 - q)];
    xr = re[i2];
    xi = im[i2];
    const vr = xr * wr + xi * wi, vi = xi * wr - xr * wi;
    const ar = re[j], ai = im[j];
    const sr = ur + vr, si = ui + vi, dr = ur - vr, di = ui - vi;
    re[j] = ar + sr;
    im[j] = ai + si;
    const mr = ar - 0.5 * sr, mi = ai - 0.5 * si;
    const er = -H3 * di, ei = H3 * dr; // +i·(√3/2)·d
    re[i1] = mr + er;
    im[i1] = mi + ei;
    re[i2] = mr - er;
    im[i2] = mi - ei;
  }
}

// ---------------------------------------------------------------- fused top stages of mixed lengths

/**
 * Points per chunk of the fused radix-3 + top radix-4 stages: a chunk touches 12·256 points (48 KiB), which stay
 * in the core's L2 cache from one stage to the next. Unfused, each stage is a pass over the whole array, which
 * from about 2^20 points no longer fits the shared L3: one memory round trip fewer per transform.
 */
const FUSED_CHUNK = 256;

/**
 * For M = 3P, the radix-3 stage and then the top radix-4 stage of each P-block, chunk by chunk over the radix-4
 * index j in [j0, j1) ⊆ [0, P/4). Radix-4 butterfly (t, j) reads positions t·P + j + m·P/4 (m = 0..3), which are
 * exactly the outputs of radix-3 butterflies j + m·P/4 of the same chunk. Every element goes through the same
 * operations as in the unfused order, so the results are the same bits.
 */
function dif3Then4(re: Float64Array, im: Float64Array, P: number, j0: number, j1: number, filled: number): void {
  const q = P >> 2, HM = halfTable(3 * P), HP = halfTable(P);
  for (let c0 = j0; c0 < j1; c0 += FUSED_CHUNK) {
    const c1 = Math.min(c0 + FUSED_CHUNK, j1);
    for (let m = 0; m < 4; m++) dif3(re, im, P, HM, m * q + c0, m * q + c1, filled);
    for (let t = 0; t < 3; t++) dif4(re, im, t * P, P, HP, c0, c1);
  }
}

/** The inverse of dif3Then4 up to the factor 12, in mirror order: top radix-4 stages of a chunk, then its radix-3. */
function dit4Then3(re: Float64Array, im: Float64Array, P: number, j0: number, j1: number): void {
  const q = P >> 2, HM = halfTable(3 * P), HP = halfTable(P);
  for (let c0 = j0; c0 < j1; c0 += FUSED_CHUNK) {
    const c1 = Math.min(c0 + FUSED_CHUNK, j1);
    for (let t = 0; t < 3; t++) dit4(re, im, t * P, P, HP, c0, c1);
    for (let m = 0; m < 4; m++) dit3(re, im, P, HM, m * q + c0, m * q + c1);
  }
}

// ---------------------------------------------------------------- public transform entry points

/** Smallest supported length >= x among 2^k and 3·2^k (k >= 2 resp. 3 so that the tables' 4 | n holds). */
export function transformLength(x: number): number {
  let p = 4;
  while (p < x) p *= 2;
  const m3 = (3 * p) / 4;
  return m3 >= x && m3 >= 24 ? m3 : p;
}

function isMixed(M: number): boolean {
  return M % 3 === 0;
}

/**
 * Forward DIF transform of M complex points (natural in, block/bit-reversed out) of an input whose points from
 * `filled` on are zero: they need not be zero in memory (a mixed length never reads them, a power of two clears
 * them first). Large transforms on shared buffers are split with the helper thread (same operations, same order
 * per element: the same result bits).
 */
export function forwardTransform(re: Float64Array, im: Float64Array, M: number, filled = M): void {
  if (useHelper(M, [re, im])) forwardParallel(re, im, M, filled);
  else forwardSerial(re, im, M, filled);
}

/** @internal forwardTransform in this thread only (for a caller already running beside the helper). */
export function forwardSerial(re: Float64Array, im: Float64Array, M: number, filled = M): void {
  if (!isMixed(M)) {
    clearTail(re, im, M, filled);
    difPow2(re, im, 0, M);
    return;
  }
  const P = M / 3;
  if (P > LEAF) {
    dif3Then4(re, im, P, 0, P / 4, filled);
    for (let b = 0; b < 12; b++) difPow2(re, im, (b * P) / 4, P / 4);
  } else {
    dif3(re, im, P, halfTable(M), 0, P, filled);
    for (let b = 0; b < 3; b++) difPow2(re, im, b * P, P);
  }
}

function clearTail(re: Float64Array, im: Float64Array, M: number, filled: number): void {
  if (filled >= M) return;
  re.fill(0, filled, M);
  im.fill(0, filled, M);
}

/** Inverse DIT transform (unscaled: returns M times the inverse DFT); split with the helper like the forward one. */
export function inverseTransform(re: Float64Array, im: Float64Array, M: number): void {
  if (useHelper(M, [re, im])) inverseParallel(re, im, M);
  else inverseSerial(re, im, M);
}

function inverseSerial(re: Float64Array, im: Float64Array, M: number): void {
  if (!isMixed(M)) {
    ditPow2(re, im, 0, M);
    return;
  }
  const P = M / 3;
  if (P > LEAF) {
    for (let b = 0; b < 12; b++) ditPow2(re, im, (b * P) / 4, P / 4);
    dit4Then3(re, im, P, 0, P / 4);
  } else {
    for (let b = 0; b < 3; b++) ditPow2(re, im, b * P, P);
    dit3(re, im, P, halfTable(M), 0, P);
  }
}

// ---------------------------------------------------------------- pointwise step

/** Packed spectra of real sequences (x_j = a_2j + i·a_2j+1) as produced by forwardTransform. */
export interface PackedSpectrum {
  readonly re: Float64Array;
  readonly im: Float64Array;
}

/**
 * out ← retangle(Σ_t untangle(A_t)·untangle(B_t)) for up to two products (B_t may be A_t: a square).
 * For a position pair (p, p2) holding X[k] and X[M − k] of a packed real sequence of length 2M and w = e^{-2πik/2M}:
 * E = (X + conj X')/2, O = (X − conj X')/(2i), Â(k) = E + wO, Â(k+M) = E − wO; the product spectrum C is packed back
 * by the inverse of these formulas. out may alias the first operand.
 */
export function pointwiseProducts(out: PackedSpectrum, terms: ReadonlyArray<readonly [PackedSpectrum, PackedSpectrum]>, M: number): void {
  const arrays = [out.re, out.im, ...terms.flatMap(([x, y]) => [x.re, x.im, y.re, y.im])];
  if (useHelper(M, arrays)) {
    const task = (part: 0 | 1): FftTask => ({ kind: 'pointwise', out, terms, M, part });
    split(task(0), task(1));
  } else {
    pointwisePart(out, terms, M, 'all');
  }
}

/**
 * The pointwise step, whole or one of two halves of equal work. Pairs never straddle the halves, and each pair's
 * outputs depend only on that pair's inputs, so the halves can run at once. Mixed M = 3P: half 0 is block 0
 * (P/2 pairs) and the first quarter of blocks 1–2 (P/4 pairs), half 1 the rest of blocks 1–2. Power of two: half 1
 * is the top level of pairs (positions [M/2, M), M/4 pairs), half 0 everything below it.
 */
function pointwisePart(out: PackedSpectrum, terms: ReadonlyArray<Term>, M: number, part: 0 | 1 | 'all'): void {
  const a = terms[0], b = terms.length > 1 ? terms[1] : null;
  if (isMixed(M)) {
    const P = M / 3;
    if (part !== 1) pointwiseRange(out, a, b, 0, P, twoLevel(2 * P), 'all');
    const T = twoLevel(2 * M);
    if (part === 'all') pointwiseBlocks12(out, a, b, P, T, 0, P);
    else if (part === 0) pointwiseBlocks12(out, a, b, P, T, 0, P / 4);
    else pointwiseBlocks12(out, a, b, P, T, P / 4, P);
  } else {
    pointwiseRange(out, a, b, 0, M, twoLevel(2 * M), part === 'all' ? 'all' : part === 0 ? 'low' : 'top');
  }
}

type Term = readonly [PackedSpectrum, PackedSpectrum];

/** Scratch for one pair: [c1r, c1i, c2r, c2i] (products at k and k + M before re-tangling). */
const acc = new Float64Array(4);

/** Adds untangle(a)·untangle(b) at positions (p, p2) with twiddle (wr, wi) into acc. */
function productAt(t: Term, p: number, p2: number, wr: number, wi: number): void {
  const A = t[0], B = t[1];
  let xr = A.re[p], xi = A.im[p], mr = A.re[p2], mi = A.im[p2];
  let er = 0.5 * (xr + mr), ei = 0.5 * (xi - mi), or = 0.5 * (xi + mi), oi = -0.5 * (xr - mr);
  let tr = wr * or - wi * oi, ti = wr * oi + wi * or;
  const a1r = er + tr, a1i = ei + ti, a2r = er - tr, a2i = ei - ti;
  let b1r = a1r, b1i = a1i, b2r = a2r, b2i = a2i;
  if (B !== A) {
    xr = B.re[p]; xi = B.im[p]; mr = B.re[p2]; mi = B.im[p2];
    er = 0.5 * (xr + mr); ei = 0.5 * (xi - mi); or = 0.5 * (xi + mi); oi = -0.5 * (xr - mr);
    tr = wr * or - wi * oi; ti = wr * oi + wi * or;
    b1r = er + tr; b1i = ei + ti; b2r = er - tr; b2i = ei - ti;
  }
  acc[0] += a1r * b1r - a1i * b1i;
  acc[1] += a1r * b1i + a1i * b1r;
  acc[2] += a2r * b2r - a2i * b2i;
  acc[3] += a2r * b2i + a2i * b2r;
}

function pairStep(out: PackedSpectrum, a: Term, b: Term | null, p: number, p2: number, T: TwoLevel, k: number): void {
  const lo = T.lo, hi = T.hi;
  const h = 2 * (k >> LO_BITS), l = 2 * (k & (LO - 1));
  const wr = hi[h] * lo[l] - hi[h + 1] * lo[l + 1], wi = hi[h] * lo[l + 1] + hi[h + 1] * lo[l];
  acc[0] = 0; acc[1] = 0; acc[2] = 0; acc[3] = 0;
  productAt(a, p, p2, wr, wi);
  if (b !== null) productAt(b, p, p2, wr, wi);
  const pr = acc[0], pi = acc[1], qr = acc[2], qi = acc[3];
  const sr = pr + qr, si = pi + qi, dr = pr - qr, di = pi - qi;
  const dcr = dr * wr + di * wi, dci = di * wr - dr * wi;
  out.re[p] = 0.5 * (sr - dci);
  out.im[p] = 0.5 * (si + dcr);
  out.re[p2] = 0.5 * (sr + dci);
  out.im[p2] = 0.5 * (dcr - si);
}

/**
 * A bit-reversed power-of-two block [off, off+n) holding X[stride·k1 + 0] (k1 = rev(position)) of a packed
 * sequence whose pairing stays inside the block: position j in [2^m, 2^{m+1}) pairs with 3·2^m − 1 − j, positions
 * 0 and 1 with themselves. T is the two-level table of order 2n (twiddle index k1).
 */
function pointwiseRange(out: PackedSpectrum, a: Term, b: Term | null, off: number, n: number, T: TwoLevel, levels: 'all' | 'low' | 'top'): void {
  if (levels !== 'top') {
    pairStep(out, a, b, off, off, T, 0);
    pairStep(out, a, b, off + 1, off + 1, T, n >> 1);
  }
  const first = levels === 'top' ? n >> 1 : 2;
  const end = levels === 'low' ? n >> 1 : n;
  for (let base = first; base < end; base <<= 1) {
    const revBase = n / (2 * base);
    let r = 0;
    const halfBase = base >> 1;
    for (let i = 0; i < halfBase; i++) {
      const j = base + i;
      pairStep(out, a, b, off + j, off + 3 * base - 1 - j, T, revBase + r);
      let bit = n >> 1;
      while (r & bit) {
        r ^= bit;
        bit >>= 1;
      }
      r |= bit;
    }
  }
}

/**
 * Blocks 1 and 2 of a length M = 3P spectrum: position j of block 1 holds X[3·rev(j) + 1], whose partner
 * X[M − 3·rev(j) − 1] = X[3·rev(P − 1 − j) + 2] sits at position P − 1 − j of block 2 (rev(P−1−j) = P−1−rev(j)).
 */
function pointwiseBlocks12(out: PackedSpectrum, a: Term, b: Term | null, P: number, T: TwoLevel, j0: number, j1: number): void {
  let r = bitReverse(j0, P);
  for (let j = j0; j < j1; j++) {
    pairStep(out, a, b, P + j, 3 * P - 1 - j, T, 3 * r + 1);
    let bit = P >> 1;
    while (r & bit) {
      r ^= bit;
      bit >>= 1;
    }
    r |= bit;
  }
}

/** j with its log2(n) bits reversed (n a power of two). */
function bitReverse(j: number, n: number): number {
  let r = 0;
  for (let bit = 1, rbit = n >> 1; bit < n; bit <<= 1, rbit >>= 1) if (j & bit) r |= rbit;
  return r;
}

// ---------------------------------------------------------------- two threads

/**
 * Transforms from this many complex points are split with the helper thread. A helper step costs a few tens of
 * microseconds (a message and a wake-up); a transform of 2^16 points takes about two milliseconds.
 */
export const PARALLEL_MIN = 1 << 16;

let warm = false;

/** Whether a step on transforms of length M goes to the helper (warming this thread up on first use). */
function helperReady(M: number): boolean {
  if (M < PARALLEL_MIN || !helperAvailable()) return false;
  if (!warm) warmUpTransforms();
  return true;
}

function useHelper(M: number, arrays: Float64Array[]): boolean {
  return arrays.every(isShared) && helperReady(M);
}

/**
 * @internal Small whole transforms, run once per thread before any split step, so that V8 optimizes the butterfly
 * loops with the feedback of ordinary calls. Measured without it: when the first calls a thread sees are the huge
 * split steps (a radix-4 stage over half its index range), its DIF sub-block code stays about 3× slower, for good.
 */
export function warmUpTransforms(): void {
  warm = true;
  for (const M of [4096, 3072]) {
    const re = new Float64Array(M), im = new Float64Array(M);
    for (let r = 0; r < 30; r++) {
      re.fill(1);
      im.fill(0);
      forwardSerial(re, im, M);
      inverseSerial(re, im, M);
    }
  }
}

/** @internal One half of a transform step, as sent to the helper thread (views of shared buffers, no copies). */
export type FftTask =
  | { kind: 'dif34'; re: Float64Array; im: Float64Array; P: number; j0: number; j1: number; filled: number }
  | { kind: 'dit43'; re: Float64Array; im: Float64Array; P: number; j0: number; j1: number }
  | { kind: 'dif4' | 'dit4'; re: Float64Array; im: Float64Array; offs: number[]; n: number; j0: number; j1: number }
  | { kind: 'difBlocks' | 'ditBlocks'; re: Float64Array; im: Float64Array; offs: number[]; n: number }
  | { kind: 'pointwise'; out: PackedSpectrum; terms: ReadonlyArray<Term>; M: number; part: 0 | 1 };


/** @internal Runs one task (in either thread). */
export function runFftTask(t: FftTask): void {
  switch (t.kind) {
    case 'dif34': dif3Then4(t.re, t.im, t.P, t.j0, t.j1, t.filled); break;
    case 'dit43': dit4Then3(t.re, t.im, t.P, t.j0, t.j1); break;
    case 'dif4': for (const o of t.offs) dif4(t.re, t.im, o, t.n, halfTable(t.n), t.j0, t.j1); break;
    case 'dit4': for (const o of t.offs) dit4(t.re, t.im, o, t.n, halfTable(t.n), t.j0, t.j1); break;
    case 'difBlocks': for (const o of t.offs) difPow2(t.re, t.im, o, t.n); break;
    case 'ditBlocks': for (const o of t.offs) ditPow2(t.re, t.im, o, t.n); break;
    case 'pointwise': pointwisePart(t.out, t.terms, t.M, t.part); break;
    default: throw new Error(`unknown FFT task ${(t as { kind: string }).kind}`);
  }
}

/** Runs `mine` here and `theirs` on the helper, both to completion. */
function split(mine: FftTask, theirs: FftTask): void {
  dispatch(() => runFftTask(mine), theirs, () => runFftTask(theirs));
}

/** Hands `task` to the helper while `local` runs here (the helper then holds tables to release later). */
function dispatch(local: () => void, task: { kind: string }, here: () => void): void {
  helperHasTables = true;
  runWithHelper(local, { kind: 'task', task }, here);
}

/**
 * @internal Runs `local` here while the helper runs `task` (a step of another kernel module, on transforms of
 * length M); `here` is the helper's half done in this thread when there is no helper. True if the helper was used.
 */
export function withHelper(M: number, local: () => void, task: { kind: string }, here: () => void): boolean {
  if (!helperReady(M)) return false;
  dispatch(local, task, here);
  return true;
}

/** Offsets of the `count` consecutive blocks of length n starting at 0. */
function blockOffsets(count: number, n: number): number[] {
  return Array.from({ length: count }, (_, k) => k * n);
}

/**
 * forwardSerial in two-thread steps: a radix stage above the sub-blocks is split by its butterfly index j
 * (butterflies of one stage are independent), then the independent sub-blocks are shared out.
 * Mixed M = 3P: the fused radix-3 + top radix-4 stages, then twelve P/4-blocks. Power of two: the top radix-4
 * stage, then four M/4-blocks.
 */
function forwardParallel(re: Float64Array, im: Float64Array, M: number, filled: number): void {
  if (isMixed(M)) {
    const P = M / 3, q = P / 4;
    split({ kind: 'dif34', re, im, P, j0: 0, j1: q / 2, filled }, { kind: 'dif34', re, im, P, j0: q / 2, j1: q, filled });
    const subs = blockOffsets(12, q);
    split({ kind: 'difBlocks', re, im, offs: subs.slice(0, 6), n: q }, { kind: 'difBlocks', re, im, offs: subs.slice(6), n: q });
  } else {
    clearTail(re, im, M, filled);
    const q = M / 4;
    split({ kind: 'dif4', re, im, offs: [0], n: M, j0: 0, j1: q / 2 }, { kind: 'dif4', re, im, offs: [0], n: M, j0: q / 2, j1: q });
    const subs = blockOffsets(4, q);
    split({ kind: 'difBlocks', re, im, offs: subs.slice(0, 2), n: q }, { kind: 'difBlocks', re, im, offs: subs.slice(2), n: q });
  }
}

/** inverseSerial in the mirror order of forwardParallel. */
function inverseParallel(re: Float64Array, im: Float64Array, M: number): void {
  if (isMixed(M)) {
    const P = M / 3, q = P / 4;
    const subs = blockOffsets(12, q);
    split({ kind: 'ditBlocks', re, im, offs: subs.slice(0, 6), n: q }, { kind: 'ditBlocks', re, im, offs: subs.slice(6), n: q });
    split({ kind: 'dit43', re, im, P, j0: 0, j1: q / 2 }, { kind: 'dit43', re, im, P, j0: q / 2, j1: q });
  } else {
    const q = M / 4;
    const subs = blockOffsets(4, q);
    split({ kind: 'ditBlocks', re, im, offs: subs.slice(0, 2), n: q }, { kind: 'ditBlocks', re, im, offs: subs.slice(2), n: q });
    split({ kind: 'dit4', re, im, offs: [0], n: M, j0: 0, j1: q / 2 }, { kind: 'dit4', re, im, offs: [0], n: M, j0: q / 2, j1: q });
  }
}

// ---------------------------------------------------------------- error bound

/**
 * Proven bound on max |computed − exact| of a convolution of real length 2M through forwardTransform,
 * pointwiseProducts and inverseTransform (and the final scaling by 1/M), for operand digit vectors whose Euclidean
 * norms multiply to `normProduct` (for a sum of products: the sum of the per-product norm products).
 *
 * Percival 2003, Thm 5.1 (Math. Comp. 72): a radix-2 convolution of length 2^n errs by less than
 * ||x||·||y||·((1+ε)^{3n}(1+ε√5)^{3n+1}(1+β)^{3n} − 1); the proof charges each level (a √2-scaled unitary map)
 * a relative error (1+ε)(1+ε√5)(1+β) and the pointwise product (1+ε√5). Our levels, per transform:
 *  - radix-4 stage = two radix-2 levels with one twiddle product fewer (cheaper than two levels);
 *  - radix-3 stage (√3-scaled unitary): first-order error of the butterfly < 5.7ε of its output norm (s = b+c,
 *    d = b−c, m = a − s/2, e = (√3/2)·d rounded; ||s||, ||d|| <= √2·||in||, ||m|| <= √1.5·||in||), plus a twiddle
 *    product with a table twiddle (ε√5 + β): 11.9ε < two radix-2 levels (2·(ε + ε√5 + β) = 14.5ε). So the
 *    radix-3 stage is charged as two levels, and 3·2^k is charged like 2^(k+2);
 *  - the packing of the real sequence: one more level whose twiddle is two-level (β2 instead of β);
 *  - the final 1/M scaling (not a power of two for mixed lengths): one more (1+ε).
 * A sum of two products: the spectra add before the inverse transform; Percival's bound is linear in the
 * pointwise-product norms, and ||X1·Y1 + X2·Y2|| <= ||X1·Y1|| + ||X2·Y2||, so the bounds add (normProduct summed).
 */
export function mixedBound(M: number, normProduct: number): number {
  const levels = isMixed(M) ? Math.log2(M / 3) + 2 : Math.log2(M);
  const lvl = Math.log1p(EPS) + Math.log1p(EPS * Math.sqrt(5)) + Math.log1p(BETA);
  const pack = Math.log1p(EPS) + Math.log1p(EPS * Math.sqrt(5)) + Math.log1p(BETA2);
  const e = 3 * levels * lvl + 3 * pack + Math.log1p(EPS * Math.sqrt(5)) + Math.log1p(EPS);
  return normProduct * Math.expm1(e);
}
