/**
 * The streaming passes read and write through pooled chunk buffers (storage/chunkpool.ts, docs/ARCHITECTURE.md §5
 * "Streaming passes"), not a fresh buffer per chunk: over operands of 200 chunks, each pass allocates at most a few
 * chunk-sized buffers (the pool's first fill), where it used to allocate one or more per chunk (dead buffers that V8
 * collects only at its external-memory limit). Results are checked against BigInt, so a buffer reused too early
 * (a chunk overwritten before its write completed) would show as wrong digits.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configure } from '../src/config.js';
import { add, compare, div, mul, sub } from '../src/engine/index.js';
import { shiftDecimal, truncateDecimal } from '../src/engine/linear.js';
import { StreamNumber } from '../src/number.js';
import { freshHome, randomInteger, seededRandom } from './helpers.js';

freshHome('ms-streaming-buffers-');
const CHUNK = 4096;
configure({ chunkSize: CHUNK });

/** Buffers of at least a chunk allocated while `run` runs (Buffer.alloc, allocUnsafe and allocUnsafeSlow). */
async function chunkAllocations<T>(run: () => Promise<T>): Promise<{ value: T; count: number }> {
  const names = ['alloc', 'allocUnsafe', 'allocUnsafeSlow'] as const;
  const saved = names.map((name) => Buffer[name]);
  let count = 0;
  for (const [i, name] of names.entries()) {
    const original = saved[i]!;
    (Buffer as unknown as Record<string, (...args: unknown[]) => Buffer>)[name] = (size: unknown, ...rest: unknown[]) => {
      if (typeof size === 'number' && size >= CHUNK) count++;
      return (original as (...args: unknown[]) => Buffer).call(Buffer, size, ...rest);
    };
  }
  try {
    return { value: await run(), count };
  } finally {
    for (const [i, name] of names.entries()) (Buffer as unknown as Record<string, unknown>)[name] = saved[i];
  }
}

/** The value of a result, freeing it. */
async function valueOf(n: StreamNumber): Promise<bigint> {
  try {
    return n.toBigInt();
  } finally {
    n.free();
  }
}

test('streaming passes over 200 chunks allocate a few chunk buffers, not one per chunk, and stay exact', async () => {
  const random = seededRandom(2026);
  const a = randomInteger(200 * CHUNK, false, random);
  const b = randomInteger(200 * CHUNK - 3, false, random);
  const x = await StreamNumber.fromLiteral(a);
  const y = await StreamNumber.fromLiteral(b);
  const x2 = await StreamNumber.fromLiteral(a + 1n); // equal length, differs only at the end: compare reads it all
  try {
    const passes: [string, () => Promise<StreamNumber | number>, bigint][] = [
      ['add', () => add(x, y), a + b],
      ['sub', () => sub(y, x), b - a],
      ['compare', () => compare(x, x2), -1n],
      ['mul by a small factor', () => mul(x, 98_765_431), a * 98_765_431n],
      ['div by a small divisor', () => div(x, 12_345_679), a / 12_345_679n],
      ['truncate', () => truncateDecimal(x, 3 * CHUNK + 5, {}), a / 10n ** BigInt(3 * CHUNK + 5)],
      ['shift', () => shiftDecimal(y, 2 * CHUNK + 7, {}), b * 10n ** BigInt(2 * CHUNK + 7)],
    ];
    for (const [name, run, expected] of passes) {
      const { value, count } = await chunkAllocations(run);
      assert.equal(typeof value === 'number' ? BigInt(value) : await valueOf(value), expected, name);
      // At most the pool's first fill (three buffers for add and subtract) and addition's carry probe.
      assert.ok(count <= 6, `${name}: ${count} chunk-sized buffers allocated over 200 chunks`);
    }
  } finally {
    x.free();
    y.free();
    x2.free();
  }
});
