/**
 * kernel/sums — groups of sums of products that share operands (pi's merge T1·Q2 + P1·T2 and Q1·Q2), computed whole
 * in the wasm memory: the transform reuse of the planner (planner.ts `planSharedTransforms`) as Multiplier.sumsOfProducts
 * runs it. spectra.ts's NatSpectrum API serves callers that keep spectra across calls; this module serves a group
 * known in full at once, so nothing leaves the wasm memory between its steps.
 */
import { ArithmeticCheckError, InvalidArgumentError } from '../errors.js';
import { FFT_MAX_LENGTH, type PackJob, balancedLength, limbsToWasm, packAll, residueAt, unpackAt, unpackScratchBytes, widestDigits } from './fft.js';
import { forwardAt, inverseAt, mixedBound, pointwiseAt, prepareTransforms, transformLength, type SpectrumTerm } from './fftcore.js';
import { CHECK_PRIME, natMul, type MulOptions } from './mul.js';
import { sharedFftThreshold } from './planner.js';
import { Nat, modLimbs, natAdd, natFromLimbs } from './nat.js';
import { wasm, wasmAlloc, wasmFree } from './wasmheap.js';

type Product = readonly [Nat, Nat];
type Sums = ReadonlyArray<ReadonlyArray<Product>>;

/**
 * Residues modulo CHECK_PRIME of the results this module verified: a result is often an operand of the next group
 * (pi's merges feed P, Q and T up the tree), whose residue then costs nothing. Keyed by the Nat, which is immutable
 * (nat.ts); should a caller break that, its product check fails loudly (the residue would be stale), never silently.
 */
const knownResidues = new WeakMap<Nat, number>();

/**
 * Σ_t a_t·b_t for each listed sum (one or two products each), the whole group in the wasm memory: each distinct
 * operand (by identity) is copied in, packed and transformed once, each sum is one pointwise step and one inverse
 * transform, and the norms, residues and checks run compiled on the limbs already there. This is what
 * Multiplier.sumsOfProducts runs (pi's merges); natSpectrum/natMulAddSpectra keep spectra in JS memory for callers
 * that hold them across calls, at the cost of copying each spectrum out and back in (at 10^7 decimals of pi those
 * copies, JS norms and residues were ~15% of the series' time).
 *
 * Digit size: the largest d whose mixedBound with the ACTUAL norms of the packed digits is < 1/2 for every sum,
 * tried from 5 (fft.ts widestDigits: pi's merges up to a few 10^4 digits) or 4 down (base 10^4, when even extreme
 * digits might not fit: the norms come from one compiled pass before anything is packed). Memory: one spectrum of 16·M bytes
 * per distinct operand, all alive at once (spectraHeapBytes with `distinct` spectra), the output of a sum written
 * over its first operand's spectrum when that operand is not used later (pointwiseAt allows that alias), else one
 * more; operands' limbs and an unpacking scratch. A sum whose rounding check fails is recomputed by natMul from the
 * operands; every sum is checked modulo the process's prime.
 *
 * Shape of the code (V8): every step is its own small top-level function with plain loops over a `Group` (one
 * class, one shape), no closures and no array callbacks. Each process's threads (the caller and pi's subtree
 * thread are separate isolates) optimize this code on their own; as one function with its closures inlined it was
 * one TurboFan graph of ~140–330 ms of compile time, recompiled after deopts (7 compiles, 0.96–2.3 s of compile
 * job time per pi 10^7 run, `node --trace-opt`); see docs/ARCHITECTURE.md §4 "JIT cost of the hot JavaScript".
 * @throws InvalidArgumentError for a sum of no or more than two products, or products needing a transform longer
 *   than FFT_MAX_LENGTH.
 * @throws ArithmeticCheckError when a residue check fails (a faulty machine, never a wrong result).
 * @example const [t, q] = natSumsOfProducts([[[t1, q2], [p1, t2]], [[q1, q2]]]);
 */
export function natSumsOfProducts(sums: Sums, options: MulOptions = {}): Nat[] {
  checkShape(sums);
  if (smallestOperand(sums) < sharedFftThreshold(options.fftThreshold)) return directSums(sums, options);
  const g = new Group(sums);
  try {
    copyIn(g);
    const residues = operandResidues(g);
    const widest = widestOf(sums);
    for (const d of DIGIT_SIZES) {
      if (d > widest) continue;
      const pass = transformed(g, d);
      if (pass !== undefined) return sumsFromSpectra(g, pass, residues, options);
    }
  } finally {
    g.free();
  }
  throw new ArithmeticCheckError('natSumsOfProducts: products beyond the proven FFT error bound at every digit size');
}

