/**
 * pi-series — the binary splitting's merge on decimal limbs against the same ranges done whole on
 * BigInt: P, Q and |T| must agree exactly for every split point the recursion picks, and the sign
 * rule T(a,b) ~ (−1)^a that lets the limb levels keep magnitudes only must hold.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { natToBigInt } from '../src/kernel/index.js';
import { leaf, merge, splitPoint } from '../src/apps/pi/series.js';
import { configure, getConfig } from '../src/config.js';

describe('pi binary splitting', () => {
  test('split points leave an even left part and a non-empty right part', () => {
    for (let a = 0; a < 40; a++) {
      for (let b = a + 3; b < a + 200; b++) {
        const m = splitPoint(a, b);
        assert.ok(m > a && m < b, `[${a},${b}) split at ${m}`);
        assert.equal((m - a) % 2, 0, `[${a},${b}) split at ${m}`);
        assert.ok(Math.abs(m - (a + b) / 2) <= 1.5, `[${a},${b}) split at ${m} is not near the middle`);
      }
    }
  });

  test('a limb merge equals the whole range on BigInt (P, Q, |T|)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 3, max: 300 }), fc.boolean(), (a, n, needP) => {
        const b = a + n;
        const m = splitPoint(a, b);
        const merged = merge(leaf(a, m, true), leaf(m, b, needP), needP);
        const whole = leaf(a, b, true);
        assert.equal(natToBigInt(merged.q), natToBigInt(whole.q));
        assert.equal(natToBigInt(merged.t), natToBigInt(whole.t));
        if (needP) assert.equal(natToBigInt(merged.p!), natToBigInt(whole.p!));
        else assert.equal(merged.p, undefined);
      }),
      { numRuns: 60 },
    );
  });

  test('over the memory budget the merge falls back to plain products, with the same values', () => {
    const a = 2000, b = 6000; // ~30,000-limb operands: their shared spectra would need far more than 1 MiB
    const m = splitPoint(a, b);
    const left = leaf(a, m, true), right = leaf(m, b, true);
    const spectral = merge(left, right, true);
    const saved = getConfig().memoryBudget;
    configure({ memoryBudget: '1MiB' });
    try {
      const plain = merge(left, right, true);
      assert.equal(natToBigInt(plain.t), natToBigInt(spectral.t));
      assert.equal(natToBigInt(plain.q), natToBigInt(spectral.q));
      assert.equal(natToBigInt(plain.p!), natToBigInt(spectral.p!));
    } finally {
      configure({ memoryBudget: saved });
    }
    const whole = leaf(a, b, true);
    assert.equal(natToBigInt(spectral.t), natToBigInt(whole.t));
  });
});
