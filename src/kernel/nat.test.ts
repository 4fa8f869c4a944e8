// kernel/nat's compiled linear passes against BigInt, at the extremes their exactness proofs are written for:
// modLimbs's block dot products (assembly/natops.ts residueDot: every limb 9999, the largest primes up to 2^26, every
// length around the block and staging boundaries).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { modLimbs, natFromLimbs, natToBigInt } from './nat.js';
import { seededRandom as rng } from '../../test/random.js';

const BLOCK = 256;
const STAGE = 1 << 18;

describe('modLimbs compiled (block dot products with a table of powers)', () => {
  test('all-9999 limbs and random limbs at block and staging boundaries, primes up to 2^26, agree with BigInt', () => {
    const r = rng(41);
    const primes = [2, 3, 9973, 10007, 65521, 2 ** 26 - 5, 67108859, 2 ** 26];
    for (const m of [4096, 4097, 4096 + BLOCK - 1, 16 * BLOCK + 7, 40_000 + 3, STAGE - 1, STAGE + 1, STAGE + BLOCK + 9]) {
      for (const fill of ['max', 'random'] as const) {
        const limbs = new Uint16Array(m);
        for (let i = 0; i < m; i++) limbs[i] = fill === 'max' ? 9999 : Math.floor(r() * 10000);
        if (limbs[m - 1] === 0) limbs[m - 1] = 1;
        const value = natToBigInt(natFromLimbs(limbs));
        for (const p of primes) assert.equal(modLimbs(limbs, m, p), Number(value % BigInt(p)), `m=${m} ${fill} p=${p}`);
      }
    }
  });
});
