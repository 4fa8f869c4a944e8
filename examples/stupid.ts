/**
 * stupid — the prototype's absurd experiment: 9^(9^9), all 369,693,100 digits of it, to a file, within the
 * memory budget (run it with MATHSTREAM_MEMORY=2GiB). V8's BigInt cannot even hold this number
 * (its limit is 2^30 bits ≈ 323 million digits); mathstream squares its way there out of core.
 *
 *   MATHSTREAM_MEMORY=2GiB node dist/examples/stupid.js [OUTPUT_FILE]      (default: nine.txt)
 *
 * Prints the digit count, the first and last digits, the time and the peak memory (max RSS).
 */
import { exportToFile, formatBytes, getConfig, pow } from 'mathstream';
import { startProgress } from 'mathstream/cli';

const output = process.argv[2] ?? 'nine.txt';
const EDGE = 30;

function progressLines(label: string): (done: number, total: number) => void {
  const bar = startProgress(label);
  if (process.stderr.isTTY) return bar.onProgress;
  let shown = -1;
  return (done, total) => {
    const tenth = Math.floor((10 * done) / total);
    if (tenth > shown) {
      shown = tenth;
      process.stderr.write(`${label}: ${tenth * 10}%\n`);
    }
  };
}

const started = performance.now();
console.log(`9^(9^9) = 9^387420489 with a memory budget of ${formatBytes(getConfig().memoryBudget)}`);
const nine = await pow(9, 387_420_489, { onProgress: progressLines('pow') });
const computed = performance.now();
try {
  await exportToFile(nine, output, { onProgress: progressLines('write') });
  const reader = await nine.openReader();
  const head = Buffer.from(await reader.read(0, EDGE)).toString('latin1');
  const tail = Buffer.from(await reader.read(nine.digitCount - EDGE, EDGE)).toString('latin1');
  await reader.close();
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(`digits:      ${nine.digitCount.toLocaleString('en-US')}`);
  console.log(`first ${EDGE}:    ${head}`);
  console.log(`last ${EDGE}:     ${tail}`);
  console.log(`written to:  ${output}`);
  console.log(`time:        ${seconds(computed - started)} to compute, ${seconds(performance.now() - computed)} to write the file`);
  console.log(`peak memory: ${formatBytes(process.resourceUsage().maxRSS * 1024)} (max RSS)`);
} finally {
  nine.free();
}
