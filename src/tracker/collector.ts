/**
 * tracker/collector — the prototype's scored garbage collector, and `clearLogs`.
 *
 * score = ageSeconds / ((refCount + 1) * (accessCount + 1))
 *
 * Age is measured from the LAST ACCESS (registration counts as the first access), not from
 * creation. The prototype only says "age" ("bigger score means older + less used"); idle time is
 * the better reading of it: a file streamed a moment ago is in use and likely to be read again
 * (the LRU argument), while a file created long ago but read every minute should not be the
 * first to go. The access count in the denominator still favours files that were popular.
 * Orphans adopted by reconciliation are dated by their modification time, so an old leftover
 * scores high at once.
 *
 * Safety (docs/ARCHITECTURE.md §3): only files with reference count 0 are ever deleted, the
 * references of dead processes are released first (they protect nothing), the whole sweep
 * holds the cross-process write lock (no process can take a reference between the decision
 * and the unlink), and only entries inside the log folder are touched.
 */
import { InvalidArgumentError } from '../errors.js';
import { isOwnerAlive, tempOwner } from '../storage/owner.js';
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { closeTracker, tracker, trackerNow, withTrackerLock } from './connection.js';
import { isInsideLogDir, removeInsideLogDir } from './paths.js';
import { ensureReserve, releaseReserve } from './reserve.js';
import { getConfig } from '../config.js';
import { forgetPath, refreshHolders, removeAbandonedCheckpoints } from './reconcile.js';
import { checkpointOwner, isCheckpointName } from '../storage/checkpoint.js';

/**
 * The collector's score of one file; a clock running backwards counts as age 0. Pure: no tracker access.
 * @param ageMs milliseconds since the last access
 * @example
 * garbageScore(60_000, 0, 1); // 30: a minute idle, unreferenced, read once
 */
export function garbageScore(ageMs: number, refCount: number, accessCount: number): number {
  const ageSeconds = Math.max(0, ageMs) / 1000;
  return ageSeconds / ((refCount + 1) * (accessCount + 1));
}

export interface CollectOptions {
  /** "Now" in milliseconds since the epoch (default: the tracker clock). */
  now?: number;
}

/**
 * Deletes every unreferenced staged file whose score is >= `scoreThreshold`, with its rows, and every abandoned
 * checkpoint folder of a resumable run (no living holder, unchanged for `checkpointMaxAgeDays`; storage/checkpoint.ts).
 * `collectGarbage(0)` sweeps every unreferenced file.
 * On a full disk it releases the home's reserve file and tries once more, so a gc can still free space.
 * @throws {InvalidArgumentError} the threshold is negative or not a number, or the log folder is a symlink or
 *   not a folder
 * @throws {TrackerError} the tracker database cannot be opened or updated (also after the reserve was released)
 * @throws {StorageError} a staged file or reference marker cannot be inspected or deleted (the sweep is rolled back)
 * @returns the deleted paths.
 * @example
 * collectGarbage(0); // every unreferenced staged file, e.g. ['/home/me/.mathstream/logs/literal_ab12….txt']
 */
export function collectGarbage(scoreThreshold: number, options: CollectOptions = {}): string[] {
  if (typeof scoreThreshold !== 'number' || Number.isNaN(scoreThreshold) || scoreThreshold < 0) {
    throw new InvalidArgumentError(`collectGarbage: the score threshold must be a number >= 0, got ${String(scoreThreshold)}`);
  }
  return withReserveReleased(() => {
    const ctx = tracker();
    return withTrackerLock(() => {
      const now = options.now ?? trackerNow();
      refreshHolders(ctx, trackerNow());
      const deleted: string[] = [];
      for (const row of ctx.sql.unreferencedLogs.all()) {
        const score = garbageScore(now - row.last_access, row.ref_count, row.access_count);
        if (score < scoreThreshold) continue;
        forgetPath(ctx, row.path);
        if (isInsideLogDir(row.path, ctx.logDir) && removeInsideLogDir(row.path, ctx.logDir)) deleted.push(row.path);
      }
      deleted.push(...removeAbandonedCheckpoints(ctx.logDir, Date.now()));
      return deleted;
    });
  });
}

/** SQLite's and the system's ways of saying the disk is full (the -shm file cannot grow: IOERR). */
function isDiskFull(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ENOSPC' || code === 'SQLITE_FULL' || (typeof code === 'string' && code.startsWith('SQLITE_IOERR'))) return true;
  }
  return false;
}

/**
 * Runs a collection; when it fails for want of disk space (opening the database, reconciling,
 * committing), releases the home's reserve file and runs it once more, then makes the reserve
 * again from the space the collection freed (reserve.ts). The reserve is only touched on a
 * full disk: a collection on a healthy disk costs no extra write.
 */
function withReserveReleased<T>(collect: () => T): T {
  try {
    return collect();
  } catch (error) {
    if (!isDiskFull(error)) throw error;
    const { home } = getConfig();
    closeTracker(); // reopen (and reconcile) from scratch with the room the reserve gives
    if (releaseReserve(home) === 0) throw error;
    try {
      return collect();
    } finally {
      ensureReserve(home);
    }
  }
}

export interface ClearReport {
  /** Files and stale temp entries deleted. */
  readonly removed: string[];
  /** Files still referenced by live processes, and live writers' temp entries: kept, still tracked. */
  readonly kept: string[];
}

/**
 * Empties the log folder and the records (the prototype's `clear_logs()`), except what running
 * processes still use: a file with a live reference, a live writer's temp file and a checkpoint folder a running
 * resumable operation holds are kept (unheld checkpoints are removed whatever their age)
 * (and stay tracked), and reported. Wiping them would break those processes — the prototype's
 * choice, which we do not copy. References of dead processes are released first.
 * Only the top level of the log folder is cleared; sub-folders are not mathstream's.
 * An unreadable log folder is treated as empty. On a full disk it uses the reserve file as collectGarbage does.
 * @throws {TrackerError} the tracker database cannot be opened or queried (SQLite failure, unusable home)
 * @throws {InvalidArgumentError} the log folder is a symlink or not a folder (checked when the tracker opens)
 * @throws {StorageError} an entry or reference marker cannot be inspected or deleted (the records are rolled back)
 * @example
 * const { removed, kept } = clearLogs(); // kept: still used by running processes
 */
export function clearLogs(): ClearReport {
  return withReserveReleased(() => {
    const ctx = tracker();
    return withTrackerLock(() => {
      refreshHolders(ctx, trackerNow());
      const removed: string[] = [];
      const kept: string[] = [];
      const referenced = new Set<string>();
      for (const row of ctx.sql.allLogs.all()) {
        if (row.ref_count > 0) {
          referenced.add(row.path);
          continue;
        }
        forgetPath(ctx, row.path);
      }
      let names: string[] = [];
      try {
        names = readdirSync(ctx.logDir);
      } catch {
        names = [];
      }
      for (const name of names.sort()) {
        const path = join(ctx.logDir, name);
        // A checkpoint folder (storage/checkpoint.ts) goes unless a living process works in it.
        const checkpoint = isCheckpointName(name);
        const owner = checkpoint ? checkpointOwner(path) : tempOwner(basename(path));
        if (referenced.has(path) || (owner !== undefined && isOwnerAlive(owner))) {
          kept.push(path);
        } else if (removeInsideLogDir(path, ctx.logDir, owner !== undefined || checkpoint)) {
          removed.push(path);
        }
      }
      return { removed, kept };
    });
  });
}
