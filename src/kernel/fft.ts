/**
 * kernel/fft — floating-point FFT convolution of decimal limb vectors with a PROVEN rounding-error bound, run by
 * the compiled kernel (assembly/fft.ts) in its shared wasm memory (wasmheap.ts) on the threads of threads.ts.
 *
 * Algorithm (fftMulLimbs). Operands (base 10^4 limbs) are copied into the wasm memory and re-chunked there into
 * balanced base-10^d digits (|digit| <= 10^d/2, d in {5,4,3,2,1}); the real sequence of L = na + nb digits is packed
 * into a complex one (x_j = a_2j + i·a_2j+1, interleaved doubles) of length M = the smallest 2^k or 3·2^k >= L/2,
 * so the length tracks the product size (waste < 33%, not < 100%). Transforms, the real-to-complex pointwise step
 * and the error bound: fftcore.ts. Unpacking (rounding, the rounding-distance check, carries, regrouping into
 * base-10^4 limbs) runs compiled too, in N digit runs whose carries are joined exactly.
 *
 * Error bound. fftcore's `mixedBound` extends Percival 2003, "Rapid multiplication modulo the sum and difference
 * of highly composite numbers", Math. Comp. 72, Theorem 5.1, to the radix-3 stage and the two-level twiddles (the
 * argument is written there). It is evaluated per call with the ACTUAL norms of the balanced digit vectors; the
 * largest digit size d whose bound is < 0.5 (so rounding to the nearest integer is provably exact) is used.
 * For random operands base 10^5 holds up to ~4·10^4 digits per operand (a 20% shorter transform where pi's lowest
 * merges and the smallest Newton levels multiply), base 10^4 up to ~4·10^6 and base 10^3 up to ~10^9; adversarial
 * operands (all digits at ±10^d/2) fall back to smaller d sooner, never to a wrong result.
 * At run time the distance of every output to the nearest integer is also measured; beyond 0.25 (far above
 * anything a correct run produces) the product is redone with smaller digits, and if that also fails an
 * ArithmeticCheckError is thrown. Every product is further checked modulo a random prime: by fftMulLimbs itself,
 * compiled, when the caller passes the prime (`checkPrime`), else by mul.ts.
 *
 * Memory. A product needs 16·M bytes per transformed operand in the wasm memory, plus the operands' limbs and the
 * tables; the wasm memory never shrinks (see wasmheap.ts). Transforms longer than FFT_MAX_LENGTH do not fit a
 * wasm32 memory: `fftFits` says whether a product fits, and the planner splits those that do not.
 */

import { ArithmeticCheckError, NumberTooLargeError } from '../errors.js';
import { BASE, jsLimbs, type LimbsAlloc } from './nat.js';
import { coreTableBytes, dropLastStage, mixedBound, prepareTransforms, productAt, splits, releaseCoreTables, takeLastStage, transformLength } from './fftcore.js';
import { activeThreads, runShares, stepChunks, type Job } from './threads.js';
import { f64View, u16View, wasm, wasmAlloc, wasmAllocLike, wasmFree, heapBytesFor, LIKE_PAD, residueTableFor } from './wasmheap.js';

/** Above this observed rounding error a product is considered faulty (retried with smaller digits). */
export const MAX_ROUNDING_ERROR = 0.25;

/**
 * Longest complex transform (2^26 points): two transformed operands take 2 GiB, their limbs, the product's limbs and
 * the tables stay well under the 4 GiB of a wasm32 memory. Base 10^3 digits: products up to ~4·10^8 digits.
 */
export const FFT_MAX_LENGTH = 1 << 26;

/** Frees the cached twiddle tables (their wasm memory is reused by later products; it never shrinks). */
export function releaseFftCaches(): void {
  releaseCoreTables();
}

/** Order of the largest cached twiddle table (the out-of-core engine drops tables larger than it needs). */
export { cosN } from './fftcore.js';

// ---------------------------------------------------------------- digit counts and norms

/**
 * Largest FFT digit size: base 10^5 (16.6 bits a double instead of 13.3) where the proven bound allows it, i.e. for
 * products of up to a few 10^4 digits (random digits: operands of ~4·10^4 digits for one product, ~3·10^4 for a sum
 * of two). There the transform is 20% shorter, often a whole length family step (3·2^k → 2^(k+1)).
 */
export const FFT_MAX_DIGITS = 5;

