/**
 * pi-finder — the prototype's pi experiment: pi to N decimals (default 10^6) into the home folder,
 * with a progress bar, then the time taken and the first and last digits.
 *
 *   node dist/examples/pi-finder.js [N]        (N may be written 1e7)
 *
 * The file is `<home>/pi-<N>.txt` ("3." + N decimals + newline); MATHSTREAM_HOME picks the home.
 */
import { openSync, readSync, closeSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { getConfig } from 'mathstream';
import { computePiToFile, parseDecimalCount } from 'mathstream/pi';
import { reportError, startProgress } from 'mathstream/cli';

/** Reads `length` bytes at `position` without loading the whole file. */
function readSlice(path: string, position: number, length: number): string {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const read = readSync(fd, buffer, 0, length, position);
    return buffer.subarray(0, read).toString('latin1');
  } finally {
    closeSync(fd);
  }
}

async function main(): Promise<void> {
  const decimals = parseDecimalCount(process.argv[2] ?? '1000000');
  const path = join(getConfig().home, `pi-${decimals}.txt`);
  const progress = startProgress(`pi ${decimals.toLocaleString('en')} decimals`);
  const started = performance.now();
  try {
    await computePiToFile(decimals, path, { onProgress: progress.onProgress });
  } finally {
    progress.stop();
  }
  const seconds = (performance.now() - started) / 1000;
  const size = statSync(path).size;
  const shown = Math.min(50, decimals);
  console.log(`pi to ${decimals.toLocaleString('en')} decimals in ${seconds.toFixed(2)} s -> ${path} (${size} bytes)`);
  console.log(`first: ${readSlice(path, 0, 2 + shown)}`);
  console.log(`last:  ...${readSlice(path, 2 + decimals - shown, shown)}`);
  console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
}

main().catch((error: unknown) => {
  process.exitCode = reportError(error);
});
