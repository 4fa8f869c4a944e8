/**
 * storage/disk — free space, for the checks that refuse up front a result the disk cannot hold.
 */
import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Bytes free for unprivileged writers on the file system holding `folder`, or that will hold it: a folder not made
 * yet (the log folder before the first staged file) is measured at its nearest existing ancestor, so the first
 * operation of a fresh home is checked too. Infinity only when no ancestor can be measured.
 * @example freeBytesAt('/tmp') // e.g. 81714315264
 */
export function freeBytesAt(folder: string): number {
  for (let path = folder; ; path = dirname(path)) {
    try {
      const stats = statfsSync(path);
      return stats.bavail * stats.bsize;
    } catch {
      if (dirname(path) === path) return Number.POSITIVE_INFINITY;
    }
  }
}
