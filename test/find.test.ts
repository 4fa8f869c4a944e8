/**
 * find (scan path): positions, overlapping counts, context, next-after, dates, bad input.
 * Reference answers come from a brute-force search over digits of pi computed in the test.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, closeSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { configure } from '../src/config.js';
import { CancelledError, InvalidArgumentError, InvalidNumberError, StorageError } from '../src/errors.js';
import { dateForms, findDate, findDigits, parseDate, readSearchableDigits, scanDigits } from '../src/apps/find/index.js';
import { naivePositions, piDecimals, writePiFile } from './find-helpers.js';

const home = mkdtempSync(join(tmpdir(), 'ms-find-'));
configure({ home });
const DECIMALS = 20_000;
const digits = piDecimals(DECIMALS);
const piFile = writePiFile(home, DECIMALS);

describe('find: well-known facts of pi', () => {
  test('14159 is at position 1 (counted from the first decimal) with empty left context', async () => {
    const r = await findDigits(piFile, '14159', { index: false });
    assert.equal(r.position, 1);
    assert.equal(r.before, '');
    assert.equal(r.after, '26535897932384626433');
    assert.equal(r.method, 'scan');
  });

  test('the Feynman point: 999999 first occurs at position 762', async () => {
    const r = await findDigits(piFile, '999999', { index: false });
    assert.equal(r.position, 762);
    assert.equal(r.before, digits.slice(761 - 20, 761));
    assert.equal(r.after, digits.slice(761 + 6, 761 + 26));
    assert.equal(r.count, naivePositions(digits, '999999').length);
  });
});

describe('find: scan agrees with brute force', () => {
  test('substrings of pi and random digit strings, with and without --after', async () => {
    const queries = fc.oneof(
      fc.tuple(fc.integer({ min: 0, max: DECIMALS - 1 }), fc.integer({ min: 1, max: 12 })).map(([at, n]) => digits.slice(at, at + n)).filter((q) => q.length > 0),
      fc.stringMatching(/^[0-9]{1,6}$/),
    );
    await fc.assert(
      fc.asyncProperty(queries, fc.integer({ min: 0, max: DECIMALS }), fc.integer({ min: 1, max: 5 }), async (q, after, limit) => {
        const all = naivePositions(digits, q);
        const wanted = all.filter((p) => p > after);
        const r = await findDigits(piFile, q, { index: false, afterPosition: after, limit });
        assert.equal(r.count, all.length);
        assert.equal(r.position, wanted[0] ?? null);
        assert.deepEqual(r.positions, wanted.slice(0, limit));
        assert.equal(r.truncated, wanted.length > limit);
      }),
      { numRuns: 150 },
    );
  });

  test('matches straddling chunk edges are counted exactly once', async () => {
    const fd = openSync(piFile, 'r');
    try {
      const layout = readSearchableDigits(piFile, fd);
      for (const at of [4090, 4094, 4095, 8190, 12285, 16380]) {
        for (const n of [2, 3, 7, 11]) {
          const q = digits.slice(at, at + n);
          const r = await scanDigits(fd, layout, Buffer.from(q), { chunkBytes: 4096, limit: 1e9 });
          assert.deepEqual(r.positions, naivePositions(digits, q), `query ${q} at ${at + 1}`);
          assert.equal(r.count, r.positions.length);
        }
      }
    } finally {
      closeSync(fd);
    }
  });

  test('overlapping occurrences count separately', async () => {
    const file = join(home, 'ones.txt');
    writeFileSync(file, '0111110\n');
    const r = await findDigits(file, '11', { limit: 10 });
    assert.equal(r.count, 4);
    assert.deepEqual(r.positions, [2, 3, 4, 5]);
  });
});

describe('find: file shapes', () => {
  test('an integer digit file counts from its first digit, sign excluded, newline optional', async () => {
    const file = join(home, 'int.txt');
    writeFileSync(file, '-0012345');
    const r = await findDigits(file, '0123', { context: 2 });
    assert.deepEqual([r.position, r.count, r.before, r.after, r.digits], [2, 1, '0', '45', 8 - 1]);
  });

  test('a one-digit query uses the byte loop and still agrees', async () => {
    for (const d of '0123456789') {
      const r = await findDigits(piFile, d, { index: false, afterPosition: 100, limit: 3 });
      const all = naivePositions(digits, d);
      assert.equal(r.count, all.length);
      assert.deepEqual(r.positions, all.filter((p) => p > 100).slice(0, 3));
    }
  });
});

describe('find: bad input is a clear typed error', () => {
  test('non-digit, empty and too-long queries', async () => {
    await assert.rejects(findDigits(piFile, '12a4'), (e: unknown) => e instanceof InvalidArgumentError && /only the digits.*'a' at character 3/.test(e.message));
    await assert.rejects(findDigits(piFile, ''), (e: unknown) => e instanceof InvalidArgumentError && /empty query/.test(e.message));
    await assert.rejects(findDigits(piFile, '-14'), InvalidArgumentError);
    const short = join(home, 'short.txt');
    writeFileSync(short, '3.1415\n');
    await assert.rejects(findDigits(short, '141592'), (e: unknown) => e instanceof InvalidArgumentError && /longer than .*4 searchable digits/.test(e.message));
  });

  test('junk in the digit file names the file and the byte offset, even far from the start', async () => {
    const file = join(home, 'junk.txt');
    writeFileSync(file, `3.${digits.slice(0, 15000)}x${digits.slice(15000)}\n`);
    await assert.rejects(findDigits(file, '999999999999'), (e: unknown) => e instanceof InvalidNumberError && e.message.includes(file) && e.offset === 15002);
    const crlf = join(home, 'crlf.txt');
    writeFileSync(crlf, '3.14159\r\n');
    await assert.rejects(findDigits(crlf, '9'), (e: unknown) => e instanceof InvalidNumberError && /carriage return/.test(e.message));
    const inner = join(home, 'inner.txt');
    writeFileSync(inner, '123\n456\n');
    await assert.rejects(findDigits(inner, '4'), (e: unknown) => e instanceof InvalidNumberError && /newline/.test(e.message));
  });

  test('empty files, a bare point, a missing file', async () => {
    const empty = join(home, 'empty.txt');
    writeFileSync(empty, '');
    await assert.rejects(findDigits(empty, '1'), InvalidNumberError);
    const bare = join(home, 'bare.txt');
    writeFileSync(bare, '3.\n');
    await assert.rejects(findDigits(bare, '1'), (e: unknown) => e instanceof InvalidNumberError && /no digits after the decimal point/.test(e.message));
    await assert.rejects(findDigits(join(home, 'nope.txt'), '1'), (e: unknown) => e instanceof StorageError && e.exitCode === 2);
  });

  test('a bad --after or limit is refused', async () => {
    await assert.rejects(findDigits(piFile, '1', { afterPosition: -1 }), InvalidArgumentError);
    await assert.rejects(findDigits(piFile, '1', { limit: 0 }), InvalidArgumentError);
  });

  test('an aborted scan raises CancelledError', async () => {
    const big = join(home, 'big.txt');
    writeFileSync(big, `3.${digits}`);
    for (let i = 0; i < 4; i++) appendFileSync(big, digits);
    const fd = openSync(big, 'r');
    try {
      const controller = new AbortController();
      controller.abort();
      await assert.rejects(scanDigits(fd, readSearchableDigits(big, fd), Buffer.from('123'), { chunkBytes: 4096, signal: controller.signal }), CancelledError);
    } finally {
      closeSync(fd);
    }
  });
});

describe('find: dates', () => {
  test('the six forms, in order', () => {
    assert.deepEqual(dateForms('1987-03-14'), [
      { digits: '14031987', forms: ['DDMMYYYY'] },
      { digits: '03141987', forms: ['MMDDYYYY'] },
      { digits: '19870314', forms: ['YYYYMMDD'] },
      { digits: '140387', forms: ['DDMMYY'] },
      { digits: '031487', forms: ['MMDDYY'] },
      { digits: '870314', forms: ['YYMMDD'] },
    ]);
  });

  test('equal forms are merged and keep every name', () => {
    assert.deepEqual(dateForms('2001-01-01'), [
      { digits: '01012001', forms: ['DDMMYYYY', 'MMDDYYYY'] },
      { digits: '20010101', forms: ['YYYYMMDD'] },
      { digits: '010101', forms: ['DDMMYY', 'MMDDYY', 'YYMMDD'] },
    ]);
  });

  test('notations: ISO, day first, month first when the second number exceeds 12', () => {
    assert.deepEqual(parseDate('1987-03-14'), { year: 1987, month: 3, day: 14 });
    assert.deepEqual(parseDate('14/03/1987'), { year: 1987, month: 3, day: 14 });
    assert.deepEqual(parseDate('03/14/1987'), { year: 1987, month: 3, day: 14 });
    assert.deepEqual(parseDate('04.03.1987'), { year: 1987, month: 3, day: 4 });
    assert.deepEqual(parseDate('2024-02-29'), { year: 2024, month: 2, day: 29 });
  });

  test('impossible dates are refused', () => {
    assert.throws(() => parseDate('2023-02-29'), /day 29 is not 1..28/);
    assert.throws(() => parseDate('1987-13-01'), /month 13/);
    assert.throws(() => parseDate('1900-02-29'), InvalidArgumentError);
    assert.throws(() => parseDate('14-03'), InvalidArgumentError);
  });

  test('findDate reports every form, the earliest one marked', async () => {
    const found = await findDate(piFile, '14/03/1987', { index: false });
    assert.equal(found.date, '1987-03-14');
    assert.equal(found.results.length, 6);
    for (const r of found.results) assert.equal(r.position, naivePositions(digits, r.query)[0] ?? null, r.forms.join());
    const present = found.results.filter((r) => r.position !== null);
    if (present.length > 0) assert.equal(found.earliest?.position, Math.min(...present.map((r) => r.position!)));
  });
});
