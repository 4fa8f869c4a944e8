import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bitLength, decimalDigits, log2 } from './magnitude.js';

test('bitLength matches the binary form', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 1n, max: 1n << 5000n }), (n) => {
      assert.equal(bitLength(n), n.toString(2).length);
    }),
  );
  assert.equal(bitLength(0n), 0);
});

test('log2 is accurate on large values', () => {
  assert.equal(log2(1n << 4000n), 4000);
  assert.ok(Math.abs(log2(3n ** 5000n) - 5000 * Math.log2(3)) < 1e-9);
});

test('decimalDigits is exact around powers of ten', () => {
  for (let k = 1; k <= 700; k += 7) {
    const p = 10n ** BigInt(k);
    assert.equal(decimalDigits(p - 1n), k);
    assert.equal(decimalDigits(p), k + 1);
    assert.equal(decimalDigits(p + 1n), k + 1);
  }
  fc.assert(
    fc.property(fc.bigInt({ min: 1n, max: 10n ** 3000n }), (n) => {
      assert.equal(decimalDigits(n), n.toString().length);
    }),
  );
});
