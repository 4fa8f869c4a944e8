/**
 * compute — pi to N decimals as ASCII digits: binary splitting (series.ts, its subtrees on several threads:
 * parallel.ts), a truncated last merge, then the kernel's exact square root and division (Newton, kernel/sqrt.ts and
 * kernel/div.ts, with pi's budgeted multiplier) on decimal limbs, and a guard-digit check that proves the
 * truncation to N decimals exact.
 *
 * With M = N + G (G guard digits), we compute
 *     X = floor(426880 · s · Q / T),   s = isqrt(10005 · 10^(2M)),
 * where Q/T is Q(0,n)/T(0,n) from floats with L = M + 20 digits. Error budget for
 * |X − pi·10^M|:
 *   - series truncation: relative < 10^−(M+1) (termsFor), i.e. < 0.32 absolute;
 *   - s ≤ sqrt(10005)·10^M < s + 1: relative < 10^−(M+2), i.e. < 0.04;
 *   - the floats: at most ~10 truncations, each relative < 10^(1−L): < 10^−(M+17) relative;
 *   - the final floor: < 1.
 * So pi·10^M lies strictly inside (X − 2, X + 2). If the G guard digits of X, read as an
 * integer g, satisfy 2 ≤ g ≤ 10^G − 2, that interval does not cross a multiple of 10^G, so
 * floor(pi·10^N) = floor(X / 10^G) exactly: the first N decimals are X's digits 1..N. Otherwise
 * (probability ~4·10^−G) the computation is redone with more guard digits.
 */
import {
  type Nat, natDigitCount, natDivMod, natFromNumber, natIsqrt, natMulSmall, natShiftDecimal, natToDigits,
} from '../../kernel/index.js';
import { ArithmeticCheckError } from '../../errors.js';
import { piMultiplier } from './products.js';
import { type Float, floatAdd, floatMagnitude, floatMul, floatOf, floatTruncate } from './signed.js';
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
 */
function rootQuotient(left: { p: Float; q: Float; t: Float }, right: { q: Float; t: Float }, precision: number): { q: Float; t: Float } {
  // Q1·Q2 and T1·Q2 as floatMul makes them (operands and products truncated to `precision`), sharing Q2's transform
  // where the budget allows (the planner's transform reuse).
  const [q1, q2, t1] = [left.q, right.q, left.t].map((x) => floatTruncate(x, precision)) as [Float, Float, Float];
  const [qm, mainm] = piMultiplier.sumsOfProducts([[[q1.mantissa, q2.mantissa]], [[t1.mantissa, q2.mantissa]]]);
  const q = floatTruncate({ negative: q1.negative !== q2.negative, mantissa: qm!, exponent: q1.exponent + q2.exponent }, precision);
  const main = floatTruncate({ negative: t1.negative !== q2.negative, mantissa: mainm!, exponent: t1.exponent + q2.exponent }, precision);
  const gap = floatMagnitude(main) - floatMagnitude(left.p) - floatMagnitude(right.t);
  const tail = floatMul(left.p, right.t, Math.max(1, precision - gap + 3), piMultiplier);
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
  let { q, t }: { q?: Float; t?: Float } = rootQuotient(
    { p: positive(left.p!), q: positive(left.q), t: positive(left.t) },
    { q: positive(right.q), t: positive(right.t) },
    precision,
  );
  left = right = undefined;
  yield weights.root;
  if (t!.negative) throw new ArithmeticCheckError('pi: the Chudnovsky sum came out negative');

  // X = floor(426880 · s · Qm · 10^eq / (Tm · 10^et)); shift whichever side keeps it integral.
  // s = floor(sqrt(10005)·10^M) = isqrt(10005·10^2M): the radicand's 2M low zeros cost the kernel nothing.
  // Every number is dropped after its last use (at 10^8 digits each is 50–100 MB).
  let s: Nat | undefined = natIsqrt(natShiftDecimal(natFromNumber(10005), 2 * digits), piMultiplier);
  const shift = q!.exponent - t!.exponent;
  let product: Nat | undefined = piMultiplier.mul(natMulSmall(s, 426880), q!.mantissa);
  s = q = undefined;
  let numerator: Nat | undefined = natShiftDecimal(product, Math.max(0, shift));
  product = undefined;
  const denominator = natShiftDecimal(t!.mantissa, Math.max(0, -shift));
  t = undefined;
  const x = natDivMod(numerator, denominator, piMultiplier).q;
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
 * Returns the N decimals (a view on the computed text, after "3").
 */
export function* piDecimals(decimals: number, threads = 1): Generator<number, Uint8Array> {
  for (let guard = GUARD_DIGITS; ; guard += 10) {
    const text = yield* piDigitsWithGuard(decimals, guard, threads);
    if (text[0] !== 51) throw new ArithmeticCheckError('pi: the integer part came out different from 3');
    if (guardIsSafe(text, decimals)) return text.subarray(1, 1 + decimals);
  }
}
