/**
 * arithmetic — the public operations on StreamNumbers, with Python's integer semantics:
 * floor division, `mod` takes the divisor's sign, a = q·b + r, pow(a, e) for e >= 0 with
 * 0^0 = 1. Each picks the cheapest correct route: one streaming pass for linear work and
 * small operands, the in-memory kernel when the kernel's product planner (kernel/planner.ts) says the
 * working set fits the memory budget, and the out-of-core routines when it plans the product out of core.
 */
import { DivideByZeroError, InvalidArgumentError, NegativeExponentError } from '../errors.js';
import {
  natDivMod,
  natSub,
  natAdd,
  natFromNumber,
  natIsZero,
  releaseFftCaches,
  type Nat,
} from '../kernel/index.js';
import { StreamNumber, type NumberLike } from '../number.js';
import { parseLiteral } from '../storage/index.js';
import { ensureResultFits, progressReporter, throwIfCancelled, withOperands, type OperationOptions } from './context.js';
import { STREAMING_FACTOR_LIMIT, addSigned, compareMagnitudes, compareNumbers, copyWithSign, divSmallMagnitude, mulSmall } from './linear.js';
import { writeDigitsResult, writeNatResult } from './result.js';
import {
  divisionMultiplier, divisionPlannedOutOfCore, divmodOutOfCore, mulInMemory, mulOutOfCore, planFileProduct, plannedOutOfCore, powOutOfCore,
  powerMultiplier, powerPlannedOutOfCore,
} from './outofcore/index.js';
import { trivialPower } from './power-edges.js';
import { loadNat } from './load.js';

export type { OperationOptions } from './context.js';

const ZERO_DIGITS = Buffer.from('0');

/** The value of a StreamNumber with at most 8 digits, else undefined. */
function smallMagnitude(x: StreamNumber): number | undefined {
  if (x.digitCount > 8) return undefined;
  const value = Number(x.toString().replace('-', ''));
  return value <= STREAMING_FACTOR_LIMIT ? value : undefined;
}

export { loadNat } from './load.js';
export { plannedOutOfCore, divisionPlannedOutOfCore, powerPlannedOutOfCore };

/**
 * a + b, streamed in one pass over the digits (O(chunk) memory whatever the size).
 * @param a - a StreamNumber, bigint, safe integer or decimal literal
 * @param b - likewise
 * @param options - `signal` cancels (no file and no row are left), `onProgress(done, total)` reports digits
 * @returns a new tracked StreamNumber; free it (or `using`) when done
 * @throws {InvalidNumberError} an operand is not an integer (names the file or literal and the byte offset)
 * @throws {ResultTooLargeError} the result cannot fit the free disk or `MATHSTREAM_MAX_DIGITS`
 * @throws {CancelledError} `options.signal` was aborted
 * @example
 * using s = await add('123456789012345678901234567890', 1n);
 * s.toString(); // '123456789012345678901234567891'
 */
export async function add(a: NumberLike, b: NumberLike, options: OperationOptions = {}): Promise<StreamNumber> {
  return withOperands([a, b], ([x, y]) => addSigned(x!, y!, false, options));
}

/**
 * a − b, streamed in one pass over the digits (O(chunk) memory whatever the size).
 * @throws {InvalidNumberError} an operand is not an integer
 * @throws {ResultTooLargeError} the result cannot fit the free disk or `MATHSTREAM_MAX_DIGITS`
 * @throws {CancelledError} `options.signal` was aborted
 * @example
 * using d = await sub(10n ** 30n, 1);
 * d.toString(); // '999999999999999999999999999999'
 */
export async function sub(a: NumberLike, b: NumberLike, options: OperationOptions = {}): Promise<StreamNumber> {
  return withOperands([a, b], ([x, y]) => addSigned(x!, y!, true, options));
}

/**
 * −a, as a new file (one streaming copy).
 * @throws {InvalidNumberError} the operand is not an integer
 * @throws {CancelledError} `options.signal` was aborted
 * @example
 * using m = await neg('42');
 * m.toString(); // '-42'
 */
