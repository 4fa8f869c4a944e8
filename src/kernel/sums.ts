/**
 * kernel/sums — groups of sums of products that share operands (pi's merge T1·Q2 + P1·T2 and Q1·Q2), computed whole
 * in the wasm memory: the transform reuse of the planner (planner.ts `planSharedTransforms`) as Multiplier.sumsOfProducts
 * runs it. spectra.ts's NatSpectrum API serves callers that keep spectra across calls; this module serves a group
 * known in full at once, so nothing leaves the wasm memory between its steps.
 */
import { ArithmeticCheckError, InvalidArgumentError } from '../errors.js';
import { FFT_MAX_LENGTH, balancedLength, limbsToWasm, packAll, residueAt, unpackAt, unpackScratchBytes, widestDigits } from './fft.js';
import { forwardAt, inverseAt, mixedBound, pointwiseAt, prepareTransforms, transformLength, type SpectrumTerm } from './fftcore.js';
import { CHECK_PRIME, natMul, type MulOptions } from './mul.js';
import { sharedFftThreshold } from './planner.js';
import { Nat, modLimbs, natAdd, natFromLimbs } from './nat.js';
import { wasm, wasmAlloc, wasmFree } from './wasmheap.js';

type Product = readonly [Nat, Nat];

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
  if (smallest < sharedFftThreshold(options.fftThreshold)) return sums.map(direct);
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
    const residues = operands.map((x, i) => knownResidues.get(x) ?? residueAt(src[i]!, x.size, CHECK_PRIME));
    const lengths = (d: number): number[] =>
      sums.map((sum) => Math.max(...sum.map(([a, b]) => balancedLength(a.size, d) + balancedLength(b.size, d))));
    const fits = (norms: readonly number[], M: number): boolean =>
      sums.every((sum) => mixedBound(M, sum.reduce((acc, [a, b]) => acc + Math.sqrt(norms[index.get(a)!]! * norms[index.get(b)!]!), 0)) < 0.5);
    let widest = 5;
    for (const sum of sums) for (const [a, b] of sum) widest = Math.min(widest, widestDigits(a.size, b.size, a === b, sum.length));
    for (let d = widest; d >= 1; d--) {
      const L = lengths(d);
      const M = transformLength(Math.ceil(Math.max(...L) / 2));
      if (M > FFT_MAX_LENGTH) {
        throw new InvalidArgumentError(`natSumsOfProducts: products need a transform of ${M} > ${FFT_MAX_LENGTH} points (split them)`);
      }
      // Base 10^4: when even all-extreme digits (±10^d/2) would fit the bound, packing goes ahead (it measures the
      // exact norms anyway); else one cheap norm pass first, so a group the bound rules out is never packed.
      const h2 = (10 ** d / 2) ** 2;
      const worstFits = fits(operands.map((x) => h2 * balancedLength(x.size, d)), M);
      if (d === 4 && !worstFits && !fits(operands.map((x, i) => k.normSq4(src[i]!, x.size)), M)) continue;
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
              got = residueAt(scratch, outLimbs, CHECK_PRIME);
            }
            if (got !== expect) {
              throw new ArithmeticCheckError(
                `sum of ${sum.length} spectral product(s) failed its residue check mod ${CHECK_PRIME} (expected ${expect}, got ${got})`,
              );
            }
            const result = natFromLimbs(raw);
            knownResidues.set(result, got);
            return result;
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
export function natSumsWorstLength(sums: ReadonlyArray<ReadonlyArray<Product>>, fftThreshold?: number): number {
  let smallest = Infinity;
  for (const s of sums) for (const [a, b] of s) smallest = Math.min(smallest, a.size, b.size);
  if (smallest < sharedFftThreshold(fftThreshold)) return 0;
  for (let d = 4; d >= 1; d--) {
    const h = 10 ** d / 2;
    let M = 0;
    for (const s of sums) for (const [a, b] of s) M = Math.max(M, transformLength(Math.ceil((balancedLength(a.size, d) + balancedLength(b.size, d)) / 2)));
    const ok = sums.every((s) => mixedBound(M, s.reduce((acc, [a, b]) => acc + h * h * Math.sqrt(balancedLength(a.size, d) * balancedLength(b.size, d)), 0)) < 0.5);
    if (ok) return M;
  }
  throw new ArithmeticCheckError('natSumsWorstLength: products beyond the proven FFT error bound at every digit size');
}
