/**
 * kernel/spectra — reusable FFT spectra: transform an operand once, use it in several products, and add products
 * in the frequency domain so a sum a·b + c·d costs one inverse transform.
 *
 * Binary splitting (pi) merges with P1·P2, Q1·Q2 and T1·Q2 + P1·T2: with spectra that is 6 forward and 3 inverse
 * transforms instead of 10 forward (Q2, P1 reused) + 4 inverse, or 12 + 4 without reuse.
 *
 *   const plan = natSpectrumPlan([[[P1, P2]], [[Q1, Q2]], [[T1, Q2], [P1, T2]]]);
 *   const sP1 = natSpectrum(P1, plan), ...;
 *   const P = natMulSpectra(sP1, sP2), T = natMulAddSpectra([[sT1, sQ2], [sP1, sT2]]);
 *
 * A plan fixes the digit size d and the transform length M for every product or sum of products it was made for:
 * M covers the longest result, and d is the largest digit size for which fftcore's `mixedBound`, evaluated with
 * the sum over the products of the ACTUAL norm products of the balanced digit vectors, is < 1/2 for every listed
 * sum (the error of a sum of products is at most the sum of their bounds, see mixedBound). Below the FFT
 * threshold a plan is "direct": spectra just hold the operand and products go through natMul.
 *
 * Every result is verified like natMul's: its residue modulo the process's random prime must equal Σ res(a)·res(b)
 * (an operand's residue is computed once, when a check first asks for it). If the result's rounding check fails (never seen on
 * correct hardware) the products are recomputed by natMul from the operands the spectra keep.
 */

import { ArithmeticCheckError, InvalidArgumentError } from '../errors.js';
import { FFT_MAX_LENGTH, balancedLength, limbsToWasm, residueAt, packAll, unpackAt, unpackHighAt, unpackScratchBytes, unpackWrappedAt, unpackWrappedRawAt } from './fft.js';
import { forwardAt, forwardEachAt, forwardJob, inverseAt, mixedBound, pointwiseAt, splits, transformLength, type FreshInput, type SpectrumTerm } from './fftcore.js';
import { activeThreads, backgroundBusy, backgroundInFlight, joinBackground, prewakeThreads, runInBackground, threadsReady, warmThreads } from './threads.js';
import { CHECK_PRIME, FFT_THRESHOLD, natMul, type MulOptions } from './mul.js';
import { sharedFftThreshold } from './planner.js';
import { BASE, Nat, addLimbsAt, jsLimbs, modLimbs, natAdd, natFromLimbs, natHighView, wasmAddress, type LimbsAlloc } from './nat.js';
import { alignLike, f64View, u16View, wasm, wasmAlloc, wasmFree } from './wasmheap.js';

/** Digit size and length shared by the spectra of one group of products (opaque to callers). */
export interface SpectrumPlan {
  /** Balanced digit size 10^d, or 0 for a direct (non-FFT) plan. */
  readonly d: number;
  /** Complex transform length (0 for a direct plan). */
  readonly M: number;
  /**
   * k of the wrapped products' modulus B^k − 1 (natMulSpectraWrapped): d·M/2 for a transform plan (the cyclic
   * convolution of N = 2M digits of 10^d is a product modulo 10^(dN) − 1), the requested limbs for a direct plan,
   * 0 when the plan was made for no wrapped product.
   */
  readonly wrapLimbs: number;
}

/** A transformed operand, bound to the plan it was made with. */
export interface NatSpectrum {
  readonly plan: SpectrumPlan;
  /** The operand itself (direct plans, fallbacks). */
  readonly value: Nat;
  /** value mod CHECK_PRIME (taken from value's limbs when first read: only checked products read it). */
  readonly residue: number;
  /** Squared Euclidean norm of its balanced digits (0 for a direct plan): the bound is checked per product with it. */
  readonly normSq: number;
  /**
   * Transformed packed digits, interleaved (re, im) doubles (null for a direct plan). Kept in JS memory, not in the
   * wasm memory: a spectrum lives as long as its caller keeps it, and wasm memory is freed only explicitly.
   */
  readonly spectrum: Float64Array | null;
  /**
   * Where the transformed digits are held in the wasm memory instead (natSpectrum's `inWasm`; 0 otherwise): no copy
   * out and back per use, but the caller must `natFreeSpectrum` it (TransformGroup does).
   */
  readonly ptr: number;
}

/**
 * An operand of a planned product: a Nat, or a stand-in for one not computed yet — `size` limbs whose digits are
 * like those of `like` (its norm per limb is used). The plan's bound is checked again with the real operand's norm
 * when the product is made (natMulAddSpectra), so a stand-in can cost a fallback, never a wrong product.
 */
export type PlanOperand = Nat | { readonly size: number; readonly like: Nat };

type PlanProduct = readonly [PlanOperand, PlanOperand];

/** Products wrapped modulo B^k − 1 (natMulSpectraWrapped) that a plan must also serve, with k at least `limbs`. */
export interface WrappedProducts {
  readonly products: ReadonlyArray<PlanProduct>;
  readonly limbs: number;
}

const DIRECT: SpectrumPlan = { d: 0, M: 0, wrapLimbs: 0 };

/**
 * A plan valid for every sum of products listed (a single product is a sum of one term), and for the `wrap`ped
 * products. All operands of all the sums may be transformed with it and combined in any of the listed ways.
 * A wrapped product only needs each operand to fit the transform (the cyclic convolution wraps the rest), and the
 * modulus B^k − 1 with k >= wrap.limbs: the transform is sized for the longest of the sums' results and the wrap.
 */
