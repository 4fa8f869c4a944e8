import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { applySteps, baseJump, jump } from './jump.js';
import { jumpTable, LOG2_3, TABLE_SIZE } from './table.js';

/** k plain shortcut steps, with the growth profile argmax, for comparison. */
function naive(b: bigint, k: number): { odd: number; end: bigint; peakStep: number; peakOdd: number } {
  let x = b;
  let odd = 0;
  let peakStep = 0;
  let peakOdd = 0;
  let best = -Infinity;
  for (let j = 1; j <= k; j++) {
    if ((x & 1n) === 1n) {
      x = (3n * x + 1n) >> 1n;
      odd++;
    } else {
      x >>= 1n;
    }
    if (odd * LOG2_3 - j > best) {
      best = odd * LOG2_3 - j;
      peakStep = j;
      peakOdd = odd;
    }
  }
  return { odd, end: x, peakStep, peakOdd };
}

test('the 16-step table agrees with plain steps on every residue', () => {
  const table = jumpTable();
  for (let b = 0; b < TABLE_SIZE; b += 1) {
    const r = naive(BigInt(b), 16);
    if (table.odd[b] !== r.odd || table.end[b] !== Number(r.end) || table.peakStep[b] !== r.peakStep) {
      assert.fail(`table entry ${b} differs from plain steps`);
    }
  }
});

test('baseJump in doubles is exact for every k <= 32 at the extreme residues', () => {
  for (let k = 1; k <= 32; k++) {
    for (const b of [0, 1, 2 ** k - 1, 2 ** k - 2, Math.floor(2 ** k / 3)]) {
      const r = baseJump(b, k);
      const expected = naive(BigInt(b), k);
      assert.equal(BigInt(r.end), expected.end, `k=${k} b=${b}`);
      assert.equal(r.odd, expected.odd);
      assert.equal(r.peakStep, expected.peakStep);
    }
  }
});

test('jump(b, k) = k plain steps, with the same profile argmax (property)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 1500 }), fc.bigInt({ min: 0n, max: (1n << 1500n) - 1n }), (k, wide) => {
      const b = BigInt.asUintN(k, wide);
      const r = jump(b, k);
      const expected = naive(b, k);
      assert.equal(r.odd, expected.odd);
      assert.equal(r.end, expected.end);
      assert.equal(r.peakStep, expected.peakStep);
      assert.equal(r.peakOdd, expected.peakOdd);
    }),
    { numRuns: 150 },
  );
});

test('applySteps(n, k) = T^k(n) for n wider than k', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 700 }), fc.bigInt({ min: 1n, max: (1n << 2000n) - 1n }), (k, n) => {
      const expected = naive(n, k);
      const r = applySteps(n, k);
      assert.equal(r.value, expected.end);
      assert.equal(r.odd, expected.odd);
    }),
    { numRuns: 100 },
  );
});

test('marks report (step, odd) at split points in increasing order', () => {
  const b = (1n << 1024n) - 12345n;
  const points: Array<[number, number]> = [];
  jump(b, 1024, { minBits: 128, add: (j, c) => points.push([j, c]) });
  assert.ok(points.length >= 7);
  for (let i = 1; i < points.length; i++) assert.ok(points[i]![0] > points[i - 1]![0]);
  for (const [j, c] of points) assert.equal(c, naive(BigInt.asUintN(j, b), j).odd);
});
