/**
 * compute — pi to N decimals as ASCII digits: binary splitting (series.ts, its subtrees on several threads:
 * parallel.ts), a truncated last merge, then the kernel's approximate reciprocal square root of 10005 and
 * approximate division (Newton, kernel/sqrt.ts natRsqrtSmall and kernel/div.ts natDivApprox, with pi's budgeted
 * multiplier) on decimal limbs, and a guard-digit check that proves the truncation to N decimals exact.
 *
 * With M = N + G (G guard digits), since 426880·√10005 = 426880·10005·y with y = 1/√10005, we compute
 *     Y ≈ B^p·y (B = 10^4, p = ⌈(M + 8)/4⌉ limbs, |Y − B^p·y| < 2: natRsqrtSmall),
 *     N = 426880·10005·Y·Qm,  X ≈ N·10^e / Tm  (natDivApprox, |X − N·10^e/Tm| < 1 + 2·10^−4),
 * where Q/T = Qm·10^eq / (Tm·10^et) is Q(0,n)/T(0,n) from floats with L = M + 20 digits and
 * e = eq − et + M − 4p (for e < 0, N is cut by 10^−e first, when Tm >= 10^3, else Tm is scaled instead).
 * Error budget for |X − pi·10^M|:
 *   - series truncation: relative < 10^−(M+1) (termsFor), i.e. < 0.32 absolute;
 *   - Y: relative < 2/(B^p·y) = 2·√10005/B^p < 201·10^−(M+8), i.e. < 10^−5;
 *   - the floats: at most ~10 truncations, each relative < 10^(1−L): < 10^−(M+17) relative;
 *   - cutting N by 10^−e: the quotient moves by < 1/Tm <= 10^−3;
 *   - the approximate quotient: < 1 + 2·10^−4 (kernel/div.ts natDivApprox: its high half exact, its low half one
 *     Newton estimate from a reciprocal whose error is proven far below what the bound needs).
 * So |X − pi·10^M| < 1.33 and pi·10^M lies strictly inside (X − 2, X + 2). If the G guard digits of X, read as an
 * integer g, satisfy 2 ≤ g ≤ 10^G − 2, that interval does not cross a multiple of 10^G, so
 * floor(pi·10^N) = floor(X / 10^G) exactly: the first N decimals are X's digits 1..N. Otherwise
 * (probability ~4·10^−G) the computation is redone with 10 more guard digits. Every product on the way is
 * residue-checked (the wrapped ones through their differences), so the proof stands on checked arithmetic; the
 * exact square root and exact division this replaced cost ≈ 2.75·M(M) + 2.5·M(M) and a full remainder, against
 * ≈ 4/3·M(M) + 2.2·M(M) here (in transforms; M(M) a product of M-digit numbers), the product N costing M(M) in
 * both. Measured (bench/div --pi-final, one thread, CPU, 2 shared cores at load 6–8): 0.75, 0.72, 0.73 of the exact
 * stage's CPU time at 10^6, 4·10^6, 10^7 digits; at 10^7 the root 0.58 → 0.30 s, the quotient with N's product
 * 0.83 → 0.73 s (the product ≈ 0.26 s of it).
 */
import {
  type Nat, NAT_ZERO, natDigitCount, natDivApprox, natMulSmall, natRsqrtSmall, natShiftDecimal, natToDigits, natTruncDecimal,
} from '../../kernel/index.js';
import { ArithmeticCheckError } from '../../errors.js';
import { piMultiplier } from './products.js';
import { type Float, floatAdd, floatMul, floatOf, floatTruncate } from './signed.js';
import { mergeWeight, type Split, split, splitPoint, subtreeWeight, termsFor } from './series.js';
import { seriesOnThreads } from './parallel.js';

/** Default guard digits beyond the requested decimals. */
export const GUARD_DIGITS = 12;

/** Extra precision of the floats of the last merge beyond M. */
const FLOAT_EXTRA = 20;

/** Work units (same scale as series.ts weights) of the last merge, sqrt + division, digits. */
function finalWeights(terms: number): { root: number; finish: number; digits: number } {
  const w = mergeWeight(terms);
  return { root: w, finish: 4 * w, digits: w / 4 };
}

