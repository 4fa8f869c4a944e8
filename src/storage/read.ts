/**
 * read — chunked access to the significant digits of a digit file, in bounded memory.
 *
 * Positions are digit indices counted from the most significant digit (0-based), so callers
 * never see the sign byte or leading zeros. Forward reads serve comparisons, division and
 * output; backward reads (least significant chunk first) serve carry propagation in addition
 * and subtraction. Each chunk is a fresh buffer in file order: callers may keep it.
 */
import type { FileHandle } from 'node:fs/promises';
import { StorageError } from '../errors.js';
import type { DigitFileInfo } from './digits.js';
import { openRegularFile } from './regular.js';

/** Random access to one digit file's digits. Close it (or use `await using`). */
export class DigitReader {
  private constructor(
    readonly info: DigitFileInfo,
    private readonly handle: FileHandle,
  ) {}

  static async open(info: DigitFileInfo): Promise<DigitReader> {
    return new DigitReader(info, await openRegularFile(info.path, 'open'));
  }

  /** Digits [from, from + length) into `target` (or a new buffer); clamps to the number's digits. */
  async read(from: number, length: number, target?: Uint8Array): Promise<Uint8Array> {
    const count = Math.max(0, Math.min(length, this.info.digitCount - from));
    const out = target ? target.subarray(0, count) : Buffer.allocUnsafe(count);
    let done = 0;
    while (done < count) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await this.handle.read(out, done, count - done, this.info.start + from + done));
      } catch (error) {
        throw new StorageError(this.info.path, 'read', error);
      }
      if (bytesRead === 0) throw new StorageError(this.info.path, 'read', new Error('file is shorter than when it was opened'));
      done += bytesRead;
    }
    return out;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * Chunks of `chunkSize` digits, most significant first, over digits [from, to); with `into` (at least `chunkSize`
 * bytes), each chunk is a view of it, overwritten by the next.
 */
export async function* readForward(
  info: DigitFileInfo,
  chunkSize: number,
  from = 0,
  to = info.digitCount,
  into?: Uint8Array,
): AsyncGenerator<Uint8Array> {
  const reader = await DigitReader.open(info);
  try {
    for (let position = from; position < to; position += chunkSize) {
      yield await reader.read(position, Math.min(chunkSize, to - position), into);
    }
  } finally {
    await reader.close();
  }
}

/**
 * Chunks of `chunkSize` digits, least significant chunk first; each chunk is in file order.
 * The first chunk yielded ends with the units digit.
 */
export async function* readBackward(info: DigitFileInfo, chunkSize: number, into?: Uint8Array): AsyncGenerator<Uint8Array> {
  const reader = await DigitReader.open(info);
  try {
    for (let end = info.digitCount; end > 0; end -= chunkSize) {
      const start = Math.max(0, end - chunkSize);
      yield await reader.read(start, end - start, into);
    }
  } finally {
    await reader.close();
  }
}

/** All significant digits in memory (callers check the size against the memory budget first). */
export async function readAllDigits(info: DigitFileInfo): Promise<Uint8Array> {
  const reader = await DigitReader.open(info);
  try {
    return await reader.read(0, info.digitCount);
  } finally {
    await reader.close();
  }
}
