/**
 * kernel/mul — multiplication of naturals: executes the plan of planner.ts (schoolbook, Karatsuba, FFT of fft.ts,
 * or the budget split into Karatsuba halves), every product verified by a residue check modulo a random prime.
 *
 * Residue check (as y-cruncher does): a prime p in [2^25, 2^26) is drawn once per process; after each product
 * we verify (a mod p)·(b mod p) ≡ (a·b) mod p. The residues are below 2^26 so their product is below 2^52 and
 * exact in a double. A wrong product escapes only if its error is a multiple of p, which for an error not
 * crafted against this process's secret p happens with probability about 2^-25 per fault.
 */

import { randomCheckPrime } from './check-prime.js';
import { ArithmeticCheckError, InvalidArgumentError, NegativeExponentError } from '../errors.js';
import { FFT_MAX_DIGITS, fftMulLimbs } from './fft.js';
import {
  BASE, LIMB_FACTOR_LIMIT, NAT_ONE, NAT_ZERO, Nat, addLimbsAt, modLimbs, natAdd, natFromLimbs, natMulSmall, natShiftLimbs,
  natTruncLimbs, subLimbsAt,
} from './nat.js';
import { planProduct, resolveThresholds, type MulThresholds, type ProductPlan } from './planner.js';
import { u16View, wasm, wasmAlloc, wasmFree } from './wasmheap.js';

/** The thresholds live with the planner; re-exported for the modules that read them here (spectra.ts, bench). */
export { FFT_THRESHOLD, KARATSUBA_THRESHOLD, mulWorkingBytes } from './planner.js';

// ---------------------------------------------------------------- residue check

/** The process's check prime (check-prime.ts; exported for diagnostics and tests). */
export const CHECK_PRIME = randomCheckPrime();

/**
 * Per-call options of a product (natMul, natSqr, natPow, and Multiplier which carries them through a whole
 * computation). Every knob is per call, none is module state (docs/ARCHITECTURE.md, "Configuration and per-call
 * knobs"), so two computations in one process never see each other's settings.
 */
export interface MulOptions extends MulThresholds {
  /** Bytes the product may use; default: the whole memory budget (read at each product). */
  readonly budget?: number;
  /** Diagnostics: told every plan executed (to check which branch ran, within which budget). */
  readonly onPlan?: (plan: ProductPlan) => void;
  /**
   * Fault injection (tests): called on every raw product before its residue check, and may corrupt it to prove
   * that the check catches the fault.
   */
  readonly faultHook?: (limbs: Uint16Array) => void;
}

function checkProduct(a: Uint16Array, b: Uint16Array, prod: Uint16Array, what: string): void {
  const p = CHECK_PRIME;
  const expect = (modLimbs(a, a.length, p) * modLimbs(b, b.length, p)) % p;
  const got = modLimbs(prod, prod.length, p);
  if (expect !== got) {
    throw new ArithmeticCheckError(
      `${what} of ${a.length}×${b.length} limbs failed its residue check mod ${p} (expected ${expect}, got ${got})`,
    );
  }
}

// ---------------------------------------------------------------- schoolbook and Karatsuba, compiled

/**
 * The raw product limbs (la + lb, may have top zeros) of a small plan, compiled (assembly/small.ts `mulSmall`:
 * schoolbook four rows per SIMD pass, Karatsuba from `kt` limbs, one carry pass), with the residue check run
 * compiled on the limbs in the wasm memory unless a fault hook must see the raw limbs first (then `check` is false
 * and the caller checks in JS).
 *
 * Exactness (small.ts's header): schoolbook columns are < min(la, lb)·10^8; Karatsuba's, on pieces of the shorter
 * length s cut down to blocks of >= kt/2 limbs after t halvings (2^t <= 2s/kt), are < s·2^t·10^8 <= 2s²·10^8/kt,
 * which must stay below 2^53 (the planner's crossovers keep s in the hundreds; beyond it schoolbook runs instead).
 * Memory: 16 bytes per limb of the product for the doubles, 8·24·s more for Karatsuba's temporaries.
 */
