/**
 * input — the start number of a Collatz run: a bigint, a decimal literal, or a digit file.
 *
 * Text is validated by the storage module's rules (optional sign, ASCII digits, optional
 * final newline; errors name the source and byte offset). Collatz is defined here for
 * positive integers only: 0 and negatives are an InvalidArgumentError.
 */
import { InvalidArgumentError } from '../../errors.js';
import { inspectDigitFile, parseLiteral, readAllDigits } from '../../storage/index.js';

/** A start number: a bigint, a decimal string, or `{ file }` naming a digit file. */
export type CollatzInput = bigint | string | { readonly file: string };

/** Returns value if ≥ 1, else an InvalidArgumentError naming `source`. */
export function requirePositive(value: bigint, source: string): bigint {
  if (value < 1n) {
    throw new InvalidArgumentError(`collatz needs a positive integer, but ${source} is ${value === 0n ? 'zero' : 'negative'}`);
  }
  return value;
}

/** Validates and converts the input to a bigint ≥ 1. */
export async function readStart(input: CollatzInput): Promise<bigint> {
  if (typeof input === 'bigint') return requirePositive(input, 'the given bigint');
  if (typeof input === 'string') return parseStart(input);
  const info = await inspectDigitFile(input.file);
  if (info.isZero || info.negative) return requirePositive(info.isZero ? 0n : -1n, input.file);
  const digits = await readAllDigits(info);
  return BigInt(Buffer.from(digits.buffer, digits.byteOffset, digits.byteLength).toString('latin1'));
}

/** Synchronous form for text: a decimal literal such as `27` or `+000123`. */
export function parseStart(text: string, source?: string): bigint {
  const literal = parseLiteral(text, source);
  const name = source ?? JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text);
  if (literal.negative) return requirePositive(-1n, name);
  return requirePositive(BigInt(literal.digits), name);
}
