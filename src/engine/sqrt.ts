/**
 * sqrt — integer square root, floor(√a), at any size (docs/ARCHITECTURE.md §4).
 *
 * In memory unless the kernel's planner puts a square of a out of core (the kernel's Newton reciprocal square root,
 * kernel/sqrt.ts). Beyond it, by precision doubling on StreamNumbers with one Heron (Newton) step per level, each
 * step one division by the out-of-core Newton division (outofcore/divide.ts), and one exact correction at the end.
 *
 * Level (d digits, k = ⌊d/4⌋ − 1): H = floor(a/10^(2k)) (a prefix of d − 2k ≈ d/2 + 2 digits), y = the level
 * below's root of H, with floor(√H) ≤ y ≤ floor(√H) + 1 (claim S), x0 = (y + 1)·10^k and
 * x1 = floor((x0 + floor(a/x0))/2), where floor(a/x0) = floor(floor(a/10^k)/(y + 1)) (a 3M/M division, M = d/4,
 * instead of a 2M/M one with x0's zeros). Why x1 satisfies S for a:
 * - x1 ≥ floor(√a) for any x0 > 0 (AM–GM: x0 + floor(a/x0) = floor(x0 + a/x0) ≥ floor(2√a) ≥ 2·floor(√a)).
 * - a < (H + 1)·10^(2k), so √a < √(H+1)·10^k ≤ (y + 1)·10^k = x0, and x0 − √a ≤ (y + 1 − √H)·10^k ≤ 2·10^k.
 *   Heron's step leaves x1 − √a ≤ (x0 − √a)²/(2·x0) ≤ 4·10^(2k)/(2√a) ≤ 2·10^(2k − (d−1)/2) ≤ 2·10^(−1.5) < 0.07
 *   (√a ≥ 10^((d−1)/2) and 2k ≤ d/2 − 2), so x1 < floor(√a) + 1.07: x1 ≤ floor(√a) + 1.
 * The lowest level (a radicand whose root's products fit BUDGET_SHARES.outOfCoreInMemory, divide.ts's
 * `levelInMemory`) is exact (the kernel's root), so S holds at every level. At the top, s² is compared with a (one
 * square): s² > a means s = floor(√a) + 1, and s − 1 is the answer; s² ≤ a < (s+1)² is then exact (a second step
 * down would be a fault and throws ArithmeticCheckError).
 *
 * Cost, in M(N) = one N × N product, N = d/2 the root's digits: the top level's 3M/M division (M = N/2, three
 * quotient chunks) is ≈ 3.1·M(N) by the division's cost model (divide.ts), the levels halve, so ≈ 6.2·M(N), plus
 * the final square ≈ 0.7·M(N): ≈ 7·M(N). The division-free reciprocal square root iteration on files
 * (y ← y + y(1 − A·y²)/2, then a·y) models at ≈ 5.4·M(N) (1.83·M(p) per level, a·y and the square) but was
 * measured slower, because its products are fewer and larger (N × N at the top, where Heron's are N/2 × N), so
 * more of them leave memory: isqrt of 8·10^7 digits at 1 GiB, 9.1–9.5 s CPU (Heron) against 10.6–10.9 s; of
 * 2·10^8 digits, 36.7 s against 62.5 s (same machine, same run, 2 loaded cores). Heron's step is what runs.
 */
import { ArithmeticCheckError, InvalidArgumentError } from '../errors.js';
import { Multiplier, budgetFor, natIsqrt, natToDigits } from '../kernel/index.js';
import type { NumberLike, StreamNumber } from '../number.js';
import { add, divmod, mul, plannedOutOfCore, sub } from './arithmetic.js';
import { describeOperand, ensureResultFits, progressReporter, throwIfCancelled, withOperands, type OperationOptions } from './context.js';
import { compareMagnitudes, divSmallMagnitude, shiftDecimal, truncateDecimal } from './linear.js';
import { loadNat } from './load.js';
import { Held, levelInMemory } from './outofcore/divide.js';
import { productScratchBytes } from './outofcore/multiply.js';
import { writeDigitsResult, writeNatResult } from './result.js';

