// natIsqrt (reciprocal-square-root Newton + exact correction) against BigInt: random operands, perfect squares,
// squares − 1 and 10^n − 1 across the schoolbook/Karatsuba/FFT sizes; the estimate must need at most 2 unit steps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { natFromBigInt, natIsqrt, natToBigInt } from './index.js';
import { lastIsqrtCorrections } from './sqrt.js';
import { bigintSqrt as bigIsqrt } from '../../test/helpers.js';
import { seededRandom as rng } from '../../test/random.js';



test('natIsqrt is floor(√a) for random, square, square − 1 and 10^n − 1 operands', () => {
  const r = rng(42);
  for (const n of [1, 9, 15, 16, 17, 31, 32, 33, 64, 101, 333, 641, 1000, 2001, 5003, 12000, 40001]) {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = 48 + Math.floor(r() * 10);
    const x = BigInt(b.toString('latin1'));
    const s = bigIsqrt(x);
    for (const a of [x, s * s, s * s > 0n ? s * s - 1n : 0n, 10n ** BigInt(n) - 1n, 10n ** BigInt(n)]) {
      const got = natToBigInt(natIsqrt(natFromBigInt(a)));
      assert.equal(got, bigIsqrt(a), `n=${n}`);
      if (n > 15) assert.ok(lastIsqrtCorrections >= 0 && lastIsqrtCorrections <= 2, `corrections ${lastIsqrtCorrections} at n=${n}`);
    }
  }
});
