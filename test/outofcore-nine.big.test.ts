/**
 * 9^(9^9) in full (369,693,100 digits) through examples/stupid.js under MATHSTREAM_MEMORY=2GiB,
 * checked against values computed independently here: the digit count and leading digits from a
 * 60-digit log10(9) (BigInt fixed point), the trailing digits by modular exponentiation.
 * Reports time and peak RSS (from /usr/bin/time -v when present).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readSync, closeSync, statSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const EXPONENT = 387_420_489n;
const P = 60n; // fixed-point digits
const ONE = 10n ** P;

/** atanh(1/k)·10^P by its series. */
function atanhInv(k: bigint): bigint {
  let term = ONE / k;
  let sum = 0n;
  for (let n = 1n; term !== 0n; n += 2n, term /= k * k) sum += term / n;
  return sum;
}

/** exp(x) for 0 <= x < 3 (x scaled by 10^P), by its series. */
function expFixed(x: bigint): bigint {
  let term = ONE;
  let sum = ONE;
  for (let n = 1n; term !== 0n; n++) {
    term = (term * x) / ONE / n;
    sum += term;
  }
  return sum;
}

const LN2 = 2n * atanhInv(3n);
const LN3 = 2n * atanhInv(2n); // ln 3 = 2 atanh(1/2)
const LN5 = 2n * LN2 + 2n * atanhInv(9n); // ln 5 = ln 4 + ln(5/4), ln(5/4) = 2 atanh(1/9)
const LN10 = LN2 + LN5;

function expected(): { digits: number; head: string; tail: string } {
  const log = (EXPONENT * 2n * LN3 * ONE) / LN10; // e·log10(9)·10^P
  const whole = log / ONE;
  const fraction = log - whole * ONE;
  const mantissa = expFixed((fraction * LN10) / ONE); // 10^fraction·10^P
  const head = mantissa.toString().slice(0, 20);
  let r = 1n, b = 9n, e = EXPONENT;
  const m = 10n ** 20n;
  for (; e > 0n; e >>= 1n, b = (b * b) % m) if (e & 1n) r = (r * b) % m;
  return { digits: Number(whole) + 1, head, tail: r.toString().padStart(20, '0') };
}

function readEdge(path: string, position: number, length: number): string {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, position);
    return buffer.toString('latin1');
  } finally {
    closeSync(fd);
  }
}

test('9^(9^9): digit count, leading and trailing digits', { timeout: 3_600_000 }, () => {
  const want = expected();
  assert.equal(want.digits, 369_693_100);
  const home = mkdtempSync(join(tmpdir(), 'ms-nine-'));
  const output = join(home, 'nine.txt');
  const script = fileURLToPath(new URL('../examples/stupid.js', import.meta.url));
  const timed = existsSync('/usr/bin/time');
  const started = Date.now();
  const run = spawnSync(timed ? '/usr/bin/time' : process.execPath, timed ? ['-v', process.execPath, script, output] : [script, output], {
    env: { ...process.env, MATHSTREAM_HOME: home, MATHSTREAM_MEMORY: '2GiB' },
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  const seconds = (Date.now() - started) / 1000;
  try {
    assert.equal(run.status, 0, run.stderr);
    const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr ?? '');
    console.log(run.stdout.trim());
    console.log(`wall ${seconds.toFixed(1)} s; peak RSS ${rss ? `${(Number(rss[1]) / 1024).toFixed(0)} MiB` : 'n/a'}`);
    const size = statSync(output).size;
    assert.equal(size, want.digits + 1, 'digits and a final newline');
    assert.equal(readEdge(output, 0, 20), want.head);
    assert.equal(readEdge(output, want.digits - 20, 20), want.tail);
    assert.equal(readEdge(output, want.digits, 1), '\n');
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
