/**
 * kernel/sqrt — exact integer square root floor(√a) through a reciprocal square root by Newton's method.
 *
 * With 2n >= L limbs (L = limbs of a) and x = a/B^2n, B = 10^4, y = 1/√x is computed in fixed point,
 * Y_p ≈ y·B^p, by the division-free Newton iteration y ← y + y·(1 − x·y²)/2 (Brent & Zimmermann, "Modern Computer
 * Arithmetic", §3.5.1), which squares the relative error at each step: from Y_h (h = ⌈p/2⌉ + 1 limbs) one step
 * gives Y_p using the products Y_h², X·Y_h² (X = x to p limbs) and Y_h·E (E = 1 − x·Y_h² truncated to the
 * limbs that matter). Cost about 2·M(p) per step, 4·M(p) in all.
 *
 * The root from y at half precision (Karp & Markstein, "High-precision division and square root", 1997; the last
 * step of GMP's gmp-chudnovsky `my_sqrt_ui`): y is computed to h = ⌊n/2⌋ + 3 limbs only, then
 *   s0 = B^t·floor(a·Y_h / B^(n+h+t))        (t = n − h; √a = a·y/B^n, one h×h product from the top of a),
 *   r  = a − s0²                              (one square of h limbs, signed),
 *   s̃  = s0 + r·Y_h / (2·B^(n+h))            (one product of about h limbs: Newton's step s0 + r/(2√a)).
 * Error of s̃: s0 is within a few units of B^t of √a (Y_h's few units in its last place, the truncation of a below
 * B^(−1.5)); Newton's step then leaves (s0 − √a)²/(2·s0) ≤ few²·B^(2t−n+1) ≤ few²·B^(−4) (√a ≥ B^(n−1), 2h ≥ n + 5),
 * using Y_h for 1/√a instead of 1/s0 changes it by the same order, Y_h's relative error few·B^(−h) on
 * |r/(2√a)| ≤ few·B^t adds few²·B^(t−h) ≤ few²·B^(−5), and the two truncations add < 2 units. So s̃ is within a few
 * units of √a, for about 4·M(n/2) + M(n/2) + the final square instead of 4·M(n) + M(n) + the square (small roots,
 * t < 2, keep the full-precision y and s̃ = x·y·B^n from the top n + 4 limbs of a). r is formed only above B^(n−3),
 * where δ needs it, so no number of a's size is made besides the final square (pi's 10^8-digit root: 200 MB less).
 *
 * The exact correction compares s̃² with a (one square) and steps s̃ by ±1 until s̃² <= a < (s̃+1)². If the estimate
 * were ever far off (a bug, not expected), the result is still exact: the previous division-based Newton method
 * takes over.
 *
 * Every product goes through a Multiplier (the planner bound to a memory budget), so the root honours the budget
 * it is given. A radicand with many low zero limbs (pi's 10005·10^2M) costs little: the planner's executor
 * multiplies such operands without their zero limbs (mul.ts), so x·Y² and the final estimate are linear there.
 */

import { InvalidArgumentError } from '../errors.js';
import {
  NAT_ONE, NAT_ZERO, Nat, natAdd, natCompare, natDivSmall, natFromBigInt, natFromNumber, natShiftLimbs, natSub,
  natToNumber, natTruncLimbs, BASE,
} from './nat.js';
import { natDivMod } from './div.js';
import { KERNEL_MULTIPLIER, type Multiplier } from './multiplier.js';

/** Estimate steps allowed before the exact fallback takes over. */
const MAX_CORRECTION_STEPS = 16;

/** Unit steps the last natIsqrt's correction took (−1 if it fell back to division): diagnostics and tests. */
export let lastIsqrtCorrections = 0;

/**
 * floor(√a), every product within the budget of `m` (default: the whole memory budget).
 * @throws ArithmeticCheckError if a product fails its residue check.
 * @example natToNumber(natIsqrt(natFromNumber(99)))  // 9
 */
export function natIsqrt(a: Nat, m: Multiplier = KERNEL_MULTIPLIER): Nat {
  const x = natToNumber(a);
  if (x !== undefined && x < 2 ** 52) return natFromNumber(isqrtNumber(x));
  let s = rootEstimate(a, m);
  let sq = m.sqr(s);
  for (let step = 0; ; step++) {
    lastIsqrtCorrections = step;
    if (step > MAX_CORRECTION_STEPS) {
      lastIsqrtCorrections = -1;
      return isqrtByDivision(a, m);
    }
    if (natCompare(sq, a) > 0) {
      // (s−1)² = s² − 2s + 1
      sq = natSub(natAdd(sq, NAT_ONE), natAdd(s, s));
      s = natSub(s, NAT_ONE);
      continue;
    }
    // (s+1)² = s² + 2s + 1 <= a ?
    const next = natAdd(sq, natAdd(natAdd(s, s), NAT_ONE));
    if (natCompare(next, a) > 0) return s;
    sq = next;
    s = natAdd(s, NAT_ONE);
  }
}