/**
 * The digit sizes tried, widest first. A loop over this list has no step that only a second try runs (as `d--`
 * had): the first group whose first size fails after V8 optimized the loop does not deopt it for want of feedback.
 */
const DIGIT_SIZES: readonly number[] = [5, 4, 3, 2, 1];

/** Rejects a group of no sums or a sum of no or more than two products (nothing is allocated yet). */
function checkShape(sums: Sums): void {
  let bad = sums.length === 0;
  for (let s = 0; s < sums.length; s++) bad ||= sums[s]!.length < 1 || sums[s]!.length > 2;
  if (bad) throw new InvalidArgumentError('natSumsOfProducts: every sum needs one or two products');
}

/** The fewest limbs of any operand of the group (below the shared-FFT threshold the sums go to natMul). */
function smallestOperand(sums: Sums): number {
  let smallest = Infinity;
  for (let s = 0; s < sums.length; s++) {
    const sum = sums[s]!;
    for (let j = 0; j < sum.length; j++) smallest = Math.min(smallest, sum[j]![0].size, sum[j]![1].size);
  }
  return smallest;
}

/** One sum by natMul and natAdd: the small groups, and the fallback of a sum whose rounding check failed. */
function directSum(sum: ReadonlyArray<Product>, options: MulOptions): Nat {
  const first = natMul(sum[0]![0], sum[0]![1], options);
  return sum.length === 1 ? first : natAdd(first, natMul(sum[1]![0], sum[1]![1], options));
}

function directSums(sums: Sums, options: MulOptions): Nat[] {
  const out: Nat[] = [];
  for (let s = 0; s < sums.length; s++) out.push(directSum(sums[s]!, options));
  return out;
}

/**
 * A group's distinct operands (by identity) with where each sum finds them, and the wasm blocks it holds: the
 * operands' limbs (`src`) and spectra (`spectra`, 0 once freed or handed to a result), freed by `free` whatever
 * happens.
 */
class Group {
  readonly operands: Nat[] = [];
  /** Operand numbers of sum s's products: a_j at 4s + 2j, b_j at 4s + 2j + 1 (j below the sum's length). */
  readonly at: Int32Array;
  /** Per operand, the last sum that reads it (its spectrum is freed, or becomes that sum's output, there). */
  readonly lastUse: number[] = [];
  readonly src: number[] = [];
  readonly spectra: number[] = [];

  constructor(readonly sums: Sums) {
    this.at = new Int32Array(4 * sums.length);
    const index = new Map<Nat, number>();
    for (let s = 0; s < sums.length; s++) {
      const sum = sums[s]!;
      for (let j = 0; j < sum.length; j++) {
        for (let side = 0; side < 2; side++) {
          const x = sum[j]![side]!;
          let i = index.get(x);
          if (i === undefined) {
            i = this.operands.length;
            index.set(x, i);
            this.operands.push(x);
          }
          this.lastUse[i] = s;
          this.at[4 * s + 2 * j + side] = i;
        }
      }
    }
  }

  /** Frees every spectrum (the failed pass of a digit size). */
  freeSpectra(): void {
    for (let i = 0; i < this.spectra.length; i++) release(this.spectra, i);
    this.spectra.length = 0;
  }

  free(): void {
    for (let i = 0; i < this.src.length; i++) release(this.src, i);
    this.freeSpectra();
  }
}

/** Frees list[i]'s block unless already freed or handed over (0). */
function release(list: number[], i: number): void {
  if (list[i]! > 0) wasmFree(list[i]!);
  list[i] = 0;
}

/** Copies every operand's limbs into the wasm memory (the norms, packing and residues read them there). */
function copyIn(g: Group): void {
  for (let i = 0; i < g.operands.length; i++) g.src.push(limbsToWasm(g.operands[i]!.limbs));
}

/** Each operand's residue modulo CHECK_PRIME: the one this module recorded for it, else computed compiled. */
function operandResidues(g: Group): number[] {
  const residues: number[] = [];
  for (let i = 0; i < g.operands.length; i++) {
    const x = g.operands[i]!;
    residues.push(knownResidues.get(x) ?? residueAt(g.src[i]!, x.size, CHECK_PRIME));
  }
  return residues;
}

/** The first digit size to try: fft.ts widestDigits, the smallest over the group's products. */
function widestOf(sums: Sums): number {
  let widest = 5;
  for (let s = 0; s < sums.length; s++) {
    const sum = sums[s]!;
    for (let j = 0; j < sum.length; j++) widest = Math.min(widest, widestDigits(sum[j]![0].size, sum[j]![1].size, sum[j]![0] === sum[j]![1], sum.length));
  }
  return widest;
}

