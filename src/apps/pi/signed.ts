/**
 * signed — the number shapes pi needs on top of the kernel's naturals: signed values (the Chudnovsky T alternates
 * in sign) and truncated decimal floats (mantissa · 10^exponent) for the last merge, where only the leading digits
 * of the products matter. Products go through a Multiplier (the planner bound to a budget) given by the caller.
 * (Formerly apps/pi/arith.ts, whose `mul` shadowed the engine's public `mul`.)
 */
import {
  type Multiplier,
  type Nat,
  natAdd,
  natCompare,
  natDigitCount,
  natIsZero,
  natShiftDecimal,
  natSub,
  natTruncDecimal,
} from '../../kernel/index.js';

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

/** x · y with both operands and the product truncated to `precision` digits, the product by `m`. */
export function floatMul(x: Float, y: Float, precision: number, m: Multiplier): Float {
  const a = floatTruncate(x, precision);
  const b = floatTruncate(y, precision);
  const product = { negative: a.negative !== b.negative, mantissa: m.mul(a.mantissa, b.mantissa), exponent: a.exponent + b.exponent };
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
