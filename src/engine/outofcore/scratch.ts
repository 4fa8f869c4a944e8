/**
 * outofcore/scratch — the temp folder of one out-of-core operation.
 *
 * It lives in the log folder under a temp name `.tmp-<owner>-<random>/`, so a process killed mid-way
 * leaves only something start-up reconciliation recognises as a dead writer's and removes; a live
 * operation removes it itself in `finally`, on success, error or cancellation alike.
 * Files inside are raw binary (cached spectra) or unpublished digit files (pow's intermediates).
 */
import { mkdirSync, rmSync } from 'node:fs';
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

  /** Writes the arrays back to back as record `index`. */
  async write(index: number, parts: readonly Float64Array[]): Promise<void> {
    let position = index * this.recordBytes;
    for (const part of parts) {
      const bytes = new Uint8Array(part.buffer, part.byteOffset, part.byteLength);
      let done = 0;
      try {
        while (done < bytes.length) {
          const { bytesWritten } = await this.handle.write(bytes, done, bytes.length - done, position + done);
          done += bytesWritten;
        }
      } catch (error) {
        throw new StorageError(this.path, 'write scratch data to', error);
      }
      position += bytes.length;
    }
  }

  /** Reads record `index` into the arrays. */
  async read(index: number, parts: readonly Float64Array[]): Promise<void> {
    let position = index * this.recordBytes;
    for (const part of parts) {
      const bytes = new Uint8Array(part.buffer, part.byteOffset, part.byteLength);
      let done = 0;
      try {
        while (done < bytes.length) {
          const { bytesRead } = await this.handle.read(bytes, done, bytes.length - done, position + done);
          if (bytesRead === 0) throw new Error('scratch file is shorter than written');
          done += bytesRead;
        }
      } catch (error) {
        throw new StorageError(this.path, 'read scratch data from', error);
      }
      position += bytes.length;
    }
  }

  async close(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }
}
