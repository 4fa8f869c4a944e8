// pow in memory multiplies by a base below 2^26 in one linear pass (natMulSmall) and by a larger one with natMul:
// both against BigInt, at the edge 2^26 and one past it, with odd and even exponents (the multiply runs on each 1
// bit) and negative bases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pow } from '../src/engine/index.js';
import { textOf } from './helpers.js';

test('pow: small and large bases, at and past 2^26, odd and even exponents, against BigInt', async () => {
  for (const base of [2n, 9n, 9999n, 10000n, 67_108_863n, 67_108_864n, 67_108_865n, 99_999_999n, -7n, -67_108_864n, 123456789012345678901n]) {
    for (const exponent of [2, 3, 17, 64, 1001, 4097]) {
      assert.equal(await textOf(await pow(base, exponent)), (base ** BigInt(exponent)).toString(), `${base}^${exponent}`);
    }
  }
});
