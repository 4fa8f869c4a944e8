/**
 * kernel/fft — floating-point FFT convolution of decimal limb vectors with a PROVEN rounding-error bound.
 *
 * Algorithm (fftMulLimbs). Operands (base 10^4 limbs) are re-chunked into balanced base-10^d digits
 * (|digit| <= 10^d/2, d in {4,3,2,1}); the real sequence of L = na + nb digits is packed into a complex one
 * (x_j = a_2j + i·a_2j+1) of length M = the smallest 2^k or 3·2^k >= L/2, so the length tracks the product size
 * (waste < 33%, not < 100%). The complex transforms, the real-to-complex pointwise step and the error bound live in
 * fftcore.ts (radix-3 top stage for 3·2^k, radix-4 stages, per-size contiguous twiddle tables).
 *
 * Error bound. fftcore's `mixedBound` extends Percival 2003, "Rapid multiplication modulo the sum and difference
 * of highly composite numbers", Math. Comp. 72, Theorem 5.1, to the radix-3 stage and the two-level twiddles (the
 * argument is written there). It is evaluated per call with the ACTUAL norms of the balanced digit vectors; the
 * largest digit size d whose bound is < 0.5 (so rounding to the nearest integer is provably exact) is used.
 * For random operands base 10^4 holds up to ~4·10^6 digits per operand and base 10^3 up to ~10^9; adversarial
 * operands (all digits at ±10^d/2) fall back to smaller d sooner, never to a wrong result.
 * At run time the distance of every output to the nearest integer is also measured; beyond 0.25 (far above
 * anything a correct run produces) the product is redone with smaller digits, and if that also fails an
 * ArithmeticCheckError is thrown. Every product is further checked modulo a random prime by mul.ts.
 *
 * difRec/ditRec (fftcore's power-of-two transforms), cosTable and percivalBound serve kernel/transform.ts (block
 * spectra of the out-of-core engine). Their bound: Percival's theorem with n = log2(N) + 1 (the packing charged
 * as one more level) and β = 4ε (cosTable: cos() of arguments in [0, π/2]; fftcore's tables: see cosSin there).
 */

import { ArithmeticCheckError } from '../errors.js';
import { helperWanted, isShared } from './threads.js';
import { BASE } from './nat.js';
import { PARALLEL_MIN, coreTableBytes, forwardSerial, forwardTransform, inverseTransform, mixedBound, pointwiseProducts, releaseCoreTables, transformLength, withHelper } from './fftcore.js';

const EPS = 2 ** -53;
const BETA = 4 * EPS;
/** Above this observed rounding error a product is considered faulty (retried with smaller digits). */
export const MAX_ROUNDING_ERROR = 0.25;

/** Percival's bound on max |computed − exact| of a length-2^logN convolution with the given norm product. */
export function percivalBound(logN: number, normProduct: number): number {
  const n = logN + 1;
  const e = 3 * n * Math.log1p(EPS) + (3 * n + 1) * Math.log1p(EPS * Math.sqrt(5)) + 3 * n * Math.log1p(BETA);
  return normProduct * Math.expm1(e);
}

// ---------------------------------------------------------------- twiddle tables

/**
 * H[t] = cos(2πt/Ncos) for t in [0, Ncos/2]; one table for the largest size seen, smaller sizes use a stride.
 * Then for t in [0, 3N/4): cos = H[min(t, N − t)], sin = H[|t − N/4|] — branch-free lookups.
 */
export let cosTable = new Float64Array(0);
export let cosN = 0;

export function ensureCosTable(N: number): void {
  if (cosN >= N) return;
  const q = N / 4;
  const t = new Float64Array(2 * q + 1);
  const f = (2 * Math.PI) / N;
  // Arguments are kept in [0, π/2] (see the β estimate in the header).
  for (let i = 0; i <= q; i++) t[i] = Math.cos(f * i);
  for (let i = q + 1; i <= 2 * q; i++) t[i] = -Math.cos(f * (2 * q - i));
  cosTable = t;
  cosN = N;
}

