// The series' leaves (series.ts `leaf`) against plain binary splitting on BigInt: a leaf may drop common factors
// (factors.ts) and merges its halves in the kernel when it is longer than BIGINT_TERMS, so its P, Q, |T| are the
// reference's divided by one common factor: the ratios P/Q and T/Q must be exactly the reference's.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { natToBigInt } from '../../kernel/index.js';
import { leaf } from './series.js';

const A = 13591409n;
const B = 545140134n;
const C3_OVER_24 = 10939058860032000n;

function reference(a: number, b: number): [bigint, bigint, bigint] {
  if (b - a === 1) {
    if (a === 0) return [1n, 1n, A];
    const k = BigInt(a);
    const p = (6n * k - 5n) * (2n * k - 1n) * (6n * k - 1n);
    return [p, k * k * k * C3_OVER_24, (a & 1 ? -1n : 1n) * p * (A + B * k)];
  }
  const m = (a + b) >>> 1;
  const [p1, q1, t1] = reference(a, m);
  const [p2, q2, t2] = reference(m, b);
  return [p1 * p2, q1 * q2, t1 * q2 + p1 * t2];
}

describe('pi series leaves', () => {
  test('P/Q and |T|/Q equal plain binary splitting, on BigInt and kernel-merged leaves', () => {
    for (const a of [0, 1, 1000, 123_457]) {
      for (const n of [1, 2, 17, 64, 255, 256, 257, 300, 512]) {
        const [p, q, t] = reference(a, a + n);
        for (const needP of [true, false]) {
          const got = leaf(a, a + n, needP);
          const gq = natToBigInt(got.q);
          assert.equal(natToBigInt(got.t) * q, (t < 0n ? -t : t) * gq, `T/Q of [${a}, ${a + n})`);
          if (needP) assert.equal(natToBigInt(got.p!) * q, p * gq, `P/Q of [${a}, ${a + n})`);
          else assert.equal(got.p, undefined);
        }
      }
    }
  });
});