/** Per sum, the balanced base-10^d digits of its longest product (the unpacking's length). */
function sumLengths(sums: Sums, d: number): Int32Array {
  const L = new Int32Array(sums.length);
  for (let s = 0; s < sums.length; s++) {
    const sum = sums[s]!;
    for (let j = 0; j < sum.length; j++) L[s] = Math.max(L[s]!, balancedLength(sum[j]![0].size, d) + balancedLength(sum[j]![1].size, d));
  }
  return L;
}

/** Whether every sum's mixedBound with these operand norms (squared, by operand number) is < 1/2 at M points. */
function fits(g: Group, norms: Float64Array, M: number): boolean {
  for (let s = 0; s < g.sums.length; s++) {
    let acc = 0;
    for (let j = 0; j < g.sums[s]!.length; j++) acc += Math.sqrt(norms[g.at[4 * s + 2 * j]!]! * norms[g.at[4 * s + 2 * j + 1]!]!);
    if (!(mixedBound(M, acc) < 0.5)) return false;
  }
  return true;
}

/** The squared norms every operand would have at base 10^d with all digits at the extremes (±10^d/2). */
function worstNorms(g: Group, d: number): Float64Array {
  const h2 = (10 ** d / 2) ** 2;
  const norms = new Float64Array(g.operands.length);
  for (let i = 0; i < norms.length; i++) norms[i] = h2 * balancedLength(g.operands[i]!.size, d);
  return norms;
}

/** The operands' exact squared norms at base 10^4, one compiled pass each over the limbs already in place. */
function base4Norms(g: Group): Float64Array {
  const k = wasm();
  const norms = new Float64Array(g.operands.length);
  for (let i = 0; i < norms.length; i++) norms[i] = k.normSq4(g.src[i]!, g.operands[i]!.size);
  return norms;
}

/** A digit size whose packed operands passed the bound, with their spectra transformed (in g.spectra). */
class Pass {
  constructor(
    readonly d: number,
    readonly M: number,
    /** Per sum, its digits' length (sumLengths). */
    readonly L: Int32Array,
  ) {}
}

/**
 * Packs and transforms every operand at base 10^d when the bound allows that size, else undefined (nothing kept:
 * the next smaller d is tried). Frees the operands' limbs once packed: a fallback multiplies the operands.
 * @throws InvalidArgumentError when the products need more than FFT_MAX_LENGTH points.
 */
function transformed(g: Group, d: number): Pass | undefined {
  const L = sumLengths(g.sums, d);
  let longest = 0;
  for (let s = 0; s < L.length; s++) longest = Math.max(longest, L[s]!);
  const M = transformLength(Math.ceil(longest / 2));
  if (M > FFT_MAX_LENGTH) {
    throw new InvalidArgumentError(`natSumsOfProducts: products need a transform of ${M} > ${FFT_MAX_LENGTH} points (split them)`);
  }
  // Base 10^4: when even all-extreme digits (±10^d/2) would fit the bound, packing goes ahead (it measures the
  // exact norms anyway); else one cheap norm pass first, so a group the bound rules out is never packed.
  if (d === 4 && !fits(g, worstNorms(g, d), M) && !fits(g, base4Norms(g), M)) return undefined;
  prepareTransforms(M);
  const jobs: PackJob[] = [];
  for (let i = 0; i < g.operands.length; i++) {
    g.spectra.push(wasmAlloc(16 * M));
    jobs.push({ src: g.src[i]!, limbs: g.operands[i]!.size, dst: g.spectra[i]! });
  }
  const packed = packAll(jobs, d, M);
  const norms = new Float64Array(packed.length);
  for (let i = 0; i < packed.length; i++) norms[i] = packed[i]!.normSq;
  if (!fits(g, norms, M)) {
    g.freeSpectra();
    return undefined;
  }
  for (let i = 0; i < g.src.length; i++) release(g.src, i);
  for (let i = 0; i < packed.length; i++) forwardAt(g.spectra[i]!, M, packed[i]!.filled);
  return new Pass(d, M, L);
}

/** Every sum of the group from the transformed operands, in order (each operand's spectrum freed after its last). */
function sumsFromSpectra(g: Group, pass: Pass, residues: readonly number[], options: MulOptions): Nat[] {
  const out: Nat[] = [];
  for (let s = 0; s < g.sums.length; s++) out.push(sumFromSpectra(g, s, pass, residues, options));
  return out;
}

/**
 * Sum s: one pointwise step over its products' spectra into a fresh block, or over its first operand's spectrum
 * when s is that operand's last use, then the inverse transform and the checked unpacking.
 */
