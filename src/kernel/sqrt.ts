/**
 * kernel/sqrt — exact integer square root floor(√a) through a reciprocal square root by Newton's method.
 *
 * With 2n >= L limbs (L = limbs of a) and x = a/B^2n, B = 10^4, y = 1/√x is computed in fixed point,
 * Y_p ≈ y·B^p, by the division-free Newton iteration y ← y + y·(1 − x·y²)/2 (Brent & Zimmermann, "Modern Computer
 * Arithmetic", §3.5.1), which squares the relative error at each step: from Y_h (h = ⌈p/2⌉ + 1 limbs) one step
 * gives Y_p using the products Y_h², X·Y_h² (X = x to p limbs) and Y_h·E (E = 1 − x·Y_h² truncated to the
 * limbs that matter). On transform groups (below) a step to p limbs costs 4.25 transforms of the length of M(p)
 * (three per product): Y_h² 1 (Y_h's forward transform and the inverse, at half M(p)'s length), the wrapped X·Y_h²
 * 2.25 (two forward and one inverse at p + h + 4 limbs, 3/4 of the length), Y_h·E 1 (Y_h's transform reused); the
 * steps halve, so 8.5 such transforms in all, ≈ 2.8·M(p).
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
 * units of √a, for about 4·M(n/2) + M(n/2) + the final square instead of 4·M(n) + M(n) + the square (radicands of
 * at most 64 limbs, where the products' fixed costs dominate, are rooted in BigInt instead: isqrtBig). r is formed only above B^(n−3),
 * where δ needs it, so no number of a's size is made besides the final square (pi's 10^8-digit root: 200 MB less).
 *
 * From 64 limbs the last step carries one guard limb and an a-posteriori error bound (refinedRoot,
 * refinedErrorBound, guardedFloor): floor(√a) is then proven for all radicands but those whose root lies within
 * ~10^−4 of an integer (about 3 in 10^4 random ones, perfect squares among them), and the final square below is
 * skipped. Otherwise the exact correction forms r = a − s̃² from a wrapped square (|r| < B^(n+1): s̃² modulo B^k − 1, k >= n + 3, with
 * a transform for n + 3 limbs, checked modulo the prime: TransformGroup.difference) and finds the j with
 * (s̃ + j)² <= a < (s̃ + j + 1)² by comparing r with 2|j|·s̃ ± j² from the top limbs (cmpScaled). The products of each step share transforms and the others of a known magnitude are wrapped
 * too (docs/ARCHITECTURE.md, "Newton steps on transform groups"). In transforms of M(n)'s length, the step above
 * (kmRoot) costs: the reciprocal square root to n/2 limbs 4.25, the root 3 (a's top times Y 1.5, the wrapped sHi²
 * 0.5, r's top times Y 1 with Y's transform reused). From 64 limbs the root is instead refined from the root of a's
 * top half (refinedRoot: kmRoot at n/2 limbs, 3.625, then Newton's step for the root with its division by 2s' done
 * by the quarter-precision Y in two half-length steps, 2.25): 5.875 instead of 7.25. With the final wrapped square
 * (1): ≈ 6.9 transforms, 2.3·M(n) (measured at 1.6·10^7 digits: 15–20% less CPU than kmRoot alone); without it
 * (proven by the guard limb) ≈ 5.9, 2.0·M(n). From 2·16000 limbs the top half's root is itself refined the same
 * way at every level whose products share transforms (coupledRoot, refineStep: the reciprocal carried up by one
 * Newton step for 1/s' per level, on the transforms the level already holds, instead of the reciprocal square root
 * iteration), about 3% less transform work at 10^6 and 4·10^6 digits. Threads: a level's products form the chain
 * R → Q0 → P → Δ, beside which only ε and the reciprocal's correction run (R ∥ ε, Q0 ∥ correction); from 2^16 points
 * each pair runs at once on two threads, each product whole on its own (TransformGroup.together: the same bits and
 * checks, so nothing below changes), and the top level transforms s' and Y at once; the chain itself, the top
 * level's four products, bounds the two-thread wall time (docs/ARCHITECTURE.md §6). The unit
 * steps cost no pass (cmpScaled). The linear passes between the products (the wrapped differences) run compiled
 * (assembly/limbs.ts), and the intermediate numbers stay in the wasm memory (TransformGroup `held`, refineStep's
 * blocks: no fresh JS arrays, copies within the wasm memory; at 10^6 digits 14.9 → 14.5 ms on two threads,
 * docs/ARCHITECTURE.md "Results held in the wasm memory"). If the estimate
 * were ever far off (a bug, not expected), the result is still exact: the previous division-based Newton method
 * takes over.
 *
 * What is checked: every whole product is residue-checked modulo the process's prime, and every wrapped difference
 * (R, P, the final r) is checked the same way (its magnitude bound and c − a·b modulo the prime), so the proven root
 * rests on the top level's exact R and P, its whole Q0 and Δ and the a-posteriori bound (refinedErrorBound), and an
 * unproven one on the checked exact correction. The levels below the top (refineStep with wantY, kmRoot, rsqrtFixed)
 * take high products and high wrapped differences (TransformGroup.mulHigh, differenceHigh: only the digits above
 * the cut are unpacked; the FFT's rounding check runs on them, no residue check): they only steer the top level's
 * s' and Y, which enter its bound through the checked R and P, so a wrong one costs time, never a digit (the
 * reciprocal's first 48 limbs come from BigInt, rsqrtBig, and steer likewise). Radicands of at most 64 limbs are rooted
 * in BigInt alone (isqrtBig: exact integer arithmetic, no transform to check).
 *
 * Every product goes through a Multiplier (the planner bound to a memory budget), so the root honours the budget
 * it is given. A radicand with many low zero limbs (pi's 10005·10^2M) costs little: the planner's executor
 * multiplies such operands without their zero limbs (mul.ts), so x·Y² and the final estimate are linear there.
 */

import { InvalidArgumentError } from '../errors.js';
import {
  NAT_ONE, NAT_ZERO, Nat, natAdd, natCompare, natDivSmall, natFromBigInt, natFromNumber, natShiftLimbs,
  natSub, natToNumber, natTruncLimbs, BASE, natHighView, natShiftAddLimbs, natMulSmall, modLimbs, powMod, natToBigInt,
  natHalveOwned, natFromLimbs, addLimbsAt, subLimbsAt, natShiftAddTwo, jsLimbs,
} from './nat.js';
import { natDivMod } from './div.js';
import { CHECK_PRIME } from './mul.js';
import { KERNEL_MULTIPLIER, type Multiplier, type TransformGroup } from './multiplier.js';
import { wrappedDifference, type PlanOperand } from './spectra.js';
import { u16View, wasm, wasmAlloc, wasmFree } from './wasmheap.js';

/** Estimate steps allowed before the exact fallback takes over. */
const MAX_CORRECTION_STEPS = 16;

/** Unit steps the last natIsqrt's correction took (−1 if it fell back to division): diagnostics and tests. */
export let lastIsqrtCorrections = 0;
/** Whether the last natIsqrt's root was proven by refinedRoot's error bound, without the final square (tests). */
export let lastIsqrtProven = false;

/**
 * floor(√a), every product within the budget of `m` (default: the whole memory budget).
 * @throws ArithmeticCheckError if a product fails its residue check.
 * @example natToNumber(natIsqrt(natFromNumber(99)))  // 9
 */
