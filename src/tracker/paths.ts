/**
 * tracker/paths — the fence around the log folder.
 *
 * The tracker may only ever track and delete mathstream's own staged files, i.e. entries of
 * `<home>/log/`. Two checks keep user files safe:
 * - at registration, the path is normalised (`resolve`) and must lie lexically inside the
 *   log folder (so `log/../notes.txt` is refused);
 * - at deletion, the *real* path of the entry's parent folder must lie inside the *real*
 *   log folder, so a symlinked sub-folder cannot lead a delete out of it. The entry itself is
 *   `lstat`ed and unlinked, never followed: deleting a symlink removes the link, not its target.
 * - the log folder itself must be a real folder, never a symlink (`ensureRealLogDir`, at every
 *   tracker start, and again before every delete). A log folder that links elsewhere would
 *   make reconciliation adopt, and the collector then delete, files that mathstream never
 *   wrote (issue 14: `ln -s ~/docs home/log` emptied `~/docs`). Of the two ways out — refuse
 *   such a folder, or record every file mathstream writes and delete only those — we refuse:
 *   the folder is mathstream's own, and a link there is a mistake to report, not to work
 *   around (exit 2 with a message that says what to do).
 */
import { lstatSync, mkdirSync, readlinkSync, realpathSync, rmSync, unlinkSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { escapeControl, InvalidArgumentError, StorageError } from '../errors.js';

/**
 * Creates the log folder, or checks that the existing one is a real folder.
 * @throws InvalidArgumentError (exit 2) when `logDir` is a symlink or not a folder.
 * @example ensureRealLogDir('/home/me/instance/log')
 */
export function ensureRealLogDir(logDir: string): void {
  const stats = lstatOrUndefined(logDir);
  if (stats === undefined) {
    mkdirSync(logDir, { recursive: true });
    return;
  }
  if (stats.isSymbolicLink()) {
    let target = '?';
    try {
      target = readlinkSync(logDir);
    } catch {
      // gone meanwhile: the message still names the folder
    }
    throw new InvalidArgumentError(
      `the log folder ${escapeControl(logDir)} is a symbolic link (to ${escapeControl(target)}); mathstream deletes unreferenced files ` +
        'in its log folder, so it only uses a real folder: remove the link, or set MATHSTREAM_HOME to another folder',
    );
  }
  if (!stats.isDirectory()) {
    throw new InvalidArgumentError(`the log folder ${escapeControl(logDir)} is not a folder; remove it, or set MATHSTREAM_HOME to another folder`);
  }
}

/** True when `child` is `parent` itself or lies below it (both absolute and normalised). */
export function isWithin(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`));
}

/** True when `path` (absolute, normalised) names an entry strictly inside `logDir`. */
export function isInsideLogDir(path: string, logDir: string): boolean {
  return path !== logDir && isWithin(logDir, path);
}

/**
 * The absolute normalised form of `path`, which must name an entry inside `logDir`.
 * @throws InvalidArgumentError for anything outside: the tracker never tracks user files.
 */
export function trackedPath(path: string, logDir: string): string {
  if (typeof path !== 'string' || path === '') {
    throw new InvalidArgumentError('tracker: a file path is required');
  }
  const absolute = resolve(path);
  if (!isInsideLogDir(absolute, logDir)) {
    throw new InvalidArgumentError(
      `tracker: ${absolute} is outside the log folder ${logDir}; only mathstream's staged files are tracked`,
    );
  }
  return absolute;
}

function realpathOrUndefined(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

/**
 * Removes the entry at `path` if, after resolving symlinks of its parent folders, it still
 * lies inside the real log folder. Directories are removed only when `allowDirectory` is set
 * (stale temp folders); `rmSync` unlinks symlinks found inside without following them.
 * @returns true when something was removed; false when it was already gone or is fenced off.
 */
export function removeInsideLogDir(path: string, logDir: string, allowDirectory = false): boolean {
  // The folder may have been replaced by a link since the tracker started: delete nothing then.
  if (lstatOrUndefined(logDir)?.isSymbolicLink() !== false) return false;
  const realLog = realpathOrUndefined(logDir);
  const realParent = realpathOrUndefined(dirname(path));
  if (realLog === undefined || realParent === undefined || !isWithin(realLog, realParent)) return false;
  const realEntry = resolve(realParent, relative(dirname(path), path));
  if (!isInsideLogDir(realEntry, realLog)) return false;
  try {
    const stats = lstatSync(realEntry);
    if (stats.isDirectory()) {
      if (!allowDirectory) return false;
      rmSync(realEntry, { recursive: true, force: true });
    } else {
      unlinkSync(realEntry);
    }
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw new StorageError(realEntry, 'delete', error);
  }
}

/** `lstat` that answers undefined for a missing entry (and throws StorageError otherwise). */
export function lstatOrUndefined(path: string): ReturnType<typeof lstatSync> | undefined {
  try {
    return lstatSync(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return undefined;
    throw new StorageError(path, 'inspect', error);
  }
}
