/**
 * sqrt — integer square root, floor(√a), at any size (docs/ARCHITECTURE.md §4).
 *
 * In memory unless the kernel's planner puts a square of a out of core (the kernel's Newton reciprocal square root,
 * kernel/sqrt.ts). Beyond it, the same method on digit files: the reciprocal square root by the division-free Newton
 * iteration y ← y + y·(1 − A·y²)/2 (Brent & Zimmermann, "Modern Computer Arithmetic", §3.5.1), one step per
 * precision level, every product an engine product (in memory or out of core as the planner says), then the root
 * a·y and one exact correction.
 *
 * Notation: a has d digits, N = ⌈d/2⌉ (the root's digits), A_p = floor(a·10^(2p−2N)) (a prefix of a for p ≤ N, a
 * with zeros appended above), so 10^(2p−2) ≤ A_p < 10^(2p). Claim Q(p): Y_p ≈ 10^(2p)/√A_p (p + 1 digits) with
 * ρ_p = 1 − A_p·Y_p²/10^(4p) satisfying |ρ_p| ≤ 4·10^(−p).
 * - Small levels (BUDGET_SHARES.outOfCoreInMemory, divide.ts's `levelInMemory`): Y = isqrt(floor(10^(4p)/A_p)) by the
 *   kernel; Y is within 1.01 of √T, T = 10^(4p)/A_p > 10^(2p), so 0 ≤ ρ < 2.02·10^(−p).
 * - Level p from h = ⌈p/2⌉ + 2 (2h ≥ p + 4): Z = Y_h², u = p − 6, A' = floor(A_p/10^u), F = 10^(p+2h+6) − A'·Z,
 *   F1 = floor(|F|/10^(2h+4)), C = floor(floor(Y_h·F1/10^(h+2))/2), Y_p = Y_h·10^(p−h) ± C (+ when F > 0).
 *   Why: x = A_p·Z/10^(2p+2h) = (1 − ρ_h)(1 + δ) with 0 ≤ δ = A_p/(A_h·10^(2p−2h)) − 1 < 10^(2−2h), so
 *   ε = 1 − x has |ε| < 4.02·10^(−h). The exact step Y*(= Y_h·10^(p−h)·(1 + ε/2)) has ρ* = 3ε²/4 + ε³/4,
 *   |ρ*| < 12.4·10^(−2h) ≤ 0.0013·10^(−p). ε·10^(2p+2h) = F·10^u − low·Z (low = A_p mod 10^u < 10^u), and
 *   Y* − Y_h·10^(p−h) = Y_h·(F·10^u − low·Z)/(2·10^(p+3h)); dropping low·Z costs < 0.001 units (Z < 1.01·10^(2h+2),
 *   Y_h < 1.001·10^(h+1)), dropping F's low 2h + 4 digits < Y_h/(2·10^(h+2)) < 0.051 units, the floors < 1 unit:
 *   |Y_p − Y*| < 1.06, and Y* > 10^p, so |ρ_p| ≤ |ρ*| + 2.13·10^(−p) < 4·10^(−p): Q(p).
 *   Products per level: Y_h² (h digits), A'·Z (p × p) and Y_h·F1 (p/2 × p/2): ≈ 1.83·M(p), ≈ 3.7·M(N) for all levels.
 * - Root: Y = Y_(N+2) (so a·Y/10^(2N+2) = √a·√(1 − ρ), within 0.51·4·10^(−N−2)·10^N < 0.021 of √a), a_t = floor(a /
 *   10^(N−3)), s̃ = floor(a_t·Y/10^(N+5)): dropping a's low digits costs < 10^(N−3)·1.001·10^(N+3)/10^(2N+2) ≈ 0.01,
 *   so s̃ ∈ {s − 1, s, s + 1} for s = floor(√a). One square s̃² compared with a (and s̃² + 2s̃ + 1, streamed) picks s;
 *   a second step either way would be a fault and throws ArithmeticCheckError.
 * Cost in M(N) (one N × N product, N the root's digits): ≈ 3.7 (reciprocal square root) + 1 (a_t·Y) + 0.7 (the
 * square) ≈ 5.4·M(N). Heron's iteration with a Newton division per level (divide.ts) would be ≈ 7·M(N): a 3M/M
 * division per level (≈ 3.1·M(N) at the top, halving) plus the same final square.
 */
