/**
 * pi-series — the binary splitting's merge on decimal limbs against BigInt: P1·P2, Q1·Q2 and T1·Q2 + P1·|T2|
 * exactly, for every split point the recursion picks; the BigInt leaves (common factors dropped, factors.ts)
 * against the plain products: the same P, Q, T up to one common factor, so the same ratios; and the sign rule
 * T(a,b) ~ (−1)^a that lets the limb levels keep magnitudes only.
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

  test('a limb merge equals its products on BigInt (P, Q, |T|)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 3, max: 300 }), fc.boolean(), (a, n, needP) => {
        const b = a + n;
        const m = splitPoint(a, b);
        const left = leaf(a, m, true), right = leaf(m, b, true);
        const merged = merge({ ...left }, { ...right }, needP); // merge empties what it is given
        assert.equal(left.q.size > 0, true);
        const [p1, q1, t1, p2, q2, t2] = [left.p!, left.q, left.t, right.p!, right.q, right.t].map(natToBigInt);
        assert.equal(natToBigInt(merged.q), q1! * q2!);
        assert.equal(natToBigInt(merged.t), t1! * q2! + p1! * t2!);
        if (needP) assert.equal(natToBigInt(merged.p!), p1! * p2!);
        else assert.equal(merged.p, undefined);
      }),
      { numRuns: 60 },
    );
  });

  test('a BigInt leaf is the plain product tree divided by one common factor, and smaller', () => {
    const A = 13591409n, B = 545140134n, C3 = 10939058860032000n;
    const plain = (a: number, b: number): [bigint, bigint, bigint] => {
      if (b - a === 1) {
        if (a === 0) return [1n, 1n, A];
        const k = BigInt(a);
        const p = (6n * k - 5n) * (2n * k - 1n) * (6n * k - 1n);
        return [p, k * k * k * C3, (a % 2 ? -1n : 1n) * p * (A + B * k)];
      }
      const m = (a + b) >>> 1;
      const [p1, q1, t1] = plain(a, m), [p2, q2, t2] = plain(m, b);
      return [p1 * p2, q1 * q2, t1 * q2 + p1 * t2];
    };
    for (const [a, n] of [[0, 1], [0, 100], [1, 1000], [5, 70], [777, 64], [12345, 1024], [350001, 1024], [2 ** 30, 300]] as const) {
      const r = leaf(a, a + n, true);
      const [P, Q, T] = plain(a, a + n);
      const [p, q, t] = [r.p!, r.q, r.t].map(natToBigInt);
      assert.equal(p! * Q, P * q!, `P/Q of [${a}, ${a + n})`);
      assert.equal(t! * Q, (T < 0n ? -T : T) * q!, `T/Q of [${a}, ${a + n})`);
      assert.equal(Q % q!, 0n, 'the common factor divides the plain Q');
      if (n >= 1000) assert.ok(q!.toString().length < 0.85 * Q.toString().length, `[${a}, ${a + n}) was reduced`);
      assert.equal(r.q.size, leaf(a, a + n, false).q.size, 'the same Q without P');
    }
  });

  test('over the memory budget the merge falls back to plain products, with the same values', () => {
    const a = 2000, b = 6000; // ~30,000-limb operands: their shared spectra would need far more than 1 MiB
    const m = splitPoint(a, b);
    const left = leaf(a, m, true), right = leaf(m, b, true);
    const spectral = merge({ ...left }, { ...right }, true); // merge empties what it is given
    const saved = getConfig().memoryBudget;
    configure({ memoryBudget: '1MiB' });
    try {
      const given = [{ ...left }, { ...right }] as const;
      const plain = merge(given[0], given[1], true);
      assert.ok(given.every((s) => s.p === undefined && s.q.size === 0 && s.t.size === 0), 'the operands were handed over');
      assert.equal(natToBigInt(plain.t), natToBigInt(spectral.t));
      assert.equal(natToBigInt(plain.q), natToBigInt(spectral.q));
      assert.equal(natToBigInt(plain.p!), natToBigInt(spectral.p!));
    } finally {
      configure({ memoryBudget: saved });
    }
    assert.equal(natToBigInt(spectral.t), natToBigInt(left.t) * natToBigInt(right.q) + natToBigInt(left.p!) * natToBigInt(right.t));
  });
});
