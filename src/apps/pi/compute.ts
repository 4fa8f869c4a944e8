/**
 * compute — pi to N decimals as ASCII digits: binary splitting (series.ts, its subtrees on several threads:
 * parallel.ts), a truncated last merge divided by Q2 (rootQuotient), then the kernel's approximate reciprocal square root of 10005 and
 * approximate division (Newton, kernel/sqrt.ts natRsqrtSmall and kernel/div.ts natDivApprox, with pi's budgeted
 * multiplier) on decimal limbs, and a guard-digit check that proves the truncation to N decimals exact.
 *
 * With M = N + G (G guard digits), since 426880·√10005 = 426880·10005·y with y = 1/√10005, we compute
 *     Y ≈ B^p·y (B = 10^4, p = ⌈(M + 8)/4⌉ limbs, |Y − B^p·y| < 2: natRsqrtSmall),
 *     N = 426880·10005·Y·Qm,  X ≈ N·10^e / Tm  (natDivApprox, |X − N·10^e/Tm| < 1 + 2·10^−4),
 * where Q/T = Qm·10^eq / (Tm·10^et) is Q(0,n)/T(0,n) from floats with L = M + 20 digits and
 * e = eq − et + M − 4p (for e < 0, Tm is scaled by 10^−e instead, so the division's inputs are exact).
 * Error budget for |X − pi·10^M|:
 *   - series truncation: relative < 10^−(M+1) (termsFor), i.e. < 0.32 absolute;
 *   - Y: relative < 2/(B^p·y) = 2·√10005/B^p < 201·10^−(M+8), i.e. < 10^−5;
 *   - the floats: at most ~10 truncations, each relative < 10^(1−L) (rootQuotient's tail and its quotient by Q2
 *     together < 3.3·10^−L), so < 10^−(M+17) relative;
 *   - the approximate quotient: < 1 + 2·10^−4 (kernel/div.ts natDivApprox: its high half exact, its low half one
 *     Newton estimate from a reciprocal whose error is proven far below what the bound needs).
 * So |X − pi·10^M| < 1.33 and pi·10^M lies strictly inside (X − 2, X + 2). If the G guard digits of X, read as an
 * integer g, satisfy 2 ≤ g ≤ 10^G − 2, that interval does not cross a multiple of 10^G, so
 * floor(pi·10^N) = floor(X / 10^G) exactly: the first N decimals are X's digits 1..N. Otherwise
 * (probability ~4·10^−G) the computation is redone with 10 more guard digits. Every product on the way is
 * residue-checked (the wrapped ones through their differences) or only guides an exact, checked step (the
 * division's high-chunk estimate, a high product without a residue: that chunk's remainder is a checked wrapped
 * difference, kernel/div.ts quotientChunk), so the proof stands on checked arithmetic; the
 * exact square root and exact division this replaced cost ≈ 2.75·M(M) + 2.5·M(M) and a full remainder, against
 * ≈ 4/3·M(M) + 2.2·M(M) here (in transforms; M(M) a product of M-digit numbers), the product N costing M(M) in
 * both. Measured (bench/div --pi-final, one thread, CPU, 2 shared cores at load 6–8): 0.75, 0.72, 0.73 of the exact
 * stage's CPU time at 10^6, 4·10^6, 10^7 digits; at 10^7 the root 0.58 → 0.30 s, the quotient with N's product
 * 0.83 → 0.73 s (the product ≈ 0.26 s of it).
 */
import {
  type Nat, NAT_ZERO, natDigitCount, natIsZero, natDivApprox, natMulSmall, natRsqrtSmall, natShiftDecimal, natToDigits,
  natDigitPieces, natLowDigits, natToBigInt, natToNumber, natTruncDecimal,
} from '../../kernel/index.js';
import { ArithmeticCheckError } from '../../errors.js';
import { largeStep, piMultiplier } from './products.js';
import { type Float, floatAdd, floatMul, floatOf, floatTruncate } from './signed.js';
import { mergeWeight, type Split, split, splitPoint, subtreeWeight, termsFor } from './series.js';
import { type PendingRoot, seriesOnThreads } from './parallel.js';

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

