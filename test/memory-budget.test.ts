/**
 * The memory budget is a promise (docs/ARCHITECTURE.md §5): peak RSS ≤ MATHSTREAM_MEMORY + 150 MiB. The engine runs a
 * division or a power in memory while kernel/budget.ts's charges for it fit the budget (engine/outofcore/product.ts
 * divisionPlannedOutOfCore, powerPlannedOutOfCore); these tests run `mathstream div`, `mod` and `pow` at 97% of the
 * largest size so planned at 128 MiB, in memory, and read the process's peak RSS from /usr/bin/time -v (skipped
 * where it is missing). The figures at 256 MiB and 1 GiB come from bench/outofcore-held.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { divisionPlannedOutOfCore, powerPlannedOutOfCore } from '../src/engine/index.js';
import { withBudget } from './helpers.js';

const MiB = 2 ** 20;
const BUDGET = 128 * MiB;
const ALLOWANCE = 150 * MiB;
const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const noTime = !existsSync('/usr/bin/time');

/** The largest n (to 0.5%) for which `inMemory(n)` holds: it holds at `lo` and not at `hi`. */
function edge(inMemory: (n: number) => boolean, lo = 1e5, hi = 1e9): number {
  while (hi / lo > 1.005) {
    const mid = Math.floor(Math.sqrt(lo * hi));
    if (inMemory(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** A random n-digit integer (no leading zero) in `path`. */
function writeDigits(path: string, n: number): void {
  const fd = openSync(path, 'w');
  try {
    const piece = Buffer.allocUnsafe(Math.min(n, 1 << 22));
    for (let done = 0; done < n; done += piece.length) {
      const part = piece.subarray(0, Math.min(piece.length, n - done));
      randomFillSync(part);
      for (let i = 0; i < part.length; i++) part[i] = 48 + (part[i]! % 10);
      if (done === 0) part[0] = 49 + (part[0]! % 9);
      writeSync(fd, part);
    }
  } finally {
    closeSync(fd);
  }
}

/** Runs the CLI at the test budget under /usr/bin/time -v; returns the peak RSS in bytes. */
function peakOf(dir: string, args: string[]): number {
  const run = spawnSync('/usr/bin/time', ['-v', process.execPath, CLI, ...args], {
    // Two threads, as on the 2-core machine the figures come from: each further worker thread is a V8 isolate of its
    // own that no budget share counts, so a many-core machine would measure its thread count, not these charges.
    env: { ...process.env, MATHSTREAM_HOME: join(dir, 'home'), MATHSTREAM_MEMORY: `${BUDGET / MiB}MiB`, MATHSTREAM_THREADS: '2' },
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  assert.equal(run.status, 0, run.stderr);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr);
  assert.ok(rss, 'peak RSS reported by /usr/bin/time');
  return Number(rss[1]) * 1024;
}

function assertWithin(what: string, peak: number): void {
  console.log(`${what} at ${BUDGET / MiB} MiB: peak RSS ${(peak / MiB).toFixed(0)} MiB`);
  assert.ok(peak <= BUDGET + ALLOWANCE, `${what}: peak RSS ${(peak / MiB).toFixed(0)} MiB over ${(BUDGET + ALLOWANCE) / MiB} MiB`);
}

test('div and mod 2N/N in memory at the largest planned size stay within 128 MiB + 150 MiB', { timeout: 300_000, skip: noTime }, async () => {
  const L = Math.floor(0.97 * (await withBudget(BUDGET, async () => edge((a) => !divisionPlannedOutOfCore(a, Math.ceil(a / 2))))));
  const n = Math.ceil(L / 2);
  await withBudget(BUDGET, async () => {
    assert.equal(divisionPlannedOutOfCore(L, n), false, 'planned in memory');
    assert.equal(divisionPlannedOutOfCore(Math.ceil(1.1 * L), Math.ceil(0.55 * L)), true, '10% larger goes out of core');
  });
  const dir = mkdtempSync(join(tmpdir(), 'ms-budget-div-'));
  try {
    const [a, b, q, r] = ['a', 'b', 'q', 'r'].map((name) => join(dir, `${name}.txt`));
    writeDigits(a!, L);
    writeDigits(b!, n);
    assertWithin(`div ${L} / ${n} digits`, peakOf(dir, ['div', `@${a}`, `@${b}`, '-o', q!]));
    const qDigits = statSync(q!).size - 1; // and a final newline
    assert.ok(qDigits === L - n || qDigits === L - n + 1, `quotient of ${qDigits} digits`);
    assertWithin(`mod ${L} / ${n} digits`, peakOf(dir, ['mod', `@${a}`, `@${b}`, '-o', r!]));
    assert.ok(statSync(r!).size - 1 <= n, 'remainder no longer than the divisor');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('pow 9^e in memory at the largest planned size stays within 128 MiB + 150 MiB', { timeout: 300_000, skip: noTime }, async () => {
  const D = await withBudget(BUDGET, async () => edge((d) => !powerPlannedOutOfCore(d)));
  const e = Math.floor((0.97 * D) / Math.log10(9));
  const digits = Math.floor(e * Math.log10(9)) + 1;
  await withBudget(BUDGET, async () => {
    assert.equal(powerPlannedOutOfCore(digits), false, 'planned in memory');
    assert.equal(powerPlannedOutOfCore(Math.ceil(1.1 * digits)), true, '10% larger goes out of core');
  });
  const dir = mkdtempSync(join(tmpdir(), 'ms-budget-pow-'));
  try {
    const out = join(dir, 'p.txt');
    assertWithin(`pow 9 ${e} (${digits} digits)`, peakOf(dir, ['pow', '9', String(e), '-o', out]));
    assert.equal(statSync(out).size, digits + 1, 'digits and a final newline');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