export function natSpectrumPlan(sums: ReadonlyArray<ReadonlyArray<PlanProduct>>, fftThreshold = FFT_THRESHOLD, wrap?: WrappedProducts): SpectrumPlan {
  if (sums.length === 0 && (wrap === undefined || wrap.products.length === 0)) {
    throw new InvalidArgumentError('natSpectrumPlan: no product to plan');
  }
  if (sums.some((s) => s.length === 0)) throw new InvalidArgumentError('natSpectrumPlan: every sum needs at least one product');
  const wrapped = wrap?.products ?? [];
  let smallest = Infinity;
  for (const s of [...sums, wrapped]) for (const [a, b] of s) smallest = Math.min(smallest, a.size, b.size);
  if (smallest < sharedFftThreshold(fftThreshold)) return wrap === undefined ? DIRECT : { ...DIRECT, wrapLimbs: wrap.limbs };
  const norms = new Map<PlanOperand, number>();
  for (let d = 4; d >= 1; d--) {
    norms.clear();
    const normOf = (x: PlanOperand): number => {
      let v = norms.get(x);
      if (v === undefined) {
        v = x instanceof Nat ? Math.sqrt(cachedNormSq(x.limbs, d)) : Math.sqrt((cachedNormSq(x.like.limbs, d) * x.size) / Math.max(1, x.like.size));
        norms.set(x, v);
      }
      return v;
    };
    let L = 0;
    for (const s of sums) for (const [a, b] of s) L = Math.max(L, balancedLength(a.size, d) + balancedLength(b.size, d));
    for (const [a, b] of wrapped) L = Math.max(L, balancedLength(a.size, d), balancedLength(b.size, d));
    if (wrap !== undefined) L = Math.max(L, Math.ceil((4 * wrap.limbs) / d));
    const M = transformLength(Math.ceil(L / 2));
    if (M > FFT_MAX_LENGTH) {
      throw new InvalidArgumentError(`natSpectrumPlan: products need a transform of ${M} > ${FFT_MAX_LENGTH} points (split them)`);
    }
    // Every balanced digit is at most 10^d/2 in size, so an operand of `size` limbs has a norm of at most
    // √balancedLength(size, d)·10^d/2: when even those norms pass the bound for every sum, the operands' own norms
    // pass it too and the plan is the same (d, M) without sampling them (at 10^6 digits ~10–20 µs an operand).
    const top = 10 ** d / 2;
    const worst = (x: PlanOperand): number => Math.sqrt(balancedLength(x.size, d)) * top;
    let ok = true;
    for (const s of [...sums, ...wrapped.map((p) => [p])]) {
      let worstProduct = 0;
      for (const [a, b] of s) worstProduct += worst(a) * worst(b);
      if (mixedBound(M, worstProduct) < 0.5) continue;
      let normProduct = 0;
      for (const [a, b] of s) normProduct += normOf(a) * normOf(b);
      if (mixedBound(M, normProduct) >= 0.5) {
        ok = false;
        break;
      }
    }
    if (ok) return { d, M, wrapLimbs: wrap === undefined ? 0 : (d * M) / 2 };
  }
  throw new ArithmeticCheckError('natSpectrumPlan: products beyond the proven FFT error bound at every digit size');
}

/** Operands up to this many limbs have their norm computed exactly when planned; longer ones are sampled. */
const EXACT_NORM_LIMBS = 1 << 14;
const NORM_SAMPLES = 64;
const NORM_SAMPLE_LIMBS = 128;

/**
 * The squared norm a plan is made with: exact for short operands; for long ones 64 evenly spread runs of 128 limbs,
 * scaled to the operand's length, plus 2% (about two standard deviations of such a sample of random digits). A plan
 * only chooses the digit size and length: every product checks the proven bound again with the exact norms its
 * packing measured (natMulAddSpectra, natMulSpectraWrapped) and is made in full when it fails, so an estimate can
 * cost time, never a wrong digit. (An exact JS pass over every operand of every Newton step cost more than a tenth
 * of a division.) The runs are copied into the wasm memory and measured there (assembly/natops.ts `balancedNormSq`,
 * the walk of fft.ts's): the TypeScript walk for d < 4 cost about 3% of a square root at 10^6 digits.
 */
function plannedNormSq(x: Uint16Array, d: number): number {
  const exact = x.length <= EXACT_NORM_LIMBS;
  const runs = exact ? 1 : NORM_SAMPLES;
  const len = exact ? x.length : NORM_SAMPLE_LIMBS;
  if (len === 0) return 0;
  const stride = Math.floor(x.length / NORM_SAMPLES);
  const k = wasm();
  const buf = wasmAlloc(2 * runs * len);
  try {
    const view = u16View(buf, runs * len);
    for (let i = 0; i < runs; i++) view.set(x.subarray(i * stride, i * stride + len), i * len);
    let sum = 0;
    // Each run is balanced on its own, from a zero carry (as the TypeScript walk over a subarray was).
    for (let i = 0; i < runs; i++) sum += k.balancedNormSq(buf + 2 * i * len, len, d);
    return exact ? sum : 1.02 * sum * (x.length / (NORM_SAMPLES * NORM_SAMPLE_LIMBS));
  } finally {
    wasmFree(buf);
  }
}

/**
 * plannedNormSq per limb vector and digit size, kept as long as the limbs are (a Nat never changes): Newton's steps
 * plan several groups with the same operand (the divisor and the reciprocal in every chunk of a division, an
 * operand and the stand-ins modelled on it), and each plan sampled it again (~70 µs a plan at 10^6 digits).
 */
const normCache = new WeakMap<Uint16Array, number[]>();

function cachedNormSq(x: Uint16Array, d: number): number {
  let byDigits = normCache.get(x);
  if (byDigits === undefined) normCache.set(x, (byDigits = []));
  return (byDigits[d] ??= plannedNormSq(x, d));
}