export function natIsqrt(a: Nat, m: Multiplier = KERNEL_MULTIPLIER): Nat {
  const x = natToNumber(a);
  if (x !== undefined && x < 2 ** 52) return natFromNumber(isqrtNumber(x));
  if (a.size <= BIGINT_ROOT_LIMBS) {
    lastIsqrtProven = true;
    lastIsqrtCorrections = 0;
    return natFromBigInt(isqrtBig(natToBigInt(a)));
  }
  const est = rootEstimate(a, m);
  lastIsqrtProven = est.proven;
  if (est.proven) {
    lastIsqrtCorrections = 0;
    return est.s;
  }
  const s = est.s;
  // r = a − s², |r| <= few·2s + few² < B^(n+1) for an estimate within a few units (s < B^n): s² modulo B^k − 1 with
  // k >= n + 3 and a modulo the same determine it (a square of the transform length of n + 3 limbs, not 2n).
  const n = (a.limbs.length + 1) >> 1;
  const g = m.group([], { products: [[s, s]], limbs: n + 3 }, 2);
  let diff;
  try {
    diff = g.difference(a, s, s, n + 2);
  } finally {
    g.close();
  }
  // The root is s + j for the j with (s + j)² <= a < (s + j + 1)², i.e. r − 2js − j² >= 0 > r − 2(j+1)s − (j+1)²
  // (r = a − s²): each test compares |r| with 2|j|·s ± j² from the top limbs down (cmpScaled, usually decided in
  // two limbs), so the search costs no pass over r or s; only the final s + j is one copy.
  const r = diff.magnitude;
  const sign = diff.negative ? -1 : 1;
  // (s + j)² <= a  ⟺  sign·|r| − 2js − j² >= 0.
  const fits = (j: number): boolean =>
    sign > 0 ? j <= 0 || cmpScaled(r, s, 2 * j, j * j) >= 0 : j < 0 && cmpScaled(r, s, -2 * j, -j * j) <= 0;
  // fits(j) is true exactly for j <= the answer: search up from 0, or down to the first j that fits.
  let j = 0;
  let settled: boolean;
  if (fits(0)) {
    while (j < MAX_CORRECTION_STEPS && fits(j + 1)) j++;
    settled = j < MAX_CORRECTION_STEPS;
  } else {
    do j--;
    while (j > -MAX_CORRECTION_STEPS && !fits(j));
    settled = fits(j);
  }
  if (!settled || r.size > n + 1) {
    lastIsqrtCorrections = -1;
    return isqrtByDivision(a, m);
  }
  lastIsqrtCorrections = Math.abs(j);
  return j === 0 ? s : natShiftAddLimbs(s, 0, natFromNumber(Math.abs(j)), j < 0);
}

/**
 * The sign of r − (m·s + c) for small integers 0 <= m and |c| < B, from the top limbs down: with D the prefixes'
 * difference down to limb i (r's limbs minus m times s's, in units of B^i), the whole is D·B^i + r_low − m·s_low − c
 * with 0 <= r_low, s_low < B^i, so it lies in ((D − m)·B^i − |c|, (D + 1)·B^i + |c|): for i >= 1, D >= m + 1 makes
 * it positive and D <= −2 negative (usually decided within two limbs); at the bottom D − c is exact. Between steps
 * −2 < D < m + 1, so D stays a few limbs' worth.
 */
function cmpScaled(r: Nat, s: Nat, m: number, c: number): -1 | 0 | 1 {
  const x = r.limbs, y = s.limbs;
  let D = 0;
  for (let i = Math.max(x.length, y.length) - 1; i >= 1; i--) {
    D = D * BASE + (i < x.length ? x[i]! : 0) - m * (i < y.length ? y[i]! : 0);
    if (D >= m + 1) return 1;
    if (D <= -2) return -1;
  }
  D = D * BASE + (x.length > 0 ? x[0]! : 0) - m * (y.length > 0 ? y[0]! : 0) - c;
  return D > 0 ? 1 : D < 0 ? -1 : 0;
}

/** Roots of at least this many limbs are refined from a half-length root (refinedRoot); shorter ones take kmRoot. */
const REFINE_MIN_LIMBS = 64;

/**
 * s̃ within a few units of √a (see the header: a refined half-length root or one Karp–Markstein step); `proven`: s̃ is floor(√a) itself (refinedRoot's error bound decided it).
 */
function rootEstimate(a: Nat, m: Multiplier): { s: Nat; proven: boolean } {
  // n >= 33 (natIsqrt roots radicands of at most BIGINT_ROOT_LIMBS = 64 limbs in BigInt), so t = n − h >= 2.
  const n = (a.limbs.length + 1) >> 1; // √a < B^n
  return n >= REFINE_MIN_LIMBS ? refinedRoot(a, m) : { s: kmRoot(a, m).s, proven: false };
}

/** Guard limbs of refinedRoot's estimate (it estimates √(a·B^2g) to decide floor(√a) without the final square). */
const GUARD_LIMBS = 1;

/**
 * x within [m·B^e, (m + 1)·B^e] (m its top `limbs` limbs, e = size − limbs; m = x, e = 0 below that): bounds in
 * doubles, exact up to three limbs (< 10^12); four (< 10^16) are rounded to 53 bits, a relative error below 2^−52.
 */
function topOf(x: Nat, limbs = 3): { m: number; e: number } {
  const l = x.limbs, k = Math.min(limbs, l.length);
  let v = 0;
  for (let i = l.length - 1; i >= l.length - k; i--) v = v * BASE + l[i]!;
  return { m: v, e: l.length - k };
}

/** log10 of B^k. */
const LOG_B = Math.log10(BASE);

/**
 * s̃ within a few units of √a from the root of a's top half: with h = ⌊n/2⌋ + 3, t = n − h and a' = floor(a/B^2t),
 * coupledRoot(a') gives s' ≈ √a' (h limbs, a few units) and Y ≈ B^(h+hq)/s' to hq = ⌊h/2⌋ + 3 limbs; then
 *   R = a' − s'²                      (exact, from a wrapped square of h + 8 limbs: |R| < B^(h+1)),
 *   D = |R|·B^t/(2s') ≈ √a − s'·B^t   (Newton's step, its error (few·B^t)²/(2√a) < B^−4 as in kmRoot; a's low 2t limbs
 *                                       move it by < B^(2t−n+1)/2 <= B^−4),
 * and D is divided out with the quarter-precision Y in two steps (Karp & Markstein's division): Q0 = |R|·Y·… to hq
 * limbs (relative error that of Y, <= few·B^(2−hq)), then the exact residual P = |R|·B^(t−u) − 2s'·Q0 (a wrapped
 * product sharing s'’s transform: |P| < few·B^(h+4)) and Δ = P·B^u·Y/(2·B^(h+hq)), whose relative error ε adds
 * |Δ|·ε < few²·B^(t+7−2hq) <= few²·B^(t+2−h) <= few²·B^−3; truncations add < B^−4 and the floors < 2 units (< 3 below
 * the top level, whose Q0 and Δ come from high products: TransformGroup.mulHigh, floor(x·Y/B^e) or one more or less). So
 * s̃ = s'·B^t ± (Q0·B^u ± Δ) is within 2 units and a little of √a. The top level (refinedRoot) carries guard limbs
 * and bounds its error a posteriori (refinedErrorBound), so the levels below it only decide the speed, never a digit.
 */
