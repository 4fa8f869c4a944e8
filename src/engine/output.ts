/**
 * output — where a result may be written with `-o` / `exportToFile`.
 *
 * The home is mathstream's own: the log folder's files are collected by `gc`, the tracker
 * database must stay a database, a live process's result must not be overwritten under it. So
 * an output path inside the home is refused (exit 2) — and the test is made on real paths
 * (symlinks resolved, for the target's nearest existing folder too), so a link into the home
 * is refused like the path itself. An output equal to one of the operands is refused as well:
 * it would replace the user's input with the result (and a later read of that input, by this
 * or any process, would see another number). Equality is by real path, and by device and
 * inode when the target exists (a hard link to an operand counts).
 */
import { realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { getConfig } from '../config.js';
import { escapeControl, InvalidArgumentError, StorageError } from '../errors.js';
import { isWithin } from '../tracker/paths.js';

/** The real path `path` would have: symlinks of its nearest existing ancestor resolved. */
function realTarget(path: string): string {
  let dir = resolve(path);
  const rest: string[] = [];
  for (;;) {
    try {
      return join(realpathSync(dir), ...rest);
    } catch {
      const parent = dirname(dir);
      if (parent === dir) return resolve(path);
      rest.unshift(basename(dir));
      dir = parent;
    }
  }
}

/** `stat`, or undefined where nothing is (ENOENT, or ENOTDIR: a file earlier in the path). */
function statIfAny(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new StorageError(path, 'inspect output path', error); // ELOOP, ENAMETOOLONG, EACCES: exit 2
  }
}

/** The nearest existing ancestor of `path` (itself excluded) when it is not a folder, else undefined. */
function fileInTheWay(path: string): string | undefined {
  for (let dir = dirname(resolve(path)); ; dir = dirname(dir)) {
    const stats = statIfAny(dir);
    if (stats !== undefined) return stats.isDirectory() ? undefined : dir;
    if (dirname(dir) === dir) return undefined;
  }
}

function sameFile(a: string, b: string): boolean {
  const x = statIfAny(a);
  const y = statIfAny(b);
  return x !== undefined && y !== undefined && x.dev === y.dev && x.ino === y.ino;
}

/** What a non-regular file is, for messages. */
function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/** Longest file name most file systems take (bytes): refused up front rather than at the final rename. */
const NAME_MAX = 255;

/**
 * Checks an output path before any work: not empty, not inside the mathstream home, not below
 * a regular file, not one of `operands` (the user's input files); an existing target must be a
 * regular file (the result replaces it by a rename, which would replace a device, a FIFO or a
 * folder's entry with a file: as root, `-o /dev/null` would destroy /dev/null); the folder must
 * exist (a typo in a path is an error, not a new folder); a symlink is written through (its
 * target is replaced, the link stays).
 * @returns the absolute path to write: symlinks resolved.
 * @throws InvalidArgumentError (exit 2) for an empty path, a path inside the home or below a
 *   file, an operand, a non-regular target, a missing folder, a name too long.
 * @example checkOutputTarget('out.txt', ['in.txt']) // '/work/out.txt'
 */
export function checkOutputTarget(target: string, operands: readonly string[] = []): string {
  if (target === '') throw new InvalidArgumentError('output: the file name is empty; give -o FILE, or leave -o out to print the result');
  const shown = escapeControl(target);
  if (Buffer.byteLength(basename(target)) > NAME_MAX) {
    throw new InvalidArgumentError(`output: the file name is longer than ${NAME_MAX} bytes: ${shown}`);
  }
  const { home } = getConfig();
  const real = realTarget(target);
  if (isWithin(resolve(home), resolve(target)) || isWithin(realTarget(home), real)) {
    throw new InvalidArgumentError(
      `output: ${shown} is inside the mathstream home ${escapeControl(home)}, whose files mathstream manages (and gc deletes); write the result outside it`,
    );
  }
  const blocker = fileInTheWay(target);
  if (blocker !== undefined) {
    throw new InvalidArgumentError(`output: ${shown} cannot be created: ${escapeControl(blocker)} is a file, not a folder`);
  }
  for (const operand of operands) {
    if (realTarget(operand) === real || sameFile(operand, target)) {
      throw new InvalidArgumentError(`output: ${shown} is also an operand; writing the result there would replace the input, choose another file`);
    }
  }
  const existing = statIfAny(target);
  if (existing !== undefined && !existing.isFile()) {
    throw new InvalidArgumentError(`output: ${shown} is ${kindOf(existing)}; -o writes regular files only (and would replace it)`);
  }
  const folder = dirname(real);
  if (statIfAny(folder) === undefined) {
    throw new InvalidArgumentError(`output: the folder ${escapeControl(folder)} does not exist; create it first (or check the path)`);
  }
  return real;
}
