/**
 * apps/pi — pi to N decimals: Chudnovsky with binary splitting in decimal radix end to end,
 * to memory (`computePiDigits`, `computePi`), to a file (`computePiToFile`, atomic) or a stream (`computePiToStream`).
 * Beyond the memory budget it runs out of core, resumable after a kill (`planPi` says which; docs/ARCHITECTURE.md,
 * "pi beyond the memory budget").
 *
 * The digits are never converted from binary: the series' integers live in base-10^4 limbs
 * from the leaves up, so the final ASCII is a regrouping, not a radix conversion.
 */
export { computePi, computePiDigits, computePiToFile, computePiToStream, parseDecimalCount, checkDecimalCount, piThreadsFor, type PiOptions } from './drivers.js';
export { writePiFile, writePiStream, writePiChunks } from './writer.js';
export { termsFor } from './series.js';
export { planPi, describePiPlan, type PiPlan, type PiPlanOptions, type PiMethod, type PiNode } from './plan.js';