function refinedRoot(a: Nat, m: Multiplier): { s: Nat; proven: boolean } {
  const r = refineStep(a, m, GUARD_LIMBS, false);
  return r.exact ? { s: r.est, proven: true } : guardedFloor(r.est, r.E);
}

/**
 * The root and a reciprocal for the level above, from the root of a's top half (refineStep): s̃ within a few units
 * of √a (n limbs) and Y ≈ B^(n+h)/s̃ (h = ⌊n/2⌋ + 3) within a few units, the Y the level above divides with. Below
 * COUPLED_MIN_LIMBS, kmRoot (its Y ≈ B^(n+h)/√a from the reciprocal square root iteration).
 */
function coupledRoot(a: Nat, m: Multiplier): { s: Nat; Y: Nat; h: number; aRes: number; blocks: number[] } {
  const n = (a.limbs.length + 1) >> 1;
  if (n < COUPLED_MIN_LIMBS) return { ...kmRoot(a, m), aRes: modLimbs(a.limbs, a.size, CHECK_PRIME), blocks: [] };
  const r = refineStep(a, m, 0, true);
  return { s: r.est, Y: r.Y!, h: r.h, aRes: r.aRes!, blocks: r.blocks };
}

/**
 * Roots of at least this many limbs come from their top half's root (coupledRoot → refineStep) at every level, with
 * the reciprocal carried up by one Newton step per level; below, kmRoot with the reciprocal square root iteration.
 * Transform work counted at 10^6 / 4·10^6 digits (forward and inverse transforms weighted by their cost in the n×n
 * product): 1.675 / 1.636 products for 2000 to 8000 limbs, 1.662 / 1.633 for 16000, 1.666 / 1.634 for 32000, against
 * 1.705 / 1.696 for kmRoot under the top level; below ~16000 limbs a level's products are too short to share
 * transforms (Multiplier.group) and its extra products cost more than they save.
 */
const COUPLED_MIN_LIMBS = 16000;

/**
 * One level of refinedRoot's step (the comment above): s̃ ≈ √(a·B^2g) (g = `guard` limbs) from s' = coupledRoot(a').
 * `exact`: R = 0, and est = s'·B^t is floor(√a) itself (√a = s'·B^t·√(1 + aLow/(s'·B^t)²) < s'·B^t + B^t/(2s') <
 * s'·B^t + 1). E: refinedErrorBound's a-posteriori bound on |s̃ − √(a·B^2g)| (computed for guard > 0 only).
 *
 * With `wantY`, also Y' ≈ B^(n+h)/s̃ for the level above (coupledRoot), from Y ≈ B^(h+hq)/s' by one Newton step for
 * the reciprocal of s' and a scalar rescaling to s̃:
 *   ε = B^(h+hq) − s'·Y            (exact, a wrapped product sharing s'’s and Y's transforms: |ε| = s'·few < few·B^h),
 *   Z = Y·B^(h−hq) ± floor(Y·|ε'|/B^2hq), ε' = ε without its low j >= hq − 2 limbs.
 * "few" is Y's error in units: a few from refineStep, up to ~B² from kmRoot when x is near B^−3 (its X then holds
 * only p − 1.5 limbs of x); the wrapped difference's bound h + 6 leaves margin for both.
 * With e = ε/B^(h+hq), B^2h/s' = Y·B^(h−hq)/(1 − e) = Y·B^(h−hq)·(1 + e) + Y·B^(h−hq)·e²/(1 − e); |e| <= few·B^−hq, so
 * the last term is < few²·B^(h+1−2hq) <= few²·B^−4 (2hq >= h + 5; at most a unit even for few = B²); dropping ε's low limbs moves the correction by
 * < Y·B^(j−2hq) <= B^(j+1−hq) (= 1/B for j = hq − 2) and the floor by < 1: Z is within 3 units of B^2h/s'. Then
 * s̃ = s'·B^t·(1 ± ρ), ρ = D/(s'·B^t) = |R|/(2s'²)·(1 + tiny) <= few·B^(1−h), so B^(n+h)/s̃ = Z/(1 ± ρ) = Z ∓ Z·ρ + O(Z·ρ²)
 * (Z·ρ² <= few²·B^(3−h): nothing); Z·ρ <= few·B² is taken in doubles from the top four limbs of Y·B^(h−hq) (Z's
 * within a relative few·B^(−hq)), D and s' (relative error < 10^−11, so < 10^−2 units) and rounded, and joins the
 * correction before the one pass that lays out Y·B^(h−hq) ± …: Y' is within 4 units of B^(n+h)/s̃. (Y' only steers the
 * level above: a worse Y there costs larger residuals, caught by the wrapped differences' bounds, never a digit.)
 * Cost per level, in transforms of the length of the wrap (h + 8 limbs): s' and Y forward, R, Q0, P, Δ, ε and the
 * correction each one inverse and (but R, ε) one operand forward: 12, against the reciprocal square root iteration's
 * 17 per doubling (of half that length) plus kmRoot's 6 at the level where it stops.
 */