function smallLimbs(a: Uint16Array, b: Uint16Array, square: boolean, kt: number, check: boolean): Uint16Array {
  const k = wasm();
  const la = a.length, lb = b.length, n = la + lb, s = Math.min(la, lb);
  // Karatsuba where its columns stay exact (a caller's tiny kt on long operands gets schoolbook, exact up to 9·10^7).
  const karatsuba = s >= kt && (2 * s * s * 1e8) / kt < 2 ** 53;
  // One block: the doubles (8-byte aligned first), the operands' limbs, the product's limbs.
  const dbl = 8 * (2 * n + (karatsuba ? 24 * s + 64 : 0));
  const bytes = dbl + 2 * (la + (square ? 0 : lb) + n);
  const kept = bytes <= SMALL_BLOCK_BYTES;
  if (kept && smallBlock === 0) smallBlock = wasmAlloc(SMALL_BLOCK_BYTES);
  const work = kept ? smallBlock : wasmAlloc(bytes);
  const pa = work + dbl, pb = square ? pa : pa + 2 * la, out = pb + 2 * lb;
  try {
    const limbs = u16View(pa, (square ? la : la + lb) + n);
    limbs.set(a);
    if (!square) limbs.set(b, la);
    if (k.mulSmall(pa, la, pb, lb, out, work, karatsuba ? kt : s + 1) !== 0) throw new ArithmeticCheckError('internal: small product overflows its length');
    if (check) {
      const p = CHECK_PRIME;
      const ra = k.residue(pa, la, p), rb = square ? ra : k.residue(pb, lb, p);
      const got = k.residue(out, n, p), expect = (ra * rb) % p;
      if (got !== expect) {
        throw new ArithmeticCheckError(`${square ? 'square' : 'product'} of ${la}×${lb} limbs failed its residue check mod ${p} (expected ${expect}, got ${got})`);
      }
    }
    return limbs.slice(out - pa >> 1);
  } finally {
    if (!kept) wasmFree(work);
  }
}

/**
 * A block of the wasm memory kept for the small products that fit it (most of them: 64 KiB holds a 2,900-limb
 * schoolbook), so that they make no allocator calls: with a long free list an allocation and a free cost more than
 * a 16 × 16-limb product. Allocated on first use, kept for the thread (like the twiddle tables).
 */
const SMALL_BLOCK_BYTES = 1 << 16;
let smallBlock = 0;

/** Karatsuba's leaf threshold for a small plan: none for schoolbook (every length is below it). */
function smallThreshold(plan: ProductPlan, options: MulOptions): number {
  return plan.method === 'karatsuba' ? resolveThresholds(options).karatsuba : Number.MAX_SAFE_INTEGER;
}

/** Low zero limbs of x (a multiple of B^k multiplies as x/B^k, then shifts: pi's 10005·10^2M costs nothing). */
function lowZeroLimbs(x: Uint16Array): number {
  let k = 0;
  while (k < x.length && x[k] === 0) k++;
  return k;
}

/** x as a number when x <= 2^26 (natMulSmall's factors: at most two limbs), else undefined. */
function smallFactor(x: Nat): number | undefined {
  if (x.size > 2) return undefined;
  const m = x.size === 1 ? x.limbs[0]! : x.limbs[0]! + BASE * x.limbs[1]!;
  return m <= LIMB_FACTOR_LIMIT ? m : undefined;
}

function productOf(a: Nat, b: Nat, square: boolean, options: MulOptions): Nat {
  if (a.size === 0 || b.size === 0) return NAT_ZERO;
  const za = lowZeroLimbs(a.limbs), zb = square ? za : lowZeroLimbs(b.limbs);
  if (za + zb > 0) {
    const x = natTruncLimbs(a, za);
    return natShiftLimbs(productOf(x, square ? x : natTruncLimbs(b, zb), square, options), za + zb);
  }
  // A factor m <= 2^26 is one linear pass (natMulSmall: exact, limb·m + carry < 2^53), holding only the result. The
  // small plan it would get stores 16 bytes of doubles a product limb (pow 9^63928855 at 384 MiB peaked at 505 MiB
  // through it). A fault hook wants the planned method's raw limbs, so it keeps that path.
  if (!options.faultHook && !square) {
    const mb = smallFactor(b);
    if (mb !== undefined) return natMulSmall(a, mb);
    const ma = smallFactor(a);
    if (ma !== undefined) return natMulSmall(b, ma);
  }
  const plan = planProduct(4 * a.size, 4 * b.size, { ...options, square });
  options.onPlan?.(plan);
  // The split's parts are planned again with the plan's budget (the same one when options.budget was set).
  if (plan.method === 'split') return splitProduct(a, b, square, plan, { ...options, budget: plan.budget });
  if (plan.method === 'outOfCore') throw new ArithmeticCheckError('internal: an in-memory product was planned out of core');
  // An FFT product checks its residues compiled, on the limbs already in the wasm memory (three JS passes fewer:
  // at 10^4 digits they were a third of the product's time); a fault hook needs the raw limbs before the check.
  if (plan.method === 'fft' && !options.faultHook) return natFromLimbs(fftMulLimbs(a.limbs, b.limbs, square, FFT_MAX_DIGITS, CHECK_PRIME));
  // Small products check their residues compiled too (same reason), unless a fault hook must see them first.
  if (plan.method !== 'fft' && !options.faultHook) return natFromLimbs(smallLimbs(a.limbs, b.limbs, square, smallThreshold(plan, options), true));
  const raw = plan.method === 'fft' ? fftMulLimbs(a.limbs, b.limbs, square) : smallLimbs(a.limbs, b.limbs, square, smallThreshold(plan, options), false);
  options.faultHook?.(raw);
  checkProduct(a.limbs, b.limbs, raw, square ? 'square' : 'product');
  return natFromLimbs(raw);
}

