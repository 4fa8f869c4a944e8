/**
 * power-edges — the powers that need no arithmetic: bases 0, 1 and −1.
 *
 * For every other base |a| ≥ 2, a^e has at least e·log10(2) digits, so an exponent beyond 2^53
 * can be refused at once ("no such power fits any disk"). Bases 0, 1 and −1 are the exception:
 * their powers are 0, 1 or ±1 for any exponent however large, and only two facts about the
 * exponent matter — whether it is zero (0^0 = 1, Python's convention) and its parity (the sign of
 * (−1)^e). Both are read from the exponent's last digit and its size, never by converting it to
 * a number, so `pow(-1, 10^(10^6) + 1)` costs one digit read.
 */
import { NegativeExponentError } from '../errors.js';
import { StreamNumber, type NumberLike } from '../number.js';
import { parseLiteral } from '../storage/index.js';
import { writeDigitsResult } from './result.js';

/** What pow needs of an exponent for a trivial base: its sign, whether it is 0, whether it is odd. */
interface ExponentFacts {
  readonly negative: boolean;
  readonly zero: boolean;
  readonly odd: boolean;
  /** The exponent's text, for the negative-exponent message. */
  readonly text: () => string;
}

async function exponentFacts(e: NumberLike): Promise<ExponentFacts> {
  if (e instanceof StreamNumber) {
    const reader = await e.openReader();
    let last: number;
    try {
      last = (await reader.read(e.digitCount - 1, 1))[0]! - 0x30;
    } finally {
      await reader.close();
    }
    return { negative: e.isNegative, zero: e.isZero, odd: last % 2 === 1, text: () => (e.digitCount > 40 ? `a ${e.digitCount}-digit number` : e.toString()) };
  }
  const literal = parseLiteral(e, 'pow exponent');
  const last = literal.digits.charCodeAt(literal.digits.length - 1) - 0x30;
  return { negative: literal.negative, zero: literal.digits === '0', odd: last % 2 === 1, text: () => `-${literal.digits}` };
}

/** −1, 0 or 1 when `a` is one of them, else undefined (without staging a literal). */
function trivialBase(a: NumberLike): -1 | 0 | 1 | undefined {
  if (a instanceof StreamNumber) {
    if (a.digitCount !== 1) return undefined;
    if (a.isZero) return 0;
    return a.toString().endsWith('1') ? (a.isNegative ? -1 : 1) : undefined;
  }
  const literal = parseLiteral(a);
  if (literal.digits === '0') return 0;
  if (literal.digits === '1') return literal.negative ? -1 : 1;
  return undefined;
}

/**
 * a^e when a is 0, 1 or −1 (any exponent e >= 0, of any size); undefined for every other base,
 * which pow then handles (and refuses when the result cannot fit).
 * @throws NegativeExponentError for e < 0, as for every base.
 * @throws InvalidNumberError when a literal operand is not an integer.
 * @example await trivialPower(-1, 10n ** 30n + 1n) // a StreamNumber holding -1
 */
export async function trivialPower(a: NumberLike, e: NumberLike): Promise<StreamNumber | undefined> {
  const base = trivialBase(a);
  if (base === undefined) return undefined;
  const exponent = await exponentFacts(e);
  if (exponent.negative) throw new NegativeExponentError(exponent.text());
  if (exponent.zero) return writeDigitsResult(false, Buffer.from('1'));
  if (base === 0) return writeDigitsResult(false, Buffer.from('0'));
  return writeDigitsResult(base === -1 && exponent.odd, Buffer.from('1'));
}
