/**
 * write — results appear only complete: every file is written under a temp name in the
 * destination folder, flushed to disk, then renamed onto its final name (rename is atomic
 * within one file system). Temp names carry the writer's owner token (see owner.ts) so a
 * crashed writer's leftovers can be told apart and removed at the next start.
 */
import { mkdirSync, renameSync, unlinkSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { StorageError } from '../errors.js';
import { tempName } from './owner.js';

export class AtomicFile {
  private handle: FileHandle | undefined;
  private appendPosition = 0;
  private settled = false;

  private constructor(
    readonly tempPath: string,
    handle: FileHandle,
  ) {
    this.handle = handle;
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
  async moveDown(from: number, length: number, to: number, chunk = 1 << 22): Promise<void> {
    const buffer = Buffer.allocUnsafe(Math.min(chunk, Math.max(length, 1)));
    for (let done = 0; done < length; done += buffer.length) {
      const part = await this.readAt(from + done, buffer.subarray(0, Math.min(buffer.length, length - done)));
      await this.writeAt(to + done, part);
    }
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

  /** Closes and deletes the temp file; harmless when already published or aborted. */
  async abort(): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close().catch(() => undefined);
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
  const file = await AtomicFile.create(dirname(path));
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
