/**
 * find (index path): the k-mer index answers exactly what a brute-force search answers, builds
 * within a small memory budget in several passes, refuses junk, and is rebuilt when stale.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { configure, getConfig } from '../src/config.js';
import { trackedFiles } from '../src/tracker/index.js';
import { InvalidNumberError, StorageError } from '../src/errors.js';
import { buildIndex, defaultK, findDigits, indexStatus, openIndex } from '../src/apps/find/index.js';
import { naivePositions, piDecimals, writePiFile } from './find-helpers.js';

const home = mkdtempSync(join(tmpdir(), 'ms-find-index-'));
configure({ home });
const DECIMALS = 20_000;
const digits = piDecimals(DECIMALS);

/** Checks count, first-after and the listed positions for one query against brute force. */
async function agrees(file: string, text: string, q: string, after: number, limit: number): Promise<string> {
  const all = naivePositions(text, q);
  const wanted = all.filter((p) => p > after);
  const r = await findDigits(file, q, { index: 'auto', afterPosition: after, limit });
  assert.notEqual(r.method, 'scan', 'the fresh index must be used');
  assert.equal(r.count, all.length, `count of ${q}`);
  assert.equal(r.position, wanted[0] ?? null, `first of ${q} after ${after}`);
  assert.deepEqual(r.positions, wanted.slice(0, limit));
  assert.equal(r.truncated, wanted.length > limit);
  if (r.position !== null) {
    assert.equal(r.before, text.slice(Math.max(0, r.position - 21), r.position - 1));
    assert.equal(r.after, text.slice(r.position - 1 + q.length, r.position - 1 + q.length + 20));
  }
  return r.method;
}

describe('find index: exact answers', () => {
  const file = writePiFile(home, DECIMALS);

  test('build: k from the size, 4 bytes per position plus offsets', async () => {
    const built = await buildIndex(file);
    assert.equal(built.k, defaultK(DECIMALS));
    assert.equal(built.k, 3);
    assert.equal(built.bytes, 64 + 4 * (10 ** 3 + 1) + 4 * (DECIMALS - 3 + 1));
    assert.equal(indexStatus(file), 'fresh');
  });

  test('known facts through the index', async () => {
    const r = await findDigits(file, '999999');
    assert.deepEqual([r.position, r.method], [762, 'index']);
    assert.equal((await findDigits(file, '14159')).position, 1);
    assert.equal((await findDigits(file, '1')).position, 1);
  });

  test('queries shorter than, equal to and longer than k agree with brute force', async () => {
    const queries = fc.oneof(
      fc.tuple(fc.integer({ min: 0, max: DECIMALS - 1 }), fc.integer({ min: 1, max: 20 })).map(([at, n]) => digits.slice(at, at + n)).filter((q) => q.length > 0),
      fc.stringMatching(/^[0-9]{1,7}$/),
    );
    await fc.assert(
      fc.asyncProperty(queries, fc.integer({ min: 0, max: DECIMALS }), fc.integer({ min: 1, max: 4 }), async (q, after, limit) => {
        await agrees(file, digits, q, after, limit);
      }),
      { numRuns: 200 },
    );
  });

  test('the last digits, which start no full k-mer, are still found', async () => {
    for (const n of [1, 2, 3, 5]) await agrees(file, digits, digits.slice(-n), 0, 1000);
    await agrees(file, digits, digits, 0, 2);
  });

  test('openIndex answers repeated queries on one open index', async () => {
    const index = openIndex(file);
    try {
      for (const q of ['0', '26', '314', '2718', '999999', '33']) {
        const r = await index.query(q, { limit: 1e6 });
        assert.deepEqual(r.positions, naivePositions(digits, q), q);
        assert.equal(r.count, r.positions.length);
      }
    } finally {
      index.close();
    }
  });
});

describe('find index: bounded memory', () => {
  test('a budget too small for one pass builds in several groups and gives the same answers', async () => {
    const file = writePiFile(home, DECIMALS, 'pi-groups.txt');
    // k=5: 10 partitions of ~2000 positions; ~60 KB left for positions after offsets and chunk.
    const budget = Math.ceil((60_000 + 4 * (10 ** 5 + 1) + 80 + 4 * (10 ** 4 + 1) + 5) * (8 / 7));
    const built = await buildIndex(file, { k: 5, memoryBudget: budget });
    assert.ok(built.passes >= 3, `passes ${built.passes}`);
    for (const q of ['1', '14', '1415', '14159', '999999', digits.slice(777, 790), '00000']) await agrees(file, digits, q, 0, 50);
  });

  test('a degenerate file (all zeros) takes the direct path, then answers by scan', async () => {
    const file = join(home, 'zeros.txt');
    const n = 20_000;
    writeFileSync(file, '0'.repeat(n));
    const built = await buildIndex(file, { k: 3, memoryBudget: 64 * 1024 });
    assert.ok(built.passes >= 3, `passes ${built.passes}`);
    const zeros = '0'.repeat(n);
    assert.equal(await agrees(file, zeros, '00', 0, 3), 'index');
    assert.equal(await agrees(file, zeros, '00000', 9000, 3), 'index+scan');
    assert.equal(await agrees(file, zeros, '1', 0, 3), 'index');
  });
});

describe('find index: staleness and bad files', () => {
  test('a changed digit file makes the index stale: auto scans, index=true rebuilds', async () => {
    const file = writePiFile(home, 2000, 'pi-stale.txt');
    await buildIndex(file);
    appendFileSync(file, '');
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    assert.equal(indexStatus(file), 'stale');
    assert.throws(() => openIndex(file), (e: unknown) => e instanceof StorageError && /stale/.test(e.message));
    assert.equal((await findDigits(file, '999999')).method, 'scan');
    const rebuilt = await findDigits(file, '999999', { index: true });
    assert.deepEqual([rebuilt.method, rebuilt.position], ['index', 762]);
    assert.equal(indexStatus(file), 'fresh');
  });

  test('a truncated index is refused, not trusted', async () => {
    const file = writePiFile(home, 2000, 'pi-trunc.txt');
    const built = await buildIndex(file);
    truncateSync(built.path, built.bytes - 4);
    assert.equal(indexStatus(file), 'stale');
    assert.throws(() => openIndex(file), (e: unknown) => e instanceof StorageError && /corrupt/.test(e.message));
  });

  test('junk in the digit file: a clear error, and no index or temp file left', async () => {
    const dir = mkdtempSync(join(home, 'junk-'));
    const file = join(dir, 'junk.txt');
    writeFileSync(file, `3.${digits.slice(0, 5000)} ${digits.slice(5000, 9000)}\n`);
    await assert.rejects(buildIndex(file), (e: unknown) => e instanceof InvalidNumberError && e.offset === 5002 && /space/.test(e.message));
    assert.deepEqual(readdirSync(dir), ['junk.txt']);
    assert.equal(existsSync(`${file}.idx`), false);
  });
});

describe('find index: tracked like any staged file', () => {
  test('an index built in the log folder is registered with the tracker; one elsewhere is not', async () => {
    const logDir = getConfig().logDir;
    mkdirSync(logDir, { recursive: true });
    const staged = writePiFile(logDir, 2000, 'staged-pi.txt');
    const built = await buildIndex(staged);
    const tracked = trackedFiles();
    assert.equal(tracked[built.path], 0);
    const outside = writePiFile(home, 2000, 'user-pi.txt');
    const userIndex = await buildIndex(outside);
    assert.equal(trackedFiles()[userIndex.path], undefined);
  });
});
