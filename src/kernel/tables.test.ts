/**
 * The twiddle tables' count (fftcore.ts coreTableBytes), which the planner compares with the budget, bounds what
 * prepareTransforms allocates on an empty cache at every kind of length (2^k of either parity of k, 3·2^k, 5·2^k),
 * and is not far above it.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { coreTableBytes, prepareTransforms, releaseCoreTables } from './fftcore.js';
import { heapTop, takeHighWater } from './wasmheap.js';

after(() => releaseCoreTables());

/** Bytes prepareTransforms(M) grows the heap by, from an empty table cache. */
function allocated(M: number): number {
  releaseCoreTables();
  takeHighWater();
  const before = heapTop();
  prepareTransforms(M);
  return takeHighWater() - before;
}

test('coreTableBytes bounds the tables prepareTransforms builds, within 3% + 1 MiB (the leaf vector tables and two-level tables, counted whole), at every table length', () => {
  const lengths: number[] = [];
  for (let k = 3; k <= 24; k++) lengths.push(2 ** k);
  for (let k = 3; k <= 23; k++) lengths.push(3 * 2 ** k, 5 * 2 ** (k - 1));
  for (const M of lengths) {
    const grown = allocated(M);
    const counted = coreTableBytes(M);
    assert.ok(grown <= counted, `M = ${M}: allocated ${grown} > counted ${counted}`);
    assert.ok(counted <= 1.03 * grown + 2 ** 20, `M = ${M}: counted ${counted}, far above the ${grown} allocated`);
  }
});
