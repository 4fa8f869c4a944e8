/**
 * export — copies a StreamNumber's value out of the log folder into a user file, atomically
 * (temp file beside the target, flush, rename), as canonical text with a final newline.
 */
import { getConfig } from '../config.js';
import type { StreamNumber } from '../number.js';
import { writeFileAtomically } from '../storage/index.js';
import { progressReporter, throwIfCancelled, type OperationOptions } from './context.js';
import { MINUS } from './result.js';

export async function exportToFile(x: StreamNumber, target: string, options: OperationOptions = {}): Promise<string> {
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
