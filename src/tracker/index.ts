/**
 * tracker — the SQLite watcher: reference counts of staged files in `<home>/log/`, shared by every process
 * using the same home; the scored collector; crash reconciliation at start-up (docs/ARCHITECTURE.md, "Tracker").
 *
 * This is the public surface of `mathstream/tracker`, for tools that manage homes: inspect, collect, clear,
 * reconcile. Taking and dropping references is not here on purpose: a reference outside a `StreamNumber` would put
 * the handle out of step with its row. Inside the package, modules import `references.js`, `connection.js` and
 * `paths.js` directly.
 */
export { trackedFiles, reconcile } from './references.js';
export { collectGarbage, clearLogs, garbageScore, type CollectOptions, type ClearReport } from './collector.js';
export { trackerStatus, type TrackerStatus, type TrackedFileStatus, type HolderStatus, type CheckpointStatus } from './status.js';
export { closeTracker, startUpReport } from './connection.js';
export type { ReconcileReport, ReleasedOwner } from './reconcile.js';
export { SCHEMA_VERSION } from './schema.js';
