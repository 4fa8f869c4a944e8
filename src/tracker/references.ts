/**
 * tracker/references — the prototype's reference-counting watcher: register a staged file, take
 * and drop references, record reads.
 *
 * Each reference is also recorded per holder process (owner token, storage/owner.ts), so a
 * process can only release references it took itself, and the references of a process that
 * crashed can be released by whoever starts next (reconcile.ts).
 */
import { lstatOrUndefined, isInsideLogDir, removeInsideLogDir, trackedPath } from './paths.js';
import { tracker, trackerNow, withTracker, withTrackerLock } from './connection.js';
import { forgetPath, reconcileWith, type ReconcileReport } from './reconcile.js';
import { wipeTables } from './schema.js';
import { removeAllMarkers, updateMarker } from './markers.js';
import type { TrackerContext } from './statements.js';
import { currentOwner } from '../storage/owner.js';
import { InvalidArgumentError } from '../errors.js';
import { resolve } from 'node:path';

function validSize(sizeBytes: number | undefined): number | null {
  if (sizeBytes === undefined) return null;
  if (!Number.isSafeInteger(sizeBytes) || sizeBytes < 0) {
    throw new InvalidArgumentError(`tracker: file size must be a non-negative integer, got ${sizeBytes}`);
  }
  return sizeBytes;
}

/** Ensures the `logs` and `refs` rows of `path` exist; keeps an existing row's dates and counters. */
function ensureRows(ctx: TrackerContext, path: string, size: number | null): void {
  const now = trackerNow();
  const knownSize = size ?? sizeOnDisk(path);
  ctx.sql.insertLog.run(path, now, now, knownSize);
  ctx.sql.insertRef.run(path);
}

function sizeOnDisk(path: string): number | null {
  const stats = lstatOrUndefined(path);
  return stats === undefined ? null : Number(stats.size);
}

/**
 * Starts tracking a staged file at reference count 0 (a no-op for the counters if it is
 * already tracked). The file need not exist yet: storage registers the final name and renames
 * the finished temp file onto it inside one `withTrackerLock`.
 * @param sizeBytes the file's size; read from disk when omitted and the file exists.
 * @throws InvalidArgumentError for a path outside the log folder.
 */
export function registerLogFile(path: string, sizeBytes?: number): void {
  const size = validSize(sizeBytes);
  const ctx = tracker();
  const absolute = trackedPath(path, ctx.logDir);
  withTrackerLock(() => ensureRows(ctx, absolute, size));
}

/**
 * Takes one reference to `path` for this process (registering the file if needed) and counts
 * an access. @returns the file's new total reference count (over all processes).
 */
export function registerReference(path: string): number {
  const ctx = tracker();
  const absolute = trackedPath(path, ctx.logDir);
  return withTrackerLock(() => {
    ensureRows(ctx, absolute, null);
    const owner = currentOwner();
    const before = ctx.sql.holderCount.get(absolute, owner)?.count ?? 0;
    ctx.sql.addHolder.run(absolute, owner);
    ctx.sql.access.run(trackerNow(), absolute);
    const total = ctx.sql.incrementRef.get(absolute)!.ref_count;
    updateMarker(ctx, absolute, owner, before, before + 1); // last: a failure rolls the rows back
    return total;
  });
}

/**
 * Records a read of `path` (last access and access count). Called for every streamed chunk,
 * so it is one autocommit UPDATE; unknown paths and files outside the log folder (user files
 * read through a StreamNumber) are ignored.
 */
export function touchLogFile(path: string): void {
  const ctx = tracker();
  const absolute = resolve(path);
  if (!isInsideLogDir(absolute, ctx.logDir)) return;
  withTracker(() => ctx.sql.access.run(trackerNow(), absolute));
}

export interface ReleaseOptions {
  /** Unlink the file when its last reference goes (default true, as in the prototype). */
  deleteFile?: boolean;
}

