/**
 * The streaming passes' chunk buffers (chunkpool.ts): borrowed buffers are distinct and of the asked size, come back
 * to the pool when the pass settles (also when it throws), are handed out again instead of new ones, and the pool
 * keeps no more than POOL_BYTES idle. The passes' results with pooled buffers are checked against BigInt in
 * test/engine.test.ts (chunks of 1000 digits: every pass runs through many reused chunks).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { POOL_BYTES, chunkPoolIdleBytes, withChunkBuffers } from './chunkpool.js';

test('borrowed buffers are distinct, of the asked size, and reused by the next pass', async () => {
  const idleBefore = chunkPoolIdleBytes();
  const first = await withChunkBuffers(3, 1000, async (buffers) => {
    assert.deepEqual(buffers.map((b) => b.length), [1000, 1000, 1000]);
    assert.equal(new Set(buffers.map((b) => b.buffer)).size, 3, 'three distinct backing stores');
    buffers.forEach((b, i) => b.fill(i));
    assert.deepEqual(buffers.map((b) => b[999]), [0, 1, 2], 'writing one does not touch another');
    return buffers.map((b) => b.buffer);
  });
  assert.ok(chunkPoolIdleBytes() >= idleBefore + 3000, 'given back');
  const second = await withChunkBuffers(3, 1000, async (buffers) => buffers.map((b) => b.buffer));
  assert.deepEqual(new Set(second), new Set(first), 'the same three backing stores, no new ones');
});

test('concurrent passes never share a buffer', async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const outer = withChunkBuffers(2, 512, async (buffers) => {
    await gate;
    return buffers.map((b) => b.buffer);
  });
  const inner = await withChunkBuffers(2, 512, async (buffers) => buffers.map((b) => b.buffer));
  release();
  const held = await outer;
  for (const b of inner) assert.ok(!held.includes(b), 'a buffer lent twice at once');
});

test('buffers come back when the pass throws; the pool keeps at most POOL_BYTES idle', async () => {
  const idleBefore = chunkPoolIdleBytes();
  await assert.rejects(
    withChunkBuffers(1, 4096, async () => {
      throw new Error('pass failed');
    }),
    /pass failed/,
  );
  assert.ok(chunkPoolIdleBytes() >= Math.min(POOL_BYTES, idleBefore + 4096));
  const size = POOL_BYTES / 4;
  await withChunkBuffers(6, size, async () => undefined); // 1.5 × POOL_BYTES
  assert.ok(chunkPoolIdleBytes() <= POOL_BYTES, `${chunkPoolIdleBytes()} idle bytes`);
});
