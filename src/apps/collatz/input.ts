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

/**
 * Validates and converts the input to a bigint ≥ 1. A file's sign and zero are known from the validation pass,
 * so a non-positive file is refused before its digits are read into memory.
 * @throws {InvalidArgumentError} the value is zero or negative
 * @throws {InvalidNumberError} a string or file is not an integer (the message names the source and byte offset)
 * @throws {StorageError} the file cannot be opened or read
 * @example
 * await readStart({ file: 'start.txt' }); // e.g. 27n
 */
export async function readStart(input: CollatzInput): Promise<bigint> {
  if (typeof input === 'bigint') return requirePositive(input, 'the given bigint');
  if (typeof input === 'string') return parseStart(input);
  const info = await inspectDigitFile(input.file);
  if (info.isZero || info.negative) return requirePositive(info.isZero ? 0n : -1n, input.file);
  const digits = await readAllDigits(info);
  return BigInt(Buffer.from(digits.buffer, digits.byteOffset, digits.byteLength).toString('latin1'));
}

/**
 * Synchronous form for text: a decimal literal such as `27` or `+000123`.
 * @param source how to name the input in error messages (default: the text, quoted and cut at 40 characters)
 * @throws {InvalidNumberError} the text is not an integer
 * @throws {InvalidArgumentError} the value is zero or negative
 * @example
 * parseStart('+000123'); // 123n
 */
export function parseStart(text: string, source?: string): bigint {
  const literal = parseLiteral(text, source);
  const name = source ?? JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text);
  if (literal.negative) return requirePositive(-1n, name);
  return requirePositive(BigInt(literal.digits), name);
}