/** Total work units for M = decimals + guard, for progress reporting. */
export function piWorkTotal(decimals: number, guard = GUARD_DIGITS): number {
  const terms = termsFor(decimals + guard);
  const m = splitPoint(0, terms);
  const f = finalWeights(terms);
  return subtreeWeight(0, m) + subtreeWeight(m, terms) + f.root + f.finish + f.digits;
}

function positive(x: Nat): Float {
  return floatOf({ negative: false, magnitude: x });
}

/**
 * The last merge in truncated floats: Q = Q1·Q2 and T = T1·Q2 + P1·T2 to L digits.
 * P1·T2/(Q1·Q2) is the tail of the series from term m on, smaller than T1·Q2 by about
 * 14.18·m digits, so its operands need only L minus that gap (plus 3 spare) digits for its
 * absolute error to stay below 3·10^−L relative to T.
 *
 * Takes the two halves over and empties them (as series.ts `merge` does), each number dropped once its truncation
 * to L digits (or the tail) is made: at 10^8 decimals the halves' numbers (~340 MB of limbs, Q and T ~1.3–1.6·10^8
 * digits) then never sit beside their truncated copies and the long products. The gap is taken from the operands'
 * lengths before any product (log10|T1·Q2| ≥ log10|T1| + log10|Q2|, so it is at most the gap of the product itself
 * and the tail keeps at least L − gap + 3 digits), which lets the tail come first and P1, T2 go before the two
 * long products.
 */
function rootQuotient(left: Split, right: Split, precision: number): { q: Float; t: Float } {
  const cut = (x: Nat): Float => floatTruncate(positive(x), precision);
  // The tail's precision from the operands' lengths: log10|T1·Q2| >= its operands' magnitudes summed, so this gap is
  // at most the one measured on the product, and the tail gets at least the digits the bound asks for.
  const gap = natDigitCount(left.t) + natDigitCount(right.q) - natDigitCount(left.p!) - natDigitCount(right.t);
  let t1: Float | undefined = cut(left.t);
  let q1: Float | undefined = cut(left.q);
  left.q = left.t = NAT_ZERO;
  let q2: Float | undefined = cut(right.q);
  right.q = NAT_ZERO;
  // The tail first, so that P1 and T2 are dropped before the two long products.
  const tail = floatMul(positive(left.p!), positive(right.t), Math.max(1, precision - gap + 3), piMultiplier);
  left.p = undefined;
  right.t = NAT_ZERO;
  // All positive: the products' exponents are the operands' sums.
  const qExponent = q1.exponent + q2.exponent;
  const mainExponent = t1.exponent + q2.exponent;
  // Q1·Q2 and T1·Q2 as floatMul makes them (operands and products truncated to `precision`), sharing Q2's transform
  // where the budget allows (the planner's transform reuse); else one by one, Q1 and the untruncated Q1·Q2 dropped
  // before T1·Q2.
  const truncated = (mantissa: Nat, exponent: number): Float => floatTruncate({ negative: false, mantissa, exponent }, precision);
  let q: Float;
  let main: Float;
  let sums: Array<Array<[Nat, Nat]>> | undefined = [[[q1.mantissa, q2.mantissa]], [[t1.mantissa, q2.mantissa]]];
  if (piMultiplier.sharesTransforms(sums)) {
    const [qm, mainm] = piMultiplier.sumsOfProducts(sums) as [Nat, Nat];
    q = truncated(qm, qExponent);
    main = truncated(mainm, mainExponent);
  } else {
    sums = undefined;
    q = truncated(piMultiplier.mul(q1.mantissa, q2.mantissa), qExponent);
    q1 = undefined;
    main = truncated(piMultiplier.mul(t1.mantissa, q2.mantissa), mainExponent);
  }
  q1 = t1 = q2 = sums = undefined;
  return { q, t: floatAdd(main, tail, precision) };
}

/**
 * The ASCII digits of X ≈ pi·10^M (M + 1 digits, "3" first), as a generator yielding work units
 * done, so callers can drive it synchronously or with pauses.
 */