/** Transforms a with the plan (16·M bytes for FFT plans). */
export function natSpectrum(a: Nat, plan: SpectrumPlan, inWasm = false): NatSpectrum {
  return natSpectra([a], plan, inWasm)[0]!;
}

/**
 * natSpectrum of each operand, as one job: from the split length (fftcore.ts PARALLEL_MIN) on two threads, their
 * packings run concurrently, one operand a thread, and then their forward transforms (fftcore forwardEachAt), each
 * whole on the thread that packed it; with more threads each transform is split instead (forwardAt), and below the
 * split length they run one after the other on this thread. Either way every spectrum is bit for bit natSpectrum's: the same compiled pack and forward on the
 * same input, whichever thread runs them. `forward`, when given, runs the forward transforms instead (of the
 * packed inputs, as forwardAt takes them): TransformGroup's begins them (fftcore beginForwards) and finishes them in
 * the fused step of the product that reads them first (productAt); until then such a spectrum is not finished.
 */
export function natSpectra(
  xs: readonly Nat[], plan: SpectrumPlan, inWasm = false, forward?: (inputs: ReadonlyArray<FreshInput>, M: number) => void,
): NatSpectrum[] {
  if (plan.d === 0) {
    // A direct plan's operands are below the FFT threshold: their residue is a short Horner chain.
    return xs.map((a) => ({ plan, value: a, normSq: 0, spectrum: null, ptr: 0, residue: modLimbs(a.limbs, a.limbs.length, CHECK_PRIME) }));
  }
  for (const a of xs) {
    if (balancedLength(a.size, plan.d) > 2 * plan.M) {
      throw new InvalidArgumentError(`natSpectrum: operand of ${a.size} limbs is longer than its plan allows`);
    }
  }
  const M = plan.M;
  const threads = activeThreads();
  // Side by side only from the split length, like every use of the threads (fftcore.ts PARALLEL_MIN).
  const each = forward === undefined && xs.length > 1 && threads === 2 && splits(M);
  // The workers wake while the operands are copied (~0.2 ns a limb).
  if (each) prewakeThreads();
  const srcs: number[] = [];
  // Operands held in the wasm memory (a held group's results, multiplier.ts) are packed where they are; the others
  // are copied in first (and that copy freed after the packing).
  const copied: number[] = [];
  const bufs: number[] = [];
  let kept = false;
  try {
    for (const a of xs) {
      const at = wasmAddress(a.limbs);
      srcs.push(at >= 0 ? at : limbsToWasm(a.limbs));
      if (at < 0) copied.push(srcs[srcs.length - 1]!);
      bufs.push(wasmAlloc(16 * M));
    }
    // A lone operand packs here while the workers wake for its split transform (~0.1 ms of packing, comparable to
    // a wake-up).
    if (!each && splits(M)) prewakeThreads();
    const packed = packAll(xs.map((a, i) => ({ src: srcs[i]!, limbs: a.limbs.length, dst: bufs[i]! })), plan.d, M, each || splits(M));
    if (forward !== undefined) forward(bufs.map((ptr, i) => ({ ptr, filled: packed[i]!.filled })), M);
    else if (each) forwardEachAt(bufs.map((ptr, i) => ({ ptr, filled: packed[i]!.filled })), M);
    else bufs.forEach((ptr, i) => forwardAt(ptr, M, packed[i]!.filled));
    kept = inWasm;
    return xs.map((a, i) => new Transformed(plan, a, packed[i]!.normSq, inWasm ? null : f64View(bufs[i]!, 2 * M).slice(), inWasm ? bufs[i]! : 0));
  } finally {
    if (!kept) for (const b of bufs) wasmFree(b);
    for (const s of copied) wasmFree(s);
  }
}

/**
 * A spectrum being made on another thread (natSpectrumBegin). `finish` binds it to a plan of the same digit size and
 * length (the one of the group that uses it; the spectrum is kept in the wasm memory, freed with natFreeSpectrum):
 * it waits for a step that no worker has started (the caller runs it) and gives undefined, without waiting, while a
 * worker is still making it (the caller then transforms the operand itself: on a loaded machine that worker may be
 * off its core for a time slice). `cancel` gives it up (never throws). After either it is closed; cancel again is a
 * no-op.
 */
export interface PendingSpectrum {
  readonly value: Nat;
  readonly d: number;
  readonly M: number;
  /** Its background step (threads.ts runInBackground's ticket). */
  readonly ticket: number;
  finish(plan: SpectrumPlan): NatSpectrum | undefined;
  cancel(): void;
}

/**
 * Background spectra given up while a worker was still making them: their memory is freed once the worker is done,
 * at the next natSpectrumBegin or natReapBackground (never waited for). At most one is in flight at a time (one
 * background step at a time).
 */
const orphans: { ticket: number; free: () => void }[] = [];

/** @internal Frees the given-up background spectra whose step is over (nothing waits). */
export function natReapBackground(): void {
  for (let i = 0; i < orphans.length; ) {
    const o = orphans[i]!;
    if (backgroundInFlight(o.ticket)) {
      i++;
      continue;
    }
    orphans.splice(i, 1);
    try {
      joinBackground(o.ticket); // over: no wait (a failure is of no use: its spectrum is dropped)
    } catch {
      // (dropped with it)
    } finally {
      o.free();
    }
  }
}

