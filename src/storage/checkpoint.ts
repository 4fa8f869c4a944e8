/**
 * checkpoint — the folders in which resumable long runs keep their checkpoints, and who holds them.
 *
 * A resumable operation (engine/outofcore/resume.ts) works in `<home>/log/.resume-<key>/`, `<key>` being a hash
 * of what it computes (operation, operands, parameters), so a rerun of the same command finds the folder again.
 * The folder holds a `lock` file with the owner token (owner.ts) of the process working in it; a process that
 * dies keeps its token there, and a token whose process is gone means "nobody holds it". Both the engine (to take
 * the folder) and the tracker (to list, keep or remove the folders) use this module, so the rules live in one
 * place (docs/ARCHITECTURE.md, "Resumable runs"):
 * - **held**: the lock names a living process — never touched by anyone else;
 * - **resumable**: nobody holds it — a rerun of the same operation continues from it; `clear` removes it;
 * - **abandoned**: nobody holds it and nothing in it changed for `checkpointMaxAgeDays` (config.ts, default 7) —
 *   start-up reconciliation and `gc` remove it.
 */
import { closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StorageError } from '../errors.js';
import { currentOwner, isOwnerAlive } from './owner.js';

/** Prefix of every checkpoint folder's name in the log folder. */
export const CHECKPOINT_PREFIX = '.resume-';
const LOCK = 'lock';

/** True when `name` (an entry of the log folder) is a checkpoint folder's name. */
export function isCheckpointName(name: string): boolean {
  return name.startsWith(CHECKPOINT_PREFIX) && /^[0-9a-f]{8,64}$/.test(name.slice(CHECKPOINT_PREFIX.length));
}

/** What a listing says of one checkpoint folder. */
export interface CheckpointInfo {
  readonly path: string;
  /** Owner token in its lock, or undefined when it has none (it is being created or was released). */
  readonly owner: string | undefined;
  /** True while the owner process runs. */
  readonly held: boolean;
  /** Bytes of the files in it. */
  readonly sizeBytes: number;
  /** Latest modification time (ms) of the folder or anything in it: when the run last made progress. */
  readonly modifiedMs: number;
}

/** The owner token written in a checkpoint folder's lock, or undefined. */
export function checkpointOwner(folder: string): string | undefined {
  try {
    const text = readFileSync(join(folder, LOCK), 'latin1').trim();
    return /^\d+\.\d+$/.test(text) ? text : undefined;
  } catch {
    return undefined;
  }
}

/** Size and latest change of a folder's files (one level deep: checkpoint folders hold no sub-folders). */
function folderUsage(folder: string): { sizeBytes: number; modifiedMs: number } {
  let sizeBytes = 0;
  let modifiedMs = 0;
  try {
    modifiedMs = lstatSync(folder).mtimeMs;
    for (const name of readdirSync(folder)) {
      try {
        const stats = lstatSync(join(folder, name));
        sizeBytes += stats.size;
        modifiedMs = Math.max(modifiedMs, stats.mtimeMs);
      } catch {
        // removed meanwhile
      }
    }
  } catch {
    // the folder went away meanwhile: empty
  }
  return { sizeBytes, modifiedMs };
}

/** Describes the checkpoint folder at `path`. */
export function describeCheckpoint(path: string): CheckpointInfo {
  const owner = checkpointOwner(path);
  return { path, owner, held: owner !== undefined && isOwnerAlive(owner), ...folderUsage(path) };
}

/** Every checkpoint folder in `logDir` (none when it cannot be listed). */
export function listCheckpoints(logDir: string): CheckpointInfo[] {
  let names: string[];
  try {
    names = readdirSync(logDir);
  } catch {
    return [];
  }
  return names
    .filter(isCheckpointName)
    .sort()
    .map((name) => describeCheckpoint(join(logDir, name)))
    .filter((info) => {
      try {
        return lstatSync(info.path).isDirectory();
      } catch {
        return false;
      }
    });
}

/**
 * The abandonment rule: nobody holds the folder and it has not changed for `maxAgeMs`.
 * @example isAbandoned(describeCheckpoint(path), Date.now(), 7 * 86_400_000)
 */
export function isAbandoned(info: CheckpointInfo, now: number, maxAgeMs: number): boolean {
  return !info.held && now - info.modifiedMs >= maxAgeMs;
}

/** Why a checkpoint folder could not be taken: the living owner's token. */
export interface CheckpointHeld {
  readonly heldBy: string;
}

/**
 * Creates (if needed) and takes the checkpoint folder `folder` for this process. Returns undefined when taken, or
 * the living owner that holds it. A dead owner's lock is replaced: its run was killed, and this one continues it.
 * Two processes racing for a dead owner's folder both unlink the stale lock, then only one creates the new one
 * (`wx`); the other sees the winner as the living owner.
 * @throws {StorageError} the folder or its lock cannot be created
 */
export function takeCheckpointFolder(folder: string): CheckpointHeld | undefined {
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    throw new StorageError(folder, 'create checkpoint folder', error);
  }
  const lock = join(folder, LOCK);
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(lock, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new StorageError(lock, 'create checkpoint lock', error);
      const owner = checkpointOwner(folder);
      if (owner !== undefined && owner !== currentOwner() && isOwnerAlive(owner)) return { heldBy: owner };
      try {
        unlinkSync(lock);
      } catch {
        // another process removed it first
      }
      continue;
    }
    try {
      writeSync(fd, `${currentOwner()}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return undefined;
  }
  const owner = checkpointOwner(folder);
  return { heldBy: owner ?? 'another process' };
}

/** Gives the folder up (its data stays: a later run of the same operation resumes from it). */
export function releaseCheckpointFolder(folder: string): void {
  if (checkpointOwner(folder) !== currentOwner()) return;
  try {
    unlinkSync(join(folder, LOCK));
  } catch {
    // already gone
  }
}

/** fsync of a folder, so that a rename or a new file inside it survives a power loss. */
export function syncFolder(folder: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(folder, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a folder; the data files themselves were synced.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
