/**
 * engine — arithmetic on StreamNumbers. Every operation is async, accepts StreamNumbers,
 * bigints, safe integers or literal strings, takes `{ signal, onProgress }`, and returns a
 * new tracked StreamNumber (or leaves no file and no row when it fails or is cancelled).
 */
export { add, sub, mul, div, mod, divmod, pow, neg, abs, compare, plannedOutOfCore, divisionPlannedOutOfCore, powerPlannedOutOfCore } from './arithmetic.js';
export { isqrt } from './sqrt.js';
export type { OperationOptions, ResumeInfo } from './context.js';
export { exportToFile, writeToStream } from './export.js';
export { checkOutputTarget } from './output.js';