/**
 * Starts x's spectrum for `plan` (natSpectrum's: the compiled pack, then the one-thread forward transform) as a
 * background step (threads.ts runInBackground): an idle worker makes it while the caller goes on, for a product
 * whose operand is known before its other operand is (the divisor while the division's reciprocal is built). The
 * same kernel calls on the same input whatever thread runs them (only `filled` is the packing's upper bound, with the
 * points between zeroed first, which the transform then reads as the zeros they are): natSpectrum's values. undefined,
 * and nothing started, for a direct plan, on one thread (nothing to overlap), while the workers still boot, or while
 * another background step still runs (the caller then transforms x itself when it needs it: a prefetch only moves work, never changes a result).
 */
export function natSpectrumBegin(x: Nat, plan: SpectrumPlan): PendingSpectrum | undefined {
  natReapBackground();
  const { d, M } = plan;
  const n = x.limbs.length;
  if (d === 0 || activeThreads() === 1 || backgroundBusy() || balancedLength(n, d) > 2 * M) return undefined;
  if (!threadsReady()) {
    // The first call of a process: the workers boot while the caller computes (waiting for them here would lose
    // that overlap); this transform is made where it is needed.
    warmThreads();
    return undefined;
  }
  const filled = Math.min(M, Math.ceil(balancedLength(n, d) / 2));
  const src = limbsToWasm(x.limbs);
  const dst = wasmAlloc(16 * M);
  const res = wasmAlloc(16);
  // pack writes at least floor(4n/d) − 2 digits: the rest up to 2·filled must read as zeros.
  const low = Math.max(0, Math.floor((4 * n) / d) - 2);
  f64View(dst + 8 * low, 2 * filled - low).fill(0);
  const ticket = runInBackground(wasm(), [[['pack', src, n, d, dst, res], forwardJob(dst, M, filled)]]);
  let open = true;
  const freeAll = (): void => {
    wasmFree(src);
    wasmFree(dst);
    wasmFree(res);
  };
  // A worker still on it: its memory goes when it is done (natReapBackground); nobody waits.
  const abandoned = (): boolean => {
    if (!backgroundInFlight(ticket)) return false;
    open = false;
    orphans.push({ ticket, free: freeAll });
    return true;
  };
  return {
    value: x,
    d,
    M,
    ticket,
    finish(p: SpectrumPlan): NatSpectrum | undefined {
      if (!open || p.d !== d || p.M !== M) throw new InvalidArgumentError('natSpectrumBegin: finished twice, or with a plan of another length');
      if (abandoned()) return undefined;
      open = false;
      let normSq: number;
      try {
        joinBackground(ticket); // (runs it here if no worker took it; a worker's failure throws)
        normSq = f64View(res, 1)[0]!;
      } catch (e) {
        freeAll();
        throw e;
      }
      wasmFree(src);
      wasmFree(res);
      return new Transformed(p, x, normSq, null, dst);
    },
    cancel(): void {
      if (!open || abandoned()) return;
      open = false;
      try {
        joinBackground(ticket);
      } catch {
        // A worker's failure in a spectrum nobody will read: dropped with it (cancel runs in callers' finally
        // blocks, where throwing would hide their own error and leave the rest uncancelled).
      } finally {
        freeAll();
      }
    },
  };
}

/**
 * A transform plan's spectrum, its residue taken when first asked for (modLimbs over the operand's limbs): only the
 * checked products and wrapped differences read it (verify, TransformGroup.difference), and most operands of a
 * Newton step feed high products and high differences, which have no residue check (div.ts's reciprocal, estimates
 * and high remainder; sqrt.ts's levels below the top). The limbs it is taken from are the operand's own, the ones the
 * caller holds: the check then proves the product of what the caller holds, not of a copy. A caller that changes an
 * operand's limbs after its product (natHalveOwned) does so once the group released it, after every check read it.
 */
class Transformed implements NatSpectrum {
  private res = -1;
  constructor(
    readonly plan: SpectrumPlan,
    readonly value: Nat,
    readonly normSq: number,
    readonly spectrum: Float64Array | null,
    readonly ptr: number,
  ) {}

  get residue(): number {
    if (this.res < 0) this.res = modLimbs(this.value.limbs, this.value.limbs.length, CHECK_PRIME);
    return this.res;
  }
}

/** Frees the wasm memory of a spectrum made with `inWasm` (once; nothing for others). */
export function natFreeSpectrum(s: NatSpectrum): void {
  if (s.ptr !== 0) wasmFree(s.ptr);
}

/** a·b from the spectra of a and b (same plan); `options` as for natMulAddSpectra. */
export function natMulSpectra(a: NatSpectrum, b: NatSpectrum, options: MulOptions = {}): Nat {
  return natMulAddSpectra([[a, b]], options);
}

/**
 * Σ a_t·b_t (one or two products) from spectra made with one plan, with one inverse transform. `options` reach the
 * direct products of a DIRECT plan and the fault hook (tests) of the transformed sum.
 */
export function natMulAddSpectra(terms: ReadonlyArray<readonly [NatSpectrum, NatSpectrum]>, options: MulOptions = {}): Nat {
  return alone(mulAddSteps(terms, options));
}

/**
 * @internal natMulAddSpectra in steps (ProductSteps); the product's limbs are `alloc`'s (nat.ts LimbsAlloc: a
 * TransformGroup that holds its results gives wasm memory).
 */
