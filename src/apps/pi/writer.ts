/**
 * writer — puts pi's text (`3.`, the decimals, a newline) on disk or on a stream, in chunks.
 *
 * Files go through storage's AtomicFile (temp name, flush, rename), so a file at the
 * requested path is always complete: a cancelled or failed run leaves nothing behind.
 * Digits are copied out of the in-memory ASCII buffer (or converted, for a file) one chunk at a time, so the
 * writer never builds a string of the whole result.
 */
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { writeFileAtomically } from '../../storage/index.js';
import { CancelledError, StorageError } from '../../errors.js';

/** "3." and the final newline of pi's text. */
export const PI_PREFIX = Uint8Array.of(0x33, 0x2e);
export const PI_NEWLINE = Uint8Array.of(0x0a);
const PREFIX = PI_PREFIX;
const NEWLINE = PI_NEWLINE;

/** Bytes per write call: large enough for throughput, small enough to stay responsive. */
export const WRITE_CHUNK = 1 << 22;

/** Called after each chunk with the number of decimals written so far. */
export type WriteProgress = (written: number) => void;

/**
 * Writes `3.` + `decimals` + `\n` to `outPath` atomically. `decimals` holds ASCII digits, in one buffer or as pieces
 * (each written before the next is taken, so a piece may reuse an earlier one's buffer: compute.ts
 * piDecimalPieces). Returns the absolute path written.
 * @throws {StorageError} the temp file cannot be created, written, flushed or renamed onto `outPath`
 * @throws {CancelledError} `options.signal` was aborted between chunks (the temp file is removed)
 * @example
 * await writePiFile(new TextEncoder().encode('14159'), 'pi.txt'); // pi.txt holds "3.14159\n"
 */
export async function writePiFile(
  decimals: Uint8Array | Iterable<Uint8Array>,
  outPath: string,
  options: { signal?: AbortSignal; onWritten?: WriteProgress } = {},
): Promise<string> {
  const pieces = decimals instanceof Uint8Array ? chunksOf(decimals) : decimals;
  return writeFileAtomically(outPath, async (file) => {
    await file.append(PREFIX);
    let written = 0;
    for (const piece of pieces) {
      if (options.signal?.aborted) throw new CancelledError('pi (writing the digits)');
      await file.append(piece);
      written += piece.length;
      options.onWritten?.(written);
    }
    await file.append(NEWLINE);
  });
}

/** `decimals` in views of WRITE_CHUNK bytes. */
function* chunksOf(decimals: Uint8Array): Generator<Uint8Array, void, void> {
  for (let start = 0; start < decimals.length; start += WRITE_CHUNK) {
    yield decimals.subarray(start, Math.min(start + WRITE_CHUNK, decimals.length));
  }
}

/**
 * Writes `3.` + `decimals` + `\n` to a stream (stdout), honouring back-pressure so a slow
 * reader never makes us buffer the whole text. A reader that goes away (EPIPE, as with
 * `| head`) ends the output quietly: it asked for no more; other stream errors are StorageErrors.
 * @throws {StorageError} the stream reported an error other than EPIPE (named by `name`)
 * @throws {CancelledError} `signal` was aborted between chunks
 * @example
 * await writePiStream(computePiDigits(100), process.stdout);
 */
export function writePiStream(decimals: Uint8Array, out: Writable, signal?: AbortSignal, name = 'stdout'): Promise<void> {
  return writePiChunks(chunksOf(decimals), out, signal, name);
}

/**
 * writePiStream's work for decimals that arrive in chunks: `3.`, the chunks, `\n`, with the same back-pressure, EPIPE
 * and error handling. The chunks come as they are made: views of a buffer or converted pieces (an Iterable, taken one
 * at a time as the stream drains) or read from a file out of core (an AsyncIterable); `for await` takes either, so
 * neither is wrapped in the other's shape.
 * @throws {StorageError} the stream reported an error other than EPIPE (named by `name`)
 * @throws {CancelledError} `signal` was aborted between chunks
 * @example
 * await writePiChunks(readForward(x.info, WRITE_CHUNK, 1, 1 + n), process.stdout);
 */
export async function writePiChunks(
  decimals: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  out: Writable,
  signal?: AbortSignal,
  name = 'stdout',
): Promise<void> {
  let failure: NodeJS.ErrnoException | undefined;
  const onError = (error: NodeJS.ErrnoException): void => {
    failure ??= error;
  };
  out.on('error', onError);
  const closed = (): boolean => failure !== undefined || out.destroyed;
  const write = async (bytes: Uint8Array): Promise<void> => {
    if (signal?.aborted) throw new CancelledError('pi (writing the digits)');
    if (!out.write(bytes)) await Promise.race([once(out, 'drain'), once(out, 'close')]).catch(() => undefined);
  };
  try {
    if (!closed()) await write(PREFIX);
    for await (const piece of decimals) {
      if (closed()) break;
      await write(piece);
    }
    if (!closed()) await write(NEWLINE);
    // Let a pending write report its error before deciding the outcome.
    await new Promise((resolveNow) => setImmediate(resolveNow));
  } finally {
    out.removeListener('error', onError);
    if (failure !== undefined) out.on('error', () => undefined); // late duplicates of the same failure
  }
  if (failure !== undefined && failure.code !== 'EPIPE') throw new StorageError(name, 'write to', failure);
}
