/**
 * file-product — the engine's streamed file product (engine/outofcore/product.ts mulInMemory → kernel/digitproduct.ts:
 * operands read from their files into the transforms, the product written from them in pieces) at the planner's
 * decision: with the budget set to exactly what the streamed FFT needs it runs, one byte less and the product is split
 * (or goes out of core), and every route gives BigInt's product. A failure after the product was formed (cancelled,
 * or the disk full mid-write) leaves no file, no row and no wasm block.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configure } from '../src/config.js';
import { CancelledError, StorageError } from '../src/errors.js';
import { mul } from '../src/engine/index.js';
import { planFileProduct } from '../src/engine/outofcore/index.js';
import { digitProductWorkingBytes, releaseFftCaches } from '../src/kernel/index.js';
import { heapTop } from '../src/kernel/wasmheap.js';
import { StreamNumber } from '../src/number.js';
import { closeTracker, trackedFiles } from '../src/tracker/index.js';
import { freshHome, logFiles, mountSmallDisk, randomInteger, seededRandom, textOf, withBudget } from './helpers.js';

const home = freshHome('ms-file-product-');
const random = seededRandom(64);

describe('streamed file products at the planner decision', () => {
  const cases: Array<[string, bigint, bigint]> = [
    ['random', randomInteger(300_000, false, random), randomInteger(250_001, false, random)],
    ['runs of nines', 10n ** 200_000n - 1n, -(10n ** 199_999n - 1n)],
    ['a power of ten times its neighbour', 10n ** 150_000n, 10n ** 150_000n - 1n],
    ['unbalanced', -randomInteger(400_003, false, random), randomInteger(6_001, false, random)],
  ];
  for (const [name, a, b] of cases) {
    test(`${name}: streamed at its need, split or out of core one byte below, the same digits`, async () => {
      const x = await StreamNumber.fromLiteral(a);
      const y = await StreamNumber.fromLiteral(b);
      const need = digitProductWorkingBytes(x.digitCount, y.digitCount);
      const expected = (a * b).toString();
      try {
        await withBudget(need, async () => {
          assert.equal(planFileProduct(x, y).method, 'fft');
          assert.equal(await textOf(await mul(x, y)), expected, `${name}: streamed`);
        });
        await withBudget(need - 1, async () => {
          assert.notEqual(planFileProduct(x, y).method, 'fft');
          assert.equal(await textOf(await mul(x, y)), expected, `${name}: below its need`);
        });
        // The square of one file: one read, one transform.
        const square = digitProductWorkingBytes(x.digitCount, x.digitCount, true);
        await withBudget(square, async () => {
          assert.equal(planFileProduct(x, x).method, 'fft');
          assert.equal(await textOf(await mul(x, x)), (a * a).toString(), `${name}: squared`);
        });
      } finally {
        x.free();
        y.free();
      }
    });
  }
});

describe('a streamed product that fails leaves nothing behind', () => {
  test('cancelled while reading or once the product is formed: CancelledError, no file, no row, no wasm block', async () => {
    const x = await StreamNumber.fromLiteral(randomInteger(200_000, false, random));
    const y = await StreamNumber.fromLiteral(randomInteger(200_000, false, random));
    const warm = await mul(x, y); // the heap grown once
    warm.free();
    // A streamed product frees the cached twiddle tables before it starts (engine/outofcore/product.ts), so what a
    // failed one leaves is measured with the tables freed: nothing at all.
    releaseFftCaches();
    const top = heapTop();
    const controller = new AbortController();
    // Progress 2 of 3: the product is in the wasm memory, nothing written yet.
    const onProgress = (done: number) => {
      if (done >= 2) controller.abort();
    };
    assert.equal(planFileProduct(x, y).method, 'fft');
    await assert.rejects(mul(x, y, { signal: controller.signal, onProgress }), CancelledError);
    releaseFftCaches();
    assert.equal(heapTop(), top, 'the held product was released');
    // Cancelled while the operands are read (checked at every piece): the transforms are given back too.
    await assert.rejects(mul(x, y, { signal: AbortSignal.abort() }), CancelledError);
    releaseFftCaches();
    assert.equal(heapTop(), top, 'the transforms were released');
    x.free();
    y.free();
    assert.deepEqual(logFiles(home), []);
    assert.deepEqual(trackedFiles(), {});
  });
});

describe('the disk filling up while the product is written', () => {
  const disk = mountSmallDisk('4m', 'ms-file-product-disk-');
  const operands = mkdtempSync(join(tmpdir(), 'ms-file-product-operands-'));
  after(() => {
    closeTracker();
    disk.release();
    rmSync(operands, { recursive: true, force: true });
    configure({ home });
  });

  test('ENOSPC mid-write: no temp file, no row', { skip: disk.skip }, async () => {
    configure({ home: disk.mountPoint });
    const a = join(operands, 'a.txt'), b = join(operands, 'b.txt');
    writeFileSync(a, '1234567890'.repeat(130_000)); // a 2.6 MB product: fits the 4 MiB disk when checked
    writeFileSync(b, '9876543210'.repeat(130_000));
    const x = await StreamNumber.fromPath(a);
    const y = await StreamNumber.fromPath(b);
    assert.equal(planFileProduct(x, y).method, 'fft');
    let filled = false;
    const onProgress = (done: number) => {
      if (filled || done < 2) return;
      filled = true;
      // Someone takes all but 1 MiB of the free space: the first pieces of the 2.6 MB product fit, the rest not.
      const { bavail, bsize } = statfsSync(disk.mountPoint);
      writeFileSync(join(disk.mountPoint, 'ballast.bin'), Buffer.alloc(Math.max(0, bavail * bsize - (1 << 20)), 1));
    };
    await assert.rejects(mul(x, y, { onProgress }), (error: unknown) => error instanceof StorageError && /ENOSPC|no space/i.test(error.message));
    assert.ok(filled);
    assert.deepEqual(logFiles(disk.mountPoint).filter((n) => n.startsWith('.tmp-') || n.startsWith('result_')), [], 'no temp file left');
    assert.deepEqual(trackedFiles(), {});
    x.free();
    y.free();
  });
});
