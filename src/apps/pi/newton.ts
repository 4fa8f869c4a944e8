/**
 * newton — the final square root and division of pi, by Newton's iteration on `mul` (so they
 * stay within the memory budget and follow a redirected multiplier), made exact by a residual
 * check: the Newton value is corrected with linear-time steps until the defining inequality
 * holds, so no error analysis of the iteration is needed for correctness (only for speed).
 *
 * References: Brent & Zimmermann, "Modern Computer Arithmetic" (2010), §3.4.1 (Newton for the
 * reciprocal, precision doubling) and §3.5 (square roots).
 */
import {
  type Nat,
  natAdd,
  natCompare,
  natDigitCount,
  natFromBigInt,
  natFromNumber,
  natMulSmall,
  natShiftDecimal,
  natSub,
  natToBigInt,
  natTruncDecimal,
} from '../../kernel/index.js';
import { ArithmeticCheckError } from '../../errors.js';
import { mul, type Signed, signed, signedAdd } from './arith.js';

/** Below this many digits the exact BigInt operations are cheaper than another Newton level. */
const BASE_DIGITS = 60;
/** A correct Newton value is within a few units; more correction steps means a fault. */
const MAX_CORRECTIONS = 1000;

function pow10(k: number): Nat {
  return natShiftDecimal(natFromNumber(1), k);
}

/** Leading p digits of d (p <= digits of d). */
function leading(d: Nat, p: number): Nat {
  return natTruncDecimal(d, natDigitCount(d) - p);
}

/** a ± (r · b / 10^k truncated), r signed — one Newton correction term. */
function correct(a: Nat, r: Signed, b: Nat, k: number): Nat {
  const delta = signed(natTruncDecimal(mul(r.magnitude, b), k), r.negative);
  const next = signedAdd(signed(a, false), delta);
  if (next.negative) throw new ArithmeticCheckError('pi: Newton step went negative');
  return next.magnitude;
}

/** 10^k − x as a signed value. */
function fromPower(k: number, x: Nat): Signed {
  return signedAdd(signed(pow10(k), false), signed(x, true));
}

/**
 * R ≈ 10^(2p) / D_p, D_p the leading p digits of d (p ≤ digits of d). Precision doubling:
 * from R_h for h = ⌈p/2⌉ + 2, R0 = R_h·10^(p−h), then R = R0 + R0·(10^(2p) − D_p·R0) / 10^(2p).
 */
function reciprocal(d: Nat, p: number): Nat {
  const dp = leading(d, p);
  if (p <= BASE_DIGITS) return natFromBigInt(10n ** BigInt(2 * p) / natToBigInt(dp));
  const h = Math.ceil(p / 2) + 2;
  const r0 = natShiftDecimal(reciprocal(d, h), p - h);
  return correct(r0, fromPower(2 * p, mul(dp, r0)), r0, 2 * p);
}

/** floor(n / d) exactly, d > 0: Newton reciprocal, one product, then a residual correction. */
export function divideFloor(numerator: Nat, denominator: Nat): Nat {
  if (natCompare(numerator, denominator) < 0) return natFromNumber(0);
  // The reciprocal below needs d to have at least as many digits as the quotient (+3): scale both up if not.
  const pad = Math.max(0, natDigitCount(numerator) - 2 * natDigitCount(denominator) + 3);
  const n = natShiftDecimal(numerator, pad);
  const d = natShiftDecimal(denominator, pad);
  const dn = natDigitCount(n);
  const dd = natDigitCount(d);
  // q has at most dn − dd + 1 digits; a reciprocal with p = that + 2 digits (capped by d's) gives q within a few units.
  const p = Math.min(dd, dn - dd + 3);
  const r = reciprocal(d, p); // ≈ 10^(2p) / (d / 10^(dd−p))  =  10^(p+dd) / d
  // q ≈ n · r / 10^(p+dd); drop the digits of n that cannot matter first.
  const drop = Math.max(0, dn - 2 * p - 2);
  let q = natTruncDecimal(mul(natTruncDecimal(n, drop), r), p + dd - drop);
  // Residual correction: make 0 ≤ n − q·d < d.
  let rem = signedAdd(signed(n, false), signed(mul(q, d), true));
  for (let steps = 0; rem.negative || natCompare(rem.magnitude, d) >= 0; steps++) {
    if (steps > MAX_CORRECTIONS) throw new ArithmeticCheckError('pi: division did not converge');
    if (rem.negative) {
      q = natSub(q, natFromNumber(1));
      rem = signedAdd(rem, signed(d, false));
    } else {
      q = natAdd(q, natFromNumber(1));
      rem = signedAdd(rem, signed(d, true));
    }
  }
  return q;
}

/**
 * floor(sqrt(c) · 10^k) exactly for a small integer c ≥ 1: the inverse square root
 * y_p ≈ 10^p / sqrt(c) by Newton, y ← y + y·(10^(2p) − c·y²) / (2·10^(2p)), with precision
 * doubling; then s = c·y_p / 10^(p−k) ≈ sqrt(c)·10^k, and a residual correction making
 * s² ≤ c·10^(2k) < (s+1)².
 */
export function sqrtSmallScaled(c: number, k: number): Nat {
  const target = natShiftDecimal(natFromNumber(c), 2 * k);
  // y_p ≈ 10^p / sqrt(c) with about p digits; Newton: y ← y + y·(10^(2p) − c·y²)/(2·10^(2p)).
  const inverseSqrt = (p: number): Nat => {
    if (p <= BASE_DIGITS) {
      const n = 10n ** BigInt(2 * p) / BigInt(c);
      if (n === 0n) return natFromNumber(0);
      let x = 10n ** BigInt(p);
      for (;;) {
        const y = (x + n / x) >> 1n;
        if (y >= x) return natFromBigInt(x);
        x = y;
      }
    }
    const h = Math.ceil(p / 2) + 2;
    const y0 = natShiftDecimal(inverseSqrt(h), p - h);
    const e = fromPower(2 * p, natMulSmall(mul(y0, y0), c));
    const half = signed(natTruncDecimal(mul(e.magnitude, y0), 2 * p), e.negative);
    const step = signed(natTruncDecimal(natMulSmall(half.magnitude, 5), 1), half.negative); // /2 exactly as ·5/10
    const next = signedAdd(signed(y0, false), step);
    if (next.negative) throw new ArithmeticCheckError('pi: inverse square root went negative');
    return next.magnitude;
  };
  // y_p has about p − log10(sqrt c) digits: keep k + 2 of them.
  const p = k + 2 + String(c).length;
  let s = natTruncDecimal(natMulSmall(inverseSqrt(p), c), p - k); // c·10^p/sqrt(c) / 10^(p−k)
  // Residual correction: 0 ≤ target − s² ≤ 2s.
  let rem = signedAdd(signed(target, false), signed(mul(s, s), true));
  for (let steps = 0; ; steps++) {
    if (steps > MAX_CORRECTIONS) throw new ArithmeticCheckError('pi: square root did not converge');
    if (rem.negative) {
      // (s−1)² = s² − 2s + 1
      rem = signedAdd(rem, signed(natSub(natMulSmall(s, 2), natFromNumber(1)), false));
      s = natSub(s, natFromNumber(1));
    } else if (natCompare(rem.magnitude, natMulSmall(s, 2)) > 0) {
      // (s+1)² = s² + 2s + 1 ≤ target
      rem = signedAdd(rem, signed(natAdd(natMulSmall(s, 2), natFromNumber(1)), true));
      s = natAdd(s, natFromNumber(1));
    } else return s;
  }
}