function refineStep(
  a: Nat, m: Multiplier, guard: number, wantY: boolean,
): { est: Nat; exact: boolean; E: number; h: number; Y?: Nat; aRes?: number; blocks: number[] } {
  const n = (a.limbs.length + 1) >> 1;
  const h = (n >> 1) + 3;
  const t = n - h;
  const aTop = natHighView(a, 2 * t); // its root has h limbs
  // topRes: aTop's residue modulo the check prime, from the level below (coupledRoot's aRes).
  const { s: sHi, Y, h: hq, aRes: topRes, blocks: below } = coupledRoot(aTop, m);
  // The step's est and Y' are laid out in zeroed wasm memory, `blocks`, where s' and Y (held by the level below) and
  // Q0, δ and the correction (held by this level's group) are added in place (nat.ts addInPlaceAt): with wantY they
  // are the level above's s' and Y, and the level above frees them when its step is done (as this one frees
  // `below`'s); the top level's est, the root itself, is copied out to a JS array (one aligned copy) and its block
  // freed here. No fresh JS arrays for the numbers the levels hand each other (at 10^6 digits 30k–125k limbs each).
  // Only where the group holds its results (up to HELD_MAX_LENGTH points, multiplier.ts): above it the blocks would
  // sit in the wasm memory, which never shrinks, beside the largest transforms (the root of 1.6·10^7 digits peaked
  // 312–320 MB instead of 287–290), while new arrays cost little there next to the products.
  const blocks: number[] = [];
  const zeroed = (len: number): Uint16Array => {
    if (!g!.holdsResults) return jsLimbs(len);
    const ptr = wasmAlloc(2 * len);
    blocks.push(ptr);
    wasm().zeroLimbs(ptr, len);
    return u16View(ptr, len);
  };
  let handed = false;
  // The step estimates √(a·B^2g) = √(aTop·B^2T + aLow·B^2g), T = t + g (the guard limbs: see guardedFloor).
  const T = t + guard;
  const u = Math.max(0, T - hq); // q0 = Q0·B^u, Q0 of about hq + 2 limbs
  // Bounds with two limbs of margin beyond the proven |R| < B^(h+1), |P| < few·B^(h+4), |ε| < B^(h+1) (a wrong bound
  // costs a full product in TransformGroup.difference, never a digit).
  const bound = h + 6;
  const wrapped: Array<readonly [PlanOperand, PlanOperand]> = [[sHi, sHi], [sHi, { size: hq + 3, like: sHi }]];
  if (wantY) wrapped.push([sHi, Y]);
  // One group: s'’s transform serves R, P and ε, Y's serves Q0, Δ and the reciprocal's correction (products of up to
  // hq + 2 limbs by Y). Its results are held in the wasm memory (Multiplier.group's `held`): R, ε, Q0, P, Δ and the
  // correction all die with it, and what the step returns is laid out in new arrays (natShiftAddTwo, natShiftLimbs,
  // natShiftAddLimbs) before it closes. That spares each of them a fresh JS array (zeroed and faulted in: at 10^6
  // digits 60k–250k limbs each) and the copies back into the wasm memory for the next product are memory-to-memory.
  let g: TransformGroup | undefined;
  try {
    g = m.group([[[{ size: hq + 2, like: Y }, Y]]], { products: wrapped, limbs: bound + 2 }, 5, true);
    // The top level's Q0 and Δ are whole, residue-checked products: the proven root then rests only on checked
    // products and exact, checked wrapped differences (R, P) with the a-posteriori bound. The levels below only
    // steer (their errors cost time, never a digit) and take high products (TransformGroup.mulHigh: no residue
    // check, the FFT rounding check on the digits unpacked).
    const above = guard > 0 ? (x: Nat, y: Nat, e: number): Nat => natHighView(g!.mul(x, y), e) : (x: Nat, y: Nat, e: number): Nat => g!.mulHigh(x, y, e);
    // The wrapped differences' checks take c's residue modulo the check prime from the residues already known instead
    // of a pass over c (TransformGroup.difference's cResidue), each derived exactly from residues taken from limbs:
    // aTop's from the level below, which took it as aTop' ·B^2t' + (aTop mod B^2t') with aTop' = its own top (nested
    // tops of a: one pass over each level's low 2t limbs, not over each top); |R|·B^(T−u)'s as R's residue (taken
    // from R's limbs in the wasm memory) times B^(T−u). The checks are the same congruences, so they prove as much.
    // |R|·B^(T−u) itself is never formed: the difference writes T − u zero limbs and R's into the wasm memory.
    // |ε| comes over B^(hq−2), within one unit (a high wrapped difference: only the limbs above are unpacked).
    // R and ε, and below Q0's product and ε's correction, need nothing of each other: TransformGroup.together runs
    // each pair at once on two threads, each product whole on its own, where that pays (multiplier.ts
    // SIDE_BY_SIDE_MIN: from 2^16 points; shorter pairs bought no wall time, docs/ARCHITECTURE.md §6), and one after
    // the other otherwise; either way the same bits and checks. Without ε (the top level), s'’s and Y's forward
    // transforms run at once the same way (transformAll; Y's serves Q0 next).
    let R: { negative: boolean; magnitude: Nat; residue: number };
    let eps: { negative: boolean; magnitude: Nat } | undefined;
    if (wantY) {
      [R, eps] = g.together(g.differenceWork(aTop, sHi, sHi, bound, topRes), g.differenceHighWork({ power: h + hq }, sHi, Y, bound, hq - 2));
    } else {
      g.transformAll(sHi, Y);
      R = g.difference(aTop, sHi, sHi, bound, topRes);
    }
    if (R.magnitude.size === 0 && guard > 0) return { est: natShiftLimbs(sHi, t), exact: true, E: 0, h, blocks: [] };
    // ε' = eTop·B^(hq−2+jE): ε without its low limbs (jE = 0 but for an ε far off).
    const jE = eps === undefined ? 0 : Math.max(0, eps.magnitude.size - (hq + 2));
    const eTop = eps === undefined || eps.magnitude.size === 0 ? undefined : natHighView(eps.magnitude, jE);
    // Y·ε'/B^(hq+2−jE) (a high product), alone or beside Q0's product.
    let corrMagnitude: Nat | undefined;
    // D's top four limbs for the rescaling of the reciprocal: Q0's (δ ≈ few·B^(u+1) moves Q0·B^u ≈ B^(u+hq) by a
    // relative few·B^(1−hq)), or δ's when Q0 = 0.
    let dTop: { m: number; e: number; shift: number } | undefined;
    let E = Infinity;
    let est: Nat;
    if (R.magnitude.size === 0) {
      est = natShiftLimbs(sHi, T);
      if (eTop !== undefined) corrMagnitude = g.mulHigh(eTop, Y, hq + 2 - jE);
    } else {
      const jr = Math.max(0, R.magnitude.size - (hq + 2));
      const rTop = natHighView(R.magnitude, jr);
      // Q0 = floor(|R|·B^(T−u)·Y/(2·B^(h+hq))) from R's top hq + 2 limbs (within one below the top: a high product).
      // X is a product just formed and held here alone: its parity is cleared, then it is halved, in its own limbs
      // (natHalveOwned), so 2·Q0 and Q0 cost no allocation and no doubling pass (B is even: X's parity is its lowest
      // limb's, and clearing it borrows nothing).
      // Q0's product and the reciprocal's correction need nothing of each other: at once on two threads (together).
      let twoQ0: Nat;
      if (eTop !== undefined && guard === 0) {
        [twoQ0, corrMagnitude] = g.together(g.mulHighWork(rTop, Y, h + hq - T - jr + u), g.mulHighWork(eTop, Y, hq + 2 - jE));
      } else {
        twoQ0 = above(rTop, Y, h + hq - T - jr + u);
        if (eTop !== undefined) corrMagnitude = g.mulHigh(eTop, Y, hq + 2 - jE);
      }
      g.release(rTop);
      if (twoQ0.size > 0) twoQ0.limbs[0]! &= ~1;
      const small = twoQ0.size === 0 || (twoQ0.size === 1 && twoQ0.limbs[0]! < 2); // Q0 = 0
      const P = small
        ? { negative: false, magnitude: natShiftLimbs(R.magnitude, T - u) }
        : g.difference({ nat: R.magnitude, shift: T - u }, sHi, twoQ0, bound, (R.residue * powMod(BASE, T - u, CHECK_PRIME)) % CHECK_PRIME);
      g.release(twoQ0);
      const Q0 = natHalveOwned(twoQ0).q;
      let jp = 0;
      let delta = NAT_ZERO;
      if (P.magnitude.size > 0) {
        jp = Math.max(0, P.magnitude.size - (hq + 2));
        const pTop = natHighView(P.magnitude, jp);
        delta = natHalveOwned(above(pTop, Y, h + hq - u - jp)).q; // a product just formed: halved in place
        g.release(pTop);
      }
      // est = s'·B^T ± D, D = Q0·B^u ± δ, laid out in one allocation (D is not formed). D < 0 (δ > Q0·B^u with P < 0)
      // is never expected; then est is still s'·B^T ± D, but nothing is proven.
      const dNegative = P.negative && exceedsShifted(delta, Q0, u);
      est = natShiftAddTwo(sHi, T, Q0, u, R.negative, delta, R.negative !== P.negative, zeroed);
      if (!wantY && g.holdsResults) est = natFromLimbs(est.limbs.slice()); // the root: out of the wasm memory
      dTop = Q0.size > 0 && !dNegative ? { ...topOf(Q0, 4), shift: u } : dNegative ? undefined : { ...topOf(delta, 4), shift: 0 };
      const signsHeld = !dNegative && est.size > 0;
      if (guard > 0 && signsHeld) E = refinedErrorBound(sHi, R.magnitude, P.magnitude, { T, u, jr, jp });
    }
    if (!wantY) return { est, exact: false, E, h, blocks: [] };
    // a's residue for the level above (a = aTop·B^2t + (a mod B^2t); both residues < 2^26: exact in doubles).
    const aRes = ((topRes * powMod(BASE, 2 * t, CHECK_PRIME)) % CHECK_PRIME + modLimbs(a.limbs, 2 * t, CHECK_PRIME)) % CHECK_PRIME;
    if (eTop !== undefined) g.release(eTop);
    // Y' = Y·B^(h−hq) ± corr ∓ c (c = round(Z·ρ): the rescaling to s̃), laid out in one pass over Y.
    const corr = { negative: eps!.negative, magnitude: corrMagnitude ?? NAT_ZERO };
    // s̃ = s'·B^T + D when R >= 0, so Y' = Z − Z·ρ; s̃ = s'·B^T − D when R < 0, so Y' = Z + Z·ρ.
    const c = dTop === undefined ? 0 : rescaling(Y, h - hq, dTop, sHi, T);
    const low = signedSumOwned(corr, !R.negative, c);
    const Yn = natShiftAddLimbs(Y, h - hq, low.magnitude, low.negative, zeroed);
    handed = true;
    return { est, exact: false, E, h, Y: Yn, aRes, blocks };
  } finally {
    g?.close();
    for (const ptr of below) wasmFree(ptr); // s' and Y: their last reader was this step
    if (!handed) for (const ptr of blocks) wasmFree(ptr); // a throw: nothing was handed over
  }
}