/** s̃ within a few units of √a (see the header: half-precision y and one Newton step, or full precision for small a). */
function rootEstimate(a: Nat, m: Multiplier): Nat {
  const L = a.limbs.length;
  const n = (L + 1) >> 1; // √a < B^n
  const h = (n >> 1) + 3;
  const t = n - h;
  if (t < 2) {
    const p = n + 2;
    const Y = rsqrtFixed(a, 2 * n, p, m);
    const k = Math.max(0, L - (n + 4));
    return natTruncLimbs(m.mul(natTruncLimbs(a, k), Y), n + p - k);
  }
  const Y = rsqrtFixed(a, 2 * n, h, m);
  // s_hi = floor(a·Y / B^(n+h+t)) from a's top h + 3 limbs (the dropped part moves it by < B^(−1.5)).
  const k = Math.max(0, L - (h + 3));
  const sHi = natTruncLimbs(m.mul(natTruncLimbs(a, k), Y), n + h + t - k);
  // r = a − s0², s0 = sHi·B^t, is needed only above B^j, j = n − 3: |r|/B^j from a/B^j and sHi²/B^(j−2t) (2t < j),
  // off by at most one unit there (each floor), which moves δ by < B^(−1.5)/2; nothing of a's size is allocated.
  const j = Math.max(0, n - 3);
  const aTop = natTruncLimbs(a, j);
  const sqTop = 2 * t >= j ? natShiftLimbs(m.sqr(sHi), 2 * t - j) : natTruncLimbs(m.sqr(sHi), j - 2 * t);
  const above = natCompare(sqTop, aTop) > 0;
  const rTop = above ? natSub(sqTop, aTop) : natSub(aTop, sqTop);
  // |δ| = |r|·Y/(2·B^(n+h)) ≈ rTop·Y/(2·B^(n+h−j)).
  const delta = natDivSmall(natTruncLimbs(m.mul(rTop, Y), n + h - j), 2).q;
  const s0 = natShiftLimbs(sHi, t);
  if (!above) return natAdd(s0, delta);
  return natCompare(delta, s0) < 0 ? natSub(s0, delta) : NAT_ZERO;
}

/**
 * Y ≈ B^p/√x, x = a/B^twoN (x in [B^-3, 1)), relative error below B^-(p+1) up to a few units in the last place.
 * Base (p <= 3): double precision from the top four limbs of a (relative error < 10^-12 < B^-3).
 * Step: Y = Y_h·B^(p−h) ± Y_h·|E|/(2·B^3h) with E = B^(p+2h) − X·Y_h², X = floor(x·B^p). E is truncated by
 * t = 2h − 2 limbs, changing the correction by < y·B^(t−2h)/2 < 1 unit.
 */
function rsqrtFixed(a: Nat, twoN: number, p: number, m: Multiplier): Nat {
  if (p <= 3) {
    const l = a.limbs;
    const L = l.length;
    let top = 0;
    for (let i = L - 1; i >= Math.max(0, L - 4); i--) top = top * BASE + l[i];
    const xd = top * BASE ** (Math.max(0, L - 4) - twoN);
    return natFromBigInt(BigInt(Math.round(BASE ** p / Math.sqrt(xd))));
  }
  const h = (p >> 1) + 1 + (p & 1);
  const Yh = rsqrtFixed(a, twoN, h, m);
  const X = twoN >= p ? natTruncLimbs(a, twoN - p) : natShiftLimbs(a, p - twoN);
  const XY2 = m.mul(X, m.sqr(Yh));
  const P = natShiftLimbs(NAT_ONE, p + 2 * h);
  const t = 2 * h - 2;
  const base = natShiftLimbs(Yh, p - h);
  if (natCompare(XY2, P) <= 0) {
    const E = natTruncLimbs(natSub(P, XY2), t);
    return natAdd(base, natDivSmall(natTruncLimbs(m.mul(Yh, E), 3 * h - t), 2).q);
  }
  const E = natTruncLimbs(natSub(XY2, P), t);
  const corr = natDivSmall(natTruncLimbs(m.mul(Yh, E), 3 * h - t), 2).q;
  return natCompare(corr, base) < 0 ? natSub(base, corr) : NAT_ZERO;
}

/**
 * The exact fallback: s0 = (isqrt(floor(a / B^2k)) + 1)·B^k >= √a, one Newton step with a full division
 * (s + a/s)/2 from above (never undershoots by AM-GM), then unit corrections.
 */
function isqrtByDivision(a: Nat, m: Multiplier): Nat {
  const x = natToNumber(a);
  if (x !== undefined && x < 2 ** 52) return natFromNumber(isqrtNumber(x));
  const k = a.limbs.length >> 2;
  let s = newtonStep(a, natShiftLimbs(natAdd(isqrtByDivision(natTruncLimbs(a, 2 * k), m), NAT_ONE), k), m);
  let sq = m.sqr(s);
  while (natCompare(sq, a) > 0) {
    s = newtonStep(a, s, m);
    sq = m.sqr(s);
  }
  return s;
}

function newtonStep(a: Nat, s: Nat, m: Multiplier): Nat {
  if (s.limbs.length === 0) throw new InvalidArgumentError('natIsqrt: internal zero estimate');
  const next = natDivSmall(natAdd(s, natDivMod(a, s, m).q), 2).q;
  return natCompare(next, s) < 0 ? next : natSub(s, NAT_ONE);
}

/** floor(√x) for 0 <= x < 2^52: Math.sqrt is within one unit, fixed by exact integer comparisons. */
function isqrtNumber(x: number): number {
  let s = Math.floor(Math.sqrt(x));
  while (s * s > x) s--;
  while ((s + 1) * (s + 1) <= x) s++;
  return s;
}