/** Frees the cached twiddle tables (the shared transform pool stays: see `pool`). */
export function releaseFftCaches(): void {
  cosTable = new Float64Array(0);
  cosN = 0;
  releaseCoreTables();
  plainPool = [];
}

/**
 * Power-of-two DIF transform of block [off, off+n) (natural order in, bit-reversed out), kept with its historical
 * signature for kernel/transform.ts; M and cstride are no longer needed (fftcore's per-size tables), the result is
 * the same DFT with the same error bound (radix-4 stages, twiddles within β = 4ε).
 */
export function difRec(re: Float64Array, im: Float64Array, off: number, n: number, _M?: number, _cstride?: number): void {
  forwardTransform(re.subarray(off, off + n), im.subarray(off, off + n), n);
}

/** Power-of-two DIT transform (conjugate twiddles, unscaled), the inverse of difRec up to the factor n. */
export function ditRec(re: Float64Array, im: Float64Array, off: number, n: number, _M?: number, _cstride?: number): void {
  inverseTransform(re.subarray(off, off + n), im.subarray(off, off + n), n);
}

// ---------------------------------------------------------------- digit packing

/**
 * @internal Writes src (base 10^4 limbs) as balanced base-10^d digits packed x_q → (q even ? re : im)[q >> 1].
 * Returns the squared Euclidean norm of the digit vector.
 */
export function packBalanced(src: Uint16Array, d: number, re: Float64Array, im: Float64Array): number {
  const B = 10 ** d;
  const half = B / 2;
  let carry = 0;
  let q = 0;
  let sumsq = 0;
  if (d === 4) {
    const n = src.length;
    for (let i = 0; i < n; i++) {
      let v = src[i] + carry;
      carry = v >= half ? 1 : 0;
      v -= carry * B;
      sumsq += v * v;
      if ((i & 1) === 0) re[i >> 1] = v;
      else im[i >> 1] = v;
    }
    q = n;
  } else {
    let i0 = 0;
    if (d === 3) {
      // Three limbs (12 digits) give four base-1000 digits, in small-integer arithmetic.
      const n3 = src.length - (src.length % 3);
      for (; i0 < n3; i0 += 3) {
        const l0 = src[i0], l1 = src[i0 + 1], l2 = src[i0 + 2];
        const t1 = ((l0 / 1000) | 0) + 10 * l1;
        const t2 = ((t1 / 1000) | 0) + 100 * l2;
        let v = (l0 % 1000) + carry;
        carry = v >= 500 ? 1 : 0;
        v -= carry * 1000;
        sumsq += v * v;
        re[q >> 1] = v;
        v = (t1 % 1000) + carry;
        carry = v >= 500 ? 1 : 0;
        v -= carry * 1000;
        sumsq += v * v;
        im[q >> 1] = v;
        v = (t2 % 1000) + carry;
        carry = v >= 500 ? 1 : 0;
        v -= carry * 1000;
        sumsq += v * v;
        re[(q >> 1) + 1] = v;
        v = ((t2 / 1000) | 0) + carry;
        carry = v >= 500 ? 1 : 0;
        v -= carry * 1000;
        sumsq += v * v;
        im[(q >> 1) + 1] = v;
        q += 4;
      }
    }
    let acc = 0;
    let accPow = 1;
    for (let i = i0; i < src.length; i++) {
      acc += src[i] * accPow;
      accPow *= BASE;
      while (accPow >= B) {
        const hi = Math.floor(acc / B);
        let v = acc - hi * B + carry;
        acc = hi;
        accPow /= B;
        carry = v >= half ? 1 : 0;
        v -= carry * B;
        sumsq += v * v;
        if ((q & 1) === 0) re[q >> 1] = v;
        else im[q >> 1] = v;
        q++;
      }
    }
    if (accPow > 1) {
      let v = acc + carry;
      carry = v >= half ? 1 : 0;
      v -= carry * B;
      sumsq += v * v;
      if ((q & 1) === 0) re[q >> 1] = v;
      else im[q >> 1] = v;
      q++;
    }
  }
  if (carry) {
    if ((q & 1) === 0) re[q >> 1] = carry;
    else im[q >> 1] = carry;
    q++;
    sumsq += 1;
  }
  return sumsq;
}

