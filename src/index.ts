/**
 * mathstream — exact integer arithmetic on numbers stored as files of decimal digits.
 * Public API: re-exports only.
 */
export * from './errors.js';
export { configure, getConfig, parseByteSize, type MathStreamConfig, type ConfigureOptions } from './config.js';
export { StreamNumber, activeStreams, MAX_INLINE_DIGITS, type NumberLike } from './number.js';
export {
  registerLogFile,
  registerReference,
  touchLogFile,
  releaseReference,
  collectGarbage,
  trackedFiles,
  wipeLogRecords,
  clearLogs,
  reconcile,
} from './tracker/index.js';
export * from './engine/index.js';
