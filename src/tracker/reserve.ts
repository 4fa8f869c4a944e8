/**
 * tracker/reserve — room kept aside so that `gc` can free a full disk.
 *
 * Collecting is itself a write: opening the database creates its 32 KiB shared-memory file,
 * start-up reconciliation adopts a crashed run's files and releases its references, and the
 * sweep commits its deletions to the write-ahead log. On a disk filled to the last byte (by a
 * killed `pow`, say) every one of those fails with SQLITE_FULL, so the garbage that filled the
 * disk could never be collected. Hence `<home>/mathstream.reserve`: RESERVE_BYTES of real
 * (written, not sparse) blocks, created at each tracker start when missing and the disk has
 * room, released by `gc` and `clear` before they open the database, and made again once they
 * have freed space. The temp files of dead writers are also deleted before any database write
 * (reconcile.ts), which frees space first when they are what filled the disk.
 *
 * 512 KiB covers the shared-memory file and the log pages of a reconciliation and a sweep of a
 * few hundred files (a few pages each); beyond that the sweep's own deletions, made before its
 * commit writes the log, provide the room.
 */
import { closeSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { sweepStaleTemps, tempName } from '../storage/index.js';

/** Bytes kept aside for `gc` on a full disk. */
export const RESERVE_BYTES = 512 * 1024;

/** `<home>/mathstream.reserve`. */
export function reservePath(home: string): string {
  return join(home, 'mathstream.reserve');
}

/**
 * Creates the reserve file when it is missing or short. Best effort: on a disk without room
 * for it nothing is left behind and nothing is reported (the next start tries again).
 * @returns true when the reserve is in place.
 */
export function ensureReserve(home: string): boolean {
  if (reservedSize(home) >= RESERVE_BYTES) return true;
  sweepStaleTemps(home); // a reserve half-written by a killed process
  const temp = join(home, tempName());
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'wx');
    const zeros = Buffer.alloc(64 * 1024);
    for (let done = 0; done < RESERVE_BYTES; done += zeros.length) writeSync(fd, zeros, 0, zeros.length, done);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, reservePath(home));
    return true;
  } catch {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(temp);
    } catch {
      // never created
    }
    return false;
  }
}

/**
 * Deletes the reserve file so that what follows has room to write.
 * @returns the bytes freed (0 when there was none).
 */
export function releaseReserve(home: string): number {
  const size = reservedSize(home);
  try {
    unlinkSync(reservePath(home));
    return size;
  } catch {
    return 0;
  }
}

/** The reserve file's size, 0 when there is none (or it cannot be inspected). */
function reservedSize(home: string): number {
  try {
    return statSync(reservePath(home), { throwIfNoEntry: false })?.size ?? 0;
  } catch {
    return 0;
  }
}