/**
 * The digit size to try first for a·b (la, lb limbs; a sum of `terms` such products): 5 when the bound with the
 * norms random digits have on average (10^10/12 a digit) is < 1/2, else 4. Only a guess saving a pack that would
 * fail: the packing measures the exact norms, and a product whose norms rule 5 out goes on with 4.
 */
export function widestDigits(la: number, lb: number, square = false, terms = 1): number {
  const na = balancedLength(la, 5), nb = square ? na : balancedLength(lb, 5);
  const M = transformLength(Math.ceil((na + nb) / 2));
  return mixedBound(M, terms * (1e10 / 12) * Math.sqrt(na * nb)) < 0.5 ? 5 : 4;
}

/** Number of balanced base-10^d digits packing writes for n base-10^4 limbs (upper bound). */
export function balancedLength(limbs: number, d: number): number {
  return Math.ceil((limbs * 4) / d) + 1;
}

/**
 * @internal Squared Euclidean norm of the balanced base-10^d digits of src (what packing returns), without
 * writing them: lets a caller choose d before allocating transform buffers.
 */
export function balancedNormSq(src: Uint16Array, d: number): number {
  const B = 10 ** d;
  const half = B / 2;
  let carry = 0;
  let sumsq = 0;
  if (d === 4) {
    for (let i = 0; i < src.length; i++) {
      let v = src[i]! + carry;
      carry = (half - 1 - v) >>> 31; // v >= half, branch-free (nat.ts carryOf says why)
      v -= carry * B;
      sumsq += v * v;
    }
    return sumsq + carry;
  }
  let acc = 0;
  let accPow = 1;
  for (let i = 0; i < src.length; i++) {
    acc += src[i]! * accPow;
    accPow *= BASE;
    while (accPow >= B) {
      const hi = Math.floor(acc / B);
      let v = acc - hi * B + carry;
      acc = hi;
      accPow /= B;
      carry = (half - 1 - v) >>> 31; // v >= half, branch-free (nat.ts carryOf says why)
      v -= carry * B;
      sumsq += v * v;
    }
  }
  if (accPow > 1) {
    let v = acc + carry;
    carry = (half - 1 - v) >>> 31; // v >= half, branch-free (nat.ts carryOf says why)
    v -= carry * B;
    sumsq += v * v;
  }
  return sumsq + carry;
}

// ---------------------------------------------------------------- operands in wasm memory

/**
 * Limbs from which a residue in the wasm memory is taken by assembly/natops.ts's dot products (below: the Horner).
 * With the table of powers kept (wasmheap.ts residueTableFor) the dot products win from 64 limbs (Node 20 x64:
 * 0.13 µs against 0.35 at 256 limbs, 1.2 against 4.2 at 4096).
 */
const RESIDUE_DOT_MIN = 64;

/**
 * @internal The n limbs at ptr (wasm memory) modulo p <= 2^26: assembly/natops.ts `residueDotWith` (SIMD dot
 * products with a table of powers kept per prime, ~0.3 ns a limb) from RESIDUE_DOT_MIN limbs; fft.ts's Horner
 * `residue` (~1.3 ns a limb) below.
 */
export function residueAt(ptr: number, n: number, p: number): number {
  const k = wasm();
  if (n < RESIDUE_DOT_MIN) return k.residue(ptr, n, p);
  return k.residueDotWith(ptr, n, p, residueTableFor(p));
}



/**
 * @internal Copies limbs into a fresh wasm block (free it with wasmFree), at an address of x's alignment mod 8 (so
 * the copy runs word by word: wasmheap.ts wasmAllocLike; the block may be LIKE_PAD bytes longer).
 */
export function limbsToWasm(x: Uint16Array): number {
  const ptr = wasmAllocLike(2 * x.length, x.byteOffset);
  u16View(ptr, x.length).set(x);
  return ptr;
}

/** One operand to pack: its limbs' address and count, and where its digits go. */
export interface PackJob {
  src: number;
  limbs: number;
  dst: number;
}

/**
 * @internal Packs operands (limbs already in wasm memory) as balanced base-10^d digits, in parallel when there are
 * several and threads to spare, and `concurrent` (default: from the split length on; natSpectra asks for it when
 * the operands are then transformed side by side, so each is packed where it is transformed). Returns per operand
 * its squared digit norm and its filled complex points.
 */