/**
 * @internal Squared Euclidean norm of the balanced base-10^d digits of src (what packBalanced returns), without
 * writing them: lets a caller choose d before allocating transform buffers.
 */
export function balancedNormSq(src: Uint16Array, d: number): number {
  const B = 10 ** d;
  const half = B / 2;
  let carry = 0;
  let sumsq = 0;
  if (d === 4) {
    for (let i = 0; i < src.length; i++) {
      let v = src[i] + carry;
      carry = v >= half ? 1 : 0;
      v -= carry * B;
      sumsq += v * v;
    }
    return sumsq + carry;
  }
  let acc = 0;
  let accPow = 1;
  for (let i = 0; i < src.length; i++) {
    acc += src[i] * accPow;
    accPow *= BASE;
    while (accPow >= B) {
      const hi = Math.floor(acc / B);
      let v = acc - hi * B + carry;
      acc = hi;
      accPow /= B;
      carry = v >= half ? 1 : 0;
      v -= carry * B;
      sumsq += v * v;
    }
  }
  if (accPow > 1) {
    let v = acc + carry;
    carry = v >= half ? 1 : 0;
    v -= carry * B;
    sumsq += v * v;
  }
  return sumsq + carry;
}

/** Number of balanced base-10^d digits packBalanced writes for n base-10^4 limbs (upper bound). */
export function balancedLength(limbs: number, d: number): number {
  return Math.ceil((limbs * 4) / d) + 1;
}

// ---------------------------------------------------------------- unpacking

/** Where a run of unpacking stopped: output limbs written, base-10^d carry, pending digits, largest rounding error. */
interface UnpackRun {
  o: number;
  carry: number;
  /** Digits not yet making a whole limb (d < 4), worth acc at output limb o; accPow = 10^(d·count). */
  acc: number;
  accPow: number;
  maxErr: number;
}

/**
 * Rounds the packed product (scaled by M), propagates carries in base 10^d and regroups into base 10^4 limbs.
 * Returns null if some output is farther than MAX_ROUNDING_ERROR from an integer (or is NaN or infinite).
 *
 * From PARALLEL_MIN points on shared buffers the digits are cut in two at q_s (a multiple of 12, so both halves
 * start on a limb boundary for every d): the helper unpacks [q_s, L) from a zero carry into a shared scratch while
 * this thread unpacks [0, q_s); the scratch is then copied above the lower half and the lower half's carry c is
 * added in (value = low + 10^(d·q_s)·(high + c): the same integer, whatever the split).
 */
export function unpackProduct(re: Float64Array, im: Float64Array, M: number, L: number, d: number, outLimbs: number): Uint16Array | null {
  const out = new Uint16Array(outLimbs);
  const qs = 12 * Math.floor(L / 24);
  let run: UnpackRun | undefined;
  if (qs > 0 && M <= POOL_MAX && isShared(re) && isShared(im)) {
    // The upper run may write a few top limbs past outLimbs (zeros of the padding), as the whole run would.
    const upperLimbs = Math.ceil(((L - qs) * d) / 4) + 2;
    const task: UnpackTask = {
      kind: 'unpack', re, im, M, q0: qs, q1: L, d,
      out: new Uint16Array(grown(sharedSource, 2 * upperLimbs), 0, upperLimbs), result: sharedRun,
    };
    let low: UnpackRun | undefined;
    if (withHelper(M, () => (low = unpackDigits(re, im, M, 0, qs, d, out, 0)), task, () => runUnpack(task))) {
      run = joinHalves(out, low!, task.out, readRun(sharedRun));
    }
  }
  run ??= unpackDigits(re, im, M, 0, L, d, out, 0);
  // Math.max propagates NaN and the test is written so that NaN fails it: a NaN or infinite output (rounded, it
  // would be stored as limb 0) means a faulty transform, never a product.
  if (!(run.maxErr <= MAX_ROUNDING_ERROR)) return null;
  flushTop(out, run);
  return out;
}

/**
 * Unpacks digits [q0, q1) (q0 a multiple of 12) into out from limb o0 on, starting from a zero carry.
 * A carry step divides v = digit + carry (|v| < 2^52) by 10^d through a multiplication by the reciprocal (carryStep).
 */
