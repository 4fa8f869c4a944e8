/**
 * bench/collatz — Collatz total stopping time of Mersenne numbers, three ways, same run:
 *
 *   plain      the straightforward bigint loop (n/2 or 3n+1, one step at a time)
 *   table-32   32 shortcut steps per jump (two 16-bit table lookups), no deeper recursion
 *   recursive  the library default: jumps of up to 2^17 steps by recursive divide and conquer
 *
 * Checks that all three agree (steps, odd steps, peak digits), prints medians and ratios.
 *   node dist/bench/collatz.js [runs]        (default 3 runs; plain runs once per start)
 */
import { collatzSync, plainCollatz } from '../src/apps/collatz/index.js';
import { median } from './kernel-util.js';

interface Row {
  start: string;
  method: string;
  ms: number;
  steps: number;
  oddSteps: number;
  maxDigits: number;
}

function time<T>(runs: number, fn: () => T): { ms: number; value: T } {
  const times: number[] = [];
  let value: T | undefined;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    value = fn();
    times.push(performance.now() - started);
  }
  return { ms: median(times), value: value! };
}

const runs = Number(process.argv[2] ?? '3');
const starts: Array<[string, bigint, number | undefined]> = [
  ['2^44497-1', 2n ** 44497n - 1n, 598_067],
  ['2^100000-1', 2n ** 100000n - 1n, undefined],
];
const rows: Row[] = [];
let failures = 0;

for (const [name, n, expectedSteps] of starts) {
  const plain = time(1, () => plainCollatz(n));
  const base: Row = { start: name, method: 'plain bigint loop', ms: plain.ms, steps: plain.value.steps, oddSteps: plain.value.oddSteps, maxDigits: plain.value.peak.toString().length };
  rows.push(base);
  for (const [method, maxJumpBits] of [['table-32 jumps', 32], ['recursive jumps', undefined]] as const) {
    const r = time(runs, () => collatzSync(n, maxJumpBits === undefined ? {} : { maxJumpBits }));
    const row: Row = { start: name, method, ms: r.ms, steps: r.value.steps, oddSteps: r.value.oddSteps, maxDigits: r.value.maxDigits };
    rows.push(row);
    if (row.steps !== base.steps || row.oddSteps !== base.oddSteps || row.maxDigits !== base.maxDigits) {
      failures++;
      console.error(`MISMATCH ${name} ${method}: ${JSON.stringify(row)} vs ${JSON.stringify(base)}`);
    }
  }
  if (expectedSteps !== undefined && base.steps !== expectedSteps) {
    failures++;
    console.error(`MISMATCH ${name}: ${base.steps} steps, expected ${expectedSteps}`);
  }
}

console.log(`Collatz bench (node ${process.version}; median of ${runs} runs, plain loop once)`);
console.log(['start'.padEnd(12), 'method'.padEnd(18), 'time ms'.padStart(10), 'vs plain'.padStart(9), 'steps'.padStart(10), 'odd'.padStart(9), 'peak digits'.padStart(12)].join(' '));
for (const row of rows) {
  const plainMs = rows.find((r) => r.start === row.start && r.method.startsWith('plain'))!.ms;
  console.log(
    [
      row.start.padEnd(12),
      row.method.padEnd(18),
      row.ms.toFixed(1).padStart(10),
      `${(plainMs / row.ms).toFixed(1)}x`.padStart(9),
      String(row.steps).padStart(10),
      String(row.oddSteps).padStart(9),
      String(row.maxDigits).padStart(12),
    ].join(' '),
  );
}
if (failures > 0) {
  console.error(`${failures} disagreement(s)`);
  process.exitCode = 1;
} else {
  console.log('all methods agree');
}