export function packAll(jobs: readonly PackJob[], d: number, M: number, concurrent = splits(M)): { normSq: number; filled: number }[] {
  const res = wasmAlloc(16 * jobs.length);
  try {
    const T = Math.min(jobs.length, concurrent ? activeThreads() : 1);
    if (T === 1) {
      const k = wasm();
      jobs.forEach((j, i) => k.pack(j.src, j.limbs, d, j.dst, res + 16 * i));
    } else {
      const shares: Job[][] = Array.from({ length: T }, () => []);
      jobs.forEach((j, i) => shares[i % T]!.push(['pack', j.src, j.limbs, d, j.dst, res + 16 * i]));
      runShares(wasm(), shares, true); // the transforms follow
    }
    const r = f64View(res, 2 * jobs.length);
    // A push loop, not jobs.map: V8's builtin map and its inlined map make arrays of different maps, and the callers
    // then deoptimise once a thread on the "wrong map" (J's trace of pi 10^7).
    const out: { normSq: number; filled: number }[] = [];
    for (let i = 0; i < jobs.length; i++) out.push({ normSq: r[2 * i]!, filled: Math.ceil(r[2 * i + 1]! / 2) });
    return out;
  } finally {
    wasmFree(res);
  }
}

// ---------------------------------------------------------------- unpacking

/** Where a run of unpacking stopped: limbs written, base-10^d carry, pending digits, largest rounding error. */
interface UnpackRun {
  o: number;
  carry: number;
  /** Digits not yet making a whole limb (d < 4), worth acc at limb o; accPow = 10^(d·count). */
  acc: number;
  accPow: number;
  maxErr: number;
}

/**
 * Adds c at limb i of the limbs at `view` (base 10^4, c of either sign), carrying up to limb end; returns what is
 * left to add at limb `end`.
 */
function addCarry(view: Uint16Array, i: number, end: number, c: number): number {
  for (; c !== 0 && i < end; i++) {
    const v = view[i]! + c;
    c = Math.floor(v / BASE);
    view[i] = v - c * BASE;
  }
  return c;
}


/**
 * Rounds the packed product at `src` (M points, scaled by M), propagates carries in base 10^d and regroups into
 * base-10^4 limbs (outLimbs of them). `scratch` (unpackScratchBytes, may be a dead transform buffer) receives
 * the limbs in wasm memory, where they stay (the product's residue can be taken there); the result is a copy of them
 * in `alloc`'s limbs (nat.ts LimbsAlloc: a new JS array by default). Returns null if some output is farther than
 * MAX_ROUNDING_ERROR from an integer (or is NaN or infinite).
 *
 * With T threads the digits are cut into stepChunks(T) runs (threads.ts: claimed, a few a thread) at multiples of 12 (so every run starts on a limb boundary for every
 * d and all but the last end on one with nothing pending); each run starts from a zero carry and writes its own
 * limbs; the runs' carries are then added in from the bottom (value = Σ 10^(4·o_t)·(run_t + c_t): the same integer,
 * whatever the cut).
 */
export function unpackAt(
  src: number, M: number, L: number, d: number, outLimbs: number, scratch: number, alloc: LimbsAlloc = jsLimbs,
): Uint16Array | null {
  if (!unpackInto(src, M, L, d, outLimbs, scratch)) return null;
  const out = alloc(outLimbs);
  out.set(u16View(scratch, outLimbs));
  return out;
}

/**
 * @internal unpackAt without the copy out: the product's outLimbs limbs are left in the scratch (limb i at
 * scratch + 2i, top zeros included), for a caller that reads them there (digitproduct.ts writes them out as text).
 * Returns false where unpackAt returns null; throws as it does.
 */
export function unpackInto(src: number, M: number, L: number, d: number, outLimbs: number, scratch: number): boolean {
  const runs = unpackRuns(src, M, L, d, outLimbs, scratch);
  if (runs === null) return false;
  const { view, top } = runs;
  let V = runs.V;
  if (top > outLimbs) {
    for (let i = outLimbs; i < top; i++) if (view[i] !== 0) throw new ArithmeticCheckError('FFT product overflows its length: internal fault');
  }
  // What is left above the last run: V at limb `top`, which must be >= 0 and fit.
  if (V < 0) throw new ArithmeticCheckError('FFT product is negative: internal fault');
  let o = top;
  while (V > 0 && o < outLimbs) {
    const hi = Math.floor(V / BASE);
    view[o++] = V - hi * BASE;
    V = hi;
  }
  if (V > 0) throw new ArithmeticCheckError('FFT product overflows its length: internal fault');
  if (o < outLimbs) wasm().zeroLimbs(scratch + 2 * o, outLimbs - o); // the limbs above the product's top are zero
  return true;
}

