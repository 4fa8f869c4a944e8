/**
 * write — results appear only complete: every file is written under a temp name in the
 * destination folder, flushed to disk, then renamed onto its final name (rename is atomic
 * within one file system). Temp names carry the writer's owner token (see owner.ts) so a
 * crashed writer's leftovers can be told apart and removed at the next start.
 *
 * Outside the log folder (an `-o` export, a pi file, a search index beside the searched file)
 * no start-up scan looks, so a writer killed there would leave its `.tmp-*` file for ever. Of
 * the two remedies — record each temp file before creating it, or clean one recognisable name
 * pattern at the next write to the same folder — we clean: `createBeside` removes, from the
 * folder it writes to, every regular file named exactly as `tempName()` names them whose owner
 * process is dead. A live writer's temp file is kept (its owner is alive), and a user's file is
 * never matched unless it copies the full `.tmp-<pid>.<start>-<12 hex>` form.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, renameSync, unlinkSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { StorageError } from '../errors.js';
import { withChunkBuffers } from './chunkpool.js';
import { exactTempOwner, isOwnerAlive, tempName } from './owner.js';

export class AtomicFile {
  private handle: FileHandle | undefined;
  private appendPosition = 0;
  private settled = false;
  /** The removal `abort` started, which every later `abort` waits for. */
  private aborting: Promise<void> | undefined;
  /** Opened by `reopen`: `abort` keeps the file. */
  private kept = false;

  private constructor(
    readonly tempPath: string,
    handle: FileHandle,
  ) {
    this.handle = handle;
  }

  /**
   * Opens a new temp file beside `target` (in its folder, created if missing), after removing
   * the temp files that killed writers left in that folder (`sweepStaleTemps`). For files
   * written outside the log folder — `-o` exports, pi files, search indexes — which start-up
   * reconciliation never scans.
   */
  static async createBeside(target: string): Promise<AtomicFile> {
    const dir = dirname(resolve(target));
    sweepStaleTemps(dir);
    return AtomicFile.create(dir);
  }

  /** Opens a new temp file in `dir` (created if missing). */
  static async create(dir: string): Promise<AtomicFile> {
    const path = join(dir, tempName());
    try {
      mkdirSync(dir, { recursive: true });
      return new AtomicFile(path, await open(path, 'wx+'));
    } catch (error) {
      throw new StorageError(path, 'create temp file', error);
    }
  }

  /**
   * Opens the file at `path` as the unfinished output of a resumable operation (in its checkpoint folder,
   * engine/outofcore/resume.ts): kept as it is when it exists — a killed run's digits, which the operation's
   * journal verifies before trusting any of them — and created when not. Published like a temp file; `abort()`
   * (also after a failed write) closes it and leaves it for the rerun: the checkpoint folder's owner removes it.
   */
  static async reopen(path: string): Promise<AtomicFile> {
    try {
      const file = new AtomicFile(path, await open(path, existsSync(path) ? 'r+' : 'w+'));
      file.kept = true;
      return file;
    } catch (error) {
      throw new StorageError(path, 'open', error);
    }
  }

  /** Bytes written by `append` so far. */
  get length(): number {
    return this.appendPosition;
  }

  async append(bytes: Uint8Array): Promise<void> {
    await this.writeAt(this.appendPosition, bytes);
    this.appendPosition += bytes.length;
  }

  /** Positioned write, for results produced least significant digit first. */
  async writeAt(position: number, bytes: Uint8Array): Promise<void> {
    const handle = this.open();
    let done = 0;
    try {
      while (done < bytes.length) {
        const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
        done += bytesWritten;
      }
    } catch (error) {
      await this.abort();
      throw new StorageError(this.tempPath, 'write', error);
    }
  }

  /** Reads back bytes [position, position + target.length) of what was written. */
  async readAt(position: number, target: Uint8Array): Promise<Uint8Array> {
    const handle = this.open();
    let done = 0;
    try {
      while (done < target.length) {
        const { bytesRead } = await handle.read(target, done, target.length - done, position + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
    } catch (error) {
      await this.abort();
      throw new StorageError(this.tempPath, 'read back', error);
    }
    return target.subarray(0, done);
  }

  /**
   * Moves bytes [from, from + length) down to `to` (< from) in bounded memory, then cuts the
   * file at `to + length`. Used when a result written back to front turned out shorter than
   * the room reserved for it (leading zeros after a subtraction).
   */
  async moveDown(from: number, length: number, to: number, chunk = 1 << 20): Promise<void> {
    // A pooled buffer (chunkpool.ts): a fresh one per call (of 4 MiB then) was garbage left by every squeezed result.
    await withChunkBuffers(1, Math.min(chunk, Math.max(length, 1)), async ([buffer]) => {
      for (let done = 0; done < length; done += buffer!.length) {
        const part = await this.readAt(from + done, buffer!.subarray(0, Math.min(buffer!.length, length - done)));
        await this.writeAt(to + done, part);
      }
    });
    await this.truncate(to + length);
  }

  /** Sets the file's length (used to preallocate a result written back to front). */
  async truncate(length: number): Promise<void> {
    try {
      await this.open().truncate(length);
    } catch (error) {
      await this.abort();
      throw new StorageError(this.tempPath, 'size', error);
    }
  }

  /** Flushes what was written so far to the disk (a resumable operation then records it in its journal). */
  async sync(): Promise<void> {
    try {
      await this.open().datasync();
    } catch (error) {
      await this.abort();
      throw new StorageError(this.tempPath, 'flush', error);
    }
  }

  /** Flushes and closes; the temp file stays until `publish` or `abort`. */
  async finish(): Promise<void> {
    const handle = this.open();
    try {
      await handle.datasync();
      await handle.close();
      this.handle = undefined;
    } catch (error) {
      await this.abort();
      throw new StorageError(this.tempPath, 'flush', error);
    }
  }

  /**
   * Renames the finished temp file onto `finalPath` (synchronous, so callers can do it inside a
   * tracker transaction together with registering the path).
   */
  publish(finalPath: string): void {
    if (this.handle) throw new StorageError(this.tempPath, 'publish', new Error('finish() must come first'));
    try {
      renameSync(this.tempPath, finalPath);
      this.settled = true;
    } catch (error) {
      throw new StorageError(finalPath, 'rename result onto', error);
    }
  }

  /**
   * Closes and deletes the temp file (keeps a `reopen`ed one); harmless when already published or aborted. Every
   * call resolves only once the file is gone: with writes in flight (engine/result.ts writeNatResult keeps one
   * piece in flight) two failing writes both abort, and the second must not let the caller see the error, and the
   * folder, before the first has removed the file.
   */
  abort(): Promise<void> {
    if (this.aborting) return this.aborting;
    if (this.settled) return Promise.resolve();
    this.settled = true;
    this.aborting = this.closeAndRemove();
    return this.aborting;
  }

  private async closeAndRemove(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close().catch(() => undefined);
    if (this.kept) return;
    try {
      unlinkSync(this.tempPath);
    } catch {
      // Already gone: nothing to clean.
    }
  }

  private open(): FileHandle {
    if (!this.handle || this.settled) throw new StorageError(this.tempPath, 'write', new Error('file is closed'));
    return this.handle;
  }
}

/**
 * Writes a whole file at `target` atomically: `write` fills a temp file beside it (same file
 * system, so the rename is atomic); on success it is flushed and renamed onto `target`, on any
 * failure deleted. Returns the absolute path written.
 */
export async function writeFileAtomically(target: string, write: (file: AtomicFile) => Promise<void>): Promise<string> {
  const path = resolve(target);
  const file = await AtomicFile.createBeside(path);
  try {
    await write(file);
    await file.finish();
    file.publish(path);
    return path;
  } catch (error) {
    await file.abort();
    throw error;
  }
}

/** Folders already swept by this process: one sweep per folder is enough (it is for dead writers). */
const swept = new Set<string>();

/**
 * Deletes the temp files of dead writers in `dir` (see the module comment); never throws — a
 * folder that cannot be listed is reported by the write that follows.
 * @returns the paths removed.
 */
export function sweepStaleTemps(dir: string): string[] {
  if (swept.has(dir)) return [];
  swept.add(dir);
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const owner = exactTempOwner(name);
    if (owner === undefined || isOwnerAlive(owner)) continue;
    const path = join(dir, name);
    try {
      if (!lstatSync(path).isFile()) continue;
      unlinkSync(path);
      removed.push(path);
    } catch {
      // Gone meanwhile (another process swept it), or not ours to remove: leave it.
    }
  }
  return removed;
}