function* piDigitsWithGuard(decimals: number, guard: number, threads: number): Generator<number, Uint8Array> {
  const digits = decimals + guard;
  const terms = termsFor(digits);
  const m = splitPoint(0, terms); // even: T(0,m) and T(m,terms) are both positive
  const weights = finalWeights(terms);

  // Locals are dropped as soon as they are used: at 10^8 digits each is tens of MB.
  let [left, right]: Array<Split | undefined> =
    threads > 1 ? yield* seriesOnThreads(m, terms, threads) : [yield* split(0, m, true), yield* split(m, terms, false)];
  const precision = digits + FLOAT_EXTRA;
  let { q, t }: { q?: Float; t?: Float } = rootQuotient(left, right, precision);
  left = right = undefined;
  yield weights.root;
  if (t!.negative) throw new ArithmeticCheckError('pi: the Chudnovsky sum came out negative');

  // X ≈ 426880·10005·Y·Qm·10^e / Tm (see the header). Every number is dropped after its last use (at 10^8 digits
  // each is 50–100 MB).
  const p = Math.ceil((digits + 8) / 4);
  let y: Nat | undefined = natRsqrtSmall(10005, p, piMultiplier);
  // 426880·10005 = 42709344·10^2: one small multiplication (42709344 < 2^26), the 10^2 joins the decimal shift.
  let product: Nat | undefined = piMultiplier.mul(natMulSmall(y, 42_709_344), q!.mantissa);
  const e = q!.exponent - t!.exponent + digits - 4 * p + 2;
  y = q = undefined;
  let denominator: Nat = t!.mantissa;
  t = undefined;
  let numerator: Nat | undefined;
  if (e >= 0) numerator = natShiftDecimal(product, e);
  else if (natDigitCount(denominator) >= 4) numerator = natTruncDecimal(product, -e);
  else {
    numerator = product;
    denominator = natShiftDecimal(denominator, -e);
  }
  product = undefined;
  const x = natDivApprox(numerator, denominator, piMultiplier);
  numerator = undefined;
  yield weights.finish;

  if (natDigitCount(x) !== digits + 1) {
    throw new ArithmeticCheckError(`pi: expected ${digits + 1} digits before truncation, got ${natDigitCount(x)}`);
  }
  const text = natToDigits(x);
  yield weights.digits;
  return text;
}

/** Decimals from which pi computes its series on several threads (below, a thread's start-up, ~50 ms, is not worth it). */
export const THREADED_DECIMALS = 100_000;

/** True when the guard digits text[1+decimals ..] read as g satisfy 2 ≤ g ≤ 10^G − 2 (see the header). */
function guardIsSafe(text: Uint8Array, decimals: number): boolean {
  const guard = text.subarray(1 + decimals);
  let allZero = true;
  let allNine = true;
  for (let i = 0; i < guard.length - 1; i++) {
    if (guard[i] !== 48) allZero = false;
    if (guard[i] !== 57) allNine = false;
  }
  const last = guard[guard.length - 1]!;
  // g < 2 iff all leading guard digits are 0 and the last is 0 or 1; g > 10^G − 2 iff all 9 but the last >= 8.
  if (allZero && last <= 49) return false;
  if (allNine && last >= 56) return false;
  return true;
}

/**
 * Runs the whole computation as a generator of work units: tries GUARD_DIGITS, and in the
 * (astronomically rare) ambiguous case retries with 10 more guard digits each time.
 * Returns the N decimals (a view on the computed text, after "3"). `firstGuard` (tests) starts with fewer guard
 * digits: with one, ambiguity comes 4 times in 10 and the digits stay right only if |X − pi·10^M| < 2 holds.
 */
export function* piDecimals(decimals: number, threads = 1, firstGuard = GUARD_DIGITS): Generator<number, Uint8Array> {
  for (let guard = firstGuard; ; guard += 10) {
    const text = yield* piDigitsWithGuard(decimals, guard, threads);
    if (text[0] !== 51) throw new ArithmeticCheckError('pi: the integer part came out different from 3');
    if (guardIsSafe(text, decimals)) return text.subarray(1, 1 + decimals);
  }
}
