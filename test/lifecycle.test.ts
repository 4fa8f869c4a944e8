/**
 * Lifecycle, the prototype's own flow: create, stream, free → the file and its rows are gone;
 * a dropped handle is released by the finalizer; `using` frees at scope end; use after free
 * throws; double free is harmless. Run under `node --expose-gc` (scripts/run-tests.mjs does).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FreedNumberError } from '../src/errors.js';
import { StreamNumber, activeStreams } from '../src/number.js';
import { trackedFiles } from '../src/tracker/index.js';
import { add } from '../src/engine/index.js';
import { freshHome, logFiles } from './helpers.js';

const home = freshHome('ms-life-');

test('create, stream, free: the file and its rows go away', async () => {
  const n = await StreamNumber.fromLiteral('-' + '1234567890'.repeat(1000));
  assert.equal(n.sign, -1);
  assert.equal(n.isNegative, true);
  assert.equal(n.digitCount, 10_000);
  assert.ok(existsSync(n.path));
  assert.equal(trackedFiles()[n.path], 1);
  const chunks: string[] = [];
  for await (const chunk of n.stream(3000)) chunks.push(Buffer.from(chunk).toString('latin1'));
  assert.deepEqual(chunks.map((c) => c.length), [3000, 3000, 3000, 1000]);
  assert.equal(chunks.join(''), '1234567890'.repeat(1000));
  const backward: string[] = [];
  for await (const chunk of n.streamBackward(3000)) backward.push(Buffer.from(chunk).toString('latin1'));
  assert.equal(backward.reverse().join(''), '1234567890'.repeat(1000));
  const path = n.path;
  n.free();
  assert.equal(existsSync(path), false);
  assert.equal(trackedFiles()[path], undefined);
  assert.deepEqual(activeStreams(), {});
});

test('equal literals share one file; it lives until the last handle is freed', async () => {
  const a = await StreamNumber.fromLiteral('-000123');
  const b = await StreamNumber.fromLiteral(-123n);
  assert.equal(a.path, b.path);
  assert.match(a.path, /literal_[0-9a-f]{64}\.txt$/);
  assert.equal(trackedFiles()[a.path], 2);
  assert.equal(activeStreams()[a.path], 2);
  const path = b.path;
  a.free();
  assert.ok(existsSync(path));
  b.free();
  assert.equal(existsSync(path), false);
});

test('use after free throws FreedNumberError; double free is harmless', async () => {
  const n = await StreamNumber.fromLiteral(42);
  n.free();
  n.free();
  n.freeStream();
  assert.equal(n.isFreed, true);
  assert.throws(() => n.digitCount, FreedNumberError);
  assert.throws(() => n.toString(), FreedNumberError);
  await assert.rejects(async () => {
    for await (const _ of n.stream()) void _;
  }, FreedNumberError);
  await assert.rejects(add(n, 1), FreedNumberError);
});

test('`using` frees at the end of the scope', async () => {
  let path: string;
  {
    using n = await StreamNumber.fromLiteral(777);
    path = n.path;
    assert.ok(existsSync(path));
  }
  assert.equal(existsSync(path), false);
  {
    await using m = await StreamNumber.fromLiteral(778);
    path = m.path;
  }
  assert.equal(existsSync(path), false);
});

test('a handle dropped without free() is released by the finalizer', async () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  assert.ok(gc, 'run with node --expose-gc');
  let path = '';
  await (async () => {
    const n = await StreamNumber.fromLiteral('987654321987654321');
    path = n.path;
  })();
  assert.ok(existsSync(path));
  for (let i = 0; i < 50 && existsSync(path); i++) {
    gc();
    await sleep(20);
  }
  assert.equal(existsSync(path), false, 'finalizer released the reference and the file');
  assert.equal(trackedFiles()[path], undefined);
});

test('user files are read, never tracked, never deleted', async () => {
  const path = join(home, 'mine.txt');
  writeFileSync(path, '00012345\n');
  const n = await StreamNumber.fromPath(path);
  assert.equal(n.toString(), '12345');
  assert.equal(trackedFiles()[path], undefined);
  n.free();
  assert.ok(existsSync(path));
  assert.deepEqual(logFiles(home), []);
});