/**
 * round(Z·ρ), ρ = D/(s'·B^T), for refineStep's rescaling of Z ≈ Y·B^k to s̃ = s'·B^T ± D (Z/(1 ± ρ) = Z ∓ Z·ρ, Z·ρ²
 * is nothing), from the top four limbs of Y·B^k, D (dTop: m·B^(e + shift), Q0's top for D = Q0·B^u ± δ) and s'
 * (relative error < 3·B^−3 plus Z's distance from Y·B^k and D's from Q0·B^u); 0 when Z·ρ is out of range (never
 * expected: it only steers the next level).
 */
function rescaling(Y: Nat, k: number, dTop: { m: number; e: number; shift: number }, sHi: Nat, T: number): number {
  const z = topOf(Y, 4), s = topOf(sHi, 4);
  const c = Math.round(((z.m * dTop.m) / s.m) * 10 ** (LOG_B * (z.e + k + dTop.e + dTop.shift - s.e - T)));
  return c >= 1 && c < 2 ** 50 ? c : 0;
}

/** Whether x > y·B^k. */
function exceedsShifted(x: Nat, y: Nat, k: number): boolean {
  if (y.size === 0) return x.size > 0;
  if (x.size !== y.size + k) return x.size > y.size + k;
  const c = natCompare(natHighView(x, k), y);
  if (c !== 0) return c > 0;
  for (let i = 0; i < k; i++) if (x.limbs[i] !== 0) return true;
  return false;
}

/**
 * x + c for a signed x (a sign and a magnitude) and a signed c, |c| < 2^50 (`cNegative` its sign), where x's magnitude is
 * a product just formed and held by the caller alone: when |x| has more limbs than |c| (so |x| > |c|), c goes into
 * x's limbs in place (a sum cannot carry out of a top limb below 9999; a difference stays >= 0), else a new Nat.
 */
function signedSumOwned(
  x: { negative: boolean; magnitude: Nat }, cNegative: boolean, c: number,
): { negative: boolean; magnitude: Nat } {
  if (c === 0) return x;
  const y = { negative: cNegative, magnitude: natFromNumber(c) };
  const l = x.magnitude.limbs, n = l.length, yl = y.magnitude.limbs;
  if (n > yl.length) {
    if (x.negative !== cNegative) {
      subLimbsAt(l, 0, n, yl, 0, yl.length);
      return { negative: x.negative, magnitude: natFromLimbs(l) };
    }
    if (l[n - 1]! < BASE - 1) {
      addLimbsAt(l, 0, n, yl, 0, yl.length);
      return x;
    }
  }
  if (n === 0) return y;
  if (x.negative === cNegative) return { negative: x.negative, magnitude: natAdd(x.magnitude, y.magnitude) };
  return natCompare(x.magnitude, y.magnitude) >= 0
    ? { negative: x.negative, magnitude: natSub(x.magnitude, y.magnitude) }
    : { negative: cNegative, magnitude: natSub(y.magnitude, x.magnitude) };
}

/**
 * refinedRoot's a-posteriori error bound: E with |s̃ − √(a·B^2g)| < E for its estimate s̃ = s'·B^T ± D (T = t + g), from
 * the exact numbers s', R = aTop − s'² and P = |R|·B^(T−u) − 2s'·Q0 (both formed by verified wrapped differences)
 * and the sizes of its truncations, in doubles with a relative margin. Infinity when a premise fails (|μ| >= 1/2).
 *
 * Proof. Write aB^2g = s'²·B^2T·(1 + μ), μ = R/s'² + aLow·B^2g/(s'·B^T)², 0 <= aLow < B^2t, so
 * |μ| <= (|R| + 1)/s'². Taylor with the Lagrange remainder, for |μ| < 1: √(1 + μ) = 1 + μ/2 − θ,
 * 0 <= θ <= μ²/(8·(1 − |μ|)^1.5). Hence
 *   √(aB^2g) = s'B^T + R·B^T/(2s') + aLow·B^(2g−T)/(2s') − s'B^T·θ,
 * the third term in [0, B^T/(2s')) (aLow·B^2g < B^(2T)) and the fourth in [0, s'B^T·μ²/(8(1 − |μ|)^1.5)].
 * P's definition gives |R|·B^T/(2s') = Q0·B^u + P·B^u/(2s') exactly, and D = Q0·B^u + sgn(P)·δ, so
 * D − |R|·B^T/(2s') = sgn(P)·(δ − δ*), δ* = |P|·B^u/(2s'); the estimate's error is therefore at most
 * |δ − δ*| + B^T/(2s') + s'B^T·μ²/(8(1 − |μ|)^1.5).
 *
 * |δ − δ*|: with ψ = Y·s'/B^(h+hq) (how far Y is from B^(h+hq)/s'), Q0 = floor(X/2) with X = floor(rTop·Y/B^e)
 * exactly (refineStep forms it from a whole, residue-checked product at the top level, the only level that bounds
 * its error; a high product, TransformGroup.mulHigh, could be one more or less and would need 0.5 more on each side
 * below), rTop = floor(|R|/B^jr): with v = rTop·Y/(2B^e), 2v − 1 < X <= 2v and (X − 1)/2 <= Q0 <= X/2, so
 * v − 1 < Q0 <= v, i.e. ψ·q*·ρ − 1 < Q0 <= ψ·q*·ρ with
 * q* = |R|·B^(T−u)/(2s') and ρ = rTop·B^jr/|R| in (1 − λ, 1], λ = B^jr/|R| (0 when jr = 0); and Q0 = q*·(1 − π)
 * exactly, π = P/(|R|·B^(T−u)) (P is formed exactly from whatever Q0 is). So 1 − π <= ψ·ρ <= ψ and
 * ψ < (1 − π + 1/q*)/ρ < (1 − π + 1/q*)/(1 − λ): |ψ − 1| <= εψ = |π| + (λ + 1/q* + |π|·λ)/(1 − λ). Likewise
 * δ = floor(Xp/2), Xp = floor(pTop·Y/B^e') exactly, pTop = floor(|P|/B^jp), lies in (ψ·δ*·ρp − 1, ψ·δ*·ρp],
 * ρp in (1 − λp, 1], λp = B^jp/|P|: δ − δ* <= δ*·(ψ − 1) <= δ*·εψ, and δ* − δ < δ*·(1 − ψ·ρp) + 1 with
 * 1 − ψ·ρp <= 1 − (1 − εψ)(1 − λp) <= εψ + λp·(1 + εψ), so |δ − δ*| <= δ*·(εψ + λp·(1 + εψ)) + 1.
 * Every quantity is bounded from the top three limbs of
 * s', |R|, |P| (x in [m·B^e, (m + 1)·B^e]) as 10^(ℓ + 4K), ℓ from those limbs and K an exact integer sum of
 * exponents, so the doubles' rounding is relative ~10^−15, far inside the margin 10^−9 added.
 * Typical values (any size): the floors' 1 plus < 10^−3.
 */
