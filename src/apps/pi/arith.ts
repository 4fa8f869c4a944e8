/**
 * arith — the few arithmetic shapes pi needs on top of the kernel's natural numbers:
 * one redirectable multiplication, signed values (the Chudnovsky T alternates in sign) and
 * truncated "floats" (mantissa · 10^exponent) for the last merges, where only the leading
 * digits of the products matter.
 *
 * Every big product of apps/pi goes through `mul`, so a caller (the out-of-core engine, a
 * benchmark, a test counting products) can redirect them with `setPiMultiplier`.
 */
import { getConfig } from '../../config.js';
import {
  type Nat,
  mulWorkingBytes,
  natAdd,
  natCompare,
  natDigitCount,
  natIsZero,
  natLowDigits,
  natMul,
  natMulAddSpectra,
  natMulSpectra,
  natShiftDecimal,
  natSpectrum,
  natSpectrumPlan,
  natSqr,
  natSub,
  natTruncDecimal,
} from '../../kernel/index.js';

export type Multiplier = (a: Nat, b: Nat) => Nat;

const kernelMultiplier: Multiplier = (a, b) => (a === b ? natSqr(a) : natMul(a, b));

/**
 * The kernel's product, split by Karatsuba while its working memory would exceed the budget:
 * with x = x1·10^h + x0, y = y1·10^h + y0 (h a multiple of the 4-digit limb, so shifts are copies),
 *   x·y = z2·10^2h + z1·10^h + z0,  z2 = x1·y1,  z0 = x0·y0,  z1 = (x1+x0)(y1+y0) − z2 − z0 ≥ 0,
 * three half-size products whose transforms need about half the memory each, for ~1.5× the time.
 * An unbalanced pair splits only the larger operand (x·y = x1·y·10^h + x0·y).
 */
export function budgetedMultiplier(budget: () => number): Multiplier {
  const product: Multiplier = (a, b) => {
    const da = natDigitCount(a);
    const db = natDigitCount(b);
    if (mulWorkingBytes(da, db) <= budget() || Math.min(da, db) < 4096) return kernelMultiplier(a, b);
    const [x, y, dx, dy] = da >= db ? [a, b, da, db] : [b, a, db, da];
    const h = Math.floor(dx / 8) * 4; // about half of x, whole limbs
    const x1 = natTruncDecimal(x, h);
    const x0 = natLowDigits(x, h);
    if (dy <= h) return natAdd(natShiftDecimal(product(x1, y), h), product(x0, y));
    const square = a === b;
    const y1 = square ? x1 : natTruncDecimal(y, h);
    const y0 = square ? x0 : natLowDigits(y, h);
    const z2 = product(x1, y1);
    const z0 = product(x0, y0);
    const sx = natAdd(x1, x0);
    const z1 = natSub(natSub(product(sx, square ? sx : natAdd(y1, y0)), z2), z0);
    return natAdd(natAdd(natShiftDecimal(z2, 2 * h), natShiftDecimal(z1, h)), z0);
  };
  return product;
}

/**
 * Share of the memory budget pi's product transforms may take. Pi also holds its numbers beside them (P, Q, T of
 * the last merges, then the Newton iterates: ~6 bytes per decimal), and V8 frees a dropped buffer only at its
 * next collection. Peak RSS of pi to 10^8 decimals with a 1 GiB budget: whole budget 1.83–2.08 GiB over runs
 * (GC timing; higher with other processes on the machine); 3/4: 1.92 GiB in 11 min 53 s; 1/2: 1.70 GiB in
 * 12 min 59 s. A half keeps the 2 GiB promise with a margin larger than that spread, for 9% more time.
 */
const TRANSFORM_SHARE = 0.5;

/** Fraction of the memory budget this thread's products may use (halved while another thread computes too). */
let budgetShare = TRANSFORM_SHARE;

function piBudget(): number {
  return Math.floor(getConfig().memoryBudget * budgetShare);
}

/**
 * Limits this thread's products to `share` of what they may use now, until the returned function is called
 * (while the second thread of subtree.ts holds the other part).
 */
export function sharePiBudget(share: number): () => void {
  const before = budgetShare;
  budgetShare = before * share;
  return () => {
    budgetShare = before;
  };
}

/** The default: the kernel's products, kept within the configured memory budget. */
const defaultMultiplier = budgetedMultiplier(piBudget);
let multiplier: Multiplier = defaultMultiplier;

/** True unless the products are redirected (setPiMultiplier): only then can another thread do part of them. */
export function piMultiplierIsDefault(): boolean {
  return multiplier === defaultMultiplier;
}

/** Redirects apps/pi's products (e.g. to the out-of-core engine); `undefined` restores the kernel's. */
export function setPiMultiplier(next: Multiplier | undefined): void {
  multiplier = next ?? defaultMultiplier;
}

/** a · b through the current multiplier. */
export function mul(a: Nat, b: Nat): Nat {
  return multiplier(a, b);
}

/**
 * a·b + c·d. The Chudnovsky merge's T = T1·Q2 + P1·T2 has this shape; a kernel that can add the
 * two products before a single inverse transform would serve it in one call.
 */
export function mulAdd(a: Nat, b: Nat, c: Nat, d: Nat): Nat {
  return natAdd(multiplier(a, b), multiplier(c, d));
}

/** The three results of a binary-splitting merge. */
export interface MergedProducts {
  readonly p: Nat | undefined;
  readonly q: Nat;
  readonly t: Nat;
}

/** Spectra alive at once in `mergeProducts` (4 operands + the output buffer), for the budget check. */
const LIVE_SPECTRA = 5;

