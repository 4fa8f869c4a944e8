/**
 * Linear-operation benchmark (issue 2/3 figures): streaming read throughput of a large digit
 * file, and addition of two large digit files end to end (file → file), with peak RSS.
 * Competitor for addition: V8 BigInt (read + parse + add + toString + write) at a size it can
 * hold. Run: `node dist/bench/linear.js [digits]` (default 10^8) under `/usr/bin/time -v` for
 * the process-wide peak RSS.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configure } from '../src/config.js';
import { add } from '../src/engine/index.js';
import { StreamNumber } from '../src/number.js';
import { median, peakRssMiB, timeIt, writeRandomDigitFile } from './util.js';

const digits = Number(process.argv.find((a, i) => i >= 2 && !a.startsWith('--')) ?? 1e8);
const home = mkdtempSync(join(tmpdir(), 'ms-bench-linear-'));
configure({ home });
const fileA = join(home, 'a.txt');
const fileB = join(home, 'b.txt');
writeRandomDigitFile(fileA, digits);
writeRandomDigitFile(fileB, digits - 7);

const a = await StreamNumber.fromPath(fileA);
const b = await StreamNumber.fromPath(fileB);

const readTimes: number[] = [];
for (let run = 0; run < 3; run++) {
  const { seconds } = await timeIt(async () => {
    let sum = 0;
    for await (const chunk of a.stream()) sum += chunk.length;
    return sum;
  });
  readTimes.push(seconds);
}
const addTimes: number[] = [];
for (let run = 0; run < 3; run++) {
  const { seconds, value } = await timeIt(() => add(a, b));
  addTimes.push(seconds);
  if (run === 0) {
    // Spot check against BigInt on the low 10^5 digits: (a + b) mod 10^k from the parts.
    const k = 100_000;
    const tail = (x: StreamNumber) => {
      const fd = openSync(x.path, 'r');
      const bytes = Buffer.alloc(k);
      readSync(fd, bytes, 0, k, x.info.end - k);
      closeSync(fd);
      return BigInt(bytes.toString('latin1'));
    };
    const expected = (tail(a) + tail(b)) % 10n ** BigInt(k);
    if (tail(value) !== expected) throw new Error('addition mismatch in the low digits');
  }
  value.free();
}
const readSeconds = median(readTimes);
const addSeconds = median(addTimes);

// BigInt at a size it handles comfortably: the same pipeline text → text. Skipped with
// --no-bigint so that /usr/bin/time -v measures the streaming addition alone.
const withBigInt = !process.argv.includes('--no-bigint');
const small = Math.min(digits, 1e7);
const big = withBigInt
  ? await timeIt(() => {
      const sum = BigInt(readFileSync(fileA, 'latin1').slice(0, small)) + BigInt(readFileSync(fileB, 'latin1').slice(0, small));
      writeFileSync(join(home, 'bigint-sum.txt'), sum.toString());
    })
  : undefined;

console.table([
  { what: `stream ${digits.toExponential(1)} digits`, seconds: readSeconds.toFixed(3), 'MB/s': Math.round(digits / readSeconds / 1e6) },
  { what: `add two ${digits.toExponential(1)}-digit files`, seconds: addSeconds.toFixed(3), 'MB/s': Math.round((2 * digits) / addSeconds / 1e6) },
  ...(big ? [{ what: `BigInt add, ${small.toExponential(1)} digits (read+parse+add+print+write)`, seconds: big.seconds.toFixed(3), 'MB/s': Math.round((2 * small) / big.seconds / 1e6) }] : []),
]);
console.log(`peak RSS of this process: ${peakRssMiB()} MiB${big ? ' (includes the BigInt comparison; --no-bigint measures streaming alone)' : ''}`);
a.free();
b.free();
rmSync(home, { recursive: true, force: true });
