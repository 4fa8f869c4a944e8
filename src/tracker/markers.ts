/**
 * tracker/markers — the references of each live process, kept on the file system as well as in
 * the database, so that losing the database cannot expose a running process's files.
 *
 * The database alone decided liveness before: delete `mathstream.sqlite` while a process holds
 * references, and the next start adopted that process's files at reference 0 (nothing said they
 * were held) and the next `gc` deleted them under it (issue 14). Now every holder row
 * `(path, owner, count)` has a twin: an empty file
 *
 *     <home>/holders/<owner>/<encodeURIComponent(path relative to the log folder)>=<count>
 *
 * created when the owner takes its first reference to the path, renamed when the count changes,
 * deleted with the last one — inside the same tracker transaction, after the database step (a
 * failed marker step rolls the transaction back). Empty files cost an inode and no data block,
 * so they still work on a nearly full disk. Reconciliation then:
 * - restores, for every marker of a LIVE owner, the holder row and the file's row when the
 *   database lacks them (a deleted or replaced database): the file stays held, with its count;
 * - removes the marker folders of dead owners (their references protect nothing).
 * Wiping the records on purpose (`resetOnStart`, `wipeLogRecords`) wipes the markers too.
 */
import { closeSync, lstatSync, mkdirSync, openSync, readdirSync, renameSync, rmdirSync, rmSync, unlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isOwnerAlive } from '../storage/owner.js';
import { StorageError } from '../errors.js';
import { isInsideLogDir, lstatOrUndefined } from './paths.js';
import type { TrackerContext } from './statements.js';

/** `<home>/holders`. */
export function markersDir(home: string): string {
  return join(home, 'holders');
}

function markerPath(ctx: TrackerContext, owner: string, path: string, count: number): string {
  return join(markersDir(ctx.home), owner, `${encodeURIComponent(relative(ctx.logDir, path))}=${count}`);
}

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

function createEmpty(path: string): void {
  try {
    closeSync(openSync(path, 'w'));
  } catch (error) {
    if (code(error) !== 'ENOENT') throw error;
    mkdirSync(join(path, '..'), { recursive: true }); // first marker of this owner, or the folder was removed
    closeSync(openSync(path, 'w'));
  }
}

/**
 * Makes the marker of `(path, owner)` say `after` references (none: no marker), given that it
 * said `before`. Call inside the transaction that changed the holder row, after that change.
 * @throws StorageError when the marker cannot be written (the caller's transaction rolls back).
 */
export function updateMarker(ctx: TrackerContext, path: string, owner: string, before: number, after: number): void {
  if (before === after) return;
  const from = markerPath(ctx, owner, path, before);
  const to = markerPath(ctx, owner, path, after);
  try {
    if (after <= 0) {
      unlinkSync(from);
      removeFolderIfEmpty(join(from, '..'));
    } else if (before <= 0) {
      createEmpty(to);
    } else {
      renameSync(from, to);
    }
  } catch (error) {
    if (code(error) !== 'ENOENT') throw new StorageError(after <= 0 ? from : to, 'update the reference marker', error);
    // The old marker is missing (its folder was wiped): write the new state outright.
    if (after > 0) {
      try {
        createEmpty(to);
      } catch (again) {
        throw new StorageError(to, 'update the reference marker', again);
      }
    }
  }
}

/**
 * Drops an owner's marker folder once its last marker is gone, so that a process that exits cleanly
 * leaves nothing under `<home>/holders`. A marker created right after by the same owner finds the
 * folder missing and creates it again (`createEmpty`).
 */
function removeFolderIfEmpty(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // ENOTEMPTY (other markers of this owner) or already gone: nothing to do.
  }
}

/** Removes one owner's marker folder (a real folder inside `<home>/holders` only). */
export function removeOwnerMarkers(ctx: TrackerContext, owner: string): void {
  const root = markersDir(ctx.home);
  if (lstatOrUndefined(root)?.isDirectory() !== true) return;
  const dir = join(root, owner);
  if (owner.includes('/') || owner.startsWith('.') || lstatOrUndefined(dir)?.isDirectory() !== true) return;
  rmSync(dir, { recursive: true, force: true });
}

/** Removes every marker (the records were wiped on purpose). */
export function removeAllMarkers(ctx: TrackerContext): void {
  for (const owner of listDir(markersDir(ctx.home))) removeOwnerMarkers(ctx, owner);
}

function listDir(dir: string): string[] {
  try {
    if (!lstatSync(dir).isDirectory()) return [];
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** `<name>=<count>` → the tracked path and the count, or undefined for anything else. */
function parseMarker(ctx: TrackerContext, name: string): { path: string; count: number } | undefined {
  const at = name.lastIndexOf('=');
  if (at <= 0) return undefined;
  const count = Number(name.slice(at + 1));
  if (!Number.isSafeInteger(count) || count <= 0) return undefined;
  let relativePath: string;
  try {
    relativePath = decodeURIComponent(name.slice(0, at));
  } catch {
    return undefined;
  }
  const path = join(ctx.logDir, relativePath);
  return isInsideLogDir(path, ctx.logDir) ? { path, count } : undefined;
}

/**
 * Reconciliation's part: the dead owners' marker folders go; every marker of a live owner whose
 * holder row is missing gets it back (and its file's rows, dated `now`), when the file exists.
 * The caller recomputes the reference counts afterwards.
 * @returns the paths whose references were restored.
 */
export function restoreLiveMarkers(ctx: TrackerContext, now: number): string[] {
  const restored: string[] = [];
  for (const owner of listDir(markersDir(ctx.home))) {
    if (!isOwnerAlive(owner)) {
      removeOwnerMarkers(ctx, owner);
      continue;
    }
    for (const name of listDir(join(markersDir(ctx.home), owner))) {
      const marker = parseMarker(ctx, name);
      if (marker === undefined || (ctx.sql.holderCount.get(marker.path, owner)?.count ?? 0) > 0) continue;
      const stats = lstatOrUndefined(marker.path);
      if (stats === undefined) continue;
      ctx.sql.insertLog.run(marker.path, now, now, Number(stats.size));
      ctx.sql.insertRef.run(marker.path);
      ctx.sql.setHolder.run(marker.path, owner, marker.count);
      restored.push(marker.path);
    }
  }
  return restored;
}