import { ArithmeticCheckError, InvalidArgumentError } from '../errors.js';
import { Multiplier, NAT_ONE, budgetFor, natDivMod, natIsqrt, natShiftDecimal, natToDigits } from '../kernel/index.js';
import type { NumberLike, StreamNumber } from '../number.js';
import { plannedOutOfCore } from './arithmetic.js';
import { describeOperand, ensureResultFits, progressReporter, throwIfCancelled, withOperands, type OperationOptions } from './context.js';
import { addSigned, compareMagnitudes, divSmallMagnitude, shiftDecimal, truncateDecimal } from './linear.js';
import { loadNat } from './load.js';
import { Held, levelInMemory, magnitudeProduct, powerOfTen } from './outofcore/divide.js';
import { writeDigitsResult, writeNatResult } from './result.js';

/**
 * ⌊√a⌋ for a ≥ 0: Newton's reciprocal square root, in memory (kernel/sqrt.ts) or, beyond the memory budget, on
 * digit files (one Newton step per precision level); exact whatever the size (s² ≤ a < (s+1)² is checked).
 * @throws {InvalidArgumentError} a is negative
 * @throws {InvalidNumberError} the operand is not an integer
 * @throws {ResultTooLargeError} the root and its intermediates cannot fit the free disk
 * @throws {CancelledError} `options.signal` was aborted
 * @throws {ArithmeticCheckError} the estimate was off by more than the proven one unit (a fault)
 * @example
 * using s = await isqrt(10n ** 40n + 1n);
 * s.toString(); // '100000000000000000000'
 */
export async function isqrt(a: NumberLike, options: OperationOptions = {}): Promise<StreamNumber> {
  return withOperands([a], async ([x]) => {
    if (x!.isNegative) {
      throw new InvalidArgumentError(`isqrt: ${describeOperand(x!)} is negative; the square root of a negative number is not an integer`);
    }
    const d = x!.digitCount;
    if (!plannedOutOfCore(d, d)) {
      ensureResultFits('isqrt', Math.ceil(d / 2));
      throwIfCancelled(options, 'isqrt');
      return writeDigitsResult(false, natToDigits(natIsqrt(await loadNat(x!))));
    }
    // The root beside the top level's A', Z, their product and F, then a_t·Y and the square.
    ensureResultFits('isqrt', Math.ceil(d / 2), 4 * d);
    return isqrtOutOfCore(x!, options);
  });
}

/** The precisions of the reciprocal square root's levels, top first (the last one runs in memory). */
function levels(top: number): number[] {
  const list = [top];
  while (!levelInMemory(list[list.length - 1]!)) list.push(Math.ceil(list[list.length - 1]! / 2) + 2);
  return list;
}

/** What the levels share: a, N, the inner operations' options (the caller's signal only) and progress. */
interface Work {
  readonly a: StreamNumber;
  readonly N: number;
  readonly inner: OperationOptions;
  advance(units: number): void;
}

async function isqrtOutOfCore(a: StreamNumber, options: OperationOptions): Promise<StreamNumber> {
  const N = Math.ceil(a.digitCount / 2);
  const plan = levels(N + 2);
  const report = progressReporter(options, plan.reduce((sum, p) => sum + p, 0) + 2 * N);
  let done = 0;
  const work: Work = { a, N, inner: { signal: options.signal }, advance: (units) => report((done += units)) };
  const held = new Held();
  try {
    const Y = held.add(await reciprocalRoot(N + 2, work));
    const top = held.add(await scaled(a, 3 - N, work.inner));
    const product = held.add(await magnitudeProduct(top, Y, work.inner));
    const estimate = await truncateDecimal(product, N + 5, work.inner);
    held.free();
    const root = await exactRoot(a, estimate, work.inner);
    work.advance(2 * N);
    return root;
  } finally {
    held.free();
  }
}

/** floor(x·10^e) for either sign of e (append zeros or keep a prefix). */
function scaled(x: StreamNumber, e: number, options: OperationOptions): Promise<StreamNumber> {
  return e >= 0 ? shiftDecimal(x, e, options) : truncateDecimal(x, -e, options);
}

