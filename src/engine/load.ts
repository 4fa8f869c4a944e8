/**
 * load — an operand's magnitude as kernel limbs, read from its file a piece at a time (kernel natFromDigitReader):
 * the decimal text is never in memory whole. Shared by the in-memory operations (arithmetic.ts, sqrt.ts) and the
 * in-memory steps of the out-of-core ones (outofcore/divide.ts), which cannot import arithmetic.ts without a cycle.
 */
import { natFromDigitReader, type Nat } from '../kernel/index.js';
import type { StreamNumber } from '../number.js';

/**
 * |x| as a Nat.
 * @throws {StorageError} the file cannot be read
 * @example const n = await loadNat(await StreamNumber.fromLiteral(-42)); // the Nat 42
 */
export async function loadNat(x: StreamNumber): Promise<Nat> {
  const reader = await x.openReader();
  try {
    return await natFromDigitReader(x.digitCount, (from, length, into) => reader.read(from, length, into));
  } finally {
    await reader.close();
  }
}