/**
 * @internal The high part of the packed product at `src` (as unpackAt's) from digit `from` on, the digits below
 * never rounded nor carried: with c_j the rounded convolution coefficients (the product is Σ c_j·10^(dj)) and
 * s0 = from·d/4 (`from` a multiple of 12, so s0 is a whole limb), returns the outLimbs − s0 limbs of
 * H = Σ_{j >= from} c_j·10^(d(j − from)), so that the product is H·B^s0 + Σ_{j < from} c_j·10^(dj). The caller bounds
 * the second term (spectra.ts natMulSpectraHigh). null as unpackAt, and when H is negative or overflows outLimbs
 * (a caller then forms the whole product). `scratch`: unpackScratchBytes(L, d, outLimbs); the limbs are `alloc`'s
 * (LimbsAlloc).
 */
export function unpackHighAt(
  src: number, M: number, L: number, d: number, from: number, outLimbs: number, scratch: number, alloc: LimbsAlloc = jsLimbs,
): Uint16Array | null {
  const runs = unpackRuns(src, M, L, d, outLimbs, scratch, from);
  if (runs === null) return null;
  const { view, top } = runs;
  let V = runs.V;
  const s0 = (from * d) / 4;
  if (V < 0 || top < s0) return null;
  for (let i = outLimbs; i < top; i++) if (view[i] !== 0) return null;
  const limbs = alloc(outLimbs - s0);
  limbs.set(view.subarray(s0, Math.min(top, outLimbs)));
  let o = top;
  while (V > 0 && o < outLimbs) {
    const hi = Math.floor(V / BASE);
    limbs[o++ - s0] = V - hi * BASE;
    V = hi;
  }
  if (V > 0) return null;
  limbs.fill(0, o - s0); // above the product's top (alloc's limbs may hold anything): a limb or two
  return limbs;
}

/**
 * The wrapped (cyclic) end of a transform: the packed product at `src` (M points, scaled by M) holds the cyclic
 * convolution of length N = 2M of the operands' balanced base-10^d digits, i.e. their product modulo
 * 10^(dN) − 1 = B^k − 1 with k = d·M/2 limbs (x^N ≡ 1 at x = 10^d). All N digits are rounded and carried like
 * unpackAt's (the same compiled runs); the carry V left above digit N − 1 (of either sign) is worth V·B^k ≡ V, so it
 * is added back at limb 0. Returns the k limbs of the residue in [0, B^k − 1), or null as unpackAt.
 * `scratch`: unpackScratchBytes(2M, d, k).
 */
export function unpackWrappedAt(src: number, M: number, d: number, scratch: number): Uint16Array | null {
  const k = (d * M) / 2;
  const V = unpackWrappedRawAt(src, M, d, scratch);
  if (V === null) return null;
  const limbs = u16View(scratch, k).slice();
  // |V| < 2^53, far below B^k: at most two rounds (a carry or borrow out of the top comes back as ±1 at limb 0).
  for (let c = V; c !== 0; ) c = addCarry(limbs, 0, k, c);
  let all = true;
  for (let i = 0; i < k && all; i++) all = limbs[i] === BASE - 1;
  if (all) limbs.fill(0); // B^k − 1 ≡ 0
  return limbs;
}

/**
 * @internal unpackWrappedAt without its last correction, for a caller that goes on in the wasm memory
 * (spectra.ts's wrapped difference): the k = d·M/2 limbs at `scratch` and the signed carry V returned (|V| < 2^53)
 * together are the residue, limbs + V ≡ the product modulo B^k − 1 (the limbs are any value in [0, B^k), and V·B^k ≡
 * V). null as unpackAt.
 *
 * With `from` > 0 (a multiple of 12; s0 = from·d/4): only the digits from `from` on are rounded and carried, and
 * the limbs below s0 are set to zero: the limbs and V are then H·B^s0 + V·B^k with H = Σ_{j >= from}
 * c_j·10^(d(j − from)), the convolution less what its digits below `from` are worth (spectra.ts
 * spectraWrappedDifferenceHigh bounds that).
 */
