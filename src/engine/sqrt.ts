/**
 * sqrt — integer square root, floor(sqrt(n)), at any size.
 *
 * In memory unless the kernel's planner puts a square of n out of core (the kernel's Newton). Beyond it, by
 * precision doubling on StreamNumbers (Zimmermann's "Karatsuba square root" idea in its plain
 * Newton form): with d digits and k = floor(d/4), let y = isqrt(floor(n / 10^(2k))), computed
 * recursively on the leading half. Then sqrt(n) < sqrt(floor(n/10^(2k)) + 1) · 10^k <= (y+1) · 10^k,
 * so x0 = (y+1)·10^k is an upper bound that is already right to about half its digits. Newton
 * from above, x ← floor((x + floor(n/x)) / 2), decreases strictly while x > floor(sqrt(n)) and
 * stops at it; two or three full-size (out-of-core) divisions finish the job, so the total is a
 * few times the cost of one division.
 */
import { InvalidArgumentError } from '../errors.js';
import { natIsqrt, natToDigits } from '../kernel/index.js';
import type { NumberLike, StreamNumber } from '../number.js';
import { add, divmod, loadNat, plannedOutOfCore } from './arithmetic.js';
import { describeOperand, ensureResultFits, throwIfCancelled, withOperands, type OperationOptions } from './context.js';
import { compareMagnitudes, divSmallMagnitude, shiftDecimal, truncateDecimal } from './linear.js';
import { writeDigitsResult } from './result.js';

/**
 * ⌊√a⌋ for a ≥ 0: Newton's reciprocal square root in memory (kernel/sqrt.ts), an out-of-core route beyond the
 * memory budget; exact whatever the size (s² ≤ a < (s+1)² is checked).
 * @throws {InvalidArgumentError} a is negative
 * @throws {InvalidNumberError} the operand is not an integer
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
    ensureResultFits('isqrt', Math.ceil(x!.digitCount / 2));
    return isqrtOf(x!, options);
  });
}

async function isqrtOf(n: StreamNumber, options: OperationOptions): Promise<StreamNumber> {
  throwIfCancelled(options, 'isqrt');
  if (!plannedOutOfCore(n.digitCount, n.digitCount)) {
    return writeDigitsResult(false, natToDigits(natIsqrt(await loadNat(n))));
  }
  const k = Math.floor(n.digitCount / 4);
  const high = await truncateDecimal(n, 2 * k, options);
  let x = await startingPoint(high, k, options);
  for (;;) {
    const next = await newtonStep(n, x, options);
    if ((await compareMagnitudes(next, x)).order >= 0) {
      next.free();
      return x;
    }
    x.free();
    x = next;
  }
}

/** (isqrt(high) + 1) · 10^k, an upper bound of sqrt(n); frees `high`. */
async function startingPoint(high: StreamNumber, k: number, options: OperationOptions): Promise<StreamNumber> {
  let root: StreamNumber;
  try {
    root = await isqrtOf(high, options);
  } finally {
    high.free();
  }
  const above = await add(root, 1, options);
  root.free();
  try {
    return await shiftDecimal(above, k, options);
  } finally {
    above.free();
  }
}

/** floor((x + floor(n / x)) / 2). */
async function newtonStep(n: StreamNumber, x: StreamNumber, options: OperationOptions): Promise<StreamNumber> {
  const [q, r] = await divmod(n, x, options);
  r.free();
  const sum = await add(x, q, options);
  q.free();
  try {
    return (await divSmallMagnitude(sum, 2, false, options)).quotient;
  } finally {
    sum.free();
  }
}
