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
 * (operand residues are computed once, with the spectrum). If the result's rounding check fails (never seen on
 * correct hardware) the products are recomputed by natMul from the operands the spectra keep.
 */

import { ArithmeticCheckError, InvalidArgumentError } from '../errors.js';
import { FFT_MAX_LENGTH, balancedLength, balancedNormSq, limbsToWasm, packAll, unpackAt, unpackScratchBytes } from './fft.js';
import { forwardAt, inverseAt, mixedBound, pointwiseAt, prepareTransforms, transformLength, type SpectrumTerm } from './fftcore.js';
import { CHECK_PRIME, FFT_THRESHOLD, natMul, type MulOptions } from './mul.js';
import { Nat, modLimbs, natAdd, natFromLimbs } from './nat.js';
import { f64View, wasm, wasmAlloc, wasmFree } from './wasmheap.js';

/** Digit size and length shared by the spectra of one group of products (opaque to callers). */
export interface SpectrumPlan {
  /** Balanced digit size 10^d, or 0 for a direct (non-FFT) plan. */
  readonly d: number;
  /** Complex transform length (0 for a direct plan). */
  readonly M: number;
}

/** A transformed operand, bound to the plan it was made with. */
export interface NatSpectrum {
  readonly plan: SpectrumPlan;
  /** The operand itself (direct plans, fallbacks). */
  readonly value: Nat;
  /** value mod CHECK_PRIME. */
  readonly residue: number;
  /**
   * Transformed packed digits, interleaved (re, im) doubles (null for a direct plan). Kept in JS memory, not in the
   * wasm memory: a spectrum lives as long as its caller keeps it, and wasm memory is freed only explicitly.
   */
  readonly spectrum: Float64Array | null;
}

type Product = readonly [Nat, Nat];

const DIRECT: SpectrumPlan = { d: 0, M: 0 };

/**
 * A plan valid for every sum of products listed (a single product is a sum of one term). All operands of all the
 * sums may be transformed with it and combined in any of the listed ways.
 */
export function natSpectrumPlan(sums: ReadonlyArray<ReadonlyArray<Product>>, fftThreshold = FFT_THRESHOLD): SpectrumPlan {
  if (sums.length === 0 || sums.some((s) => s.length === 0)) {
    throw new InvalidArgumentError('natSpectrumPlan: every sum needs at least one product');
  }
  let smallest = Infinity;
  for (const s of sums) for (const [a, b] of s) smallest = Math.min(smallest, a.size, b.size);
  if (smallest < Math.max(4, fftThreshold)) return DIRECT;
  const norms = new Map<Nat, number>();
  for (let d = 4; d >= 1; d--) {
    norms.clear();
    const normOf = (x: Nat): number => {
      let v = norms.get(x);
      if (v === undefined) {
        v = Math.sqrt(balancedNormSq(x.limbs, d));
        norms.set(x, v);
      }
      return v;
    };
    let L = 0;
    for (const s of sums) for (const [a, b] of s) L = Math.max(L, balancedLength(a.size, d) + balancedLength(b.size, d));
    const M = transformLength(Math.ceil(L / 2));
    if (M > FFT_MAX_LENGTH) {
      throw new InvalidArgumentError(`natSpectrumPlan: products need a transform of ${M} > ${FFT_MAX_LENGTH} points (split them)`);
    }
    let ok = true;
    for (const s of sums) {
      let normProduct = 0;
      for (const [a, b] of s) normProduct += normOf(a) * normOf(b);
      if (mixedBound(M, normProduct) >= 0.5) {
        ok = false;
        break;
      }
    }
    if (ok) return { d, M };
  }
  throw new ArithmeticCheckError('natSpectrumPlan: products beyond the proven FFT error bound at every digit size');
}

