/**
 * export.ts: a number's canonical text and a final newline reach the target file whole, through one pooled chunk
 * buffer reused across the chunks (chunks of 1000 digits here: every export below crosses many of them), from staged
 * results and from user files that are not canonical (sign, leading zeros, newline); a cancelled export leaves
 * neither the target nor a temp file; the progress counts reach the digit count.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configure } from '../config.js';
import { CancelledError } from '../errors.js';
import { StreamNumber } from '../number.js';
import { chunkPoolIdleBytes } from '../storage/index.js';
import { freshHome, seededRandom } from '../../test/helpers.js';
import { exportToFile } from './export.js';
import { mul } from './index.js';

const home = freshHome('ms-export-');
const out = mkdtempSync(join(tmpdir(), 'ms-export-out-')); // outside the home, as exportToFile requires
configure({ chunkSize: 1000 });

/** A random n-digit decimal string without leading zero. */
function digits(n: number, random: () => number): string {
  let s = String(1 + Math.floor(random() * 9));
  while (s.length < n) s += String(Math.floor(random() * 10));
  return s;
}

test('staged results of many chunks, both signs, zero: canonical text and a newline', async () => {
  const random = seededRandom(11);
  for (const [a, b] of [
    [digits(2345, random), `-${digits(1789, random)}`],
    [digits(1000, random), digits(1000, random)],
    [`-${digits(3, random)}`, '0'],
    ['7', '-1'],
  ] as const) {
    using x = await StreamNumber.fromLiteral(a);
    using y = await StreamNumber.fromLiteral(b);
    using p = await mul(x, y);
    const target = join(out, 'p.txt');
    await exportToFile(p, target);
    assert.equal(readFileSync(target, 'latin1'), `${BigInt(a) * BigInt(b)}\n`, `${a.length} × ${b.length} digits`);
  }
});

test('a user file that is not canonical exports canonically, byte for byte', async () => {
  const random = seededRandom(12);
  const body = digits(4321, random);
  for (const [text, value] of [
    [`-000${body}\n`, `-${body}`],
    [`+${body}`, body],
    [`0000${body}`, body],
    ['-0000\n', '0'],
  ] as const) {
    const source = join(out, 'in.txt');
    writeFileSync(source, text);
    using x = await StreamNumber.fromPath(source);
    const target = join(out, 'copy.txt');
    await exportToFile(x, target);
    assert.equal(readFileSync(target, 'latin1'), `${value}\n`, JSON.stringify(text.slice(0, 8)));
  }
});

test('progress reaches the digit count; the chunk buffer goes back to the pool', async () => {
  const random = seededRandom(13);
  using x = await StreamNumber.fromLiteral(digits(5555, random));
  const seen: number[] = [];
  await exportToFile(x, join(out, 'progress.txt'), { onProgress: (done) => seen.push(done) });
  assert.equal(seen.at(-1), 5555);
  assert.ok(seen.every((d, i) => i === 0 || d >= seen[i - 1]!), 'monotone');
  const idle = chunkPoolIdleBytes();
  await exportToFile(x, join(out, 'again.txt'));
  assert.equal(chunkPoolIdleBytes(), idle, 'an export borrows from the pool and gives back what it took');
  assert.ok(idle >= 1000, 'the buffer is idle in the pool between exports');
});

test('a cancelled export leaves neither the target nor a temp file', async () => {
  const random = seededRandom(14);
  using x = await StreamNumber.fromLiteral(digits(9000, random));
  const controller = new AbortController();
  const target = join(out, 'cancelled.txt');
  await assert.rejects(
    exportToFile(x, target, {
      signal: controller.signal,
      // The first report comes after the first chunk (progressReporter), 8 chunks before the end.
      onProgress: () => controller.abort(),
    }),
    CancelledError,
  );
  assert.equal(existsSync(target), false);
  assert.deepEqual(readdirSync(out).filter((name) => name.startsWith('.tmp-')), []);
});
