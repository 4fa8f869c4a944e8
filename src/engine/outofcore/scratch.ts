/**
 * outofcore/scratch — the temp folder of one out-of-core operation.
 *
 * It lives in the log folder under a temp name `.tmp-<owner>-<random>/`, so a process killed mid-way
 * leaves only something start-up reconciliation recognises as a dead writer's and removes; a live
 * operation removes it itself in `finally`, on success, error or cancellation alike.
 * Files inside are raw binary (cached spectra) or unpublished digit files (pow's intermediates).
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { getConfig } from '../../config.js';
import { StorageError } from '../../errors.js';
import { tempName } from '../../storage/index.js';

export class ScratchDir {
  private counter = 0;

  private constructor(readonly path: string) {}

  static create(): ScratchDir {
    const path = join(getConfig().logDir, tempName());
    try {
      mkdirSync(path, { recursive: true });
    } catch (error) {
      throw new StorageError(path, 'create scratch folder', error);
    }
    return new ScratchDir(path);
  }

  /**
   * The folder at `path`, created when missing and kept as it is otherwise: a journaled (resumable) operation's
   * scratch folder, whose files a rerun finds by their names (`namedPath`).
   */
  static at(path: string): ScratchDir {
    try {
      mkdirSync(path, { recursive: true });
    } catch (error) {
      throw new StorageError(path, 'create scratch folder', error);
    }
    return new ScratchDir(path);
  }

  /** The path of the file called `name` in the folder (deterministic: a rerun finds it). */
  namedPath(name: string): string {
    return join(this.path, name);
  }

  /** A fresh file path inside the folder. */
  newPath(stem: string): string {
    return join(this.path, `${stem}-${this.counter++}`);
  }

  /** Deletes one file of the folder (harmless when already gone). */
  removeFile(path: string): void {
    rmSync(path, { force: true });
  }

  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

/** A binary file of fixed-size records (one block spectrum each), written and read by index. */
export class RecordFile {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    readonly recordBytes: number,
  ) {}

  static async create(path: string, recordBytes: number): Promise<RecordFile> {
    try {
      return new RecordFile(path, await open(path, 'w+'), recordBytes);
    } catch (error) {
      throw new StorageError(path, 'create scratch file', error);
    }
  }

  /** Opens `path` keeping what it holds (a resumed run's scratch file), creating it when missing. */
  static async openOrCreate(path: string, recordBytes: number): Promise<RecordFile> {
    try {
      return new RecordFile(path, await open(path, existsSync(path) ? 'r+' : 'w+'), recordBytes);
    } catch (error) {
      throw new StorageError(path, 'open scratch file', error);
    }
  }

  /** Writes `bytes` at byte `position`. */
  async writeBytes(position: number, bytes: Uint8Array): Promise<void> {
    let done = 0;
    try {
      while (done < bytes.length) {
        const { bytesWritten } = await this.handle.write(bytes, done, bytes.length - done, position + done);
        done += bytesWritten;
      }
    } catch (error) {
      throw new StorageError(this.path, 'write scratch data to', error);
    }
  }

  /**
   * Fills `bytes` from byte `position`. The file must hold them, unless `zeroFill`: then what lies past its end reads
   * as zeros (data an earlier run's journal describes, which a check against the record refuses when it is missing).
   */
  async readBytes(position: number, bytes: Uint8Array, zeroFill = false): Promise<void> {
    let done = 0;
    try {
      while (done < bytes.length) {
        const { bytesRead } = await this.handle.read(bytes, done, bytes.length - done, position + done);
        if (bytesRead === 0) {
          if (!zeroFill) throw new Error('scratch file is shorter than written');
          bytes.fill(0, done);
          break;
        }
        done += bytesRead;
      }
    } catch (error) {
      throw new StorageError(this.path, 'read scratch data from', error);
    }
  }

  /** Flushes what was written to the disk (before a journal records it). */
  async sync(): Promise<void> {
    try {
      await this.handle.datasync();
    } catch (error) {
      throw new StorageError(this.path, 'flush scratch data to', error);
    }
  }

  /** Writes the arrays back to back as record `index`. */
  async write(index: number, parts: readonly Float64Array[]): Promise<void> {
    let position = index * this.recordBytes;
    for (const part of parts) {
      await this.writeBytes(position, new Uint8Array(part.buffer, part.byteOffset, part.byteLength));
      position += part.byteLength;
    }
  }

  /** Reads record `index` into the arrays. */
  async read(index: number, parts: readonly Float64Array[]): Promise<void> {
    let position = index * this.recordBytes;
    for (const part of parts) {
      await this.readBytes(position, new Uint8Array(part.buffer, part.byteOffset, part.byteLength));
      position += part.byteLength;
    }
  }

  async close(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }
}