/** Y_p of the header's claim Q(p). */
async function reciprocalRoot(p: number, work: Work): Promise<StreamNumber> {
  throwIfCancelled(work.inner, 'isqrt');
  const { a, N, inner } = work;
  if (levelInMemory(p)) {
    const kernel = new Multiplier({ budget: budgetFor('outOfCoreInMemory') });
    const Ap = await scaled(a, 2 * p - 2 * N, inner);
    let T;
    try {
      T = natDivMod(natShiftDecimal(NAT_ONE, 4 * p), await loadNat(Ap), kernel).q;
    } finally {
      Ap.free();
    }
    const Y = await writeNatResult(false, natIsqrt(T, kernel));
    work.advance(p);
    return Y;
  }
  const h = Math.ceil(p / 2) + 2;
  const held = new Held();
  try {
    const Yh = held.add(await reciprocalRoot(h, work));
    const Z = held.add(await magnitudeProduct(Yh, Yh, inner));
    const Ap = held.add(await scaled(a, p + 6 - 2 * N, inner)); // A' = floor(A_p / 10^(p−6))
    const P = held.add(await magnitudeProduct(Ap, Z, inner));
    const power = held.add(await powerOfTen(p + 2 * h + 6, inner));
    const F = held.add(await addSigned(power, P, true, inner));
    const F1 = held.add(await truncateDecimal(F, 2 * h + 4, inner));
    const YF = held.add(await magnitudeProduct(Yh, F1, inner));
    const C2 = held.add(await truncateDecimal(YF, h + 2, inner));
    const C = held.add((await divSmallMagnitude(C2, 2, false, inner)).quotient);
    const Y = held.add(await shiftDecimal(Yh, p - h, inner));
    const Yp = await addSigned(Y, C, F.sign < 0, inner);
    work.advance(p);
    return Yp;
  } finally {
    held.free();
  }
}

/**
 * floor(√a) from s̃ ∈ {s − 1, s, s + 1}: one square, then the neighbours streamed ((s̃ ± 1)² = s̃² ± (2s̃ ± 1));
 * takes ownership of `estimate`.
 */
async function exactRoot(a: StreamNumber, estimate: StreamNumber, options: OperationOptions): Promise<StreamNumber> {
  const held = new Held();
  let owned = true;
  const step = async (k: number): Promise<StreamNumber> => {
    const root = await plus(estimate, k, options);
    estimate.free();
    owned = false;
    return root;
  };
  try {
    const square = held.add(await magnitudeProduct(estimate, estimate, options));
    const twice = held.add(await addSigned(estimate, estimate, false, options));
    if ((await compareMagnitudes(square, a, options)).order > 0) {
      // s̃ = s + 1; s̃ − 1 is right exactly when (s̃ − 1)² = s̃² − (2s̃ − 1) ≤ a.
      const below = held.add(await addSigned(square, held.add(await plus(twice, -1, options)), true, options));
      if ((await compareMagnitudes(below, a, options)).order > 0) throw fault();
      return await step(-1);
    }
    const gap = held.add(await plus(twice, 1, options));
    const above = held.add(await addSigned(square, gap, false, options)); // (s̃ + 1)²
    if ((await compareMagnitudes(above, a, options)).order > 0) {
      owned = false;
      return estimate;
    }
    // s̃ = s − 1; s̃ + 1 is right exactly when (s̃ + 2)² = (s̃ + 1)² + (2s̃ + 3) > a.
    const beyond = held.add(await addSigned(above, held.add(await plus(gap, 2, options)), false, options));
    if ((await compareMagnitudes(beyond, a, options)).order <= 0) throw fault();
    return await step(1);
  } finally {
    held.free();
    if (owned) estimate.free();
  }
}

function fault(): ArithmeticCheckError {
  return new ArithmeticCheckError('isqrt: the Newton estimate was off by more than one (proven bound: one); a hardware or kernel fault');
}

/** x + k for a small signed k. */
function plus(x: StreamNumber, k: number, options: OperationOptions): Promise<StreamNumber> {
  return withOperands([k], ([value]) => addSigned(x, value!, false, options));
}
