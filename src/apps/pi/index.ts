/**
 * apps/pi — pi to N decimals: Chudnovsky with binary splitting in decimal radix end to end,
 * to memory (`computePiDigits`, `computePi`) or to a file (`computePiToFile`, atomic).
 *
 * The digits are never converted from binary: the series' integers live in base-10^4 limbs
 * from the leaves up, so the final ASCII is a regrouping, not a radix conversion.
 */
export { computePi, computePiDigits, computePiToFile, parseDecimalCount, checkDecimalCount, piThreadsFor, type PiOptions } from './drivers.js';
export { writePiFile, writePiStream } from './writer.js';
export { termsFor } from './series.js';
