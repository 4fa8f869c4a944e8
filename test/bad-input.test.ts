/**
 * Bad input: malformed literals and files each raise a typed MathStreamError that names the
 * source (and the byte offset where there is one), and nothing is written or registered.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidNumberError, MathStreamError, StorageError } from '../src/errors.js';
import { StreamNumber } from '../src/number.js';
import { trackedFiles } from '../src/tracker/index.js';
import { freshHome, logFiles } from './helpers.js';

const home = freshHome('ms-bad-');

const BAD_LITERALS: Array<[text: string, offset: number | undefined]> = [
  ['', 0],
  ['-', 1],
  ['+', 1],
  ['--1', 1],
  ['+-1', 1],
  ['1-', 1],
  ['1 2', 1],
  [' 12', 0],
  ['12 ', 2],
  ['3.14', 1],
  ['1e5', 1],
  ['0x10', 1],
  ['1_000', 1],
  ['1,000', 1],
  ['١٢٣', 0], // Arabic-Indic digits
  ['１２３', 0], // full-width digits
  ['12\u0000', 2],
  ['\n', 0],
  ['12\n\n', 2],
  ['12\r\n', 2],
  ['abc', 0],
  ['NaN', 0],
  ['Infinity', 0],
  ['- 1', 1],
  ['\t7', 0],
];

for (const [text, offset] of BAD_LITERALS) {
  test(`literal ${JSON.stringify(text)} is rejected at byte ${offset}`, async () => {
    await assert.rejects(StreamNumber.fromLiteral(text), (error: unknown) => {
      assert.ok(error instanceof InvalidNumberError, `got ${String(error)}`);
      assert.equal(error.offset, offset);
      assert.equal(error.exitCode, 2);
      assert.match(error.message, /invalid number in literal/);
      return true;
    });
  });
}

test('unsafe JavaScript numbers are rejected', async () => {
  for (const value of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60]) {
    await assert.rejects(StreamNumber.fromLiteral(value), InvalidNumberError);
  }
});

const BAD_FILES: Array<[name: string, content: string | Buffer, offset: number]> = [
  ['empty', '', 0],
  ['only-minus', '-', 1],
  ['only-newline', '\n', 0],
  ['double-minus', '--5', 1],
  ['inner-space', '12 34', 2],
  ['decimal-point', '3.14159', 1],
  ['nul-byte', Buffer.from([0x31, 0x32, 0x00, 0x33]), 2],
  ['utf8-digits', '12٣4', 2],
  ['crlf', '1234\r\n', 4],
  ['two-newlines', '1234\n\n', 4],
  ['trailing-junk', `${'7'.repeat(5_000_000)}x`, 5_000_000], // junk past the first scan chunk
];

for (const [name, content, offset] of BAD_FILES) {
  test(`file "${name}" is rejected at byte ${offset}`, async () => {
    const path = join(home, `${name}.txt`);
    writeFileSync(path, content);
    await assert.rejects(StreamNumber.fromPath(path), (error: unknown) => {
      assert.ok(error instanceof InvalidNumberError, `got ${String(error)}`);
      assert.equal(error.offset, offset);
      assert.ok(error.message.includes(path), error.message);
      return true;
    });
  });
}

test('a directory, a missing path and an unreadable file give StorageError', async () => {
  const dir = join(home, 'a-directory');
  mkdirSync(dir);
  await assert.rejects(StreamNumber.fromPath(dir), (e: unknown) => e instanceof StorageError && e.message.includes(dir));
  const missing = join(home, 'missing.txt');
  await assert.rejects(StreamNumber.fromPath(missing), (e: unknown) => e instanceof StorageError && e.exitCode === 2);
  const locked = join(home, 'locked.txt');
  writeFileSync(locked, '123');
  chmodSync(locked, 0o000);
  if (process.getuid?.() === 0) {
    // root reads anything: the permission check cannot fail here, so only check it still parses.
    const n = await StreamNumber.fromPath(locked);
    assert.equal(n.toString(), '123');
    n.free();
  } else {
    await assert.rejects(StreamNumber.fromPath(locked), StorageError);
  }
});

test('good inputs are normalised: +, leading zeros, -0, one trailing newline', async () => {
  const cases: Array<[string, string]> = [
    ['+007', '7'],
    ['-000123', '-123'],
    ['-0', '0'],
    ['0000', '0'],
    ['42\n', '42'],
  ];
  for (const [text, canonical] of cases) {
    const n = await StreamNumber.fromLiteral(text);
    assert.equal(n.toString(), canonical);
    n.free();
    const path = join(home, `good-${Buffer.from(text).toString('hex')}.txt`);
    writeFileSync(path, text);
    const f = await StreamNumber.fromPath(path);
    assert.equal(f.toString(), canonical);
    assert.equal(f.isZero, canonical === '0');
    f.free();
  }
});

test('after all the bad input nothing was written or registered', () => {
  assert.deepEqual(logFiles(home), []);
  assert.deepEqual(trackedFiles(), {});
  assert.ok(new InvalidNumberError('x', 0, 'y') instanceof MathStreamError);
});
