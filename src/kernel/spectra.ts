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
import { forwardAt, inverseAt, mixedBound, pointwiseAt, transformLength, type SpectrumTerm } from './fftcore.js';
import { CHECK_PRIME, FFT_THRESHOLD, natMul, type MulOptions } from './mul.js';
import { Nat, modLimbs, natAdd, natFromLimbs } from './nat.js';
import { f64View, wasmAlloc, wasmFree } from './wasmheap.js';

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
