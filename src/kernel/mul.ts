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
import { BASE, NAT_ONE, NAT_ZERO, Nat, addLimbsAt, modLimbs, natAdd, natFromLimbs, natShiftLimbs, natTruncLimbs, subLimbsAt } from './nat.js';
import { planProduct, resolveThresholds, type MulThresholds, type ProductPlan } from './planner.js';

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

// ---------------------------------------------------------------- schoolbook and Karatsuba on float limbs

/**
 * out[oo + i + j] += a[ao + i]·b[bo + j]. Exact: every limb product is < 10^8·(growth of Karatsuba sums) and a
 * column gathers at most min(la, lb) of them; below FFT_THRESHOLD this stays far under 2^53 (see karatsuba).
 */
function schoolbookAcc(a: Float64Array, ao: number, la: number, b: Float64Array, bo: number, lb: number, out: Float64Array, oo: number): void {
  for (let i = 0; i < la; i++) {
    const x = a[ao + i];
    if (x === 0) continue;
    const base = oo + i;
    for (let j = 0; j < lb; j++) out[base + j] += x * b[bo + j];
  }
}

/**
 * out[oo ..] += a·b (unnormalized float limbs). Karatsuba: a·b = z2·B^2m + (z1 − z0 − z2)·B^m + z0 with
 * z1 = (a0+a1)(b0+b1). No carries are propagated inside: at recursion depth t limbs are < 2^t·10^4 and
 * blocks are L/2^t long, so every coefficient stays < L·2^t·10^8 < 2^53 for L < FFT_THRESHOLD·2 (t <= 10).
 * Unbalanced operands are cut into pieces of the shorter length.
 */
function karatsubaAcc(a: Float64Array, ao: number, la: number, b: Float64Array, bo: number, lb: number, out: Float64Array, oo: number, kt: number): void {
  if (la < lb) {
    karatsubaAcc(b, bo, lb, a, ao, la, out, oo, kt);
    return;
  }
  if (lb < kt) {
    schoolbookAcc(a, ao, la, b, bo, lb, out, oo);
    return;
  }
  if (2 * lb <= la) {
    for (let off = 0; off < la; off += lb) karatsubaAcc(a, ao + off, Math.min(lb, la - off), b, bo, lb, out, oo + off, kt);
    return;
  }
  const m = (la + 1) >> 1;
  if (lb <= m) {
    karatsubaAcc(a, ao, m, b, bo, lb, out, oo, kt);
    karatsubaAcc(a, ao + m, la - m, b, bo, lb, out, oo + m, kt);
    return;
  }
  const la1 = la - m, lb1 = lb - m;
  const z0 = new Float64Array(2 * m);
  const z2 = new Float64Array(la1 + lb1);
  karatsubaAcc(a, ao, m, b, bo, m, z0, 0, kt);
  karatsubaAcc(a, ao + m, la1, b, bo + m, lb1, z2, 0, kt);
  const sa = new Float64Array(m), sb = new Float64Array(m);
  for (let i = 0; i < m; i++) sa[i] = a[ao + i] + (i < la1 ? a[ao + m + i] : 0);
  for (let i = 0; i < m; i++) sb[i] = b[bo + i] + (i < lb1 ? b[bo + m + i] : 0);
  const z1 = new Float64Array(2 * m);
  karatsubaAcc(sa, 0, m, sb, 0, m, z1, 0, kt);
  for (let i = 0; i < z0.length; i++) z1[i] -= z0[i];
  for (let i = 0; i < z2.length; i++) z1[i] -= z2[i];
  for (let i = 0; i < z0.length; i++) out[oo + i] += z0[i];
  for (let i = 0; i < z2.length; i++) out[oo + 2 * m + i] += z2[i];
  for (let i = 0; i < z1.length; i++) out[oo + m + i] += z1[i];
}

/** Reused accumulator of the small paths (products up to 4096 limbs; longer ones get their own). */
const scratch = new Float64Array(4096);

function accumulator(len: number): Float64Array {
  if (len > scratch.length) return new Float64Array(len);
  scratch.fill(0, 0, len);
  return scratch;
}

/** Carries float limb columns acc[0..len) (integers < 2^53) into exactly len base-10^4 limbs. */
function normalizeInto(acc: Float64Array, len: number): Uint16Array {
  const out = new Uint16Array(len);
  let carry = 0;
  for (let i = 0; i < len; i++) {
    const v = acc[i] + carry;
    carry = Math.floor(v / BASE);
    out[i] = v - carry * BASE;
  }
  if (carry !== 0) throw new ArithmeticCheckError('internal: small product overflows its length');
  return out;
}