/**
 * ⌊√a⌋ for a ≥ 0: Newton's reciprocal square root in memory (kernel/sqrt.ts), an out-of-core route beyond the
 * memory budget (one Heron step per precision level on files); exact whatever the size (s² ≤ a < (s+1)² is checked).
 * @throws {InvalidArgumentError} a is negative
 * @throws {InvalidNumberError} the operand is not an integer
 * @throws {ResultTooLargeError} the root and its intermediates cannot fit the free disk
 * @throws {CancelledError} `options.signal` was aborted
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
    // The root, the top level's truncations, quotient and sum, the final square beside it, and that square's scratch
    // when it runs out of core (the largest product; the top level's division checks its own when it starts).
    const N = Math.ceil(d / 2);
    ensureResultFits('isqrt', N, 4 * d + (plannedOutOfCore(N, N) ? productScratchBytes(N, undefined) : 0));
    return isqrtOutOfCore(x!, options);
  });
}

/** Whether the level of a d-digit radicand runs in memory (its root's products fit the outOfCoreInMemory share). */
function radicandInMemory(d: number): boolean {
  return levelInMemory(Math.ceil(d / 2));
}

/** The digit counts of the levels, top first; the last one runs in memory. */
function levelDigits(d: number): number[] {
  const levels = [d];
  for (let n = d; !radicandInMemory(n); ) levels.push((n = n - 2 * (Math.floor(n / 4) - 1)));
  return levels;
}

/** The phases isqrt reports to `onProgress` out of core: the Newton levels (weighted by digits), the final square. */
type SqrtPhase = 'newton' | 'correction';

async function isqrtOutOfCore(a: StreamNumber, options: OperationOptions): Promise<StreamNumber> {
  const inner: OperationOptions = { signal: options.signal };
  const levels = levelDigits(a.digitCount);
  const total = levels.reduce((sum, d) => sum + d, 0) + a.digitCount; // the levels, then the final square
  const report = progressReporter(options, total);
  let done = 0;
  const advance = (units: number, phase: SqrtPhase): void => report((done += units), phase);
  const s = await rootWithinOne(a, inner, advance);
  return exactRoot(a, s, inner, advance);
}

/** x with floor(√a) ≤ x ≤ floor(√a) + 1 (the header's claim S). */
async function rootWithinOne(a: StreamNumber, options: OperationOptions, advance: (units: number, phase: SqrtPhase) => void): Promise<StreamNumber> {
  throwIfCancelled(options, 'isqrt');
  const d = a.digitCount;
  if (radicandInMemory(d)) {
    const kernel = new Multiplier({ budget: budgetFor('outOfCoreInMemory') });
    const root = await writeNatResult(false, natIsqrt(await loadNat(a), kernel));
    advance(d, 'newton');
    return root;
  }
  const k = Math.floor(d / 4) - 1;
  const held = new Held();
  try {
    const high = held.add(await truncateDecimal(a, 2 * k, options));
    const y = held.add(await rootWithinOne(high, options, advance));
    const y1 = held.add(await add(y, 1, options));
    const top = held.add(await truncateDecimal(a, k, options));
    const [q, r] = await divmod(top, y1, options); // floor(a / x0) = floor(floor(a/10^k) / (y + 1))
    held.add(q);
    held.add(r);
    const x0 = held.add(await shiftDecimal(y1, k, options));
    const sum = held.add(await add(x0, q, options));
    const x1 = (await divSmallMagnitude(sum, 2, false, options)).quotient;
    advance(d, 'newton');
    return x1;
  } finally {
    held.free();
  }
}

/** floor(√a) from s ∈ {floor(√a), floor(√a) + 1}: one square and a comparison; frees s when it steps down. */
async function exactRoot(a: StreamNumber, s: StreamNumber, options: OperationOptions, advance: (units: number, phase: SqrtPhase) => void): Promise<StreamNumber> {
  let root = s;
  try {
    throwIfCancelled(options, 'isqrt');
    const square = await mul(root, root, options);
    try {
      if ((await compareMagnitudes(square, a, options)).order > 0) {
        // (s − 1)² = s² − (2s − 1): two streaming passes instead of a second square, to check the proven bound.
        const lower = await sub(root, 1, options);
        const twiceLess = await add(root, lower, options);
        root.free();
        root = lower;
        const lowerSquare = await sub(square, twiceLess, options);
        twiceLess.free();
        const over = (await compareMagnitudes(lowerSquare, a, options)).order > 0;
        lowerSquare.free();
        if (over) throw new ArithmeticCheckError('isqrt: the Newton estimate was off by more than one (proven bound: one); a hardware or kernel fault');
      }
    } finally {
      square.free();
    }
    advance(a.digitCount, 'correction');
    return root;
  } catch (error) {
    root.free();
    throw error;
  }
}