export function* mulAddSteps(
  terms: ReadonlyArray<readonly [NatSpectrum, NatSpectrum]>, options: MulOptions = {}, alloc: LimbsAlloc = jsLimbs,
): ProductSteps<Nat> {
  if (terms.length < 1 || terms.length > 2) throw new InvalidArgumentError('natMulAddSpectra: one or two products');
  const plan = planOf(terms);
  if (plan.d === 0) return directSum(terms, options);
  const { L, outLimbs } = productLengths(terms, plan, 'natMulAddSpectra');
  if (!withinBound(terms)) return directSum(terms, options);
  // The product's residue is taken in the scratch, where unpackAt leaves the whole product (a fault hook, for tests,
  // changes the limbs after it: then they are checked where they are).
  let got = 0;
  const raw = yield* transformedSum(terms, unpackScratchBytes(L, plan.d, outLimbs), (out, scratch) => {
    const limbs = unpackAt(out, plan.M, L, plan.d, outLimbs, scratch, alloc);
    if (limbs !== null && options.faultHook === undefined) got = residueAt(scratch, outLimbs, CHECK_PRIME);
    return limbs;
  });
  if (raw === null) return directSum(terms, options);
  if (options.faultHook !== undefined) {
    options.faultHook(raw);
    got = modLimbs(raw, raw.length, CHECK_PRIME);
  }
  verify(terms, got);
  return natFromLimbs(raw);
}

/**
 * @internal floor(a·b / B^s) up to one unit (either way), for a caller whose result is checked elsewhere (the
 * quotient estimates and Newton corrections of div.ts, sqrt.ts's steering levels): the inverse transform as for a·b, but only the digits from
 * `from` on are rounded and carried (fft.ts unpackHighAt), and no residue check (a partial product has none).
 *
 * Bound: a·b = H·B^s0 + Lo with Lo = Σ_{j < from} c_j·10^(dj), c_j the convolution coefficients of the balanced
 * digits, |c_j| <= ‖a‖·‖b‖ = C (Cauchy–Schwarz, the norms of packing). So |Lo| < C·Σ_{j < from} 10^(dj)
 * < C·B^s0/(10^d − 1). With s − s0 >= g limbs, B^g >= C/(10^d − 1), |a·b/B^s − H/B^(s − s0)| < 1, and the floors of
 * two numbers closer than 1 differ by at most 1. Two more guard limbs than that make |Lo|/B^s < 10^−8, so the
 * result is floor(a·b/B^s) itself unless a·b/B^s lies within 10^−8 of an integer.
 * Falls back to the whole product (exact, residue-checked) when it does not pay or any check fails.
 */
export function natMulSpectraHigh(a: NatSpectrum, b: NatSpectrum, s: number, options: MulOptions = {}): Nat {
  return alone(mulHighSteps(a, b, s, options));
}

/** @internal natMulSpectraHigh in steps (ProductSteps); the limbs are `alloc`'s (as mulAddSteps'). */
export function* mulHighSteps(
  a: NatSpectrum, b: NatSpectrum, s: number, options: MulOptions = {}, alloc: LimbsAlloc = jsLimbs,
): ProductSteps<Nat> {
  const terms = [[a, b]] as const;
  const plan = planOf(terms);
  const whole = function* (): ProductSteps<Nat> {
    return natHighView(yield* mulAddSteps(terms, options, alloc), s);
  };
  if (plan.d === 0 || options.faultHook !== undefined) return yield* whole();
  const { L, outLimbs } = productLengths(terms, plan, 'natMulSpectraHigh');
  if (!withinBound(terms)) return yield* whole();
  const from = highFrom(terms, s);
  if (from <= 0 || from >= L) return yield* whole();
  const s0 = (from * plan.d) / 4;
  const raw = yield* transformedSum(terms, unpackScratchBytes(L, plan.d, outLimbs), (out, scratch) => unpackHighAt(out, plan.M, L, plan.d, from, outLimbs, scratch, alloc));
  if (raw === null) return yield* whole();
  return natHighView(natFromLimbs(raw), s - s0);
}

/**
 * The digit from which a high product keeps the coefficients (natMulSpectraHigh, spectraWrappedDifferenceHigh): the
 * largest multiple of 12 whose limb s0 = from·d/4 leaves g limbs below s, B^(g−2) >= C/(10^d − 1) with
 * C = ‖a‖·‖b‖ >= every coefficient's magnitude (linear or cyclic: each is a dot product of a with a permutation of
 * b's digits, Cauchy–Schwarz). 0 or less: no room.
 */
function highFrom(terms: ReadonlyArray<readonly [NatSpectrum, NatSpectrum]>, s: number): number {
  const [[a, b]] = terms;
  const d = a.plan.d;
  let g = 2; // the two limbs for 10^−8 (natMulSpectraHigh)
  for (let r = Math.sqrt(a.normSq * b.normSq) / (10 ** d - 1); r > 1; r /= BASE) g++;
  return 12 * Math.floor(((s - g) * 4) / (12 * d));
}

/**
 * a·b modulo B^k − 1, k = the plan's wrapLimbs, from spectra of a plan made with `wrap` (natSpectrumPlan): the
 * inverse transform of the pointwise product is the cyclic convolution of the digits, so the transform is as long
 * as the modulus, not as the product (a caller that needs only a window of a·b whose range it knows, such as
 * Newton's B^m − D·X or a remainder a − q·b, gets it for the cost of a product of k limbs). Returns the residue in
 * [0, B^k − 1). The residue check modulo CHECK_PRIME cannot see a wrapped product (a·b itself is never formed):
 * callers verify their end result instead (div.ts and sqrt.ts check q·b + r = a, s² + r = a modulo the prime).
 * The rounding distance is checked as for every product; when it fails, or the operands' norms exceed the plan's
 * bound, the product is made in full by natMul and reduced.
 */
export function natMulSpectraWrapped(a: NatSpectrum, b: NatSpectrum, options: MulOptions = {}): Nat {
  return alone(mulWrappedSteps(a, b, options));
}