/**
 * The budget split: with x = x1·B^h + x0, y = y1·B^h + y0 (B = 10^4, h = plan.splitDigits/4 limbs, so the cuts and
 * shifts are copies),
 *   x·y = z2·B^2h + z1·B^h + z0,  z2 = x1·y1,  z0 = x0·y0,  z1 = (x1+x0)(y1+y0) − z2 − z0 ≥ 0,
 * three half-size products (each planned again with the same budget, so they split further while needed). An
 * unbalanced pair (y no longer than h) splits only x: x·y = x1·y·B^h + x0·y. The sum is checked like any product.
 */
function splitProduct(a: Nat, b: Nat, square: boolean, plan: ProductPlan, options: MulOptions): Nat {
  const [x, y] = a.size >= b.size ? [a, b] : [b, a];
  const h = plan.splitDigits / 4;
  // Views, not copies: the halves live only during this product (x1's top limb is x's, non-zero).
  const x1 = new Nat(x.limbs.subarray(h));
  const x0 = natFromLimbs(x.limbs.subarray(0, h));
  // The result is assembled in one buffer with in-place additions: at 10^8 digits every full-size temporary of
  // the shifts and sums would be 50–100 MB of garbage waiting for the collector (it set pi's peak RSS).
  const out = new Uint16Array(a.size + b.size + 2);
  if (y.size <= h) {
    addAt(out, productOf(x0, y, false, options).limbs, 0);
    addAt(out, productOf(x1, y, false, options).limbs, h);
  } else {
    const y1 = square ? x1 : new Nat(y.limbs.subarray(h));
    const y0 = square ? x0 : natFromLimbs(y.limbs.subarray(0, h));
    // One part product alive at a time, each added where it goes and dropped: (x1+x0)(y1+y0)·B^h first, then
    // z2·(B^2h − B^h), then z0·(1 − B^h). The running sum stays ≥ 0: after the second step it is
    // (x1+x0)(y1+y0)·B^h + z2·B^h·(B^h − 1), after the third the product. (Holding z2 and z0 until the middle product
    // was done put two half-size products beside it at every level: at pi's 10^8-digit products ~100 MB.)
    let sx: Nat | undefined = natAdd(x1, x0);
    addAt(out, productOf(sx, square ? sx : natAdd(y1, y0), square, options).limbs, h);
    sx = undefined;
    let z: Uint16Array | undefined = productOf(x1, y1, square, options).limbs;
    addAt(out, z, 2 * h);
    subAt(out, z, h);
    z = productOf(x0, y0, square, options).limbs;
    addAt(out, z, 0);
    subAt(out, z, h);
    z = undefined;
  }
  const result = natFromLimbs(out);
  checkProduct(a.limbs, b.limbs, result.limbs, 'split product');
  return result;
}

/** out += src·B^off in place (out is long enough for the sum). */
function addAt(out: Uint16Array, src: Uint16Array, off: number): void {
  if (addLimbsAt(out, off, out.length, src, 0, src.length) !== 0) throw new ArithmeticCheckError('internal: split product overflows its buffer');
}

/** out −= src·B^off in place (the difference is known to be ≥ 0). */
function subAt(out: Uint16Array, src: Uint16Array, off: number): void {
  if (subLimbsAt(out, off, out.length, src, 0, src.length) !== 0) throw new ArithmeticCheckError('internal: split product went negative');
}

/**
 * a·b, by the method planner.ts picks for the sizes and `options.budget` (bytes; default the whole memory budget)
 * and the options' thresholds (default planner.ts's).
 * Verified by the residue check; throws ArithmeticCheckError rather than return a wrong product.
 * @throws ArithmeticCheckError when a product fails its residue check (a fault, never a wrong result).
 * @example natToBigInt(natMul(natFromBigInt(12n), natFromBigInt(34n)))  // 408n
 */
export function natMul(a: Nat, b: Nat, options: MulOptions = {}): Nat {
  return productOf(a, b, a === b, options);
}

/** a² (one forward transform fewer than natMul), with the options of natMul. */
export function natSqr(a: Nat, options: MulOptions = {}): Nat {
  return productOf(a, a, true, options);
}

/**
 * a^e for a safe integer e >= 0 (0^0 = 1), left-to-right square-and-multiply.
 * @throws InvalidArgumentError for an exponent that is not a safe integer; NegativeExponentError for e < 0.
 * @example natToNumber(natPow(natFromNumber(3), 4))  // 81
 */
export function natPow(a: Nat, e: number, options: MulOptions = {}): Nat {
  if (!Number.isSafeInteger(e)) throw new InvalidArgumentError(`natPow: exponent ${e} is not a safe integer`);
  if (e < 0) throw new NegativeExponentError(String(e));
  if (e === 0) return NAT_ONE;
  let bit = 1;
  while (bit * 2 <= e) bit *= 2;
  let r = a;
  for (bit /= 2; bit >= 1; bit /= 2) {
    r = natSqr(r, options);
    if (Math.floor(e / bit) % 2 === 1) r = natMul(r, a, options);
  }
  return r;
}
