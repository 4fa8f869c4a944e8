/**
 * outofcore/scratch — the temp folder of one out-of-core operation.
 *
 * It lives in the log folder under a temp name `.tmp-<owner>-<random>/`, so a process killed mid-way
 * leaves only something start-up reconciliation recognises as a dead writer's and removes; a live
 * operation removes it itself in `finally`, on success, error or cancellation alike.
 * Files inside are raw binary (cached spectra) or unpublished digit files (pow's intermediates).
 */
import { constants, existsSync, mkdirSync, rmSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { freemem } from 'node:os';
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

/**
 * Alignment (bytes) of memory address, file position and length that direct I/O (O_DIRECT) needs: 4096 covers disks
 * with 4 KiB logical blocks as well as 512-byte ones. kernel/transform.ts's WasmBlock is aligned to it.
 */
export const DIRECT_IO_ALIGN = 4096;

/** Linux's O_DIRECT (undefined where the platform has none: every transfer is then buffered). */
const O_DIRECT = (constants as Record<string, number | undefined>).O_DIRECT;

/** Share of the available memory beyond which an operation's scratch files bypass the page cache. */
const DIRECT_SCRATCH_SHARE = 1 / 4;

/**
 * Whether scratch files of `bytes` in all should bypass the page cache (RecordFile's `direct`): when they would take
 * more than a quarter of the memory the system has available (os.freemem: Linux's MemAvailable). Below that the page
 * cache holds them whole: writes return at once, reads hit memory, and a file deleted before its write-back never
 * reaches the disk, which buys wall time for some system time (9^(9^9) at 1 GiB, 3 GB of scratch in its last step,
 * alternating at load 5–7: buffered 65 and 86 s wall, 28.8 and 27.2 s CPU; direct 97 and 94 s wall, 21.9 and 23.1 s
 * CPU). Beyond it the scratch pushes other pages out and the system time of buffered I/O climbs with the reclaim
 * (docs/ARCHITECTURE.md, "Out of core"), so direct I/O wins on both counts.
 */
export function scratchBypassesPageCache(bytes: number): boolean {
  return O_DIRECT !== undefined && bytes > freemem() * DIRECT_SCRATCH_SHARE;
}

/**
 * A binary file of fixed-size records (one block spectrum each), written and read by index.
 *
 * Direct I/O (`direct`, docs/ARCHITECTURE.md "Out of core"): scratch written once and read once gains nothing from
 * the page cache and pays for it: a write into new page-cache pages cost 0.25–1.6 s of system time per GB on this
 * machine (allocation, and reclaim once the scratch outgrows the free memory), a read 0.13 s, the unlink of the cached
 * pages 0.05 s; with O_DIRECT the same transfers cost ~0.05–0.1 s per GB, whatever the page cache holds. So a file
 * opened `direct` moves every transfer whose memory address, position and length are multiples of DIRECT_IO_ALIGN
 * through a second, O_DIRECT descriptor (the 2-D transform's stripes and rows, in aligned WasmBlocks), the others
 * through the buffered one; Linux keeps the two coherent (a direct transfer writes back and drops the cached pages it
 * overlaps). The memory address is the view's offset in its buffer: only views of the wasm memory (whose base is
 * page-aligned) are passed as direct. A platform or file system that refuses O_DIRECT (EINVAL) turns the file buffered
 * for good, so the flag never makes a transfer fail.
 */
export class RecordFile {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    readonly recordBytes: number,
    private directHandle: FileHandle | undefined,
  ) {}

  private static async directFor(path: string, direct: boolean): Promise<FileHandle | undefined> {
    if (!direct || O_DIRECT === undefined) return undefined;
    return open(path, constants.O_RDWR | O_DIRECT).catch(() => undefined); // refused: buffered transfers only
  }

  static async create(path: string, recordBytes: number, direct = false): Promise<RecordFile> {
    try {
      const handle = await open(path, 'w+');
      return new RecordFile(path, handle, recordBytes, await RecordFile.directFor(path, direct));
    } catch (error) {
      throw new StorageError(path, 'create scratch file', error);
    }
  }

  /** Opens `path` keeping what it holds (a resumed run's scratch file), creating it when missing. */
  static async openOrCreate(path: string, recordBytes: number, direct = false): Promise<RecordFile> {
    try {
      const handle = await open(path, existsSync(path) ? 'r+' : 'w+');
      return new RecordFile(path, handle, recordBytes, await RecordFile.directFor(path, direct));
    } catch (error) {
      throw new StorageError(path, 'open scratch file', error);
    }
  }

  /** The O_DIRECT descriptor when this transfer may use it (see the class comment), else the buffered one. */
  private handleFor(position: number, bytes: Uint8Array): FileHandle {
    const a = DIRECT_IO_ALIGN;
    return this.directHandle && position % a === 0 && bytes.byteOffset % a === 0 && bytes.length % a === 0 ? this.directHandle : this.handle;
  }

  /** True when `error` is a refusal of direct I/O by `handle` (which then turns this file buffered for good). */
  private refusedDirect(handle: FileHandle, error: unknown): boolean {
    if (handle !== this.directHandle || (error as NodeJS.ErrnoException)?.code !== 'EINVAL') return false;
    this.directHandle = undefined;
    void handle.close().catch(() => undefined);
    return true;
  }

  /**
   * Writes `bytes` at byte `position`. A direct write is synchronous: it costs about half the CPU time of one through
   * libuv's thread pool (~40 against ~100 µs of user + system time per 128 KiB piece, measured), and the 2-D
   * transform's passes wait for their writes anyway; at a fixed budget the pieces get smaller as the operands grow, so
   * this per-transfer cost is what grows fastest (class comment).
   */
  async writeBytes(position: number, bytes: Uint8Array): Promise<void> {
    let done = 0;
    try {
      while (done < bytes.length) {
        const piece = bytes.subarray(done);
        const handle = this.handleFor(position + done, piece);
        try {
          done += handle === this.directHandle
            ? writeSync(handle.fd, piece, 0, piece.length, position + done)
            : (await handle.write(piece, 0, piece.length, position + done)).bytesWritten;
        } catch (error) {
          if (!this.refusedDirect(handle, error)) throw error;
        }
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
        const piece = bytes.subarray(done);
        const handle = this.handleFor(position + done, piece);
        let bytesRead: number;
        try {
          ({ bytesRead } = await handle.read(piece, 0, piece.length, position + done));
        } catch (error) {
          if (this.refusedDirect(handle, error)) continue;
          throw error;
        }
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
    await this.directHandle?.close().catch(() => undefined);
    await this.handle.close().catch(() => undefined);
  }
}