/** @internal natMulSpectraWrapped in steps (ProductSteps). */
export function* mulWrappedSteps(a: NatSpectrum, b: NatSpectrum, options: MulOptions = {}): ProductSteps<Nat> {
  const terms = [[a, b]] as const;
  const plan = wrappedPlanOf(terms, 'natMulSpectraWrapped');
  const direct = (): Nat => natModWrapped(natMul(a.value, b.value, options), plan.wrapLimbs);
  if (plan.d === 0 || !withinBound(terms)) return direct();
  const raw = yield* transformedSum(terms, unpackScratchBytes(2 * plan.M, plan.d, plan.wrapLimbs), (out, scratch) => unpackWrappedAt(out, plan.M, plan.d, scratch));
  if (raw === null) return direct();
  options.faultHook?.(raw);
  return natFromLimbs(raw);
}

/**
 * x mod (B^k − 1) for k >= 1, in [0, B^k − 1): the sum of x's k-limb pieces (B^k ≡ 1), folded until it fits.
 * @example natToNumber(natModWrapped(natFromNumber(123456789), 1))  // 9135 = 6789 + 2345 + 1 (B ≡ 1 mod B − 1)
 */
export function natModWrapped(x: Nat, k: number): Nat {
  if (!(Number.isSafeInteger(k) && k >= 1)) throw new InvalidArgumentError(`natModWrapped: k must be a positive integer, got ${k}`);
  if (x.size < k) return x;
  const out = new Uint16Array(k);
  const src = x.limbs;
  let carry = 0;
  // Each piece's carry out of the top is worth B^k ≡ 1: it goes into the next piece's sum at limb 0.
  for (let base = 0; base < src.length; base += k) carry = addLimbsAt(out, 0, k, src, base, Math.min(src.length, base + k), carry);
  // A carry out of the top is worth B^k ≡ 1: add it back at limb 0 (it cannot carry out again past an all-zero top).
  for (let i = 0; carry !== 0 && i < k; i++) {
    const v = out[i]! + 1;
    carry = v >= BASE ? 1 : 0;
    out[i] = v - carry * BASE;
  }
  let all = true;
  for (let i = 0; i < k && all; i++) all = out[i] === BASE - 1;
  if (all) return natFromLimbs(new Uint16Array(0));
  return natFromLimbs(out);
}

/**
 * x − m·y modulo B^k − 1 as the signed integer of least magnitude (< B^k/2) in its class, for y in [0, B^k − 1), any
 * x >= 0 (folded in the same pass: B^k ≡ 1, so x ≡ the sum of its k-limb pieces) and 1 <= m < 2^26 (default 1):
 * what a wrapped product gives a caller who knows that the true difference is that small (Newton's D·X − B^m, a
 * remainder a − q·b, pi's B^2h − 10005·Y²). The magnitude of a negative one is B^k − 1 − z, limb by limb 9999 − z_i
 * (no borrows). x may be a power of B, given by its exponent (written straight into the wasm memory, never formed).
 * One compiled pass (assembly/limbs.ts `wrappedDifference`; x and y are copied into the wasm memory).
 * @throws InvalidArgumentError if y has more than k limbs or m is out of range.
 * @example natWrappedDifference(natFromNumber(1), natFromNumber(3), 2)  // { negative: true, magnitude: 2 }
 */
export function natWrappedDifference(x: Nat | { readonly power: number }, y: Nat, k: number, m = 1): { negative: boolean; magnitude: Nat } {
  return wrappedDifference(x, y, k, m, 0);
}

/**
 * @internal natWrappedDifference, and the magnitude's residue modulo p (p > 0, <= 2^26) taken in the wasm memory
 * before the magnitude leaves it (TransformGroup.difference checks every wrapped difference with it); residue 0
 * when p is 0.
 */
export function wrappedDifference(
  x: Nat | { readonly power: number }, y: Nat, k: number, m: number, p: number,
): { negative: boolean; magnitude: Nat; residue: number } {
  if (y.size > k) throw new InvalidArgumentError('natWrappedDifference: y must be a residue mod B^k − 1');
  if (!(Number.isSafeInteger(m) && m >= 1 && m < 2 ** 26)) throw new InvalidArgumentError(`natWrappedDifference: multiplier ${m} out of [1, 2^26)`);
  const yp = limbsToWasm(y.limbs);
  try {
    return differenceAt(x, yp, y.limbs.length, k, m, p, 0);
  } finally {
    wasmFree(yp);
  }
}

/**
 * The minuend x of a wrapped difference: a Nat, a power of B given by its exponent, or nat·B^shift given as both
 * (written into the wasm memory as `shift` zero limbs and nat's, never formed: sqrt.ts's P = |R|·B^(T−u) − 2s'·Q0).
 */
export type WrappedMinuend = Nat | { readonly power: number } | { readonly nat: Nat; readonly shift: number };

/** A wrapped difference: its sign, its magnitude, and the magnitude's residue modulo p (0 when p is 0). */
export interface WrappedDifference {
  readonly negative: boolean;
  readonly magnitude: Nat;
  readonly residue: number;
}

/**
 * x − m·(y + c0) modulo B^k − 1 (as natWrappedDifference) for y the ylen <= k limbs at yp in the wasm memory (any
 * value below B^k) and a signed integer c0 with |m·c0| < 2^52 (the carry a wrapped unpacking left above limb k,
 * worth c0·B^k ≡ c0): one compiled pass (assembly/limbs.ts `wrappedDifference`), x written into the wasm memory
 * (a power of B as B^(power mod k), never formed), the magnitude's residue modulo p taken there, and only its
 * significant limbs copied out (into `alloc`'s limbs). `spare` (spareBytes long, 0 for none) is dead wasm memory
 * that may hold x and z.
 */