/** Digits the tail P1·T2 and the quotient by Q2 keep beyond L minus the tail's gap (rootQuotient's bound). */
const TAIL_SPARE = 3;

/**
 * The last merge in truncated floats, divided by Q2: Q/T = Q1·Q2 / (T1·Q2 + P1·T2) = Q1 / (T1 + U) with
 * U = P1·T2/Q2, so it returns q = Q1 and t = T1 + U to L digits, and the two long products Q1·Q2 and T1·Q2 (at 10^8
 * decimals each 10^8 × 10^8 digits, budget-split into nine products, with a 2·10^8-digit result) are never formed.
 * U is the tail of the series from term m on, smaller than T1 by the gap g = d(T1) + d(Q2) − d(P1) − d(T2) digits
 * (d = digit count; taken from the lengths, so the tail comes first): with ℓ = L − g + TAIL_SPARE, P1·T2 is formed
 * by floatMul to ℓ digits, Q2 truncated to ℓ + 1, and U is their quotient (natDivApprox) shifted to at least ℓ + 1
 * digits: a division of about L digits by L/2 (g ≈ L/2, the terms' ratio being ~10^−14.18 per term and m half the
 * terms), cheaper than either long product.
 *
 * Error of U (all relative, ℓ >= 1): P1, T2 and their product truncated to >= ℓ digits, < 3·10^(1−ℓ); Q2 to >= ℓ + 1
 * digits, < 10^−ℓ; the quotient q' of a = tail·10^s by b, with a/b >= 10^ℓ by the choice of s and
 * |q' − a/b| < 1 + 2·10^−4 (natDivApprox), < 1.0002·10^−ℓ. In all < 3.3·10^(1−ℓ). And U < 10^(2−g)·T1, since
 * P1·T2 < 10^(d(P1)+d(T2)), Q2 >= 10^(d(Q2)−1), T1 >= 10^(d(T1)−1). So U's absolute error is
 * < 3.3·10^(3−g−ℓ)·T1 = 3.3·10^−L·T1 < 3.3·10^−L·T: one more term of at most 10^(1−L) in the header's "~10
 * truncations" (the others here: Q1 and T1 cut to L, floatAdd's drops and its truncation).
 *
 * Takes the two halves over and empties them (as series.ts `merge` does), each number dropped once used: at 10^8
 * decimals the halves hold ~340 MB of limbs (Q and T ~1.3–1.6·10^8 digits); the largest product left is the tail's
 * (~L/2 digits), and Q1, T1 are only cut to L digits, at the end. q is undefined when left.q was taken already (a
 * subtree thread forms the product of Q1's cut: parallel.ts, the side root's product).
 */
function rootQuotient(left: Split, right: Split, precision: number): { q: Float | undefined; t: Float } {
  const cut = (x: Nat): Float => floatTruncate(positive(x), precision);
  const gap = natDigitCount(left.t) + natDigitCount(right.q) - natDigitCount(left.p!) - natDigitCount(right.t);
  const tailPrecision = Math.max(1, precision - gap + TAIL_SPARE);
  let tail: Float | undefined = floatMul(positive(left.p!), positive(right.t), tailPrecision, piMultiplier);
  left.p = undefined;
  right.t = NAT_ZERO;
  let q2: Float | undefined = floatTruncate(positive(right.q), tailPrecision + 1);
  right.q = NAT_ZERO;
  // a = tail·10^s with d(a) − d(b) >= ℓ + 1, so a/b >= 10^ℓ (s a whole number of limbs: the shift is a copy).
  const s = 4 * Math.ceil(Math.max(0, tailPrecision + 1 + natDigitCount(q2.mantissa) - natDigitCount(tail.mantissa)) / 4);
  const u: Float = {
    negative: false,
    mantissa: natDivApprox(natShiftDecimal(tail.mantissa, s), q2.mantissa, piMultiplier),
    exponent: tail.exponent - q2.exponent - s,
  };
  tail = q2 = undefined;
  const t1 = cut(left.t);
  left.t = NAT_ZERO;
  const t = floatAdd(t1, u, precision);
  const q = left.q === NAT_ZERO ? undefined : cut(left.q);
  left.q = NAT_ZERO;
  return { q, t };
}

