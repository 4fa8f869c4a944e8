/**
 * magnitude — sizes of huge positive bigints without printing them in decimal.
 *
 * `bitLength` and `log2` read the hexadecimal form (linear time: a power-of-two radix needs
 * no division); `decimalDigits` is exact: a float estimate of log10, confirmed by one
 * comparison with a power of ten only when the estimate is within rounding distance of an
 * integer.
 */

const LOG10_2 = Math.log10(2);

/** Number of bits of n > 0 (0 for n = 0). */
export function bitLength(n: bigint): number {
  if (n === 0n) return 0;
  const hex = n.toString(16);
  return (hex.length - 1) * 4 + Math.floor(Math.log2(parseInt(hex[0]!, 16))) + 1;
}

/** log2(n) for n > 0, with relative error about 2^-52. */
export function log2(n: bigint, bits = bitLength(n)): number {
  if (bits <= 53) return Math.log2(Number(n));
  const shift = bits - 53;
  return shift + Math.log2(Number(n >> BigInt(shift)));
}

/** Decimal digits of a value with the given log2 — an estimate (off by one right at powers of ten). */
export function digitsFromLog2(log2Value: number): number {
  return Math.max(1, Math.floor(log2Value * LOG10_2) + 1);
}

/** Exact count of decimal digits of n > 0. */
export function decimalDigits(n: bigint): number {
  if (n < 10n ** 15n) return n.toString().length;
  const estimate = log2(n) * LOG10_2;
  const nearest = Math.round(estimate);
  // The estimate's absolute error is below 1e-8 even for 10^8-digit numbers; only a value
  // this close to a power of ten needs the exact comparison.
  if (Math.abs(estimate - nearest) > 1e-6) return Math.floor(estimate) + 1;
  return n >= 10n ** BigInt(nearest) ? nearest + 1 : nearest;
}
