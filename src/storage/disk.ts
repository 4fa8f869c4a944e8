/**
 * storage/disk — free space, for the checks that refuse up front a result the disk cannot hold.
 */
import { statfsSync } from 'node:fs';

/**
 * Bytes free for unprivileged writers on the file system holding `folder`; Infinity when the folder does not exist
 * yet (the write itself will then report any real error).
 * @example freeBytesAt('/tmp') // e.g. 81714315264
 */
export function freeBytesAt(folder: string): number {
  try {
    const stats = statfsSync(folder);
    return stats.bavail * stats.bsize;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}
