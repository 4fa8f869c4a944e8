/**
 * The memory budget is a promise (issue 12): peak RSS ≤ MATHSTREAM_MEMORY + 150 MiB. `mathstream pow 9 387420489`
 * (369,693,100 digits) runs every step out of core below ~2 GiB, so at small budgets its peak is the out-of-core
 * product's plan (BUDGET_SHARES.outOfCoreBlocks) plus what the plan does not count (kernel/budget.ts). Peak RSS from
 * /usr/bin/time -v (the test is skipped where it is missing).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MiB = 2 ** 20;
const ALLOWANCE = 150 * MiB;
const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

for (const budget of [128 * MiB, 256 * MiB]) {
  test(`pow 9 387420489 at ${budget / MiB} MiB peaks within the budget + 150 MiB`, { timeout: 1_800_000, skip: !existsSync('/usr/bin/time') }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'ms-budget-'));
    const home = join(dir, 'home'); // the result goes outside the home, which mathstream manages
    const output = join(dir, 'nine.txt');
    const started = Date.now();
    const run = spawnSync('/usr/bin/time', ['-v', process.execPath, CLI, 'pow', '9', '387420489', '-o', output], {
      env: { ...process.env, MATHSTREAM_HOME: home, MATHSTREAM_MEMORY: `${budget / MiB}MiB` },
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    try {
      assert.equal(run.status, 0, run.stderr);
      assert.equal(statSync(output).size, 369_693_100 + 1, 'digits and a final newline');
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr);
      assert.ok(rss, 'peak RSS reported by /usr/bin/time');
      const peak = Number(rss[1]) * 1024;
      console.log(`${budget / MiB} MiB: peak RSS ${(peak / MiB).toFixed(0)} MiB, wall ${((Date.now() - started) / 1000).toFixed(1)} s`);
      assert.ok(peak <= budget + ALLOWANCE, `peak RSS ${(peak / MiB).toFixed(0)} MiB over ${(budget + ALLOWANCE) / MiB} MiB`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