function unpackDigits(re: Float64Array, im: Float64Array, M: number, q0: number, q1: number, d: number, out: Uint16Array, o0: number): UnpackRun {
  const B = 10 ** d;
  const scale = 1 / M;
  let maxErr = 0;
  let carry = 0;
  let acc = 0;
  let accPow = 1;
  let o = o0;
  let q = q0;
  if (d === 4) {
    const end = q1 - ((q1 - q0) % 2);
    for (; q < end; q += 2) {
      const h = q >> 1;
      const x0 = re[h]! * scale, x1 = im[h]! * scale;
      const r0 = Math.round(x0), r1 = Math.round(x1);
      const e = Math.max(Math.abs(x0 - r0), Math.abs(x1 - r1));
      maxErr = Math.max(maxErr, e);
      carry = carryStep(r0 + carry, 1e4, 1e-4, out, o);
      carry = carryStep(r1 + carry, 1e4, 1e-4, out, o + 1);
      o += 2;
    }
  } else if (d === 3) {
    // Four base-1000 digits give three limbs; the regrouping is small-integer arithmetic on digits < 1000.
    const end = q1 - ((q1 - q0) % 4);
    const g = new Uint16Array(4);
    for (; q < end; q += 4) {
      const h = q >> 1;
      const x0 = re[h]! * scale, x1 = im[h]! * scale, x2 = re[h + 1]! * scale, x3 = im[h + 1]! * scale;
      const r0 = Math.round(x0), r1 = Math.round(x1), r2 = Math.round(x2), r3 = Math.round(x3);
      const e = Math.max(Math.abs(x0 - r0), Math.abs(x1 - r1), Math.abs(x2 - r2), Math.abs(x3 - r3));
      maxErr = Math.max(maxErr, e);
      carry = carryStep(r0 + carry, 1e3, 1e-3, g, 0);
      carry = carryStep(r1 + carry, 1e3, 1e-3, g, 1);
      carry = carryStep(r2 + carry, 1e3, 1e-3, g, 2);
      carry = carryStep(r3 + carry, 1e3, 1e-3, g, 3);
      const g1 = g[1]!, g2 = g[2]!;
      const m1 = g1 % 10, m2 = g2 % 100;
      out[o] = g[0]! + 1000 * m1;
      out[o + 1] = ((g1 / 10) | 0) + 100 * m2;
      out[o + 2] = ((g2 / 100) | 0) + 10 * g[3]!;
      o += 3;
    }
  }
  for (; q < q1; q++) {
    const x = ((q & 1) === 0 ? re[q >> 1] : im[q >> 1]) * scale;
    const r = Math.round(x);
    maxErr = Math.max(maxErr, Math.abs(x - r));
    const v = r + carry;
    carry = Math.floor(v / B);
    let digit = v - carry * B;
    if (digit < 0) { digit += B; carry -= 1; } else if (digit >= B) { digit -= B; carry += 1; }
    if (d === 4) {
      out[o++] = digit;
    } else {
      acc += digit * accPow;
      accPow *= B;
      while (accPow >= BASE) {
        const hi = Math.floor(acc / BASE);
        out[o++] = acc - hi * BASE;
        acc = hi;
        accPow /= BASE;
      }
    }
  }
  return { o, carry, acc, accPow, maxErr };
}

/**
 * The lower half's run `low` (limbs out[0, low.o), carry c at limb low.o, no pending digits: q_s is a multiple of
 * 12) joined with the upper half's run `high` (limbs upper[0, high.o), from a zero carry): c is added into the upper
 * limbs with carries, which are then copied above the lower ones (past out's end only top zeros are dropped, as a
 * single run drops them).
 */
function joinHalves(out: Uint16Array, low: UnpackRun, upper: Uint16Array, high: UnpackRun): UnpackRun {
  let c = low.carry;
  for (let i = 0; c !== 0 && i < high.o; i++) c = carryStep(upper[i]! + c, 1e4, 1e-4, upper, i);
  out.set(upper.subarray(0, Math.min(high.o, out.length - low.o)), low.o);
  // What is left of c is worth c at limb high.o of the upper run, where its pending digits acc sit.
  return { o: low.o + high.o, carry: high.carry, acc: high.acc + c, accPow: high.accPow, maxErr: Math.max(low.maxErr, high.maxErr) };
}