function refinedErrorBound(sHi: Nat, R: Nat, P: Nat, k: { T: number; u: number; jr: number; jp: number }): number {
  const { T, u, jr, jp } = k;
  const S = topOf(sHi), r = topOf(R);
  if (S.m === 0 || r.m === 0) return Infinity;
  // Each bound is 10^(ℓ + LOG_B·K): ℓ from the top limbs (small), K an integer combination of exponents (exact), so
  // no large logarithms cancel.
  const bound = (l: number, K: number): number => 10 ** (l + LOG_B * K);
  const lS = Math.log10(S.m), lS1 = Math.log10(S.m + 1), lR = Math.log10(r.m), lR2 = Math.log10(r.m + 2);
  const L2 = Math.log10(2);
  // |μ| <= (|R| + 1)/s'² <= (m_R + 2)·B^e_R / (m_S·B^e_S)².
  const mu = bound(lR2 - 2 * lS, r.e - 2 * S.e);
  if (!(mu < 0.5)) return Infinity;
  const taylor = bound(lS1 + 2 * (lR2 - 2 * lS) - Math.log10(8) - 1.5 * Math.log10(1 - mu), S.e + T + 2 * (r.e - 2 * S.e));
  const low = bound(-L2 - lS, T - S.e);
  let divErr = 0;
  if (P.size > 0) {
    const p = topOf(P);
    const lP = Math.log10(p.m), lP1 = Math.log10(p.m + 1);
    // Logarithmic parts [ℓ, K] of π, λ, 1/q*, λp and δ*, multiplied by adding them (δ* is about B^(T−hq) and
    // εψ about B^−hq: their product, not each, is what a double must hold).
    const pi = [lP1 - lR, p.e - r.e - (T - u)] as const;
    const lambda = jr === 0 ? undefined : ([-lR, jr - r.e] as const);
    const invQ = [L2 + lS1 - lR, S.e - r.e - (T - u)] as const;
    const lambdaP = jp === 0 ? undefined : ([-lP, jp - p.e] as const);
    const dStar = [lP1 - L2 - lS, p.e + u - S.e] as const;
    const lam = lambda === undefined ? 0 : bound(lambda[0], lambda[1]);
    if (!(lam < 0.5)) return Infinity;
    const times = (x: readonly [number, number], y: readonly [number, number] | undefined): number =>
      y === undefined ? 0 : bound(x[0] + y[0], x[1] + y[1]);
    const epsPsi = bound(pi[0], pi[1]) + (lam + bound(invQ[0], invQ[1]) + bound(pi[0], pi[1]) * lam) / (1 - lam);
    // δ*·εψ = δ*·π + (δ*·λ + δ*/q* + δ*·π·λ)/(1 − λ), and δ*·λp·(1 + εψ).
    const dEps =
      times(dStar, pi) + (times(dStar, lambda) + times(dStar, invQ) + times(dStar, pi) * lam) / (1 - lam);
    divErr = dEps + times(dStar, lambdaP) * (1 + epsPsi) + 1;
  }
  const E = (divErr + low + taylor) * (1 + 1e-9) + 1e-9;
  return Number.isFinite(E) ? E : Infinity;
}

/**
 * floor(√a) from s̃ ≈ √(a·B^2g) with |s̃ − √(a·B^2g)| < E (g = GUARD_LIMBS): with s̃ = F·B^g + φ (0 <= φ < B^g), the
 * root lies in (s̃ − E, s̃ + E), inside [F·B^g, (F + 1)·B^g) when E <= φ and φ + E <= B^g: floor(√a) = F, proven,
 * and no final square is needed. Otherwise (probability about 2E/B^g: perfect squares and roots within E·B^−g of an
 * integer) F is returned unproven, within E/B^g + 1 of √a, for natIsqrt's exact correction.
 */
function guardedFloor(est: Nat, E: number): { s: Nat; proven: boolean } {
  let phi = 0;
  for (let i = GUARD_LIMBS - 1; i >= 0; i--) phi = phi * BASE + (i < est.size ? est.limbs[i]! : 0);
  // A view of all but g limbs of est's own array: no copy (the g limbs it keeps alive are nothing).
  const F = natHighView(est, GUARD_LIMBS);
  return { s: F, proven: E <= phi && phi + E <= BASE ** GUARD_LIMBS };
}

/**
 * One Karp–Markstein step (the header): s̃ within a few units of √a for a whose root has n limbs, t = n − h >= 2,
 * h = ⌊n/2⌋ + 3, and the Y ≈ B^h/√x (x = a/B^2n) it was computed with (≈ B^(n+h)/√a: coupledRoot's form).
 */
