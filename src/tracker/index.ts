/**
 * tracker — the SQLite watcher (DESIGN section 3): reference counts of staged files in
 * `<home>/log/`, shared by every process using the same home; the scored collector;
 * crash reconciliation at start-up. Re-exports only.
 */
export {
  registerLogFile,
  registerReference,
  touchLogFile,
  releaseReference,
  trackedFiles,
  wipeLogRecords,
  reconcile,
  type ReleaseOptions,
} from './references.js';
export { collectGarbage, clearLogs, garbageScore, type CollectOptions, type ClearReport } from './collector.js';
export { trackerStatus, type TrackerStatus, type TrackedFileStatus, type HolderStatus } from './status.js';
export { withTrackerLock, closeTracker, setTrackerClock, startUpReport } from './connection.js';
export type { ReconcileReport, ReleasedOwner } from './reconcile.js';
export { SCHEMA_VERSION } from './schema.js';
export { isInsideLogDir, isWithin } from './paths.js';
