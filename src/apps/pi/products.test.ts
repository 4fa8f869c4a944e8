// pi's products (products.ts): largeStep is the one place pi frees the FFT's cached twiddle tables, and a merge whose
// spectra do not fit its budget runs its products one by one, each a largeStep, with the same results as the shared
// plan (against BigInt).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { natFromBigInt, natMul, natToBigInt } from '../../kernel/index.js';
import { cosN } from '../../kernel/fft.js';
import { largeStep, limitPiBudget, mergeProducts, type MergeOperands } from './products.js';
import { randomNatural, seededRandom } from '../../../test/helpers.js';

test('largeStep frees the cached twiddle tables before its step and returns its value', () => {
  const random = seededRandom(11);
  const a = natFromBigInt(randomNatural(random, 20_000));
  natMul(a, a); // an FFT product: its tables stay cached
  assert.ok(cosN > 0, 'tables cached after an FFT product');
  assert.equal(largeStep(() => cosN), 0, 'no table cached when the step starts');
  assert.equal(largeStep(() => 42), 42);
});

test('a merge over its budget runs one by one (tables freed before each product) and equals the shared plan', () => {
  const random = seededRandom(12);
  const values = { p1: randomNatural(random, 6000), p2: randomNatural(random, 5000), q1: randomNatural(random, 7000),
    q2: randomNatural(random, 6500), t1: randomNatural(random, 7200), t2: randomNatural(random, 6900) };
  const operands = (withP: boolean): MergeOperands => ({
    p1: natFromBigInt(values.p1), p2: withP ? natFromBigInt(values.p2) : undefined, q1: natFromBigInt(values.q1),
    q2: natFromBigInt(values.q2), t1: natFromBigInt(values.t1), t2: natFromBigInt(values.t2),
  });
  for (const withP of [true, false]) {
    const shared = mergeProducts(operands(withP));
    const tables: number[] = [];
    const restore = limitPiBudget(() => 1); // no spectra fit: one by one
    let oneByOne;
    try {
      oneByOne = mergeProducts(operands(withP), () => tables.push(cosN));
    } finally {
      restore();
    }
    assert.equal(tables.length, 3, 'between runs after each of the first three products');
    assert.ok(tables.every((n) => n > 0), 'each product builds its own tables after they were freed');
    for (const merged of [shared, oneByOne]) {
      assert.equal(natToBigInt(merged.q), values.q1 * values.q2);
      assert.equal(natToBigInt(merged.t), values.t1 * values.q2 + values.p1 * values.t2);
      assert.equal(merged.p === undefined ? undefined : natToBigInt(merged.p), withP ? values.p1 * values.p2 : undefined);
    }
  }
});
