/** RecordFile's direct I/O (scratch.ts): aligned transfers bypass the page cache, the others do not, and both agree. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIRECT_IO_ALIGN, RecordFile, scratchBypassesPageCache } from './scratch.js';
import { WasmBlock, WASM_BLOCK_ALIGN } from '../../kernel/transform.js';

function pattern(bytes: Uint8Array, seed: number): void {
  let x = seed;
  for (let i = 0; i < bytes.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
}

test('a direct RecordFile moves aligned wasm views and unaligned pieces alike, reads back what it wrote, zero-fills past the end', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ms-scratch-'));
  const block = new WasmBlock(4 * DIRECT_IO_ALIGN); // 64 KiB, aligned
  try {
    assert.equal(block.ptr % WASM_BLOCK_ALIGN, 0);
    const path = join(dir, 'f');
    const file = await RecordFile.openOrCreate(path, 16, true);
    const n = 16 * block.points;
    pattern(block.bytes(), 1);
    const expected = Buffer.alloc(3 * n + 100);
    // Aligned (direct where the platform allows), then an unaligned position and length (buffered), overlapping both.
    await file.writeBytes(n, block.bytes());
    expected.set(block.bytes(), n);
    const odd = Buffer.alloc(1000);
    pattern(odd, 2);
    await file.writeBytes(n + 4000, odd);
    expected.set(odd, n + 4000);
    await file.writeBytes(2 * n, block.bytes(0, DIRECT_IO_ALIGN));
    expected.set(block.bytes(0, DIRECT_IO_ALIGN), 2 * n);
    pattern(block.bytes(), 3);
    await file.writeBytes(0, block.bytes(DIRECT_IO_ALIGN, n - DIRECT_IO_ALIGN)); // aligned offset in the block
    expected.set(block.bytes(DIRECT_IO_ALIGN, n - DIRECT_IO_ALIGN), 0);
    const size = 2 * n + DIRECT_IO_ALIGN;
    assert.equal(statSync(path).size, size);

    // Read back through both paths: aligned into the block, unaligned into a Buffer; past the end with zeroFill.
    const view = block.bytes(0, 2 * DIRECT_IO_ALIGN);
    await file.readBytes(n, view);
    assert.deepEqual(Buffer.from(view), expected.subarray(n, n + 2 * DIRECT_IO_ALIGN));
    const part = Buffer.alloc(1234);
    await file.readBytes(n + 3999, part);
    assert.deepEqual(part, expected.subarray(n + 3999, n + 3999 + 1234));
    const tail = block.bytes(0, 4 * DIRECT_IO_ALIGN);
    await file.readBytes(size - DIRECT_IO_ALIGN, tail, true);
    assert.deepEqual(Buffer.from(tail.subarray(0, DIRECT_IO_ALIGN)), expected.subarray(size - DIRECT_IO_ALIGN, size));
    assert.ok(tail.subarray(DIRECT_IO_ALIGN).every((b) => b === 0));
    await assert.rejects(file.readBytes(size - 10, Buffer.alloc(20)), /shorter than written/);
    await file.close();
    assert.deepEqual(readFileSync(path), expected.subarray(0, size));
  } finally {
    block.free();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('scratch bypasses the page cache only beyond a share of the available memory', () => {
  assert.equal(scratchBypassesPageCache(0), false);
  assert.equal(scratchBypassesPageCache(2 ** 20), false);
  assert.equal(scratchBypassesPageCache(2 ** 60), process.platform === 'linux');
});