/**
 * Schoolbook straight from the limb arrays (no float copies), four rows at a time: acc[i+j] gets
 * x0·y[j] + x1·y[j−1] + x2·y[j−2] + x3·y[j−3] in one load/store (2.5–3× fewer memory operations than row by row).
 * Exact: a column gathers at most min(la, lb) < 2^20 products < 10^8.
 */
function schoolbookLimbs(x: Uint16Array, y: Uint16Array): Uint16Array {
  const la = x.length, lb = y.length;
  const acc = accumulator(la + lb);
  let i = 0;
  for (; i + 4 <= la; i += 4) {
    const x0 = x[i], x1 = x[i + 1], x2 = x[i + 2], x3 = x[i + 3];
    let y1 = 0, y2 = 0, y3 = 0;
    for (let j = 0; j < lb; j++) {
      const y0 = y[j];
      acc[i + j] += x0 * y0 + x1 * y1 + x2 * y2 + x3 * y3;
      y3 = y2;
      y2 = y1;
      y1 = y0;
    }
    acc[i + lb] += x1 * y1 + x2 * y2 + x3 * y3;
    acc[i + lb + 1] += x2 * y1 + x3 * y2;
    acc[i + lb + 2] += x3 * y1;
  }
  for (; i < la; i++) {
    const v = x[i];
    for (let j = 0; j < lb; j++) acc[i + j] += v * y[j];
  }
  return normalizeInto(acc, la + lb);
}

/** Raw product limbs (may have top zeros) of a small or FFT plan. */
function mulLimbs(a: Uint16Array, b: Uint16Array, plan: ProductPlan, kt: number): Uint16Array {
  if (plan.method === 'fft') return fftMulLimbs(a, b, plan.square);
  if (plan.method === 'schoolbook') return schoolbookLimbs(a, b);
  const fa = new Float64Array(a);
  const fb = plan.square ? fa : new Float64Array(b);
  const acc = new Float64Array(a.length + b.length);
  karatsubaAcc(fa, 0, a.length, fb, 0, b.length, acc, 0, kt);
  return normalizeInto(acc, a.length + b.length);
}

/** Low zero limbs of x (a multiple of B^k multiplies as x/B^k, then shifts: pi's 10005·10^2M costs nothing). */
function lowZeroLimbs(x: Uint16Array): number {
  let k = 0;
  while (k < x.length && x[k] === 0) k++;
  return k;
}

function productOf(a: Nat, b: Nat, square: boolean, options: MulOptions): Nat {
  if (a.size === 0 || b.size === 0) return NAT_ZERO;
  const za = lowZeroLimbs(a.limbs), zb = square ? za : lowZeroLimbs(b.limbs);
  if (za + zb > 0) {
    const x = natTruncLimbs(a, za);
    return natShiftLimbs(productOf(x, square ? x : natTruncLimbs(b, zb), square, options), za + zb);
  }
  const plan = planProduct(4 * a.size, 4 * b.size, { ...options, square });
  options.onPlan?.(plan);
  // The split's parts are planned again with the plan's budget (the same one when options.budget was set).
  if (plan.method === 'split') return splitProduct(a, b, square, plan, { ...options, budget: plan.budget });
  if (plan.method === 'outOfCore') throw new ArithmeticCheckError('internal: an in-memory product was planned out of core');
  // An FFT product checks its residues compiled, on the limbs already in the wasm memory (three JS passes fewer:
  // at 10^4 digits they were a third of the product's time); a fault hook needs the raw limbs before the check.
  if (plan.method === 'fft' && !options.faultHook) return natFromLimbs(fftMulLimbs(a.limbs, b.limbs, square, FFT_MAX_DIGITS, CHECK_PRIME));
  const raw = mulLimbs(a.limbs, b.limbs, plan, resolveThresholds(options).karatsuba);
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
    const z2 = productOf(x1, y1, square, options).limbs;
    const z0 = productOf(x0, y0, square, options).limbs;
    // z0 < B^2h: z0 and z2·B^2h do not overlap.
    out.set(z0, 0);
    out.set(z2, 2 * h);
    const sx = natAdd(x1, x0);
    addAt(out, productOf(sx, square ? sx : natAdd(y1, y0), square, options).limbs, h);
    // z1 = (x1+x0)(y1+y0) − z2 − z0 ≥ 0, subtracted from the running sum, which stays ≥ the final product.
    subAt(out, z2, h);
    subAt(out, z0, h);
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