function differenceAt(
  x: WrappedMinuend, yp: number, ylen: number, k: number, m: number, p: number, c0: number,
  spare = 0, spareBytes = 0, alloc: LimbsAlloc = jsLimbs,
): WrappedDifference {
  const power = x instanceof Nat || !('power' in x) ? -1 : x.power % k; // B^power ≡ B^(power mod k)
  const xs = x instanceof Nat ? x : 'nat' in x ? x.nat : undefined;
  const shift = x instanceof Nat || !('nat' in x) ? 0 : x.shift;
  const xlen = xs === undefined ? 0 : shift + xs.limbs.length;
  // x's limbs go where they have their JS array's alignment mod 8 and z on 8 bytes, so that the copies in and out
  // run word by word (wasmheap.ts wasmAllocLike): at most 7 + 6 bytes more.
  const need = 2 * (xlen + k) + 16;
  const own = need > spareBytes;
  const ptr = own ? wasmAlloc(need) : spare;
  try {
    const xp = xs === undefined ? ptr : alignLike(ptr, xs.limbs.byteOffset - 2 * shift);
    const zp = alignLike(xp + 2 * xlen, 0);
    if (xs !== undefined) {
      if (shift > 0) wasm().zeroLimbs(xp, shift);
      u16View(xp + 2 * shift, xs.limbs.length).set(xs.limbs);
    }
    const r = wasm().wrappedDifference(xp, xlen, power, yp, ylen, m, zp, k, c0);
    // Only the significant limbs leave the wasm memory (k may be far above the difference's length).
    const size = r >>> 1;
    const residue = p > 0 ? residueAt(zp, size, p) : 0;
    const magnitude = alloc(size);
    magnitude.set(u16View(zp, size));
    return { negative: (r & 1) === 1, magnitude: natFromLimbs(magnitude), residue };
  } finally {
    if (own) wasmFree(ptr);
  }
}

/**
 * @internal x − a·b modulo B^k − 1 (k = the plan's wrapLimbs; x a WrappedMinuend) as natWrappedDifference gives
 * it, from the spectra of a and b made with a plan for that wrapped product, without the wrapped product ever
 * leaving the wasm memory: it is unpacked into a scratch block, and the difference is taken there with the carry
 * the unpacking left above limb k (differenceAt), in the dead transform's memory. The magnitude's residue modulo p
 * comes with it (TransformGroup.difference checks it). null when the operands' norms exceed the plan's bound or the
 * rounding check fails: the caller forms the full product instead.
 */
export function spectraWrappedDifference(
  x: WrappedMinuend, a: NatSpectrum, b: NatSpectrum, p: number, options: MulOptions = {},
): WrappedDifference | null {
  return alone(wrappedDifferenceSteps(x, a, b, p, 0, options));
}

/**
 * @internal spectraWrappedDifference for a caller that needs only floor(|x − a·b| / B^s) within one unit and checks
 * its end result otherwise (TransformGroup.differenceHigh): the wrapped product's digits below `from` (highFrom: g
 * guard limbs below s) are never rounded nor carried (fft.ts unpackWrappedRawAt), so what reaches the difference is
 * a·b − Lo modulo B^k − 1 with |Lo| < C·B^s0/(10^d − 1) <= B^(s−2) — natMulSpectraHigh's bound, which holds for the
 * cyclic coefficients too (each is a dot product of a with a permutation of b's digits: Cauchy–Schwarz). The result
 * is (x − a·b) + Lo as a sign and a magnitude; no residue. null as spectraWrappedDifference, or when s leaves no room.
 */
export function spectraWrappedDifferenceHigh(
  x: WrappedMinuend, a: NatSpectrum, b: NatSpectrum, s: number,
): WrappedDifference | null {
  return s > 0 ? alone(wrappedDifferenceSteps(x, a, b, 0, s, {})) : null;
}

/**
 * @internal spectraWrappedDifference (s = 0) or spectraWrappedDifferenceHigh (s > 0, p = 0), in steps; the
 * magnitude's limbs are `alloc`'s (as mulAddSteps').
 */
export function* wrappedDifferenceSteps(
  x: WrappedMinuend, a: NatSpectrum, b: NatSpectrum, p: number, s: number, options: MulOptions, alloc: LimbsAlloc = jsLimbs,
): ProductSteps<WrappedDifference | null> {
  const terms = [[a, b]] as const;
  const plan = wrappedPlanOf(terms, 'spectraWrappedDifference');
  if (plan.d === 0 || !withinBound(terms)) return null;
  const from = s > 0 ? highFrom(terms, s) : 0;
  if (s > 0 && (from <= 0 || from >= 2 * plan.M)) return null;
  const k = plan.wrapLimbs;
  return yield* transformedSum(terms, unpackScratchBytes(2 * plan.M, plan.d, k), (out, scratch) => {
    const V = unpackWrappedRawAt(out, plan.M, plan.d, scratch, from);
    // |V| <= max |coefficient| / (10^d − 1) + 1, and every coefficient of the cyclic convolution is at most the norm
    // product (Cauchy–Schwarz), which the bound keeps far below 2^52: the test only makes the compiled pass's
    // precondition explicit (failing it would cost the full product, never a digit).
    if (V === null || !(Math.abs(V) < 2 ** 52)) return null;
    options.faultHook?.(u16View(scratch, k));
    // The transform's output is dead once unpacked: x and the difference go there when they fit.
    return differenceAt(x, scratch, k, k, 1, p, V, out, 16 * plan.M, alloc);
  });
}

/**
 * The digits L of a sum of products on a transform plan (the longest term's; at most the plan's 2M, else `who`
 * throws) and the limbs its unpacking writes.
 */