export async function neg(a: NumberLike, options: OperationOptions = {}): Promise<StreamNumber> {
  return withOperands([a], ([x]) => copyWithSign(x!, !x!.isNegative, options));
}

/**
 * |a|, as a new file (one streaming copy).
 * @throws {InvalidNumberError} the operand is not an integer
 * @throws {CancelledError} `options.signal` was aborted
 * @example
 * using m = await abs(-42);
 * m.toString(); // '42'
 */
export async function abs(a: NumberLike, options: OperationOptions = {}): Promise<StreamNumber> {
  return withOperands([a], ([x]) => copyWithSign(x!, false, options));
}

/**
 * The sign of a − b: −1, 0 or 1, read from the digits without computing the difference.
 * @throws {InvalidNumberError} an operand is not an integer
 * @throws {CancelledError} `options.signal` was aborted
 * @example
 * await compare('-5', 3); // -1
 */
export async function compare(a: NumberLike, b: NumberLike, options: OperationOptions = {}): Promise<-1 | 0 | 1> {
  return withOperands([a, b], ([x, y]) => compareNumbers(x!, y!, options));
}

/**
 * a · b. The multiplication planner picks the method by size and memory budget (schoolbook, FFT in WebAssembly,
 * transform reuse for squares, a budget split, or out of core); every product is verified by a residue check.
 * docs/ARCHITECTURE.md §4–5 say which method runs where.
 * @throws {InvalidNumberError} an operand is not an integer
 * @throws {ResultTooLargeError} the result cannot fit the free disk or `MATHSTREAM_MAX_DIGITS`
 * @throws {ArithmeticCheckError} a product failed its checks twice (a hardware or kernel fault)
 * @throws {CancelledError} `options.signal` was aborted
 * @example
 * using p = await mul('-123456789', 987654321n);
 * p.toString(); // '-121932631112635269'
 */
export async function mul(a: NumberLike, b: NumberLike, options: OperationOptions = {}): Promise<StreamNumber> {
  return withOperands([a, b], async ([x, y]) => {
    const negative = x!.sign * y!.sign < 0;
    if (x!.isZero || y!.isZero) return writeDigitsResult(false, ZERO_DIGITS);
    const smallY = smallMagnitude(y!);
    if (smallY !== undefined) return mulSmall(x!, smallY, negative, options);
    const smallX = smallMagnitude(x!);
    if (smallX !== undefined) return mulSmall(y!, smallX, negative, options);
    if (planFileProduct(x!, y!).method === 'outOfCore') return mulOutOfCore(x!, y!, negative, options);
    ensureResultFits('mul', x!.digitCount + y!.digitCount);
    return mulInMemory(x!, y!, negative, options);
  });
}

/**
 * [a div b, a mod b] with Python's floor semantics: the quotient rounds toward −∞, the remainder takes the
 * divisor's sign, and a = q·b + r.
 * @throws {DivideByZeroError} b is zero
 * @throws {InvalidNumberError} an operand is not an integer
 * @throws {CancelledError} `options.signal` was aborted
 * @example
 * const [q, r] = await divmod(-7, 2);
 * [q.toString(), r.toString()]; // ['-4', '1']
 */
export async function divmod(
  a: NumberLike,
  b: NumberLike,
  options: OperationOptions = {},
): Promise<[quotient: StreamNumber, remainder: StreamNumber]> {
  return withOperands([a, b], ([x, y]) => divmodNumbers(x!, y!, options, 'divmod'));
}

/**
 * ⌊a / b⌋ (Python's `//`: rounds toward −∞).
 * @throws {DivideByZeroError} b is zero
 * @throws {InvalidNumberError} an operand is not an integer
 * @throws {CancelledError} `options.signal` was aborted
 * @example
 * using q = await div(-7, 2);
 * q.toString(); // '-4'
 */
