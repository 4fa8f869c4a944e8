/**
 * kernel/checksum: the checkpoint checksum is of the bytes' concatenation (however `update` splits them, from the
 * wasm memory or not) and changes with any damage a torn or misplaced checkpoint shows: a flipped bit anywhere, two
 * stripes traded, zeros appended or cut, a zeroed range.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Checksum, checksumOf } from './checksum.js';
import { u8View, wasmAlloc, wasmFree } from './wasmheap.js';

function randomBytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 255;
  }
  return b;
}

test('the checksum does not depend on how the bytes are split, nor on where they live', () => {
  const data = randomBytes(100_003, 7);
  const whole = checksumOf([data]);
  assert.match(whole, /^[0-9a-f]{32}$/);
  for (const cut of [1, 63, 64, 65, 1000, 4096, 99_999]) {
    assert.equal(checksumOf([data.subarray(0, cut), data.subarray(cut)]), whole, `cut at ${cut}`);
  }
  const sum = new Checksum();
  for (let at = 0, k = 1; at < data.length; at += k, k = (k * 7 + 3) % 977) sum.update(data.subarray(at, Math.min(data.length, at + k)));
  assert.equal(sum.digest(), whole, 'many uneven pieces');
  const ptr = wasmAlloc(data.length + 5);
  try {
    const view = u8View(ptr + 5, data.length); // a view on the wasm memory, hashed in place, at an odd address
    view.set(data);
    assert.equal(checksumOf([view]), whole);
    assert.equal(checksumOf([data.subarray(0, 10), u8View(ptr + 15, data.length - 10)]), whole);
  } finally {
    wasmFree(ptr);
  }
  assert.equal(checksumOf([randomBytes(3 << 20, 9)]), checksumOf([randomBytes(3 << 20, 9)]), 'through the staging area');
});

test('damage changes the checksum: a flipped bit, traded stripes, zeros appended or cut, a zeroed range', () => {
  const data = randomBytes(1 << 16, 11);
  const base = checksumOf([data]);
  const seen = new Set([base]);
  const differs = (bytes: Uint8Array, what: string) => {
    const c = checksumOf([bytes]);
    assert.ok(!seen.has(c), what);
    seen.add(c);
  };
  for (const bit of [0, 7, 8 * 63, 8 * 64 + 3, 8 * 1023, 8 * 1024, 8 * 40_000 + 5, 8 * 65_535 + 7]) {
    const d = Buffer.from(data);
    d[bit >> 3] ^= 1 << (bit & 7);
    differs(d, `bit ${bit}`);
  }
  for (const [i, j] of [[0, 1], [3, 9], [0, 16], [100, 900]] as const) {
    const d = Buffer.from(data);
    d.copy(d, 64 * i, 64 * j, 64 * j + 64);
    data.copy(d, 64 * j, 64 * i, 64 * i + 64);
    differs(d, `stripes ${i} and ${j} traded`);
  }
  differs(Buffer.concat([data, Buffer.alloc(1)]), 'a zero appended');
  differs(Buffer.concat([data, Buffer.alloc(64)]), 'a zero stripe appended');
  const zeros = Buffer.alloc(4096);
  differs(zeros, 'zeros');
  differs(zeros.subarray(0, 4095), 'one zero fewer');
  const d = Buffer.from(data);
  d.fill(0, 8192, 8192 + 4096);
  differs(d, 'a zeroed range');
  // Many short random inputs: no two collide.
  const many = new Set<string>();
  for (let i = 0; i < 3000; i++) many.add(checksumOf([randomBytes(1 + (i % 200), i + 1)]));
  assert.equal(many.size, 3000);
});
