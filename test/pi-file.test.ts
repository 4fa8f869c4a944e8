/**
 * pi-file — computePiToFile writes "3." + N decimals + "\n" atomically, reports progress to the
 * end, a cancelled run (during the computation or during the write) leaves no file, and an in-memory run never
 * loads the out-of-core code (its start-up is part of every pi's time).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computePi, computePiDigits, computePiToFile, writePiFile } from '../src/apps/pi/index.js';
import { CancelledError } from '../src/errors.js';

const freshDir = (): string => mkdtempSync(join(tmpdir(), 'ms-pi-'));

describe('pi to a file', () => {
  test('writes "3." + decimals + newline, exactly', async () => {
    const dir = freshDir();
    const path = join(dir, 'sub', 'pi.txt');
    const result = await computePiToFile(5000, path);
    assert.deepEqual(result, { path, decimals: 5000 });
    const text = readFileSync(path, 'latin1');
    assert.equal(text.length, 5003);
    assert.equal(text, `3.${Buffer.from(computePiDigits(5000)).toString('latin1')}\n`);
    assert.match(text, /^3\.14159265358979323846[0-9]{4980}\n$/);
    assert.deepEqual(readdirSync(join(dir, 'sub')), ['pi.txt'], 'no temp file left');
  });

  test('an in-memory run to a file never loads the out-of-core engine and tracker (SQLite)', () => {
    // In a fresh process: what this one already loaded does not count. The CommonJS cache lists native modules.
    const index = new URL('../src/apps/pi/index.js', import.meta.url).href;
    const path = join(freshDir(), 'pi.txt');
    const script =
      `import { createRequire } from 'node:module';` +
      `const { computePiToFile } = await import(${JSON.stringify(index)});` +
      `await computePiToFile(200000, ${JSON.stringify(path)});` +
      `console.log(JSON.stringify(Object.keys(createRequire(${JSON.stringify(index)}).cache)));`;
    const loaded = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as string[];
    assert.match(readFileSync(path, 'latin1'), /^3\.14159265358979323846[0-9]{199980}\n$/);
    assert.deepEqual(loaded.filter((p) => p.includes('better-sqlite3')), []);
  });

  test('progress is monotone, never above its total, and ends at the total', async () => {
    const reports: [number, number][] = [];
    await computePiToFile(20_000, join(freshDir(), 'pi.txt'), { onProgress: (done, total) => reports.push([done, total]) });
    assert.ok(reports.length >= 3, `only ${reports.length} reports`);
    for (let i = 0; i < reports.length; i++) {
      const [done, total] = reports[i]!;
      assert.ok(done <= total, `report ${i}: ${done} > ${total}`);
      if (i > 0) assert.ok(done >= reports[i - 1]![0], `report ${i} went backwards`);
    }
    const [done, total] = reports[reports.length - 1]!;
    assert.equal(done, total);
  });

  test('cancelling during the computation raises CancelledError and leaves no file', async () => {
    const dir = freshDir();
    const controller = new AbortController();
    const run = computePiToFile(200_000, join(dir, 'pi.txt'), {
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await assert.rejects(run, CancelledError);
    assert.deepEqual(readdirSync(dir), []);
    await assert.rejects(computePi(100, { signal: AbortSignal.abort() }), CancelledError);
  });

  test('cancelling during the write removes the temp file', async () => {
    const dir = freshDir();
    const controller = new AbortController();
    const digits = new Uint8Array(10 << 20).fill(0x31); // three write chunks
    const run = writePiFile(digits, join(dir, 'pi.txt'), { signal: controller.signal, onWritten: () => controller.abort() });
    await assert.rejects(run, CancelledError);
    assert.deepEqual(readdirSync(dir), []);
  });
});