function kmRoot(a: Nat, m: Multiplier): { s: Nat; Y: Nat; h: number } {
  const L = a.limbs.length;
  const n = (L + 1) >> 1; // √a < B^n
  const h = (n >> 1) + 3;
  const t = n - h;
  const Y = rsqrtFixed(a, 2 * n, h, m);
  // Y's transform serves the root's two products (a's top times Y, r's top times Y); the square is wrapped.
  const k = Math.max(0, L - (h + 3));
  const j = Math.max(0, n - 3);
  const aHead = natHighView(a, k);
  // Its results (sHi, δ's product) are held in the wasm memory until it closes (Multiplier.group `held`): the root is
  // laid out in a new array (natShiftAddLimbs) first.
  const g = m.group([[[aHead, Y]], [[{ size: h + 2, like: Y }, Y]]], undefined, 3, true);
  try {
    // s_hi = floor(a·Y / B^(n+h+t)) from a's top h + 3 limbs (the dropped part moves it by < B^(−1.5)), or one more
    // or less (a high product: only the limbs above are unpacked): s0 is still within a few units of B^t of √a.
    const sHi = g.mulHigh(aHead, Y, n + h + t - k);
    g.release(aHead);
    // r = a − s0², s0 = sHi·B^t, is needed only above B^j, j = n − 3 >= 2t: |r|/B^j from
    // R = floor(a/B^2t) − sHi² (= floor(r/B^2t), exactly) truncated by j − 2t limbs, off by at most one unit there,
    // which moves δ by < B^(−1.5)/2; nothing of a's size is allocated. |R| <= |r|/B^2t + 1 < B^(n−t+1) = B^(h+1)
    // (s0 within a few units of B^t of √a < B^n: |r| < few·2·B^(n+t)), so sHi² modulo B^w − 1, w >= h + 3, and
    // floor(a/B^2t) modulo the same determine R (a square for h + 3 limbs instead of the full 2h).
    const sq = m.group([], { products: [[sHi, sHi]], limbs: h + 3 }, 3); // and Y's, kept by g
    let diff;
    try {
      diff = sq.difference(natHighView(a, 2 * t), sHi, sHi, h + 2);
    } finally {
      sq.close();
    }
    const above = diff.negative;
    const rTop = natHighView(diff.magnitude, j - 2 * t);
    // |δ| = |r|·Y/(2·B^(n+h)) ≈ rTop·Y/(2·B^(n+h−j)) (a high product: within one more unit).
    const delta = natHalveOwned(g.mulHigh(rTop, Y, n + h - j)).q; // a product just formed: halved in place
    g.release(rTop);
    return { s: natShiftAddLimbs(sHi, t, delta, above), Y, h };
  } finally {
    g.close();
  }
}

/**
 * Y ≈ B^p/√x, x = a/B^twoN (x in [B^-3, 1)), relative error below B^-(p+1) up to a few units in the last place.
 * Base (p <= RSQRT_BIGINT_LIMBS): rsqrtBig, within one unit.
 * Step: Y = Y_h·B^(p−h) ± Y_h·|E|/(2·B^3h) with E = B^(p+2h) − X·Y_h², X = floor(x·B^p). E is truncated by
 * t = 2h − 2 limbs, changing the correction by < y·B^(t−2h)/2 < 1 unit; E over B^t comes from a high wrapped
 * difference (within one unit: < y·B^(t−2h)/2 more) and the correction from a high product (TransformGroup.mulHigh,
 * within one unit more), so Y stays within a few units.
 */
function rsqrtFixed(a: Nat, twoN: number, p: number, m: Multiplier): Nat {
  if (p <= RSQRT_BIGINT_LIMBS) return rsqrtBig(a, twoN, p);
  const h = (p >> 1) + 1 + (p & 1);
  const Yh = rsqrtFixed(a, twoN, h, m);
  const X = twoN >= p ? natHighView(a, twoN - p) : natShiftLimbs(a, p - twoN);
  const t = 2 * h - 2;
  // Yh's transform serves Yh² and Yh·E (both about p limbs). X·Yh² is wrapped: with Yh = B^h/√x·(1 + δ),
  // |δ| <= few·B^(−h), and X = x·B^p·(1 − η), η <= B^(3−p), X·Yh² − B^(p+2h) = B^(p+2h)·((1+δ)²(1−η) − 1) has
  // magnitude < B^(p+2h)·(3·few·B^(−h) + B^(3−p)) < B^(e+1), e = max(p + h, 2h + 3) (= p + h but at the smallest
  // levels), so X·Yh² modulo B^w − 1, w >= e + 4, determines E (a transform for e + 4 limbs instead of the
  // p + 2h of the full product). "few" is not small at the first levels (X holds only p − 1.5 limbs of x there):
  // two limbs of margin, and TransformGroup.difference forms the full product if ever the bound fails.
  const e = Math.max(p + h, 2 * h + 3) + 2;
  // `own`'s results (Yh², the correction) are held in the wasm memory until it closes (Multiplier.group `held`): Y is
  // laid out in a new array (natShiftAddLimbs) first. (`wrapped`'s are not: E is read after it closes.)
  const own = m.group([[[Yh, Yh]], [[Yh, { size: e + 3 - t, like: Yh }]]], undefined, 3, true);
  try {
    const Y2 = own.mul(Yh, Yh);
    const wrapped = m.group([], { products: [[X, Y2]], limbs: e + 2 }, 4); // and Yh's, kept by `own`
    let diff;
    try {
      // E = B^(p+2h) − X·Yh² over B^t, within one unit (a high wrapped difference).
      diff = wrapped.differenceHigh({ power: p + 2 * h }, X, Y2, e + 1, t);
    } finally {
      wrapped.close();
    }
    // E is truncated by t = 2h − 2 limbs (and within one unit there), changing the correction by < 1 unit.
    const E = diff.magnitude;
    const corr = natHalveOwned(own.mulHigh(Yh, E, 3 * h - t)).q; // a product just formed: halved in place
    return natShiftAddLimbs(Yh, p - h, corr, diff.negative);
  } finally {
    own.close();
  }
}

/**
 * Y ≈ B^p/√c for an integer 1 <= c < 2^26, with |Y − B^p/√c| < 2: an approximate reciprocal square root of a small
 * integer (pi's 1/√10005; kernel/sqrt.ts's header), by the Newton step of rsqrtFixed where x = c is one number, so
 * x·Y² is c times a square and its difference with B^2h is formed from a wrapped square (a transform for h + 3
 * limbs): per step one wrapped square and one product Y_h·F of h limbs, about 4/3·M(p/2), ≈ 4/3·M(p) in all.
 *
 * Error, by induction (y = 1/√c, Y_h = B^h·y + ε with |ε| < 2; p <= 2h − 2). Base p <= 3: a rounded double,
 * |ε| <= 0.5 + 10^12·2^−50. Step: F = B^2h − c·Y_h² = −c·(2·B^h·y·ε + ε²) exactly, |F| < 4√c·B^h + 4c < B^(h+2).
 * The exact Newton value Z = Y_h·B^(p−h)·(1 + F/(2·B^2h)) = B^p·y·(1 + δ)(1 − δ − δ²/2) with δ = ε/(B^h·y) equals
 * B^p·y·(1 − 1.5δ² − 0.5δ³): below B^p·y by at most 1.5·B^p·y·δ²·(1 + |δ|) <= 6.1·√c·B^(p−2h) < 6.1·2^13/B^2 < 10^−3.
 * We compute Y = Y_h·B^(p−h) ± floor(Y_h·F'/(2·B^(3h−p))), F' = |F| without its low t = 2 limbs: dropping them moves
 * the correction by < (Y_h/B^h)·B^(t+p−2h)/2 <= (y + 2/B^h)/2 <= 0.51, the floor by < 1 (towards Y_h·B^(p−h), so
 * on Z's side). Hence |Y − B^p·y| < 1 + 0.51 + 10^−3 < 2. The wrapped square is checked like every wrapped
 * difference (magnitude below B^(h+2), residue modulo the check prime), and the full square replaces it otherwise.
 * @throws InvalidArgumentError unless 1 <= c < 2^26 and p >= 0 are integers; ArithmeticCheckError if a product fails
 * its residue check.
 * @example natToNumber(natRsqrtSmall(4, 1))  // 5000 (= 10^4/√4)
 */