export async function div(a: NumberLike, b: NumberLike, options: OperationOptions = {}): Promise<StreamNumber> {
  return withOperands([a, b], async ([x, y]) => {
    const [q, r] = await divmodNumbers(x!, y!, options, 'div');
    r.free();
    return q;
  });
}

/**
 * a mod b (Python's `%`: the result takes the divisor's sign).
 * @throws {DivideByZeroError} b is zero
 * @throws {InvalidNumberError} an operand is not an integer
 * @throws {CancelledError} `options.signal` was aborted
 * @example
 * using r = await mod(-7, 2);
 * r.toString(); // '1'
 */
export async function mod(a: NumberLike, b: NumberLike, options: OperationOptions = {}): Promise<StreamNumber> {
  return withOperands([a, b], async ([x, y]) => {
    const [q, r] = await divmodNumbers(x!, y!, options, 'mod');
    q.free();
    return r;
  });
}

/**
 * Floor division. With magnitudes |a| = qm·|b| + rm: when the signs agree (or rm = 0),
 * q = ±qm and r = ±rm with b's sign; when they differ, q = −(qm + 1) and r = sign(b)·(|b| − rm),
 * which keeps a = q·b + r with r taking b's sign.
 */
async function divmodNumbers(
  x: StreamNumber,
  y: StreamNumber,
  options: OperationOptions,
  operation: string,
): Promise<[StreamNumber, StreamNumber]> {
  if (y.isZero) throw new DivideByZeroError(operation);
  const signsDiffer = x.sign * y.sign < 0;
  const small = smallMagnitude(y);
  if (small !== undefined) {
    const { quotient, remainder } = await divSmallMagnitude(x, small, signsDiffer, options);
    if (!signsDiffer || remainder === 0) {
      const r = await StreamNumber.fromLiteral(y.isNegative ? -remainder : remainder);
      return [quotient, r];
    }
    try {
      const q = await withOperands([1], ([one]) => addSigned(quotient, one!, true, options)); // −qm − 1
      const r = await StreamNumber.fromLiteral((y.isNegative ? -1 : 1) * (small - remainder));
      return [q, r];
    } finally {
      quotient.free();
    }
  }
  const { order } = await compareMagnitudes(x, y, options);
  if (order < 0) {
    // |a| < |b|: q = 0 and r = a when the signs agree (or a = 0); else q = −1 and r = a + b.
    if (!signsDiffer) return [await StreamNumber.fromLiteral(0), await copyWithSign(x, x.isNegative, options)];
    return [await StreamNumber.fromLiteral(-1), await addSigned(x, y, false, options)];
  }
  ensureResultFits(operation, x.digitCount + 1); // quotient and remainder together
  // In memory while its largest product and what it holds beside it fit the budget (divisionPlannedOutOfCore).
  // Not resumable: its inner products' operands are its own temporaries, which a rerun never sees again.
  if (divisionPlannedOutOfCore(x.digitCount, y.digitCount)) return divmodOutOfCore(x, y, signsDiffer, { ...options, resume: false }, operation);
  return divmodInMemory(x, y, signsDiffer, options, operation);
}

async function divmodInMemory(
  x: StreamNumber,
  y: StreamNumber,
  signsDiffer: boolean,
  options: OperationOptions,
  operation: string,
): Promise<[StreamNumber, StreamNumber]> {
  const [a, b] = await Promise.all([loadNat(x), loadNat(y)]);
  throwIfCancelled(options, operation);
  let { q, r } = natDivMod(a, b, divisionMultiplier(x.digitCount, y.digitCount));
  if (signsDiffer && !natIsZero(r)) {
    q = natAdd(q, natFromNumber(1));
    r = natSub(b, r);
  }
  throwIfCancelled(options, operation);
  const quotient = await writeNatResult(signsDiffer, q);
  try {
    return [quotient, await writeNatResult(y.isNegative, r)];
  } catch (error) {
    quotient.free();
    throw error;
  }
}