/** Writes what a run left above its last limb, V = acc + carry·accPow at limb o, which must be >= 0 and fit. */
function flushTop(out: Uint16Array, run: UnpackRun): void {
  let v = run.acc + run.carry * run.accPow;
  if (v < 0) throw new ArithmeticCheckError('FFT product is negative: internal fault');
  let o = run.o;
  while (v > 0 && o < out.length) {
    const hi = Math.floor(v / BASE);
    out[o++] = v - hi * BASE;
    v = hi;
  }
  if (v > 0) throw new ArithmeticCheckError('FFT product overflows its length: internal fault');
}

/** @internal The helper's half of unpacking: digits [q0, q1) into `out` (shared), its UnpackRun into `result`. */
export interface UnpackTask {
  kind: 'unpack';
  re: Float64Array;
  im: Float64Array;
  M: number;
  q0: number;
  q1: number;
  d: number;
  out: Uint16Array;
  result: Float64Array;
}

/** @internal Runs an UnpackTask (in the helper, or here when there is none). */
export function runUnpack(t: UnpackTask): void {
  const r = unpackDigits(t.re, t.im, t.M, t.q0, t.q1, t.d, t.out, 0);
  t.result.set([r.o, r.carry, r.acc, r.accPow, r.maxErr]);
}

function readRun(r: Float64Array): UnpackRun {
  return { o: r[0]!, carry: r[1]!, acc: r[2]!, accPow: r[3]!, maxErr: r[4]! };
}

/**
 * Stores v mod B in to[i] and returns floor(v / B), for B = 10^d and invB its rounded reciprocal (multiplication
 * instead of division, corrected by one step; see unpackProduct).
 */
function carryStep(v: number, B: number, invB: number, to: Uint16Array, i: number): number {
  let c = Math.floor(v * invB);
  let r = v - c * B;
  if (r < 0) { r += B; c -= 1; } else if (r >= B) { r -= B; c += 1; }
  to[i] = r;
  return c;
}

// ---------------------------------------------------------------- public entry

export interface FftPlan {
  d: number;
  N: number;
}

/** Digit size and complex transform length M the product of la×lb limbs would use with worst-case (all ±10^d/2) digits. */
export function worstCasePlan(la: number, lb: number): FftPlan {
  for (const d of [4, 3, 2, 1]) {
    const na = balancedLength(la, d), nb = balancedLength(lb, d);
    const M = transformLength(Math.ceil((na + nb) / 2));
    const h = 10 ** d / 2;
    if (mixedBound(M, h * h * Math.sqrt(na * nb)) < 0.5) return { d, N: 2 * M };
  }
  throw new ArithmeticCheckError(`FFT product of ${la}×${lb} limbs is beyond the proven error bound`);
}

/** Working bytes of fftMulLimbs for la×lb limbs (two packed complex buffers of M points, cached tables, output). */
export function fftWorkingBytes(la: number, lb: number): number {
  const M = worstCasePlan(la, lb).N / 2;
  return 32 * M + coreTableBytes(M) + 2 * (la + lb + 2);
}

/** Last digit size used (for tests and benchmarks). */
export let lastFftDigits = 0;

/** Transforms from this many points reuse pooled buffers, in shared memory (the helper thread works on them). */
const POOL_MIN = PARALLEL_MIN;
/**
 * Largest pooled length (2^23 points: products up to about 2.5·10^7 digits per operand; 4 buffers = 256 MiB).
 * Longer products take fresh plain buffers and stay on one thread.
 */
const POOL_MAX = 1 << 23;
const POOL_BUFFERS = 4;

/**
 * The pool: growable SharedArrayBuffers that only ever grow in place. Why not replace them: shared memory is freed
 * only by a full collection, and V8 does not count it towards starting one, so dropped shared buffers pile up
 * (measured: products of 8·10^6 and 3·10^5 digits alternating with a replaced pool, RSS 1.5 GiB instead of
 * 0.3 GiB). Growing in place never drops one; the price is that a process keeps the pool of its largest pooled
 * product (at most 4 × 64 MiB) until it exits. Fresh buffers would also cost their page faults every product.
 */