/**
 * X ≈ pi·10^M (M + 1 digits, 3 first), as a generator yielding work units done, so callers can drive it
 * synchronously or with pauses.
 */
function* piDigitsWithGuard(decimals: number, guard: number, threads: number): Generator<number, Nat> {
  const digits = decimals + guard;
  const terms = termsFor(digits);
  const m = splitPoint(0, terms); // even: T(0,m) and T(m,terms) are both positive
  const p = Math.ceil((digits + 8) / 4);
  // Y ≈ B^p/√10005 does not depend on the series: on several threads, a thread left without a leaf computes it
  // while this one finishes (parallel.ts, the side root), and it is taken after the root merge; where that thread
  // computed the left half, it also forms the product N = Y·⌊Q1⌋·42709344 (finalSteps) from its own Q1.
  let pendingRoot: PendingRoot | undefined;
  try {
    // Locals are dropped as soon as they are used: at 10^8 digits each is tens of MB.
    let left: Split | undefined;
    let right: Split | undefined;
    const side = { c: 10005, limbs: p, times: { precision: digits + FLOAT_EXTRA, factor: N_FACTOR } };
    if (threads > 1) [left, right, pendingRoot] = yield* seriesOnThreads(m, terms, threads, side);
    else [left, right] = [yield* split(0, m, true), yield* split(m, terms, false)];
    return yield* finalSteps(left, right, digits, p, pendingRoot);
  } finally {
    pendingRoot?.stop();
  }
}

/** 426880·10005 = 42709344·10^2: Qm's factor in N, the 10^2 joining the exponent e (finalSteps). */
const N_FACTOR = 42_709_344;

/**
 * From the series' two halves (taken over) to X (see piDigitsWithGuard): the root merge, the product N (taken from
 * `pendingRoot` when its thread forms it, else from Y, taken from `pendingRoot` or computed here) and the quotient.
 */
function* finalSteps(left: Split, right: Split, digits: number, p: number, pendingRoot: PendingRoot | undefined): Generator<number, Nat> {
  const weights = finalWeights(termsFor(digits));
  const precision = digits + FLOAT_EXTRA;
  // The thread that computed the left half forms N from its own Q1, which it kept (the half came without it).
  if (pendingRoot?.product) left.q = NAT_ZERO;
  else if (natIsZero(left.q)) throw new ArithmeticCheckError('pi: the left half came without Q1 and no thread forms N');
  // The last steps are pi's largest: each a largeStep (products.ts), which frees the FFT's cached tables first.
  let { q, t }: { q?: Float; t?: Float } = largeStep(() => rootQuotient(left, right, precision));
  yield weights.root;
  if (t!.negative) throw new ArithmeticCheckError('pi: the Chudnovsky sum came out negative');

  // X ≈ 426880·10005·Y·Qm·10^e / Tm (see the header). Every number is dropped after its last use (at 10^8 digits
  // each is 50–100 MB), and what the product N and the division do not need is done before them, while pi holds
  // little: Tm takes 10^−e (e < 0: then N itself is the numerator, neither cut nor copied, and the quotient is that
  // of the exact N / (Tm·10^−e)), and Qm takes 42709344 (N_FACTOR), so that no scaled copy of Y sits beside Y during
  // the product. N = Y·Qm·42709344 with Qm's exponent, from the side root's thread or formed here.
  let n: Float | undefined = pendingRoot?.product ? yield* pendingRoot.take() : undefined;
  const e = (n ?? q!).exponent - t!.exponent + digits - 4 * p + 2;
  const denominator: Nat = e < 0 ? natShiftDecimal(t!.mantissa, -e) : t!.mantissa;
  t = undefined;
  if (n === undefined) {
    let scaled: Nat | undefined = natMulSmall(q!.mantissa, N_FACTOR);
    const exponent = q!.exponent;
    q = undefined;
    let y: Nat | undefined = pendingRoot ? (yield* pendingRoot.take()).mantissa : natRsqrtSmall(10005, p, piMultiplier);
    n = { negative: false, mantissa: largeStep(() => piMultiplier.mul(y!, scaled!)), exponent };
    y = scaled = undefined;
  }
  let numerator: Nat | undefined = e > 0 ? natShiftDecimal(n.mantissa, e) : n.mantissa;
  n = undefined;
  const x = largeStep(() => natDivApprox(numerator!, denominator, piMultiplier));
  numerator = undefined;
  yield weights.finish;

  if (natDigitCount(x) !== digits + 1) {
    throw new ArithmeticCheckError(`pi: expected ${digits + 1} digits before truncation, got ${natDigitCount(x)}`);
  }
  return x;
}

