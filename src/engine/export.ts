/**
 * export — copies a StreamNumber's value out of the log folder into a user file, atomically
 * (temp file beside the target, flush, rename), as canonical text with a final newline.
 * The target is checked first (output.ts): never inside the home, never empty.
 *
 * A file export reads through ONE reader into ONE pooled chunk buffer (storage/chunkpool.ts), so it is one access
 * in the tracker and allocates nothing per chunk. Why: `StreamNumber.stream` hands out
 * a fresh buffer a chunk (callers may keep it), and fresh memory is what an export of a long result paid for most:
 * on the 2-core VM (first touch of a page ~3–5 ms a MiB) `mathstream mul @a @b -o out` of two 1.6·10^7-digit files
 * spent 150–171 ms wall, 112–123 ms CPU in exportToFile copying the 3.2·10^7 digits; with the pooled buffer
 * 49–102 ms wall, 16–29 ms CPU (fresh processes, base and new alternated, 3 each).
 */
import { getConfig } from '../config.js';
import type { StreamNumber } from '../number.js';
import { withChunkBuffers, writeFileAtomically } from '../storage/index.js';
import { progressReporter, throwIfCancelled, type OperationOptions } from './context.js';
import { checkOutputTarget } from './output.js';
import { MINUS } from './result.js';

/**
 * Writes `x` to the file `target` (created or replaced atomically).
 * @throws InvalidArgumentError when `target` is empty or inside the mathstream home.
 * @throws StorageError when the file cannot be written; CancelledError when the signal fires.
 * @example await exportToFile(await pow(9, 99), 'nine.txt');
 */
export async function exportToFile(x: StreamNumber, target: string, options: OperationOptions = {}): Promise<string> {
  return writeNumberFile(x, checkOutputTarget(target), options);
}

/**
 * The writing half of `exportToFile`, for callers that check the target by rules of their own: the web app
 * saves into its own folder, `<home>/saved`, under names it validates (apps/web/routes/calc.ts), which the
 * CLI's "never inside the home" rule would refuse.
 * @internal
 */
export async function writeNumberFile(x: StreamNumber, target: string, options: OperationOptions = {}): Promise<string> {
  const report = progressReporter(options, x.digitCount);
  return writeFileAtomically(target, async (file) => {
    if (x.isNegative) await file.append(MINUS);
    await copyDigits(x, async (chunk, done) => {
      throwIfCancelled(options, 'export');
      await file.append(chunk);
      report(done);
    });
    await file.append(Buffer.from('\n'));
  });
}

/** Writes the value to a stream (stdout) chunk by chunk, with a final newline. */
export async function writeToStream(x: StreamNumber, out: NodeJS.WritableStream): Promise<void> {
  const write = (chunk: Uint8Array | string) =>
    new Promise<void>((done, fail) => out.write(chunk, (error) => (error ? fail(error) : done())));
  if (x.isNegative) await write('-');
  // Fresh chunks (x.stream), not copyDigits' pooled buffer: a stream may keep a chunk after calling back (a
  // PassThrough queues the very buffer it was given for its reader).
  for await (const chunk of x.stream()) await write(chunk);
  await write('\n');
}

/**
 * Hands x's digits (most significant first) to `sink` a chunk (config chunkSize) at a time, each chunk a view of
 * one pooled buffer that the next chunk overwrites: `sink` must be done with it when its promise settles. `done`
 * counts the digits handed over so far, this chunk included.
 */
async function copyDigits(x: StreamNumber, sink: (chunk: Uint8Array, done: number) => Promise<void>): Promise<void> {
  const count = x.digitCount;
  const reader = await x.openReader();
  try {
    await withChunkBuffers(1, Math.min(getConfig().chunkSize, count), async ([buffer]) => {
      for (let from = 0; from < count; from += buffer!.length) {
        const chunk = await reader.read(from, buffer!.length, buffer);
        await sink(chunk, from + chunk.length);
      }
    });
  } finally {
    await reader.close();
  }
}