const pool: SharedArrayBuffer[] = [];
/**
 * Shared limbs: the copy of the operand the helper packs (b has fewer than 2·M limbs), later the helper's half of
 * the unpacked product (at most 2M·d/4 + 2 <= 2·M limbs).
 */
const sharedSource = new SharedArrayBuffer(0, { maxByteLength: 4 * POOL_MAX });
/** Where the helper returns the squared norm of the operand it packed. */
const sharedResult = new Float64Array(new SharedArrayBuffer(8));
/** Where the helper returns its UnpackRun. */
const sharedRun = new Float64Array(new SharedArrayBuffer(8 * 5));

function grown(buffer: SharedArrayBuffer, bytes: number): SharedArrayBuffer {
  if (buffer.byteLength < bytes) buffer.grow(bytes);
  return buffer;
}

/**
 * Without the helper: plain buffers of the last size used (at most 4), replaced when a product needs more, or
 * less than half of them, so they never pin much more than the current product counts; plain memory is
 * collected as usual.
 */
let plainPool: Float64Array[] = [];

/**
 * `count` Float64Arrays of M points, zero in [zeroFrom, zeroTo) (the forward transform takes points from zeroTo on
 * as zero without reading them): from the shared pool when the helper will work on them (POOL_MIN <= M <=
 * POOL_MAX), else from the plain pool (or fresh, below POOL_MIN).
 */
function transformBuffers(M: number, count: number, zeroFrom: number, zeroTo: number): Float64Array[] {
  if (M < POOL_MIN) return Array.from({ length: count }, () => new Float64Array(M));
  if (M > POOL_MAX || !helperWanted()) {
    const cap = plainPool.length > 0 ? plainPool[0]!.length : 0;
    if (cap < M || cap > 2 * M) plainPool = [];
    while (plainPool.length < count) plainPool.push(new Float64Array(M));
    return plainPool.slice(0, count).map((buffer) => {
      const v = buffer.subarray(0, M);
      v.fill(0, zeroFrom, zeroTo);
      return v;
    });
  }
  while (pool.length < POOL_BUFFERS) pool.push(new SharedArrayBuffer(0, { maxByteLength: 8 * POOL_MAX }));
  return pool.slice(0, count).map((buffer) => {
    const v = new Float64Array(grown(buffer, 8 * M), 0, M);
    v.fill(0, zeroFrom, zeroTo);
    return v;
  });
}

/** b in shared memory (the pool's operand scratch). */
function shareLimbs(b: Uint16Array): Uint16Array {
  const src = new Uint16Array(grown(sharedSource, 2 * b.length), 0, b.length);
  src.set(b);
  return src;
}

/**
 * A position below which packBalanced overwrites both arrays: it writes at least floor(4·limbs/d) − 1 digits q,
 * digit q at index q >> 1 of re (q even) or im (q odd). Pooled buffers need zeroing only from there.
 */
function packedPrefix(limbs: number, d: number): number {
  return Math.max(0, (Math.floor((4 * limbs) / d) - 1) >> 1);
}

/** Complex points packBalanced may write for `limbs` limbs (it writes at most balancedLength digits). */
function packedPoints(limbs: number, d: number, M: number): number {
  return Math.min(M, (balancedLength(limbs, d) + 1) >> 1);
}

/** @internal The helper's half of a product: pack one operand (a shared copy) and transform it. */
export interface PackForwardTask {
  kind: 'packForward';
  src: Uint16Array;
  d: number;
  re: Float64Array;
  im: Float64Array;
  M: number;
  /** Points from here on are zero (see forwardTransform). */
  filled: number;
  /** [0] ← the squared norm packBalanced returns. */
  result: Float64Array;
}

/** @internal Runs a PackForwardTask (in the helper, or here when there is none). */
export function runPackForward(t: PackForwardTask): void {
  t.result[0] = packBalanced(t.src, t.d, t.re, t.im);
  forwardSerial(t.re, t.im, t.M, t.filled);
}

