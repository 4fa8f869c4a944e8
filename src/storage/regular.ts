/**
 * regular — opening a user's file for reading, refusing anything that is not a regular file.
 *
 * A FIFO, a socket or a device named as an operand would make a read block forever (a FIFO
 * without a writer) or never end (`/dev/zero`). So the path is `stat`ed first and refused
 * unless it is a regular file (symlinks to regular files are fine); and because the path may
 * be swapped between that check and the open, the open itself uses O_NONBLOCK (which cannot
 * block on a FIFO, and changes nothing for a regular file) and the opened descriptor is
 * checked again with `fstat`.
 */
import { closeSync, constants, fstatSync, openSync, statSync, type Stats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { StorageError } from '../errors.js';

const READ_NONBLOCKING = constants.O_RDONLY | constants.O_NONBLOCK;

function kindOf(stats: Stats): string {
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

/** The error for an entry that is not a regular file (exit 2: the user named it). */
function notRegular(stats: Stats): NodeJS.ErrnoException {
  if (stats.isDirectory()) return Object.assign(new Error('is a directory'), { code: 'EISDIR' });
  return Object.assign(new Error(`${kindOf(stats)}, not a regular file`), { code: 'ENOTREG' });
}

/**
 * Opens `path` for reading if it is a regular file.
 * @throws StorageError naming `path` and `action` (exit 2 for a FIFO, a device, a folder, a missing file).
 * @example const handle = await openRegularFile('big.txt', 'open digit file');
 */
export async function openRegularFile(path: string, action: string): Promise<FileHandle> {
  let handle: FileHandle | undefined;
  try {
    const before = await stat(path);
    if (!before.isFile()) throw notRegular(before);
    handle = await open(path, READ_NONBLOCKING);
    const after = await handle.stat();
    if (!after.isFile()) throw notRegular(after);
    return handle;
  } catch (error) {
    await handle?.close().catch(() => undefined);
    throw new StorageError(path, action, error);
  }
}

/**
 * Synchronous form of `openRegularFile`; returns a file descriptor.
 * @throws StorageError as `openRegularFile`.
 */
export function openRegularFileSync(path: string, action: string): number {
  let fd: number | undefined;
  try {
    const before = statSync(path);
    if (!before.isFile()) throw notRegular(before);
    fd = openSync(path, READ_NONBLOCKING);
    const after = fstatSync(fd);
    if (!after.isFile()) throw notRegular(after);
    return fd;
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    throw new StorageError(path, action, error);
  }
}
