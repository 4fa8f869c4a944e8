// natIsqrt (reciprocal-square-root Newton + exact correction) against BigInt: random operands, perfect squares,
// squares ± 1, (s + 1)² − 1 and 10^n − 1 across the schoolbook/Karatsuba/FFT sizes; the estimate must need at most 2 unit steps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { natFromBigInt, natIsqrt, natRsqrtSmall, natToBigInt } from './index.js';
import { InvalidArgumentError } from '../errors.js';
import { lastIsqrtCorrections, lastIsqrtProven } from './sqrt.js';
import { bigintSqrt as bigIsqrt } from '../../test/helpers.js';
import { seededRandom as rng } from '../../test/random.js';



test('natIsqrt is floor(√a) for random, square, square ± 1, (s + 1)² − 1 and 10^n − 1 operands', () => {
  const r = rng(42);
  for (const n of [1, 9, 15, 16, 17, 31, 32, 33, 64, 101, 333, 641, 1000, 2001, 5003, 12000, 40001]) {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = 48 + Math.floor(r() * 10);
    const x = BigInt(b.toString('latin1'));
    const s = bigIsqrt(x);
    for (const a of [x, s * s, s * s > 0n ? s * s - 1n : 0n, s * s + 1n, s * s + 2n * s, 10n ** BigInt(n) - 1n, 10n ** BigInt(n)]) {
      const got = natToBigInt(natIsqrt(natFromBigInt(a)));
      assert.equal(got, bigIsqrt(a), `n=${n}`);
      if (n > 15) assert.ok(lastIsqrtCorrections >= 0 && lastIsqrtCorrections <= 2, `corrections ${lastIsqrtCorrections} at n=${n}`);
    }
  }
});

test('natRsqrtSmall is within two units of B^p/√c (small c, perfect squares, the extremes, a transform-group size)', () => {
  // |Y − B^p/√c| < 2  ⟺  c·(Y − 2)² < B^2p < c·(Y + 2)²  (for Y >= 2).
  for (const c of [1, 2, 3, 4, 9999, 10000, 10005, 10006, 65536, 2 ** 26 - 1]) {
    for (const p of [0, 1, 2, 3, 4, 5, 6, 7, 9, 17, 33, 100, 481, 1500, 6000]) {
      const y = natToBigInt(natRsqrtSmall(c, p));
      const big = 10000n ** BigInt(2 * p), cc = BigInt(c);
      if (y >= 2n) assert.ok(cc * (y - 2n) ** 2n < big, `c=${c} p=${p}: Y too large`);
      assert.ok(cc * (y + 2n) ** 2n > big, `c=${c} p=${p}: Y too small`);
    }
  }
  // pi's radicand at a size whose last steps run on transform groups (h + 3 >= 16k limbs).
  const p = 40000;
  const y = natToBigInt(natRsqrtSmall(10005, p));
  const big = 10000n ** BigInt(2 * p);
  assert.ok(10005n * (y - 2n) ** 2n < big && 10005n * (y + 2n) ** 2n > big, 'c=10005 p=40000');
  assert.throws(() => natRsqrtSmall(0, 4), InvalidArgumentError);
  assert.throws(() => natRsqrtSmall(2 ** 26, 4), InvalidArgumentError);
});

test('natIsqrt: refinedRoot’s proven roots (no final square) are exact, also where the guard limb is at its edges', () => {
  // a = floor(((s·B + k)/B)²): √a·B lies just below s·B + k, so the guard limb of the estimate is about k − 1 or k:
  // k near 0 and near B put the root as close to an integer as the error bound allows (proven only beyond it).
  const r = rng(43);
  let proven = 0, unproven = 0;
  for (const n of [520, 1001, 4447, 20010, 66001]) {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = 48 + Math.floor(r() * 10);
    if (b[0] === 48) b[0] = 49;
    const s = bigIsqrt(BigInt(b.toString('latin1')));
    for (const k of [0n, 1n, 2n, 3n, 4n, 5n, 5000n, 9995n, 9996n, 9997n, 9998n, 9999n, 10000n]) {
      const x = (s * 10000n + k) ** 2n;
      for (const a of [x / 100_000_000n, x / 100_000_000n + 1n, x / 100_000_000n - 1n]) {
        const got = natToBigInt(natIsqrt(natFromBigInt(a)));
        assert.equal(got, bigIsqrt(a), `n=${n} k=${k}`);
        if (lastIsqrtProven) proven++;
        else unproven++;
      }
    }
    // A random radicand is proven with probability about 1 − 3·10^−4.
    natIsqrt(natFromBigInt(BigInt(b.toString('latin1'))));
    assert.ok(lastIsqrtProven || n === 520, `random radicand of ${n} digits not proven`);
  }
  // Radicands with long runs of zero limbs (pi's 10005·10^2M: aLow = 0) or of 9s, and powers of ten.
  for (const M of [131n, 1001n, 8191n]) {
    for (const a of [10005n * 10n ** (2n * M), 2n * 10n ** (2n * M), 10n ** (2n * M + 1n), 10n ** (2n * M) - 1n, 99n * 10n ** (2n * M) + 12345n]) {
      assert.equal(natToBigInt(natIsqrt(natFromBigInt(a))), bigIsqrt(a), `M=${M}`);
    }
  }
  assert.ok(proven > 0 && unproven > 0, `proven ${proven}, unproven ${unproven}`);
});

