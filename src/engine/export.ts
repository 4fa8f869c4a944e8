/**
 * export — copies a StreamNumber's value out of the log folder into a user file, atomically
 * (temp file beside the target, flush, rename), as canonical text with a final newline.
 * The target is checked first (output.ts): never inside the home, never empty.
 */
import { getConfig } from '../config.js';
import type { StreamNumber } from '../number.js';
import { writeFileAtomically } from '../storage/index.js';
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
    let done = 0;
    for await (const chunk of x.stream(getConfig().chunkSize)) {
      throwIfCancelled(options, 'export');
      await file.append(chunk);
      done += chunk.length;
      report(done);
    }
    await file.append(Buffer.from('\n'));
  });
}

/** Writes the value to a stream (stdout) chunk by chunk, with a final newline. */
export async function writeToStream(x: StreamNumber, out: NodeJS.WritableStream): Promise<void> {
  const write = (chunk: Uint8Array | string) =>
    new Promise<void>((done, fail) => out.write(chunk, (error) => (error ? fail(error) : done())));
  if (x.isNegative) await write('-');
  for await (const chunk of x.stream()) await write(chunk);
  await write('\n');
}
