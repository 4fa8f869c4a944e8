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

/** 10^k − x·10^shift as a signed value. */
function fromPower(k: number, x: Nat, shift = 0): Signed {
  return signedAdd(signed(pow10(k), false), signed(natShiftDecimal(x, shift), true));
}

/**
 * R ≈ 10^(2p) / D_p, D_p the leading p digits of d (p ≤ digits of d). Precision doubling from
 * R_h, h = ⌈p/2⌉ + 2, with R0 = R_h·10^(p−h):  R = R0 + R0·E / 10^(2p),  E = 10^(2p) − D_p·R0.
 * E ≈ 10^(2p)·ε with ε ~ 10^−h, and the correction R0·E/10^(2p) ~ 10^(p−h) needs an absolute
 * error below one unit, so only the leading p − h + 3 digits of E and of R_h take part.
 */
function reciprocal(d: Nat, p: number): Nat {
  const dp = leading(d, p);
  if (p <= BASE_DIGITS) return natFromBigInt(10n ** BigInt(2 * p) / natToBigInt(dp));
  const h = Math.ceil(p / 2) + 2;
  const rh = reciprocal(d, h);
  const r0 = natShiftDecimal(rh, p - h);
  const e = fromPower(2 * p, mul(dp, rh), p - h);
  const keep = p - h + 3;
  const eCut = Math.max(0, natDigitCount(e.magnitude) - keep);
  const rCut = Math.max(0, natDigitCount(rh) - keep);
  // R0·E/10^(2p) = R_h·E·10^(p−h)/10^(2p) = (R_h/10^rCut)(E/10^eCut) / 10^(p + h − rCut − eCut)
  const delta = signed(
    natTruncDecimalSafe(mul(natTruncDecimal(rh, rCut), natTruncDecimal(e.magnitude, eCut)), p + h - rCut - eCut),
    e.negative,
  );
  const next = signedAdd(signed(r0, false), delta);
  if (next.negative) throw new ArithmeticCheckError('pi: Newton step went negative');
  return next.magnitude;
}

/** floor(x / 10^k) for k ≥ 0; x·10^(−k) for k < 0. */
function natTruncDecimalSafe(x: Nat, k: number): Nat {
  return k >= 0 ? natTruncDecimal(x, k) : natShiftDecimal(x, -k);
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
  // q ≈ n · r / 10^(p+dd), about p − 2 digits: n's leading p + 3 digits are enough.
  const drop = Math.max(0, dn - p - 3);
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
    // y0 = y_h·10^(p−h): E = 10^(2p) − c·y0² = 10^(2(p−h))·(10^(2h) − c·y_h²), and the step
    // y0·E/(2·10^(2p)) = y_h·E_h·10^(p−h) / (2·10^(2h)) with E_h = 10^(2h) − c·y_h², all h-digit work.
    const h = Math.ceil(p / 2) + 2;
    const yh = inverseSqrt(h);
    const eh = fromPower(2 * h, natMulSmall(mul(yh, yh), c));
    const half = signed(natTruncDecimalSafe(mul(yh, eh.magnitude), 2 * h - (p - h)), eh.negative);
    const step = signed(natTruncDecimal(natMulSmall(half.magnitude, 5), 1), half.negative); // /2 as ·5/10
    const next = signedAdd(signed(natShiftDecimal(yh, p - h), false), step);
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