/**
 * The Chudnovsky merge's products: P = P1·P2 (only when p2 is given), Q = Q1·Q2, T = T1·Q2 + P1·T2.
 * With the kernel's products (no redirection) and when the spectra fit the memory budget, T and Q
 * share one transform plan: Q2 is transformed once for two products and T's two products share
 * one inverse transform — 5 forward + 2 inverse transforms instead of 8 + 3. P1·P2 stays a plain
 * product: P is half as long as Q, so its own transform is about half the shared plan's length,
 * cheaper than reusing P1's spectrum (measured at 32768 terms: 88.5 ms against 97 ms with P in
 * the shared plan, 93 ms for four plain products). Spectra are dropped after their last use, so
 * at most LIVE_SPECTRA are alive. Otherwise it is four calls to `mul`.
 */
export function mergeProducts(p1: Nat, p2: Nat | undefined, q1: Nat, q2: Nat, t1: Nat, t2: Nat): MergedProducts {
  if (multiplier === defaultMultiplier) {
    const plan = natSpectrumPlan([[[t1, q2], [p1, t2]], [[q1, q2]]]);
    if (LIVE_SPECTRA * 16 * plan.M <= piBudget()) {
      const sQ2 = natSpectrum(q2, plan);
      const t = natMulAddSpectra([
        [natSpectrum(t1, plan), sQ2],
        [natSpectrum(p1, plan), natSpectrum(t2, plan)],
      ]);
      const q = natMulSpectra(natSpectrum(q1, plan), sQ2);
      return { p: p2 === undefined ? undefined : mul(p1, p2), q, t };
    }
  }
  return { t: mulAdd(t1, q2, p1, t2), q: mul(q1, q2), p: p2 === undefined ? undefined : mul(p1, p2) };
}

/** A signed integer: the magnitude and a sign flag (zero is never negative). */
export interface Signed {
  readonly negative: boolean;
  readonly magnitude: Nat;
}

export function signed(magnitude: Nat, negative: boolean): Signed {
  return { magnitude, negative: negative && !natIsZero(magnitude) };
}

/** x + y for signed values: same signs add magnitudes, opposite signs subtract the smaller. */
export function signedAdd(x: Signed, y: Signed): Signed {
  if (x.negative === y.negative) return signed(natAdd(x.magnitude, y.magnitude), x.negative);
  const order = natCompare(x.magnitude, y.magnitude);
  if (order >= 0) return signed(natSub(x.magnitude, y.magnitude), x.negative);
  return signed(natSub(y.magnitude, x.magnitude), y.negative);
}

/** x · n for a signed x and a natural n. */
export function signedMulNat(x: Signed, n: Nat): Signed {
  return signed(mul(x.magnitude, n), x.negative);
}

/**
 * A truncated decimal float: the value is (−1)^negative · mantissa · 10^exponent, the mantissa
 * holding at most the precision it was truncated to. Truncation toward zero to p significant
 * digits changes a value by a relative amount in [0, 10^(1−p)).
 */
export interface Float {
  readonly negative: boolean;
  readonly mantissa: Nat;
  readonly exponent: number;
}

/** Exact conversion of a signed integer to a Float (exponent 0). */
export function floatOf(x: Signed): Float {
  return { negative: x.negative, mantissa: x.magnitude, exponent: 0 };
}

/** Keeps the `precision` leading digits of x (toward zero). */
export function floatTruncate(x: Float, precision: number): Float {
  // Whole limbs only (4 digits): a limb shift is a copy, a digit shift is a division pass.
  // Keeping up to 3 extra digits only makes the value more precise.
  const drop = Math.floor((natDigitCount(x.mantissa) - Math.max(1, precision)) / 4) * 4;
  if (drop <= 0) return x;
  return { negative: x.negative, mantissa: natTruncDecimal(x.mantissa, drop), exponent: x.exponent + drop };
}

/** log10 of |x| rounded down (the position of its leading digit); −Infinity for zero. */
export function floatMagnitude(x: Float): number {
  return natIsZero(x.mantissa) ? -Infinity : natDigitCount(x.mantissa) - 1 + x.exponent;
}

/** x · y with both operands and the product truncated to `precision` digits. */
export function floatMul(x: Float, y: Float, precision: number): Float {
  const a = floatTruncate(x, precision);
  const b = floatTruncate(y, precision);
  const product = { negative: a.negative !== b.negative, mantissa: mul(a.mantissa, b.mantissa), exponent: a.exponent + b.exponent };
  return floatTruncate(product, precision);
}

/**
 * x + y with the result truncated to `precision` digits. Digits of either operand below
 * 10^(m − precision − 2), m the larger leading-digit position, are dropped first (each drop is
 * < 10^(m − precision − 2), far below the final truncation as long as x + y does not cancel
 * to much less than 10^m — true where pi uses it: the added term is a series tail).
 * The operands are then aligned by an exact shift and added.
 */
export function floatAdd(x: Float, y: Float, precision: number): Float {
  const floor = Math.max(floatMagnitude(x), floatMagnitude(y)) - precision - 2;
  const cut = (f: Float): Float =>
    f.exponent >= floor
      ? f
      : { negative: f.negative, mantissa: natTruncDecimal(f.mantissa, floor - f.exponent), exponent: floor };
  const a = cut(x);
  const b = cut(y);
  const exponent = Math.min(a.exponent, b.exponent);
  const align = (f: Float): Signed => signed(natShiftDecimal(f.mantissa, f.exponent - exponent), f.negative);
  const sum = signedAdd(align(a), align(b));
  return floatTruncate({ negative: sum.negative, mantissa: sum.magnitude, exponent }, precision);
}