/**
 * Packs and transforms both operands of a product; with the helper, b is packed and transformed there while a is
 * here (one hand-off instead of a split per stage). Returns the two squared norms.
 */
function packAndForwardPair(a: Uint16Array, b: Uint16Array, d: number, A: Float64Array[], B: Float64Array[], M: number): [number, number] {
  const [ar, ai] = A as [Float64Array, Float64Array];
  const [br, bi] = B as [Float64Array, Float64Array];
  const fa = packedPoints(a.length, d, M), fb = packedPoints(b.length, d, M);
  // Shared buffers come only from the pool, i.e. for PARALLEL_MIN <= M <= POOL_MAX with the helper wanted.
  if (isShared(ar)) {
    const task: PackForwardTask = { kind: 'packForward', src: shareLimbs(b), d, re: br, im: bi, M, filled: fb, result: sharedResult };
    let na = 0;
    const local = (): void => {
      na = packBalanced(a, d, ar, ai);
      forwardSerial(ar, ai, M, fa);
    };
    if (withHelper(M, local, task, () => runPackForward(task))) return [na, task.result[0]!];
  }
  const na = packBalanced(a, d, ar, ai), nb = packBalanced(b, d, br, bi);
  forwardTransform(ar, ai, M, fa);
  forwardTransform(br, bi, M, fb);
  return [na, nb];
}

/**
 * Product of two limb vectors (base 10^4, la = a.length, lb = b.length, both non-empty) by FFT.
 * Returns base-10^4 limbs (length la + lb + 1, possibly with top zeros).
 */
export function fftMulLimbs(a: Uint16Array, b: Uint16Array, square: boolean, minDigitsHint = 4): Uint16Array {
  const outLimbs = a.length + b.length + 1;
  for (let d = Math.min(4, minDigitsHint); d >= 1; d--) {
    const na = balancedLength(a.length, d), nb = balancedLength(b.length, d);
    const L = na + nb;
    const M = transformLength(Math.ceil(L / 2));
    // Base 10^4: the norms take one cheap pass, so a product the bound rules out is never packed or transformed.
    if (d === 4) {
      const normA = balancedNormSq(a, 4);
      if (mixedBound(M, square ? normA : Math.sqrt(normA * balancedNormSq(b, 4))) >= 0.5) continue;
    }
    // Only the few points between what packing surely overwrites and what it may write need clearing: the
    // forward transform takes the rest as zero.
    const zeroFrom = Math.min(packedPrefix(a.length, d), packedPrefix(b.length, d));
    const zeroTo = Math.max(packedPoints(a.length, d, M), packedPoints(b.length, d, M));
    const [ar, ai, br, bi] = transformBuffers(M, square ? 2 : 4, zeroFrom, zeroTo);
    const A = { re: ar!, im: ai! };
    if (square) {
      const na2 = packBalanced(a, d, ar!, ai!);
      if (mixedBound(M, na2) >= 0.5) continue;
      forwardTransform(ar!, ai!, M, packedPoints(a.length, d, M));
    } else {
      // Above base 10^4 the bound is checked after the transforms (the norms come with the packing).
      const [na2, nb2] = packAndForwardPair(a, b, d, [ar!, ai!], [br!, bi!], M);
      if (mixedBound(M, Math.sqrt(na2 * nb2)) >= 0.5) continue;
    }
    pointwiseProducts(A, [[A, square ? A : { re: br!, im: bi! }]], M);
    inverseTransform(ar, ai, M);
    const out = unpackProduct(ar, ai, M, L, d, outLimbs);
    if (out !== null) {
      lastFftDigits = d;
      lastFftLength = M;
      return out;
    }
    faultsSeen++;
  }
  throw new ArithmeticCheckError(
    `FFT multiplication of ${a.length}×${b.length} limbs: rounding error above ${MAX_ROUNDING_ERROR} at every digit size`,
  );
}

/** Complex length of the last transform (for benchmarks). */
export let lastFftLength = 0;

/** Count of products whose rounding check failed and were redone (diagnostics). */
export let faultsSeen = 0;
