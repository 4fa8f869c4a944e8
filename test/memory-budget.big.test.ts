/**
 * The memory budget is a promise (issue 12): peak RSS ≤ MATHSTREAM_MEMORY + 150 MiB. `mathstream pow 9 387420489`
 * (369,693,100 digits) runs every step out of core below ~2 GiB, so at small budgets its peak is the out-of-core
 * product's plan (BUDGET_SHARES.outOfCoreBlocks) plus what the plan does not count (kernel/budget.ts). The out-of-core
 * division and square root run streamed products planned within the whole budget between streaming passes: the
 * division is held to the same 150 MiB, the square root to 125 MiB (it was over it, at 256–277 MiB for 128, until the
 * passes' chunk buffers were pooled). Peak RSS from /usr/bin/time -v (the tests are skipped where it is missing).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bigintSqrt } from './helpers.js';

const MiB = 2 ** 20;
const ALLOWANCE = 150 * MiB;
/** The square root's: in line with the out-of-core division's peaks (budget + 114 at 128 MiB, + 31 at 256). */
const SQRT_ALLOWANCE = 125 * MiB;
const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

/**
 * Runs node with `args` under /usr/bin/time -v and returns its peak RSS (bytes) and wall time (s); asserts it exited 0.
 */
function measuredRun(args: string[], env: Record<string, string>): { peak: number; seconds: number } {
  const started = Date.now();
  const run = spawnSync('/usr/bin/time', ['-v', process.execPath, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  assert.equal(run.status, 0, run.stderr);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr);
  assert.ok(rss, 'peak RSS reported by /usr/bin/time');
  return { peak: Number(rss[1]) * 1024, seconds: (Date.now() - started) / 1000 };
}

for (const budget of [128 * MiB, 256 * MiB]) {
  test(`pow 9 387420489 at ${budget / MiB} MiB peaks within the budget + 150 MiB`, { timeout: 1_800_000, skip: !existsSync('/usr/bin/time') }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'ms-budget-'));
    const home = join(dir, 'home'); // the result goes outside the home, which mathstream manages
    const output = join(dir, 'nine.txt');
    try {
      const { peak, seconds } = measuredRun([CLI, 'pow', '9', '387420489', '-o', output], { MATHSTREAM_HOME: home, MATHSTREAM_MEMORY: `${budget / MiB}MiB` });
      assert.equal(statSync(output).size, 369_693_100 + 1, 'digits and a final newline');
      console.log(`${budget / MiB} MiB: peak RSS ${(peak / MiB).toFixed(0)} MiB, wall ${seconds.toFixed(1)} s`);
      assert.ok(peak <= budget + ALLOWANCE, `peak RSS ${(peak / MiB).toFixed(0)} MiB over ${(budget + ALLOWANCE) / MiB} MiB`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/** a mod p of the decimal digits in `path` (p < 2^26: every step stays exact in a double). */
function residueOfFile(path: string, p: number): number {
  const text = readFileSync(path);
  let r = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c >= 48 && c <= 57) r = (r * 10 + c - 48) % p;
  }
  return r;
}

test('divmod 10^8 / 5·10^7 digits out of core at 256 MiB peaks within the budget + 150 MiB', { timeout: 1_800_000, skip: !existsSync('/usr/bin/time') }, () => {
  // The out-of-core division runs streamed in-memory products (the reciprocal's levels) and out-of-core ones (its top
  // level, the quotient chunks) one after the other: their working sets must share the wasm memory, not add up
  // (docs/ARCHITECTURE.md §5, "Out-of-core division"; it peaked at 485 MiB when the block convolution's were JS arrays).
  const budget = 256 * MiB;
  const dir = mkdtempSync(join(tmpdir(), 'ms-budget-oocdiv-'));
  try {
    const [a, b, q, r] = ['a', 'b', 'q', 'r'].map((name) => join(dir, `${name}.txt`));
    writeRandomDigits(a!, 1e8, 7);
    writeRandomDigits(b!, 5e7, 11);
    const engine = new URL('../src/engine/index.js', import.meta.url).href;
    const number = new URL('../src/number.js', import.meta.url).href;
    const child = `
      const { StreamNumber } = await import(${JSON.stringify(number)});
      const { divmod } = await import(${JSON.stringify(engine)});
      const { copyFileSync } = await import('node:fs');
      const [x, y] = await Promise.all([${JSON.stringify(a)}, ${JSON.stringify(b)}].map((f) => StreamNumber.fromPath(f)));
      const [q, r] = await divmod(x, y);
      copyFileSync(q.info.path, ${JSON.stringify(q)});
      copyFileSync(r.info.path, ${JSON.stringify(r)});
      q.free(); r.free();`;
    const { peak, seconds } = measuredRun(['--input-type=module', '-e', child], {
      MATHSTREAM_HOME: join(dir, 'home'), MATHSTREAM_MEMORY: `${budget / MiB}MiB`, MATHSTREAM_THREADS: '2',
    });
    console.log(`div 10^8 / 5·10^7 at 256 MiB: peak RSS ${(peak / MiB).toFixed(0)} MiB, wall ${seconds.toFixed(1)} s`);
    // q·b + r ≡ a modulo two primes, and 0 ≤ r < b (r has at most as many digits as b and, as long, compares below it).
    for (const p of [67_108_859, 33_554_393]) {
      const [ra, rb, rq, rr] = [a!, b!, q!, r!].map((f) => residueOfFile(f, p));
      assert.equal((((rq! * rb!) % p) + rr!) % p, ra, `q·b + r ≡ a mod ${p}`);
    }
    const [rText, bText] = [readFileSync(r!, 'latin1').trim(), readFileSync(b!, 'latin1').trim()];
    assert.ok(!rText.startsWith('-') && (rText.length < bText.length || (rText.length === bText.length && rText < bText)), '0 ≤ r < b');
    assert.ok(peak <= budget + ALLOWANCE, `peak RSS ${(peak / MiB).toFixed(0)} MiB over ${(budget + ALLOWANCE) / MiB} MiB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

for (const budget of [128 * MiB, 256 * MiB]) {
  test(`isqrt of 2·10^8 digits out of core at ${budget / MiB} MiB peaks within the budget + ${SQRT_ALLOWANCE / MiB} MiB`, { timeout: 1_800_000, skip: !existsSync('/usr/bin/time') }, () => {
    // Its Heron levels run out-of-core divisions whose products, streamed in memory up to the whole budget, leave the
    // wasm memory at 108 MiB (128 MiB) and 215 MiB (256 MiB); between them, every streaming pass used to read and write
    // each chunk through a fresh buffer, and the dead ones (25–55 MiB, and what glibc kept of them) stayed resident
    // until V8 collected them: 256–277 MiB at 128 MiB, 369 at 256. With pooled chunk buffers (storage/chunkpool.ts)
    // 237 and 337 (docs/ARCHITECTURE.md §5, "Streaming passes").
    const dir = mkdtempSync(join(tmpdir(), 'ms-budget-sqrt-'));
    try {
      const [a, s] = ['a', 's'].map((name) => join(dir, `${name}.txt`));
      writeRandomDigits(a!, 2e8, 5);
      const engine = new URL('../src/engine/index.js', import.meta.url).href;
      const number = new URL('../src/number.js', import.meta.url).href;
      const child = `
        const { StreamNumber } = await import(${JSON.stringify(number)});
        const { isqrt } = await import(${JSON.stringify(engine)});
        const { copyFileSync } = await import('node:fs');
        const x = await StreamNumber.fromPath(${JSON.stringify(a)});
        const s = await isqrt(x);
        copyFileSync(s.info.path, ${JSON.stringify(s)});
        s.free();`;
      const { peak, seconds } = measuredRun(['--input-type=module', '-e', child], {
        MATHSTREAM_HOME: join(dir, 'home'), MATHSTREAM_MEMORY: `${budget / MiB}MiB`, MATHSTREAM_THREADS: '2',
      });
      console.log(`isqrt 2·10^8 at ${budget / MiB} MiB: peak RSS ${(peak / MiB).toFixed(0)} MiB, wall ${seconds.toFixed(1)} s`);
      // The root has 10^8 digits, and its top 20 are ⌊√H⌋ for H the radicand's top 40 digits: they are
      // ⌊√(a/10^(2·10^8 − 40))⌋, and ⌊√x⌋ = ⌊√⌊x⌋⌋ for every real x ≥ 0.
      const root = readFileSync(s!, 'latin1').trim();
      assert.equal(root.length, 1e8);
      const head = BigInt(readFileSync(a!, 'latin1').slice(0, 40));
      assert.equal(root.slice(0, 20), bigintSqrt(head).toString());
      assert.ok(peak <= budget + SQRT_ALLOWANCE, `peak RSS ${(peak / MiB).toFixed(0)} MiB over ${(budget + SQRT_ALLOWANCE) / MiB} MiB`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/** `digits` pseudo-random digits (no leading zero) from `seed` into `path`. */
function writeRandomDigits(path: string, digits: number, seed: number): void {
  const fd = openSync(path, 'w');
  try {
    let s = seed >>> 0;
    const piece = Buffer.allocUnsafe(1 << 22);
    for (let done = 0; done < digits; done += piece.length) {
      const part = piece.subarray(0, Math.min(piece.length, digits - done));
      for (let i = 0; i < part.length; i++) {
        s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
        part[i] = 48 + ((s >>> 24) % 10);
      }
      if (done === 0) part[0] = 49 + (part[0]! % 9);
      writeSync(fd, part);
    }
  } finally {
    closeSync(fd);
  }
}