/** Decimals from which pi computes its series on several threads (below, a thread's start-up, ~50 ms, is not worth it). */
export const THREADED_DECIMALS = 100_000;

/** True when X's last `guard` digits, read as an integer g, satisfy 2 ≤ g ≤ 10^G − 2 (see the header). */
function guardIsSafe(x: Nat, guard: number): boolean {
  const g = natToBigInt(natLowDigits(x, guard));
  return g >= 2n && g <= 10n ** BigInt(guard) - 2n;
}

/**
 * Runs the whole computation as a generator of work units: tries GUARD_DIGITS, and in the
 * (astronomically rare) ambiguous case retries with 10 more guard digits each time.
 * Returns X, whose digits 1..N (after its leading 3) are the N decimals and which has guard digits beyond them (read
 * them with piDecimalPieces, or piDecimals for the text). `firstGuard` (tests) starts with fewer guard digits: with
 * one, ambiguity comes 4 times in 10 and the digits stay right only if |X − pi·10^M| < 2 holds.
 */
export function* piDecimalsNat(decimals: number, threads = 1, firstGuard = GUARD_DIGITS): Generator<number, Nat> {
  for (let guard = firstGuard; ; guard += 10) {
    const x = yield* piDigitsWithGuard(decimals, guard, threads);
    if (natToNumber(natTruncDecimal(x, decimals + guard)) !== 3) {
      throw new ArithmeticCheckError('pi: the integer part came out different from 3');
    }
    if (guardIsSafe(x, guard)) return x;
  }
}

/**
 * The N decimals of pi as ASCII text (piDecimalsNat, then X's digits in one buffer), as a generator of work units.
 * @example new TextDecoder().decode(run(piDecimals(5))) // '14159' (run: drive the generator to its value)
 */
export function* piDecimals(decimals: number, threads = 1, firstGuard = GUARD_DIGITS): Generator<number, Uint8Array> {
  const x = yield* piDecimalsNat(decimals, threads, firstGuard);
  const text = natToDigits(x);
  yield finalWeights(termsFor(decimals + firstGuard)).digits;
  return text.subarray(1, 1 + decimals);
}

/**
 * The N decimals of X from piDecimalsNat as ASCII pieces of at most `pieceDigits` digits (natDigitPieces: a piece
 * stays valid until the generator is resumed twice), so that a writer never holds the whole text: at 10^8 decimals
 * that text was 100 MB beside the division's dropped numbers at the end of the run. The guard digits are never
 * converted.
 * @example [...piDecimalPieces(x, 5)] // the pieces of '14159' for X = 314159xxxxxxxxxxxx
 */
export function* piDecimalPieces(x: Nat, decimals: number, pieceDigits: number): Generator<Uint8Array, void, void> {
  let skip = 1; // the leading 3
  let left = decimals;
  for (let piece of natDigitPieces(x, pieceDigits)) {
    if (left <= 0) return;
    const s = Math.min(skip, piece.length);
    skip -= s;
    piece = piece.subarray(s, s + Math.min(left, piece.length - s));
    left -= piece.length;
    if (piece.length > 0) yield piece;
  }
}