export function unpackWrappedRawAt(src: number, M: number, d: number, scratch: number, from = 0): number | null {
  const k = (d * M) / 2;
  const runs = unpackRuns(src, M, 2 * M, d, k, scratch, from);
  if (runs === null) return null;
  // N = 2M digits of d each make whole limbs (4 | d·N since 4 | M), so nothing is pending above limb k.
  if (runs.top !== k) throw new ArithmeticCheckError('internal: wrapped unpacking ended off a limb boundary');
  if (from > 0) wasm().zeroLimbs(scratch, (from * d) / 4); // compiled: a JS fill on the shared memory goes limb by limb
  return runs.V;
}

/**
 * The compiled unpacking runs of digits [from, L) (`from` a multiple of 12, default 0) and their carries joined:
 * the limbs [from·d/4, top) in the scratch (`view`, indexed from limb 0), and V, the signed value left at limb
 * `top`. null when a rounding distance is beyond MAX_ROUNDING_ERROR.
 *
 * When productAt left the output's last inverse stage to its unpacking (fftcore takeLastStage), each chunk runs a
 * range [j0, j1) of that stage's butterflies (j0, j1 even) and then the digit runs those butterflies wrote: digits
 * [2(j0 + i·S), 2(j1 + i·S)) for each piece i (S = the stage's butterfly count, even), clipped to [from, L). Every
 * run then starts at a multiple of 4 digits, so on a limb boundary for every d, and runs of whole limbs end on one
 * with nothing pending but the last; the runs are contiguous in digit order (piece i's last ends at 2(i + 1)S,
 * where piece i + 1's first starts), so their carries join exactly as the plain cut's.
 */
function unpackRuns(
  src: number, M: number, L: number, d: number, outLimbs: number, scratch: number, from = 0,
): { view: Uint16Array; top: number; V: number } | null {
  const last = takeLastStage(src, M);
  // Runs of digits claimed by the threads (threads.ts stepChunks: a few a thread, so a late one leaves its runs).
  const T = last !== null ? stepChunks(last.threads) : splits(M) ? stepChunks(activeThreads()) : 1;
  const clip = (q: number): number => Math.min(L, Math.max(from, q));
  // Run r is digits [bounds[r], bounds[r + 1]) (empty when equal).
  const bounds: number[] = [];
  const butterflyCuts: number[] = [];
  if (last !== null) {
    for (let c = 0; c <= T; c++) butterflyCuts.push(c === T ? last.butterflies : 2 * Math.floor((last.butterflies * c) / (2 * T)));
    for (let i = 0; i < last.pieces; i++) for (let c = 0; c < T; c++) bounds.push(clip(2 * (butterflyCuts[c]! + i * last.butterflies)));
  } else {
    for (let t = 0; t < T; t++) bounds.push(from + 12 * Math.floor(((L - from) * t) / (12 * T)));
  }
  bounds.push(L);
  const count = bounds.length - 1;
  const res = wasmAlloc(40 * count);
  let runs: UnpackRun[];
  try {
    const unpackJob = (r: number): Job[] => {
      const q0 = bounds[r]!, q1 = bounds[r + 1]!;
      return q0 < q1 ? [['unpack', src, 1 / M, q0, q1, d, scratch + 2 * ((q0 * d) / 4), res + 40 * r]] : [];
    };
    if (last !== null) {
      runShares(wasm(), Array.from({ length: T }, (_, c): Job[] => [
        last.job(butterflyCuts[c]!, butterflyCuts[c + 1]!),
        ...Array.from({ length: last.pieces }, (_, i) => unpackJob(i * T + c)).flat(),
      ]));
    } else if (T === 1) {
      if (L > from) wasm().unpack(src, 1 / M, from, L, d, scratch + 2 * ((from * d) / 4), res);
    } else {
      runShares(wasm(), Array.from({ length: count }, (_, r) => unpackJob(r)));
    }
    const r = f64View(res, 5 * count);
    runs = Array.from({ length: count }, (_, t) =>
      bounds[t]! < bounds[t + 1]! ? { o: r[5 * t]!, carry: r[5 * t + 1]!, acc: r[5 * t + 2]!, accPow: r[5 * t + 3]!, maxErr: r[5 * t + 4]! }
        : { o: 0, carry: 0, acc: 0, accPow: 1, maxErr: 0 });
  } finally {
    wasmFree(res);
  }
  // Written so that NaN fails it: a NaN or infinite output means a faulty transform, never a product.
  if (!runs.every((run) => run.maxErr <= MAX_ROUNDING_ERROR)) return null;
  lastRoundingError = Math.max(...runs.map((run) => run.maxErr));
  const view = u16View(scratch, Math.max(outLimbs, Math.ceil((L * d) / 4) + 4));
  // The carries joined from the bottom; the last non-empty run's pending digits and carry are V.
  let lastRun = count - 1;
  while (lastRun > 0 && bounds[lastRun]! >= bounds[lastRun + 1]!) lastRun--;
  let c = 0;
  let top = (bounds[0]! * d) / 4;
  let V = 0;
  for (let t = 0; t <= lastRun; t++) {
    const o = (bounds[t]! * d) / 4, run = runs[t]!;
    c = addCarry(view, o, o + run.o, c);
    top = o + run.o;
    if (t < lastRun) c += run.carry;
    else V = run.acc + run.carry * run.accPow + c;
  }
  return { view, top, V };
}

