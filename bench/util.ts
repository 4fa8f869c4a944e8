/** Shared bench helpers for file-level benchmarks: random digit files, timing, peak RSS (medians: kernel-util). */
import { closeSync, openSync, writeSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';

/** Writes a random n-digit integer (no leading zero) to `path`, in 16 MiB pieces. */
export function writeRandomDigitFile(path: string, digits: number, negative = false): void {
  const fd = openSync(path, 'w');
  try {
    if (negative) writeSync(fd, '-');
    const piece = Buffer.allocUnsafe(Math.min(digits, 1 << 24));
    for (let done = 0; done < digits; done += piece.length) {
      const part = piece.subarray(0, Math.min(piece.length, digits - done));
      randomFillSync(part);
      for (let i = 0; i < part.length; i++) part[i] = 48 + (part[i]! % 10);
      if (done === 0 && part[0] === 48) part[0] = 49;
      writeSync(fd, part);
    }
  } finally {
    closeSync(fd);
  }
}

export async function timeIt<T>(fn: () => Promise<T> | T): Promise<{ seconds: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, value };
}

export { median } from './kernel-util.js';

export function printTable(rows: Array<Record<string, string | number>>): void {
  console.table(rows);
}

export function peakRssMiB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}