export function natRsqrtSmall(c: number, p: number, m: Multiplier = KERNEL_MULTIPLIER): Nat {
  if (!(Number.isSafeInteger(c) && c >= 1 && c < 2 ** 26) || !(Number.isSafeInteger(p) && p >= 0)) {
    throw new InvalidArgumentError(`natRsqrtSmall: needs integers 1 <= c < 2^26 and p >= 0, got c = ${c}, p = ${p}`);
  }
  if (p <= 3) return natFromNumber(Math.round(BASE ** p / Math.sqrt(c)));
  const h = Math.ceil(p / 2) + 1;
  const Yh = natRsqrtSmall(c, h, m);
  const F = smallSquareDefect(c, Yh, h, m);
  if (F.magnitude.size <= 2) return natShiftLimbs(Yh, p - h);
  const corr = natHalveOwned(natHighView(m.mul(Yh, natHighView(F.magnitude, 2)), 3 * h - p - 2)).q;
  return natShiftAddLimbs(Yh, p - h, corr, F.negative);
}

/**
 * F = B^2h − c·Y² as a sign and a magnitude, for |F| < B^(h+2) (natRsqrtSmall): Y² modulo B^k − 1 (k >= h + 3, a
 * transform for h + 3 limbs instead of 2h), times c and subtracted from B^2h modulo the same in one pass; checked (magnitude
 * below B^(h+2), B^2h − c·Y² ≡ ±|F| modulo the check prime), else formed from the full square.
 */
function smallSquareDefect(c: number, Y: Nat, h: number, m: Multiplier): { negative: boolean; magnitude: Nat } {
  const g = m.group([], { products: [[Y, Y]], limbs: h + 3 }, 2);
  try {
    const k = g.wrapLimbs;
    const p = CHECK_PRIME;
    const d = wrappedDifference({ power: 2 * h }, g.mulWrapped(Y, Y), k, c, p);
    if (d.magnitude.size <= h + 2) {
      const ry = modLimbs(Y.limbs, Y.size, p);
      const rd = d.residue;
      const lhs = (powMod(BASE, 2 * h, p) - ((((ry * ry) % p) * c) % p) + p) % p;
      if (lhs === (d.negative ? (p - rd) % p : rd)) return { negative: d.negative, magnitude: d.magnitude };
    }
  } finally {
    g.close();
  }
  const cY2 = natMulSmall(m.sqr(Y), c);
  const power = natShiftLimbs(NAT_ONE, 2 * h);
  return natCompare(power, cY2) >= 0
    ? { negative: false, magnitude: natSub(power, cY2) }
    : { negative: true, magnitude: natSub(cY2, power) };
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

/**
 * Radicands of at most this many limbs (256 digits) take their root in BigInt (isqrtBig): below it the Newton
 * machinery's fixed costs (a group, a plan and a few products per level, ~20–30 µs a level) exceed a BigInt root
 * of the whole radicand, with its decimal conversions (measured on Node 20: a 40-digit root 60–80 µs → ~5 µs).
 */
const BIGINT_ROOT_LIMBS = 64;

/**
 * rsqrtFixed's levels of at most this many limbs are one BigInt root (rsqrtBig): a level's products and groups
 * cost ~20–30 µs whatever their size below it, and at 10^6 digits there are about ten such levels under every root.
 * With isqrtBig halving its radicand, rsqrtBig takes ~22 µs at 96 limbs and ~68 µs at 200 (Node 20), where the levels
 * at 64 and 125 limbs cost 50–100 µs each: 128 replaces those two levels by one BigInt root (48 before).
 */
const RSQRT_BIGINT_LIMBS = 128;

/**
 * floor(√x) for a BigInt x >= 0 by Newton's iteration from above: with s >= floor(√x) (s > 0), t = floor((s +
 * floor(x/s))/2) is >= floor(√x) (AM–GM with integer floors) and < s while s > floor(√x), and t >= s once s =
 * floor(√x); so the decreasing sequence stops exactly at floor(√x). The start is above √x and close to it, so that
 * a few steps suffice: up to ISQRT_BIG_DIRECT_BITS bits, from x's top 53 or 54 bits t0 = floor(x/2^e) (e even),
 * √x < √(t0 + 1)·2^(e/2) <= (ceil(√(t0 + 1)) + 1)·2^(e/2) (the +1 covers Math.sqrt's rounding), about 2^−26 relative
 * above √x; beyond, from the root of x's top half, s0 = (floor(√y) + 1)·2^k with y = floor(x/4^k) (k = ⌊bits/4⌋):
 * √x < 2^k·√(y + 1) <= s0 since y + 1 <= (floor(√y) + 1)², and s0 − √x < 2^k·(1 + √(y+1) − √y) <= 2^(k+1), a
 * relative 2^(k+1−bits/2+1) <= 2^(2−bits/4), so two or three full-length steps finish (each step squares the relative
 * error). The Newton steps from 53 bits cost a division of x's full length each (about log2(bits/53) of them);
 * halving the length at each level instead, the full-length divisions are those few (rsqrtBig at 500 limbs:
 * 960 → 250 µs on Node 20).
 */
function isqrtBig(x: bigint): bigint {
  if (x < 2n) return x;
  const bits = x.toString(16).length * 4;
  let s: bigint;
  if (bits <= ISQRT_BIG_DIRECT_BITS) {
    const e = Math.max(0, (bits - 52) & ~1);
    const t0 = Number(x >> BigInt(e));
    s = BigInt(Math.ceil(Math.sqrt(t0 + 1)) + 1) << BigInt(e / 2);
  } else {
    const k = BigInt(Math.floor(bits / 4));
    s = (isqrtBig(x >> (2n * k)) + 1n) << k;
  }
  for (;;) {
    const t = (s + x / s) >> 1n;
    if (t >= s) return s;
    s = t;
  }
}

/** isqrtBig's radicands of at most this many bits start from a double's root; longer ones from their top half's. */
const ISQRT_BIG_DIRECT_BITS = 200;

/**
 * rsqrtFixed's base: Y = floor(B^p/√x'), x' = aT·B^(j−twoN) <= x the value of a's top m = min(L, p + 3) limbs aT
 * (j = L − m low limbs dropped), as isqrtBig(floor(B^(2p + twoN − j)/aT)) (floor(√floor(q)) = floor(√q) for real
 * q >= 0; the exponent is >= 2p since twoN >= L). |Y − B^p/√x| < 1: the floor costs < 1 unit downwards, and x' is
 * below x by a relative ρ < B^(1−m) (x >= B^(L−1−twoN)), which raises B^p/√x by at most B^p/√x·ρ/2·(1 + ρ)
 * <= B^(p+1.5)·B^(1−m)/2·1.01 < 0.01 units for m = p + 3 (x >= B^−3); for m = L the top limbs are all of a (x' = x).
 */
function rsqrtBig(a: Nat, twoN: number, p: number): Nat {
  const L = a.size;
  const j = Math.max(0, L - (p + 3));
  const aT = natToBigInt(natHighView(a, j));
  return natFromBigInt(isqrtBig(10000n ** BigInt(2 * p + twoN - j) / aT));
}

/** floor(√x) for 0 <= x < 2^52: Math.sqrt is within one unit, fixed by exact integer comparisons. */
function isqrtNumber(x: number): number {
  let s = Math.floor(Math.sqrt(x));
  while (s * s > x) s--;
  while ((s + 1) * (s + 1) <= x) s++;
  return s;
}