function sumFromSpectra(g: Group, s: number, pass: Pass, residues: readonly number[], options: MulOptions): Nat {
  const { M } = pass;
  const n = g.sums[s]!.length;
  const terms: SpectrumTerm[] = [];
  for (let j = 0; j < n; j++) terms.push([g.spectra[g.at[4 * s + 2 * j]!]!, g.spectra[g.at[4 * s + 2 * j + 1]!]!]);
  const first = g.at[4 * s]!;
  const own = g.lastUse[first] === s;
  const out = own ? g.spectra[first]! : wasmAlloc(16 * M);
  if (own) g.spectra[first] = 0; // the output's now, freed below
  try {
    pointwiseAt(out, terms, M);
    for (let i = 0; i < g.operands.length; i++) if (g.lastUse[i] === s) release(g.spectra, i);
    inverseAt(out, M);
    return unpackChecked(g, s, out, pass, residues, options);
  } finally {
    wasmFree(out);
  }
}

/**
 * Sum s's limbs from its inverse transform at `out`, checked modulo CHECK_PRIME against its operands' residues
 * (recorded for the result); recomputed by natMul when the rounding check fails.
 * @throws ArithmeticCheckError when the residue check fails.
 */
function unpackChecked(g: Group, s: number, out: number, pass: Pass, residues: readonly number[], options: MulOptions): Nat {
  const sum = g.sums[s]!;
  let outLimbs = 0;
  for (let j = 0; j < sum.length; j++) outLimbs = Math.max(outLimbs, sum[j]![0].size + sum[j]![1].size);
  outLimbs += 2;
  const { M, d, L } = pass;
  const scratch = wasmAlloc(unpackScratchBytes(L[s]!, d, outLimbs));
  try {
    const raw = unpackAt(out, M, L[s]!, d, outLimbs, scratch);
    if (raw === null) return directSum(sum, options);
    let expect = 0;
    for (let j = 0; j < sum.length; j++) {
      expect = (expect + ((residues[g.at[4 * s + 2 * j]!]! * residues[g.at[4 * s + 2 * j + 1]!]!) % CHECK_PRIME)) % CHECK_PRIME;
    }
    const got = options.faultHook ? hookedResidue(raw, options.faultHook) : residueAt(scratch, outLimbs, CHECK_PRIME);
    if (got !== expect) throw residueMismatch(sum.length, expect, got);
    const result = natFromLimbs(raw);
    knownResidues.set(result, got);
    return result;
  } finally {
    wasmFree(scratch);
  }
}

/** The tests' fault injection: the hook alters the unpacked limbs, whose residue is then taken from them. */
function hookedResidue(raw: Uint16Array, hook: (limbs: Uint16Array) => void): number {
  hook(raw);
  return modLimbs(raw, raw.length, CHECK_PRIME);
}

function residueMismatch(products: number, expect: number, got: number): ArithmeticCheckError {
  return new ArithmeticCheckError(`sum of ${products} spectral product(s) failed its residue check mod ${CHECK_PRIME} (expected ${expect}, got ${got})`);
}

/**
 * The complex transform length natSumsOfProducts would use for `sums` if every operand's digits were at the
 * extremes (±10^d/2): an upper bound of the length it uses, for planning its memory; 0 when the group goes to
 * single products (an operand below the FFT threshold).
 */
export function natSumsWorstLength(sums: Sums, fftThreshold?: number): number {
  if (smallestOperand(sums) < sharedFftThreshold(fftThreshold)) return 0;
  for (const d of DIGIT_SIZES) {
    if (d > 4) continue;
    const M = worstLengthAt(sums, d);
    if (worstFitsAt(sums, d, M)) return M;
  }
  throw new ArithmeticCheckError('natSumsWorstLength: products beyond the proven FFT error bound at every digit size');
}

/** The transform length of the group's longest product at base 10^d. */
function worstLengthAt(sums: Sums, d: number): number {
  let M = 0;
  for (let s = 0; s < sums.length; s++) {
    const sum = sums[s]!;
    for (let j = 0; j < sum.length; j++) {
      M = Math.max(M, transformLength(Math.ceil((balancedLength(sum[j]![0].size, d) + balancedLength(sum[j]![1].size, d)) / 2)));
    }
  }
  return M;
}

/** Whether every sum passes mixedBound at M points with all digits at the extremes (±10^d/2). */
function worstFitsAt(sums: Sums, d: number, M: number): boolean {
  const h = 10 ** d / 2;
  for (let s = 0; s < sums.length; s++) {
    const sum = sums[s]!;
    let acc = 0;
    for (let j = 0; j < sum.length; j++) acc += h * h * Math.sqrt(balancedLength(sum[j]![0].size, d) * balancedLength(sum[j]![1].size, d));
    if (!(mixedBound(M, acc) < 0.5)) return false;
  }
  return true;
}