/** Largest distance to the nearest integer seen by the last successful unpackAt (tests compare it with the bound). */
export let lastRoundingError = 0;

/** Bytes unpackAt's scratch needs for L digits of size d and the product's outLimbs. */
export function unpackScratchBytes(L: number, d: number, outLimbs: number): number {
  return 2 * (Math.max(outLimbs, Math.ceil((L * d) / 4) + 4) + 4);
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

/**
 * Whether fftMulLimbs can multiply la×lb limbs in one wasm memory (worst-case digits); if not, split the product.
 * @example fftFits(4e6, 4e6) // true: two 1.6·10^7-digit operands
 */
export function fftFits(la: number, lb: number): boolean {
  return worstCasePlan(la, lb).N / 2 <= FFT_MAX_LENGTH;
}

/** Wasm blocks a product of la×lb limbs at transform length M allocates (the limbs, two transforms, tables). */
function productBlocks(la: number, lb: number, M: number): number[] {
  return [2 * la + LIKE_PAD, 2 * lb + LIKE_PAD, 16 * M, 16 * M, coreTableBytes(M), 40 * stepChunks(activeThreads()) + 64];
}

/**
 * Wasm heap bytes a group of products on shared spectra of complex length M spans (sums.ts): `spectra` blocks of
 * 16·M bytes alive at once (natSumsOfProducts: one per distinct operand plus one output) and the twiddle tables.
 */
export function spectraHeapBytes(M: number, spectra: number): number {
  return heapBytesFor([...Array.from({ length: spectra }, () => 16 * M), coreTableBytes(M)]);
}

/**
 * Working bytes of fftMulLimbs for la×lb limbs (worst-case digit size): what the wasm heap will span during the
 * product, plus the product's limbs returned in JS memory. It does not depend on what ran before (the memory a
 * larger earlier product grew is kept, since a wasm memory never shrinks, but splitting this one would not give
 * it back): the same product gets the same plan in any process.
 */
export function fftWorkingBytes(la: number, lb: number): number {
  const M = worstCasePlan(la, lb).N / 2;
  return heapBytesFor(productBlocks(la, lb, M)) + 2 * (la + lb + 2);
}

/** Last digit size used (for tests and benchmarks). */
export let lastFftDigits = 0;
/** Complex length of the last transform (for tests and benchmarks). */
export let lastFftLength = 0;
/** Count of products whose rounding check failed and were redone (diagnostics). */
export let faultsSeen = 0;

/**
 * One digit size of an FFT product in the transform buffers of `jobs` (one job: a square): packs each operand's
 * limbs into d-digit balanced digits in its buffer, and unless `mixedBound` rules the packed norms out (false: try a
 * smaller d) leaves the unscaled inverse transform of the product in the first buffer, the second one dead.
 * The transforms' tables must be prepared (prepareTransforms). Shared by fftMulLimbs and kernel/digitproduct.
 * `deferLast`: the inverse's last stage is left to the unpacking of the first buffer, which must come next
 * (fftcore productAt).
 */
export function convolvePacked(jobs: readonly PackJob[], d: number, M: number, deferLast = false): boolean {
  const packed = packAll(jobs, d, M);
  const normProduct = jobs.length === 1 ? packed[0]!.normSq : Math.sqrt(packed[0]!.normSq * packed[1]!.normSq);
  if (mixedBound(M, normProduct) >= 0.5) return false;
  const A = jobs[0]!.dst;
  productAt(A, [[A, jobs.length > 1 ? jobs[1]!.dst : A]], M, jobs.map((j, i) => ({ ptr: j.dst, filled: packed[i]!.filled })), [], deferLast);
  return true;
}

/**
 * Product of two limb vectors (base 10^4, la = a.length, lb = b.length, both non-empty) by FFT.
 * Returns base-10^4 limbs (length la + lb + 1, possibly with top zeros). `square`: b is a (one transform).
 * `checkPrime` (a prime <= 2^26, e.g. mul.ts's CHECK_PRIME; 0 = no check): the product is verified modulo it, the
 * three residues computed compiled on the limbs already in wasm memory (a caller passing it needs no check of its
 * own).
 * @throws NumberTooLargeError when the product needs a transform longer than FFT_MAX_LENGTH (see fftFits).
 * @throws ArithmeticCheckError when the rounding check fails at every digit size, or the residue check fails.
 * @example
 *   const a = natFromNumber(12345678), b = natFromNumber(87654321);
 *   natFromLimbs(fftMulLimbs(a.limbs, b.limbs, false)); // 1082152022374638
 */
export function fftMulLimbs(a: Uint16Array, b: Uint16Array, square: boolean, minDigitsHint = FFT_MAX_DIGITS, checkPrime = 0): Uint16Array {
  const outLimbs = a.length + b.length + 1;
  const k = wasm();
  const aPtr = limbsToWasm(a);
  const bPtr = square ? aPtr : limbsToWasm(b);
  try {
    const ra = checkPrime > 0 ? residueAt(aPtr, a.length, checkPrime) : 0;
    const expected = checkPrime > 0 ? (ra * (square ? ra : residueAt(bPtr, b.length, checkPrime))) % checkPrime : 0;
    for (let d = Math.min(widestDigits(a.length, b.length, square), minDigitsHint); d >= 1; d--) {
      const na = balancedLength(a.length, d), nb = balancedLength(b.length, d);
      const L = na + nb;
      const M = transformLength(Math.ceil(L / 2));
      if (M > FFT_MAX_LENGTH) {
        throw new NumberTooLargeError(`FFT product of ${a.length}×${b.length} limbs needs a transform of ${M} > ${FFT_MAX_LENGTH} points (split it)`);
      }
      // Base 10^4: the norms take one cheap pass, so a product the bound rules out is never packed or transformed.
      // Balanced digits are at most 5000 in size, so when even all-extreme digits pass the bound (up to ~1.5·10^6
      // digits) no norm can fail it: the pass (~4% of such a product) is skipped.
      if (d === 4 && mixedBound(M, 5000 * 5000 * Math.sqrt(na * nb)) >= 0.5) {
        const normA = k.normSq4(aPtr, a.length);
        if (mixedBound(M, square ? normA : Math.sqrt(normA * k.normSq4(bPtr, b.length))) >= 0.5) continue;
      }
      prepareTransforms(M);
      const A = wasmAlloc(16 * M);
      const B = square ? A : wasmAlloc(16 * M);
      try {
        const jobs: PackJob[] = [{ src: aPtr, limbs: a.length, dst: A }];
        if (!square) jobs.push({ src: bPtr, limbs: b.length, dst: B });
        if (!convolvePacked(jobs, d, M, true)) continue;
        let scratch: number;
        try {
          scratch = square ? wasmAlloc(unpackScratchBytes(L, d, outLimbs)) : B;
        } catch (e) {
          dropLastStage(); // (never unpacked)
          throw e;
        }
        try {
          const out = unpackAt(A, M, L, d, outLimbs, scratch);
          if (out !== null) {
            lastFftDigits = d;
            lastFftLength = M;
            if (checkPrime > 0) {
              const got = residueAt(scratch, outLimbs, checkPrime);
              if (got !== expected) {
                throw new ArithmeticCheckError(
                  `FFT product of ${a.length}×${b.length} limbs failed its residue check mod ${checkPrime} (expected ${expected}, got ${got})`,
                );
              }
            }
            return out;
          }
        } finally {
          if (square) wasmFree(scratch);
        }
        faultsSeen++;
      } finally {
        wasmFree(A);
        if (!square) wasmFree(B);
      }
    }
  } finally {
    wasmFree(aPtr);
    if (!square) wasmFree(bPtr);
  }
  throw new ArithmeticCheckError(
    `FFT multiplication of ${a.length}×${b.length} limbs: rounding error above ${MAX_ROUNDING_ERROR} at every digit size`,
  );
}