/**
 * Drops one of this process's references to `path`. When the total count reaches 0 the rows
 * go and, unless `deleteFile` is false, the file is unlinked (the lock guarantees that no
 * other process took a reference in between). Releasing an unknown path, or a path outside
 * the log folder, is harmless and returns 0.
 *
 * A process that holds no reference to `path` cannot release another process's reference:
 * the call then leaves the counts alone and returns the current count. Exception: a file
 * tracked at count 0 (registered but never referenced, e.g. a failed operation's result) is
 * dropped, like a last release.
 * @returns the file's remaining total reference count.
 */
export function releaseReference(path: string, options: ReleaseOptions = {}): number {
  const deleteFile = options.deleteFile ?? true;
  const ctx = tracker();
  const absolute = resolve(path);
  if (!isInsideLogDir(absolute, ctx.logDir)) return 0;
  return withTrackerLock(() => {
    const current = ctx.sql.refCount.get(absolute);
    if (current === undefined) return 0;
    const owner = currentOwner();
    let remaining = current.ref_count;
    const held = ctx.sql.holderCount.get(absolute, owner)?.count ?? 0;
    if (held > 0) {
      ctx.sql.decrementHolder.run(absolute, owner);
      ctx.sql.deleteEmptyHolder.run(absolute, owner);
      remaining = ctx.sql.decrementRef.get(absolute)!.ref_count;
      updateMarker(ctx, absolute, owner, held, held - 1);
    }
    if (remaining > 0) return remaining;
    forgetPath(ctx, absolute);
    if (deleteFile) removeInsideLogDir(absolute, ctx.logDir);
    return 0;
  });
}

/**
 * Drops one of this process's references to the staged file `path` without deleting it: at reference 0 it stays
 * tracked (and so collectable), instead of being unlinked as a last `free()` would. The web app's released results
 * and an out-of-core pi run's finished units (kept for a rerun to resume) are let go this way.
 * @example registerReference(path); ...; releaseKeeping(path);
 */
export function releaseKeeping(path: string): void {
  withTrackerLock(() => {
    if (releaseReference(path, { deleteFile: false }) === 0) registerLogFile(path);
  });
}

/**
 * `{ path: referenceCount }` for every tracked file (the prototype's `tracked_files()`). Counts are totals over
 * all processes sharing the home.
 * @throws {TrackerError} the tracker database cannot be opened or queried (SQLite failure, unusable home)
 * @throws {InvalidArgumentError} the log folder is a symlink or not a folder (checked when the tracker opens)
 * @example
 * trackedFiles(); // e.g. { '/home/me/.mathstream/logs/literal_ab12….txt': 1 }
 */
export function trackedFiles(): Record<string, number> {
  return withTracker((ctx) => {
    const files: Record<string, number> = {};
    for (const row of ctx.sql.allRefs.all()) files[row.path] = row.ref_count;
    return files;
  });
}

/**
 * Empties the tracker tables (the prototype's `wipe_log_records()`). Files stay on disk; the next
 * reconciliation adopts them at reference 0. In a home shared by running processes this also
 * forgets their references: prefer `clearLogs()`.
 */
export function wipeLogRecords(): void {
  const ctx = tracker();
  withTrackerLock(() => {
    wipeTables(ctx.db);
    removeAllMarkers(ctx); // the records of references are wiped, on disk too (markers.ts)
  });
}

/**
 * Runs the start-up reconciliation again now (see reconcile.ts) and says what it repaired. Holds the
 * cross-process lock throughout, so it is safe while other processes use the same home.
 * @throws {TrackerError} the tracker database cannot be opened or queried (SQLite failure, unusable home)
 * @throws {InvalidArgumentError} the log folder is a symlink or not a folder (checked when the tracker opens)
 * @throws {StorageError} the log folder cannot be listed, or a file or reference marker cannot be inspected,
 *   updated or deleted (the tracker changes are rolled back)
 * @example
 * const report = reconcile(); // what was adopted, forgotten or released
 */
export function reconcile(): ReconcileReport {
  const ctx = tracker();
  return withTrackerLock(() => reconcileWith(ctx, trackerNow()));
}