/** Transforms a with the plan (16·M bytes for FFT plans). */
export function natSpectrum(a: Nat, plan: SpectrumPlan): NatSpectrum {
  const residue = modLimbs(a.limbs, a.limbs.length, CHECK_PRIME);
  if (plan.d === 0) return { plan, value: a, residue, spectrum: null };
  if (balancedLength(a.size, plan.d) > 2 * plan.M) {
    throw new InvalidArgumentError(`natSpectrum: operand of ${a.size} limbs is longer than its plan allows`);
  }
  const src = limbsToWasm(a.limbs);
  const buf = wasmAlloc(16 * plan.M);
  try {
    const [{ filled }] = packAll([{ src, limbs: a.limbs.length, dst: buf }], plan.d, plan.M);
    forwardAt(buf, plan.M, filled!);
    return { plan, value: a, residue, spectrum: f64View(buf, 2 * plan.M).slice() };
  } finally {
    wasmFree(buf);
    wasmFree(src);
  }
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
  if (terms.length < 1 || terms.length > 2) throw new InvalidArgumentError('natMulAddSpectra: one or two products');
  const plan = terms[0][0].plan;
  for (const [a, b] of terms) {
    if (a.plan !== plan || b.plan !== plan) throw new InvalidArgumentError('natMulAddSpectra: spectra of different plans');
  }
  if (plan.d === 0) return directSum(terms, options);
  let L = 0;
  let outLimbs = 0;
  for (const [a, b] of terms) {
    L = Math.max(L, balancedLength(a.value.size, plan.d) + balancedLength(b.value.size, plan.d));
    outLimbs = Math.max(outLimbs, a.value.size + b.value.size + 2);
  }
  if (L > 2 * plan.M) throw new InvalidArgumentError('natMulAddSpectra: product longer than its plan allows');
  // The distinct spectra go into the wasm memory once each (a square, or P1 in two terms, is copied once).
  const M = plan.M;
  const placed = new Map<Float64Array, number>();
  const out = wasmAlloc(16 * M);
  try {
    const at = (s: NatSpectrum): number => {
      let ptr = placed.get(s.spectrum!);
      if (ptr === undefined) {
        ptr = wasmAlloc(16 * M);
        placed.set(s.spectrum!, ptr);
        f64View(ptr, 2 * M).set(s.spectrum!);
      }
      return ptr;
    };
    const wasmTerms = terms.map(([a, b]): SpectrumTerm => [at(a), at(b)]);
    pointwiseAt(out, wasmTerms, M);
    inverseAt(out, M);
    for (const ptr of placed.values()) wasmFree(ptr);
    placed.clear();
    const scratch = wasmAlloc(unpackScratchBytes(L, plan.d, outLimbs));
    let raw;
    try {
      raw = unpackAt(out, M, L, plan.d, outLimbs, scratch);
    } finally {
      wasmFree(scratch);
    }
    if (raw === null) return directSum(terms, options);
    options.faultHook?.(raw);
    verify(terms, raw);
    return natFromLimbs(raw);
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

function verify(terms: ReadonlyArray<readonly [NatSpectrum, NatSpectrum]>, raw: Uint16Array): void {
  const p = CHECK_PRIME;
  let expect = 0;
  for (const [a, b] of terms) expect = (expect + ((a.residue * b.residue) % p)) % p;
  const got = modLimbs(raw, raw.length, p);
  if (expect !== got) {
    throw new ArithmeticCheckError(
      `sum of ${terms.length} spectral product(s) failed its residue check mod ${p} (expected ${expect}, got ${got})`,
    );
  }
}

/**
 * Σ_t a_t·b_t for each listed sum (one or two products each), the whole group in the wasm memory: each distinct
 * operand (by identity) is copied in, packed and transformed once, each sum is one pointwise step and one inverse
 * transform, and the norms, residues and checks run compiled on the limbs already there. This is what
 * Multiplier.sumsOfProducts runs (pi's merges); natSpectrum/natMulAddSpectra keep spectra in JS memory for callers
 * that hold them across calls, at the cost of copying each spectrum out and back in (at 10^7 decimals of pi those
 * copies, JS norms and residues were ~15% of the series' time).
 *
 * Digit size: the largest d whose mixedBound with the ACTUAL norms of the packed digits is < 1/2 for every sum
 * (base 10^4: the norms come from one compiled pass before anything is packed). Memory: one spectrum of 16·M bytes
 * per distinct operand, all alive at once (spectraHeapBytes with `distinct` spectra), the output of a sum written
 * over its first operand's spectrum when that operand is not used later (pointwiseAt allows that alias), else one
 * more; operands' limbs and an unpacking scratch. A sum whose rounding check fails is recomputed by natMul from the
 * operands; every sum is checked modulo the process's prime.
 * @throws InvalidArgumentError for a sum of no or more than two products, or products needing a transform longer
 *   than FFT_MAX_LENGTH.
 * @throws ArithmeticCheckError when a residue check fails (a faulty machine, never a wrong result).
 * @example const [t, q] = natSumsOfProducts([[[t1, q2], [p1, t2]], [[q1, q2]]]);
 */
export function natSumsOfProducts(sums: ReadonlyArray<ReadonlyArray<Product>>, options: MulOptions = {}): Nat[] {
  if (sums.length === 0 || sums.some((s) => s.length < 1 || s.length > 2)) {
    throw new InvalidArgumentError('natSumsOfProducts: every sum needs one or two products');
  }
  const direct = (sum: ReadonlyArray<Product>): Nat =>
    sum.map(([a, b]) => natMul(a, b, options)).reduce((x, y) => natAdd(x, y));
  let smallest = Infinity;
  for (const s of sums) for (const [a, b] of s) smallest = Math.min(smallest, a.size, b.size);
  if (smallest < Math.max(4, options.fftThreshold ?? FFT_THRESHOLD)) return sums.map(direct);
  const k = wasm();
  const index = new Map<Nat, number>();
  const operands: Nat[] = [];
  const lastUse: number[] = [];
  sums.forEach((sum, i) => {
    for (const pair of sum) {
      for (const x of pair) {
        if (!index.has(x)) {
          index.set(x, operands.length);
          operands.push(x);
        }
        lastUse[index.get(x)!] = i;
      }
    }
  });
  const src: number[] = [];
  const spectra: number[] = [];
  const release = (list: number[], i: number): void => {
    if (list[i]! > 0) wasmFree(list[i]!);
    list[i] = 0;
  };
  try {
    for (const x of operands) src.push(limbsToWasm(x.limbs));
    const residues = operands.map((x, i) => k.residue(src[i]!, x.size, CHECK_PRIME));
    const lengths = (d: number): number[] =>
      sums.map((sum) => Math.max(...sum.map(([a, b]) => balancedLength(a.size, d) + balancedLength(b.size, d))));
    const fits = (norms: readonly number[], M: number): boolean =>
      sums.every((sum) => mixedBound(M, sum.reduce((acc, [a, b]) => acc + Math.sqrt(norms[index.get(a)!]! * norms[index.get(b)!]!), 0)) < 0.5);
    for (let d = 4; d >= 1; d--) {
      const L = lengths(d);
      const M = transformLength(Math.ceil(Math.max(...L) / 2));
      if (M > FFT_MAX_LENGTH) {
        throw new InvalidArgumentError(`natSumsOfProducts: products need a transform of ${M} > ${FFT_MAX_LENGTH} points (split them)`);
      }
      if (d === 4 && !fits(operands.map((x, i) => k.normSq4(src[i]!, x.size)), M)) continue;
      prepareTransforms(M);
      for (let i = 0; i < operands.length; i++) spectra.push(wasmAlloc(16 * M));
      const packed = packAll(operands.map((x, i) => ({ src: src[i]!, limbs: x.size, dst: spectra[i]! })), d, M);
      if (!fits(packed.map((p) => p.normSq), M)) {
        for (let i = 0; i < spectra.length; i++) release(spectra, i);
        spectra.length = 0;
        continue;
      }
      // The limbs were needed for the norms, packing and residues only (a fallback multiplies the operands).
      for (let i = 0; i < src.length; i++) release(src, i);
      packed.forEach((p, i) => forwardAt(spectra[i]!, M, p.filled));
      return sums.map((sum, s) => {
        const first = index.get(sum[0]![0])!;
        const own = lastUse[first] === s;
        const terms = sum.map(([a, b]): SpectrumTerm => [spectra[index.get(a)!]!, spectra[index.get(b)!]!]);
        const out = own ? spectra[first]! : wasmAlloc(16 * M);
        if (own) spectra[first] = 0; // the output's now, freed below
        try {
          pointwiseAt(out, terms, M);
          for (let i = 0; i < operands.length; i++) if (lastUse[i] === s) release(spectra, i);
          inverseAt(out, M);
          const outLimbs = Math.max(...sum.map(([a, b]) => a.size + b.size)) + 2;
          const scratch = wasmAlloc(unpackScratchBytes(L[s]!, d, outLimbs));
          try {
            const raw = unpackAt(out, M, L[s]!, d, outLimbs, scratch);
            if (raw === null) return direct(sum);
            const expect = sum.reduce((acc, [a, b]) => (acc + ((residues[index.get(a)!]! * residues[index.get(b)!]!) % CHECK_PRIME)) % CHECK_PRIME, 0);
            let got: number;
            if (options.faultHook) {
              options.faultHook(raw);
              got = modLimbs(raw, raw.length, CHECK_PRIME);
            } else {
              got = k.residue(scratch, outLimbs, CHECK_PRIME);
            }
            if (got !== expect) {
              throw new ArithmeticCheckError(
                `sum of ${sum.length} spectral product(s) failed its residue check mod ${CHECK_PRIME} (expected ${expect}, got ${got})`,
              );
            }
            return natFromLimbs(raw);
          } finally {
            wasmFree(scratch);
          }
        } finally {
          wasmFree(out);
        }
      });
    }
  } finally {
    for (let i = 0; i < src.length; i++) release(src, i);
    for (let i = 0; i < spectra.length; i++) release(spectra, i);
  }
  throw new ArithmeticCheckError('natSumsOfProducts: products beyond the proven FFT error bound at every digit size');
}

/**
 * The complex transform length natSumsOfProducts would use for `sums` if every operand's digits were at the
 * extremes (±10^d/2): an upper bound of the length it uses, for planning its memory; 0 when the group goes to
 * single products (an operand below the FFT threshold).
 */
export function natSumsWorstLength(sums: ReadonlyArray<ReadonlyArray<Product>>, fftThreshold = FFT_THRESHOLD): number {
  let smallest = Infinity;
  for (const s of sums) for (const [a, b] of s) smallest = Math.min(smallest, a.size, b.size);
  if (smallest < Math.max(4, fftThreshold)) return 0;
  for (let d = 4; d >= 1; d--) {
    const h = 10 ** d / 2;
    let M = 0;
    for (const s of sums) for (const [a, b] of s) M = Math.max(M, transformLength(Math.ceil((balancedLength(a.size, d) + balancedLength(b.size, d)) / 2)));
    const ok = sums.every((s) => mixedBound(M, s.reduce((acc, [a, b]) => acc + h * h * Math.sqrt(balancedLength(a.size, d) * balancedLength(b.size, d)), 0)) < 0.5);
    if (ok) return M;
  }
  throw new ArithmeticCheckError('natSumsWorstLength: products beyond the proven FFT error bound at every digit size');
}