function productLengths(
  terms: ReadonlyArray<readonly [NatSpectrum, NatSpectrum]>, plan: SpectrumPlan, who: string,
): { L: number; outLimbs: number } {
  let L = 0;
  let outLimbs = 0;
  for (const [a, b] of terms) {
    L = Math.max(L, balancedLength(a.value.size, plan.d) + balancedLength(b.value.size, plan.d));
    outLimbs = Math.max(outLimbs, a.value.size + b.value.size + 2);
  }
  if (L > 2 * plan.M) throw new InvalidArgumentError(`${who}: product longer than its plan allows`);
  return { L, outLimbs };
}

/**
 * planOf for a wrapped product (natMulSpectraWrapped, the wrapped differences): throws when the plan was made for
 * none, or (a transform plan) when an operand is longer than the plan allows.
 */
function wrappedPlanOf(terms: ReadonlyArray<readonly [NatSpectrum, NatSpectrum]>, who: string): SpectrumPlan {
  const plan = planOf(terms);
  if (plan.wrapLimbs === 0) throw new InvalidArgumentError(`${who}: the plan was made for no wrapped product`);
  for (const [a, b] of terms) {
    if (plan.d !== 0 && (balancedLength(a.value.size, plan.d) > 2 * plan.M || balancedLength(b.value.size, plan.d) > 2 * plan.M)) {
      throw new InvalidArgumentError(`${who}: operand longer than its plan allows`);
    }
  }
  return plan;
}

/** The one plan of every spectrum in `terms` (throws for a mix). */
function planOf(terms: ReadonlyArray<readonly [NatSpectrum, NatSpectrum]>): SpectrumPlan {
  const plan = terms[0]![0].plan;
  for (const [a, b] of terms) {
    if (a.plan !== plan || b.plan !== plan) throw new InvalidArgumentError('natMulAddSpectra: spectra of different plans');
  }
  return plan;
}

/** Whether the proven bound, with the operands' actual norms, holds for the sum at the plan's length. */
function withinBound(terms: ReadonlyArray<readonly [NatSpectrum, NatSpectrum]>): boolean {
  let normProduct = 0;
  for (const [a, b] of terms) normProduct += Math.sqrt(a.normSq * b.normSq);
  return mixedBound(terms[0]![0].plan.M, normProduct) < 0.5;
}

/**
 * A product's pointwise step and inverse transform, out ← inverse(Σ untangle(A_t)·untangle(B_t)) in the wasm memory
 * (fftcore pointwiseAt and inverseAt), as a product made in steps hands it to whoever runs it.
 */
export interface ProductStep {
  readonly out: number;
  readonly terms: readonly SpectrumTerm[];
  readonly M: number;
}

/**
 * A spectral product made in steps: a generator that yields its one ProductStep (none when it is made directly: a
 * direct plan, a fallback) and returns the result once that step has run (`alone`, TransformGroup's `run`), so each
 * kind of product is written once, whoever runs its step.
 */
export type ProductSteps<T> = Generator<ProductStep, T, void>;

/** Runs a product made in steps by itself: its step's transform split among the threads when it is long. */
export function alone<T>(g: ProductSteps<T>): T {
  for (let r = g.next(); ; r = g.next()) {
    if (r.done === true) return r.value;
    pointwiseAt(r.value.out, r.value.terms, r.value.M);
    inverseAt(r.value.out, r.value.M);
  }
}

/**
 * The pointwise sum of products and the inverse transform in the wasm memory (the yielded ProductStep), then
 * `finish` (the unpacking) on the output and a scratch of `scratchBytes`.
 */
function* transformedSum<T>(
  terms: ReadonlyArray<readonly [NatSpectrum, NatSpectrum]>,
  scratchBytes: number,
  finish: (out: number, scratch: number) => T,
): ProductSteps<T> {
  // The distinct spectra go into the wasm memory once each (a square, or P1 in two terms, is copied once).
  const M = terms[0]![0].plan.M;
  const placed = new Map<Float64Array, number>();
  const out = wasmAlloc(16 * M);
  try {
    const at = (s: NatSpectrum): number => {
      if (s.ptr !== 0) return s.ptr;
      let ptr = placed.get(s.spectrum!);
      if (ptr === undefined) {
        ptr = wasmAlloc(16 * M);
        placed.set(s.spectrum!, ptr);
        f64View(ptr, 2 * M).set(s.spectrum!);
      }
      return ptr;
    };
    const wasmTerms = terms.map(([a, b]): SpectrumTerm => [at(a), at(b)]);
    yield { out, terms: wasmTerms, M };
    for (const ptr of placed.values()) wasmFree(ptr);
    placed.clear();
    const scratch = wasmAlloc(scratchBytes);
    try {
      return finish(out, scratch);
    } finally {
      wasmFree(scratch);
    }
  } finally {
    for (const ptr of placed.values()) wasmFree(ptr);
    wasmFree(out);
  }
}

function directSum(terms: ReadonlyArray<readonly [NatSpectrum, NatSpectrum]>, options: MulOptions): Nat {
  let r = natMul(terms[0][0].value, terms[0][1].value, options);
  for (let t = 1; t < terms.length; t++) r = natAdd(r, natMul(terms[t][0].value, terms[t][1].value, options));
  return r;
}

/** Checks a sum of products whose residue modulo CHECK_PRIME is `got` against its operands' residues. */
function verify(terms: ReadonlyArray<readonly [NatSpectrum, NatSpectrum]>, got: number): void {
  const p = CHECK_PRIME;
  let expect = 0;
  for (const [a, b] of terms) expect = (expect + ((a.residue * b.residue) % p)) % p;
  if (expect !== got) {
    throw new ArithmeticCheckError(
      `sum of ${terms.length} spectral product(s) failed its residue check mod ${p} (expected ${expect}, got ${got})`,
    );
  }
}