/** The exponent as a safe integer; negative exponents are refused. */
function exponentValue(e: NumberLike): number {
  if (e instanceof StreamNumber && e.digitCount > 16) {
    throw new InvalidArgumentError(`pow: an exponent of ${e.digitCount} digits is too large; no such power fits any disk`);
  }
  const literal = parseLiteral(e instanceof StreamNumber ? e.toString() : e, 'pow exponent');
  if (literal.negative) throw new NegativeExponentError(`-${literal.digits}`);
  const value = Number(literal.digits);
  if (!Number.isSafeInteger(value)) throw new InvalidArgumentError(`pow: exponent ${literal.digits} is too large; no such power fits any disk`);
  return value;
}

/** log10 of |x| from its leading digits (enough for a size estimate). */
async function log10Magnitude(x: StreamNumber): Promise<number> {
  const reader = await x.openReader();
  try {
    const head = await reader.read(0, 17);
    return Math.log10(Number(Buffer.from(head).toString('latin1'))) + (x.digitCount - head.length);
  } finally {
    await reader.close();
  }
}

/**
 * a^e for an integer e ≥ 0 (0^0 = 1), by square-and-multiply; the result's size is estimated first and a result
 * that cannot fit the disk or `MATHSTREAM_MAX_DIGITS` is refused before any work. Bases 0, 1 and −1 are answered
 * for any exponent.
 * @throws {NegativeExponentError} e < 0
 * @throws {ResultTooLargeError} the result cannot fit the free disk or `MATHSTREAM_MAX_DIGITS`
 * @throws {InvalidNumberError} an operand is not an integer
 * @throws {CancelledError} `options.signal` was aborted
 * @example
 * using p = await pow(2, 100);
 * p.toString(); // '1267650600228229401496703205376'
 */
export async function pow(a: NumberLike, e: NumberLike, options: OperationOptions = {}): Promise<StreamNumber> {
  // Bases 0, 1, −1: exact for any exponent, however large (power-edges.ts).
  const trivial = await trivialPower(a, e);
  if (trivial !== undefined) return trivial;
  const exponent = exponentValue(e);
  return withOperands([a], async ([x]) => {
    const negative = x!.isNegative && exponent % 2 === 1;
    if (exponent === 0) return writeDigitsResult(false, Buffer.from('1'));
    if (x!.isZero) return writeDigitsResult(false, ZERO_DIGITS);
    if (x!.digitCount === 1 && smallMagnitude(x!) === 1) return writeDigitsResult(negative, Buffer.from('1'));
    const digits = Math.floor(exponent * (await log10Magnitude(x!))) + 1;
    // Refuse a result that cannot fit before planning any product: the FFT planner would
    // otherwise fail first, past its proven bound, with an internal error instead of exit 2.
    ensureResultFits('pow', digits);
    if (exponent === 1) return copyWithSign(x!, negative, options);
    if (powerPlannedOutOfCore(digits)) return powOutOfCore(x!, exponent, negative, digits, options);
    const power = await powInMemory(await loadNat(x!), exponent, digits, options);
    return writeNatResult(negative, power);
  });
}

/**
 * Left-to-right square-and-multiply with progress and cancellation between steps. Step i
 * works on numbers about 2^i times the base's size, so it is weighted 2^i: the progress bar
 * then moves with time rather than with steps (the last squaring is about half the work).
 */
async function powInMemory(base: Nat, exponent: number, digits: number, options: OperationOptions): Promise<Nat> {
  const m = powerMultiplier(digits);
  const bits = exponent.toString(2);
  const report = progressReporter(options, 2 ** bits.length - 2);
  let result = base;
  let done = 0;
  for (let i = 1; i < bits.length; i++) {
    await new Promise(setImmediate); // let an abort or a progress repaint through
    throwIfCancelled(options, 'pow');
    releaseFftCaches(); // a table of the step before, of another length, would split the wasm memory's free space
    result = m.sqr(result);
    if (bits[i] === '1') result = m.mul(result, base); // a base <= 2^26: one linear pass (kernel/mul.ts)
    done += 2 ** i;
    report(done);
  }
  return result;
}
