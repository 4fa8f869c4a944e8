/**
 * mathstream — exact integer arithmetic on numbers stored as files of decimal digits.
 *
 * The root entry holds what every user needs: the number handle, the operations, the errors and the
 * configuration. The applications have entries of their own (`mathstream/pi`, `mathstream/find`,
 * `mathstream/collatz`), and tools that manage a home (inspect it, collect, clear) use `mathstream/tracker`.
 * docs/ARCHITECTURE.md maps the layers behind these entries.
 */
export * from './errors.js';
export { configure, getConfig, parseByteSize, formatBytes, type MathStreamConfig, type ConfigureOptions } from './config.js';
export { StreamNumber, activeStreams, MAX_INLINE_DIGITS, type NumberLike } from './number.js';
export { add, sub, mul, div, mod, divmod, pow, neg, abs, compare, isqrt, exportToFile, writeToStream, type OperationOptions, type ResumeInfo } from './engine/index.js';