test('natIsqrt: roots refined level by level (coupledRoot, from 2·16000 limbs) are exact at the edges', () => {
  // Roots of 32,010 and 64,030 limbs: one and two levels refined with the reciprocal carried up (refineStep with
  // wantY) under the guarded top level. Checked by s² <= a < (s + 1)² in BigInt.
  const r = rng(44);
  const check = (a: bigint, what: string): void => {
    const s = natToBigInt(natIsqrt(natFromBigInt(a)));
    assert.ok(s * s <= a && a < (s + 1n) * (s + 1n), what);
  };
  for (const limbs of [32010, 64030]) {
    const D = 8 * limbs;
    const b = Buffer.alloc(D);
    for (let i = 0; i < D; i++) b[i] = 48 + Math.floor(r() * 10);
    if (b[0] === 48) b[0] = 49;
    const x = BigInt(b.toString('latin1'));
    check(x, `random ${D} digits`);
    assert.ok(lastIsqrtProven, `random radicand of ${D} digits not proven`);
    const s = natToBigInt(natIsqrt(natFromBigInt(x)));
    // Perfect squares and their neighbours (unproven: the exact correction), a root at the guard limb's edge,
    // all-9999 limbs, powers of B and of ten, pi's radicand, a top limb of 1 (x near B^−3 at every level).
    const big = 10n ** BigInt(D);
    for (const [a, what] of [
      [s * s, 's²'], [s * s - 1n, 's² − 1'], [(s + 1n) * (s + 1n) - 1n, '(s + 1)² − 1'],
      [(s * 10000n + 9999n) ** 2n / 100_000_000n, 'guard edge'], [big - 1n, '10^D − 1'], [big, '10^D'],
      [10n ** BigInt(D - 3), '10^(D−3)'], [10005n * 10n ** BigInt(D - 6), "pi's 10005·10^2M"],
      [10n ** BigInt(D - 1) + 1n, '10^(D−1) + 1'],
    ] as const) {
      check(a, `${what} at ${D} digits`);
    }
    if (limbs > 40000) continue;
    // Roots just below and above an integer at the guard limb's edges, where the error bound (with the high products'
    // extra unit) decides between proven and the exact correction.
    for (const k of [0n, 1n, 2n, 5000n, 9998n, 9999n, 10000n]) {
      const x2 = (s * 10000n + k) ** 2n;
      for (const a of [x2 / 100_000_000n, x2 / 100_000_000n + 1n, x2 / 100_000_000n - 1n]) check(a, `guard edge k=${k} at ${D} digits`);
    }
  }
});

test('natIsqrt: radicands rooted in BigInt (up to 64 limbs) and roots whose reciprocal bottoms out in BigInt (rsqrtBig, p <= RSQRT_BIGINT_LIMBS = 128)', () => {
  // 252–260 digits straddle BIGINT_ROOT_LIMBS = 64 limbs; 729–749 digits put kmRoot's h at 47–50 limbs, 3881–4072
  // digits at 126–131, around RSQRT_BIGINT_LIMBS = 128 (48 before); 1001 and 4003 digits reach rsqrtBig through
  // refinedRoot and kmRoot's levels, 12001 through two of rsqrtFixed's levels. 58–63 digits
  // straddle isqrtBig's ISQRT_BIG_DIRECT_BITS = 200 bits (a double's start below, the top half's root above), 118–124
  // and 240–252 digits take one and two such halvings.
  const r = rng(45);
  for (const n of [17, 58, 59, 60, 61, 62, 63, 118, 120, 121, 124, 240, 245, 252, 253, 255, 256, 257, 258, 260, 729, 733, 737, 741, 745, 749, 1001, 3881, 3920, 3945, 3960, 3976, 4003, 4040, 4072, 12001]) {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = 48 + Math.floor(r() * 10);
    if (b[0] === 48) b[0] = 49;
    const x = BigInt(b.toString('latin1'));
    const s = bigIsqrt(x);
    const big = 10n ** BigInt(n);
    for (const a of [x, s * s, s * s - 1n, (s + 1n) * (s + 1n) - 1n, big - 1n, big, big / 10n + 1n, 10001n * big / 10000n]) {
      const got = natToBigInt(natIsqrt(natFromBigInt(a)));
      assert.ok(got * got <= a && a < (got + 1n) * (got + 1n), `n=${n}`);
    }
  }
});
