/**
 * tracker/reconcile — makes the database agree with the log folder and the living processes
 * (docs/ARCHITECTURE.md §3, the fix for the prototype's wipe-on-start).
 *
 * After a crash the records and the folder disagree in four ways, each repaired here:
 * 1. a row whose file is gone                    → the rows are dropped;
 * 2. a file in the log folder without a row       → adopted at reference 0, so the collector
 *                                                  can sweep it (it is NOT deleted here: a
 *                                                  crashed run's result may still be wanted);
 * 3. references held by a process that died       → its holder rows are deleted and the
 *                                                  reference counts recomputed from the rest;
 * 4. temp files/folders `.tmp-<owner>-...` whose
 *    owner died                                    → removed (a live writer's are kept);
 * 5. a live process's reference missing from the
 *    database (the database was deleted)           → restored from the process's marker
 *                                                  (markers.ts), so the file stays held;
 * 6. a resumable run's checkpoint folder
 *    `.resume-<key>/` that is abandoned            → removed: no living process holds it and
 *                                                  it has not changed for checkpointMaxAgeDays
 *                                                  (storage/checkpoint.ts; a younger one is kept
 *                                                  for the rerun that resumes from it).
 *
 * Every function here expects to run inside one IMMEDIATE transaction: other processes
 * register a result and rename its temp file onto the final name under the same lock, so the
 * folder is never seen half-way through such a step.
 */
import { readdirSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { isOwnerAlive, tempOwner } from '../storage/owner.js';
import { isAbandoned, listCheckpoints } from '../storage/checkpoint.js';
import { getConfig } from '../config.js';
import { StorageError } from '../errors.js';
import { ensureRealLogDir, lstatOrUndefined, removeInsideLogDir } from './paths.js';
import { removeOwnerMarkers, restoreLiveMarkers } from './markers.js';
import type { TrackerContext } from './statements.js';

export interface ReleasedOwner {
  /** Owner token `<pid>.<start>` of the dead process. */
  readonly owner: string;
  /** How many references it still held. */
  readonly references: number;
}

export interface ReconcileReport {
  /** Rows dropped because their file no longer exists. */
  readonly droppedRows: string[];
  /** Files found in the log folder without a row, now tracked at reference 0. */
  readonly adopted: string[];
  /** Dead processes whose references were released. */
  readonly releasedOwners: ReleasedOwner[];
  /** Stale temp files or folders of dead writers, removed. */
  readonly removedTemps: string[];
  /** Temp entries of live writers, left alone. */
  readonly keptTemps: string[];
  /** Files whose live holders' references were restored from their markers (markers.ts). */
  readonly restoredReferences: string[];
  /** Abandoned checkpoint folders of resumable runs, removed (storage/checkpoint.ts). */
  readonly removedCheckpoints: string[];
}

/**
 * Removes the checkpoint folders of `logDir` that are abandoned at `now` (no living holder, unchanged for
 * `maxAgeDays`; 0 removes every unheld one, as `clear` does). Returns the folders removed.
 */
export function removeAbandonedCheckpoints(logDir: string, now: number, maxAgeDays = getConfig().checkpointMaxAgeDays): string[] {
  const removed: string[] = [];
  for (const info of listCheckpoints(logDir)) {
    if (isAbandoned(info, now, maxAgeDays * 86_400_000) && removeInsideLogDir(info.path, logDir, true)) removed.push(info.path);
  }
  return removed;
}

/**
 * Releases every reference held by a process that is no longer running and recomputes the
 * reference counts. Files whose count drops to 0 stay on disk at reference 0 (collectable).
 */
export function releaseDeadHolders(ctx: TrackerContext): ReleasedOwner[] {
  const released: ReleasedOwner[] = [];
  for (const { owner } of ctx.sql.owners.all()) {
    if (isOwnerAlive(owner)) continue;
    const references = ctx.sql.ownerTotal.get(owner)?.total ?? 0;
    ctx.sql.deleteOwner.run(owner);
    removeOwnerMarkers(ctx, owner);
    released.push({ owner, references });
  }
  if (released.length > 0) ctx.sql.recomputeAllRefs.run();
  return released;
}

/**
 * What the collector and `clearLogs` do before deciding: release the dead processes' references
 * and take back the live ones recorded only in markers — a process still working with a deleted
 * database registers its new results there, not in this database (markers.ts).
 */
export function refreshHolders(ctx: TrackerContext, now: number): void {
  releaseDeadHolders(ctx);
  if (restoreLiveMarkers(ctx, now).length > 0) repairConsistency(ctx);
}

/** Restores `refs` = one row per `logs` row, each equal to the sum of its holders. */
function repairConsistency(ctx: TrackerContext): void {
  ctx.sql.deleteStrayRefs.run();
  ctx.sql.deleteStrayHolders.run();
  ctx.sql.insertMissingRefs.run();
  ctx.sql.recomputeAllRefs.run();
}

function dropRowsOfMissingFiles(ctx: TrackerContext): { dropped: string[]; tracked: Set<string> } {
  const dropped: string[] = [];
  const tracked = new Set<string>();
  for (const row of ctx.sql.allLogs.all()) {
    if (lstatOrUndefined(row.path) === undefined) {
      forgetPath(ctx, row.path);
      dropped.push(row.path);
    } else {
      tracked.add(row.path);
    }
  }
  return { dropped, tracked };
}

/** Deletes every row about `path` (logs, refs, holders). */
export function forgetPath(ctx: TrackerContext, path: string): void {
  ctx.sql.deleteLog.run(path);
  ctx.sql.deleteRef.run(path);
  ctx.sql.deleteHolders.run(path);
}

function listLogDir(logDir: string): import('node:fs').Dirent[] {
  try {
    return readdirSync(logDir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new StorageError(logDir, 'list', error);
    mkdirSync(logDir, { recursive: true });
    return [];
  }
}

/** Adopts `path` at reference 0, dated by its modification time so old orphans score high. */
function adopt(ctx: TrackerContext, path: string, now: number): boolean {
  const stats = lstatOrUndefined(path);
  if (stats === undefined) return false;
  const written = Math.min(Math.floor(Number(stats.mtimeMs)), now);
  ctx.sql.insertLog.run(path, written, written, Number(stats.size));
  ctx.sql.insertRef.run(path);
  return true;
}

/**
 * Runs the four repairs. Only the top level of the log folder is scanned: mathstream writes
 * its results and temp entries there; other sub-folders are left alone.
 */
export function reconcileWith(ctx: TrackerContext, now: number): ReconcileReport {
  ensureRealLogDir(ctx.logDir); // never adopt what a symlinked log folder would show (paths.ts)
  const entries = listLogDir(ctx.logDir);
  // Dead writers' temp files first, before any database write: when they are what filled the
  // disk, removing them makes the room the writes below need (reserve.ts).
  const removedTemps: string[] = [];
  const keptTemps: string[] = [];
  for (const entry of entries) {
    const owner = tempOwner(entry.name);
    if (owner === undefined) continue;
    const path = join(ctx.logDir, entry.name);
    if (isOwnerAlive(owner)) keptTemps.push(path);
    else if (removeInsideLogDir(path, ctx.logDir, true)) removedTemps.push(path);
  }
  const removedCheckpoints = removeAbandonedCheckpoints(ctx.logDir, now);
  const releasedOwners = releaseDeadHolders(ctx);
  // Live processes' references recorded on disk but missing from the database (it was deleted
  // or replaced): restored before anything is adopted at reference 0 (markers.ts).
  const restored = restoreLiveMarkers(ctx, now);
  repairConsistency(ctx);
  const { dropped, tracked } = dropRowsOfMissingFiles(ctx);
  const adopted: string[] = [];
  for (const entry of entries) {
    const path = join(ctx.logDir, entry.name);
    if (tempOwner(entry.name) === undefined && (entry.isFile() || entry.isSymbolicLink()) && !tracked.has(path)) {
      if (adopt(ctx, path, now)) adopted.push(path);
    }
  }
  return { droppedRows: dropped, adopted, releasedOwners, removedTemps, keptTemps, restoredReferences: restored, removedCheckpoints };
}
