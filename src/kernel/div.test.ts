// natDivApprox (Newton division without the low chunk's remainder) against BigInt: |q − a/b| < 1 + 2·10^−4 on
// random operands at the one-chunk, two-chunk and transform-group sizes, quotients next to an integer
// (a = k·b − 1, k·b, k·b + b − 1), 10^n − 1 and 10^n divisors and dividends; a fast-check property at mid sizes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { natDivApprox, natFromBigInt, natToBigInt, reciprocalApprox } from './index.js';
import { seededRandom as rng } from '../../test/random.js';

/** Asserts |q − a/b| < 1 + 2·10^−4, i.e. |q·b − a|·10^4 < 10002·b. */
function assertClose(a: bigint, b: bigint, what: string): void {
  const q = natToBigInt(natDivApprox(natFromBigInt(a), natFromBigInt(b)));
  const d = q * b - a;
  assert.ok((d < 0n ? -d : d) * 10000n < 10002n * b, `${what}: q − a/b = ${Number(d) / Number(b)} (q = floor + ${q - a / b})`);
}

function randomDigits(r: () => number, n: number): bigint {
  const s = Buffer.alloc(n);
  for (let i = 0; i < n; i++) s[i] = 48 + Math.floor(r() * 10);
  s[0] = 49 + Math.floor(r() * 9);
  return BigInt(s.toString('latin1'));
}

test('natDivApprox is within one unit of a/b on random and extreme operands', () => {
  const r = rng(7);
  // (dividend digits, divisor digits): exact path, two chunks, and transform groups (divisor >= 16k limbs).
  for (const [na, nb] of [[30, 10], [2400, 400], [4000, 2000], [8001, 4000], [12000, 3000], [30000, 14000], [140000, 70000]] as const) {
    const a = randomDigits(r, na), b = randomDigits(r, nb);
    assertClose(a, b, `random ${na}/${nb}`);
    const k = a / b;
    for (const x of [k * b - 1n, k * b, k * b + b - 1n, k * b + 1n]) assertClose(x, b, `near k·b ${na}/${nb}`);
    const nines = 10n ** BigInt(nb) - 1n, ten = 10n ** BigInt(nb - 1);
    for (const d of [nines, ten, ten + 1n]) {
      assertClose(a, d, `a / 10^n ± ${na}/${nb}`);
      assertClose(10n ** BigInt(na) - 1n, d, `10^m − 1 / 10^n ± ${na}/${nb}`);
      assertClose((a / d) * d, d, `exact multiple ${na}/${nb}`);
    }
  }
});

test('natDivApprox property: |q·b − a| < 1.0002·b at two-chunk sizes', () => {
  const digits = (min: number, max: number) =>
    fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max }).map((s) => BigInt('1' + s));
  fc.assert(
    fc.property(digits(2100, 6000), digits(400, 2000), (a, b) => {
      const q = natToBigInt(natDivApprox(natFromBigInt(a), natFromBigInt(b)));
      const d = q * b - a;
      return (d < 0n ? -d : d) * 10000n < 10002n * b;
    }),
    { numRuns: 25 },
  );
});

test('reciprocalApprox stays within a few units of B^2n/D (natDivApprox needs far below B^3/2)', () => {
  const r = rng(11);
  for (const n of [49, 50, 97, 481, 1000, 4001, 20000]) {
    for (const D of [randomDigits(r, 4 * n), 10n ** BigInt(4 * n) - 1n, 10n ** BigInt(4 * n - 1), 10n ** BigInt(4 * n - 1) + 1n]) {
      const X = natToBigInt(reciprocalApprox(natFromBigInt(D), n));
      const e = X * D - 10n ** BigInt(8 * n); // (X − B^2n/D)·D
      assert.ok((e < 0n ? -e : e) < 16n * D, `n=${n}: X off by about ${e / D}`);
    }
  }
});

// natDivMod's Newton path with high products (spectra.ts natMulSpectraHigh: estimates and Newton corrections whose
// low digits are never unpacked), against BigInt: every size threshold (schoolbook / one chunk / two chunks at
// CHUNKED_DIV_LIMBS = 480 limbs / transform groups from about 16k limbs), all-9999 limbs, powers of B, runs of 9s,
// quotients next to an integer; settle's subtraction paths; the high product's one-unit bound.
import { natDivMod, natMul, natFromNumber } from './index.js';
import { settle } from './div.js';
import { natSpectrum, natSpectrumPlan, natMulSpectraHigh } from './spectra.js';

function checkDivMod(a: bigint, b: bigint, what: string): void {
  const { q, r } = natDivMod(natFromBigInt(a), natFromBigInt(b));
  assert.equal(natToBigInt(q), a / b, `${what}: q`);
  assert.equal(natToBigInt(r), a % b, `${what}: r`);
}

test('natDivMod with high-product estimates is exact at every threshold and on extreme operands', () => {
  const r = rng(21);
  // (dividend digits, divisor digits): one chunk, the two-chunk threshold (480 limbs of quotient), transform groups.
  const shapes = [[1000, 500], [2 * 1916, 1916], [2 * 1924, 1924], [4000, 2000], [8001, 4000], [70000, 35000], [140000, 70000], [200000, 70001]] as const;
  for (const [na, nb] of shapes) {
    const a = randomDigits(r, na), b = randomDigits(r, nb);
    checkDivMod(a, b, `random ${na}/${nb}`);
    const k = a / b;
    for (const x of [k * b - 1n, k * b, k * b + b - 1n, k * b + 1n]) checkDivMod(x, b, `near k·b ${na}/${nb}`);
    const nines = 10n ** BigInt(nb) - 1n, ten = 10n ** BigInt(nb - 1);
    for (const d of [nines, ten, ten + 1n, 10n ** BigInt(nb - 1) * 2n - 1n]) {
      checkDivMod(a, d, `a / 10^n ± ${na}/${nb}`);
      checkDivMod(10n ** BigInt(na) - 1n, d, `10^m − 1 / 10^n ± ${na}/${nb}`);
      checkDivMod(10n ** BigInt(na - 1), d, `10^m / 10^n ± ${na}/${nb}`);
    }
    // Runs of 9s in the dividend and the divisor around the chunk boundary.
    const runA = (a / 10n ** BigInt(na >> 1)) * 10n ** BigInt(na >> 1) + 10n ** BigInt(na >> 1) - 1n;
    const runB = (b / 10n ** BigInt(nb >> 1)) * 10n ** BigInt(nb >> 1) + 10n ** BigInt(nb >> 1) - 1n;
    checkDivMod(runA, runB, `runs of 9s ${na}/${nb}`);
  }
});

test('natDivMod at the one-remainder boundary (qlen + 1 <= lb + 3) and just past it', () => {
  const r = rng(25);
  const nb = 70000; // 17500 limbs: transform groups
  const b = randomDigits(r, nb);
  // qlen = lb + j limbs, j = 0..4 (dividends of 2·nb − 4 + 4j digits; from j = 3 the two-remainder path), random and
  // all-9999 dividends.
  for (let j = 0; j <= 4; j++) {
    const na = 2 * nb - 4 + 4 * j;
    checkDivMod(randomDigits(r, na), b, `qlen = lb + ${j}`);
    checkDivMod(10n ** BigInt(na) - 1n, b, `10^m − 1, qlen = lb + ${j}`);
    checkDivMod(10n ** BigInt(na) - 1n, 10n ** BigInt(nb) - 1n, `nines / nines, qlen = lb + ${j}`);
  }
});

test('settle: estimates off by up to SETTLE_STEPS units either way, and beyond', () => {
  const r = rng(22);
  for (const nb of [8, 300, 5000]) {
    const b = randomDigits(r, nb), a = randomDigits(r, 2 * nb);
    const q0 = a / b;
    for (const off of [-6n, -4n, -3n, -2n, -1n, 0n, 1n, 2n, 3n, 4n, 7n]) {
      const q = q0 + off, rem = a - q * b;
      const s = settle(natFromBigInt(q), rem < 0n, natFromBigInt(rem < 0n ? -rem : rem), natFromBigInt(b));
      assert.equal(natToBigInt(s.q), q0, `nb=${nb} off=${off}`);
      assert.equal(natToBigInt(s.r), a % b, `nb=${nb} off=${off}`);
    }
    // Exact multiples: a negative excess of exactly j·b.
    for (const j of [1n, 2n, 3n, 5n]) {
      const s = settle(natFromBigInt(q0 + j), true, natFromBigInt(j * b - (a % b)), natFromBigInt(b));
      assert.equal(natToBigInt(s.q), q0);
      assert.equal(natToBigInt(s.r), a % b);
    }
  }
});

test('natMulSpectraHigh is within one unit of floor(a·b/B^s), extreme and random operands', () => {
  const r = rng(23);
  const B = 10000n;
  // 150000² digits: a transform of 2^15 points or more (the split-among-threads case, from PARALLEL_MIN = 2^17, is tested
  // below).
  for (const [na, nb] of [[2000, 2000], [40000, 40000], [64000, 70000], [140000, 3000], [150000, 150000]] as const) {
    const cases: Array<[bigint, bigint]> = [
      [randomDigits(r, na), randomDigits(r, nb)],
      [10n ** BigInt(na) - 1n, 10n ** BigInt(nb) - 1n], // all-9999 limbs: balanced digits at the extreme
      [10n ** BigInt(na - 1), 10n ** BigInt(nb - 1)],
      [(10n ** BigInt(na) - 1n) / 3n * 2n, 10n ** BigInt(nb) - 1n], // 6666…: alternating balanced digits
    ];
    for (const [x, y] of cases) {
      const X = natFromBigInt(x), Y = natFromBigInt(y);
      const plan = natSpectrumPlan([[[X, Y]]]);
      const sx = natSpectrum(X, plan), sy = natSpectrum(Y, plan);
      const lim = X.size + Y.size;
      for (const s of [1, 20, Math.floor(lim / 3), Math.floor(lim / 2), lim - 5, lim + 2]) {
        const got = natToBigInt(natMulSpectraHigh(sx, sy, s));
        const want = (x * y) / B ** BigInt(s);
        const d = got - want;
        assert.ok(d >= -1n && d <= 1n, `${na}×${nb} s=${s}: off by ${d}`);
      }
    }
  }
  // Direct (non-FFT) plans are exact.
  const small = natSpectrumPlan([[[natFromNumber(12345678), natFromNumber(87654321)]]]);
  const p = natMulSpectraHigh(natSpectrum(natFromNumber(12345678), small), natSpectrum(natFromNumber(87654321), small), 1);
  assert.equal(natToBigInt(p), (12345678n * 87654321n) / B);
  assert.equal(natToBigInt(natMul(natFromNumber(3), natFromNumber(4))), 12n);
});

test('twoChunksOneRemainder: exact or undefined (two remainders) whatever the reciprocal', async () => {
  const { twoChunksOneRemainder } = await import('./div.js');
  const { KERNEL_MULTIPLIER: m } = await import('./multiplier.js');
  const r = rng(24);
  let exact = 0, declined = 0;
  for (const nb of [70001, 90000]) {
    const b = randomDigits(r, nb), a = randomDigits(r, 2 * nb);
    const B = natFromBigInt(b), A = natFromBigInt(a);
    const lb = B.size, qlen = A.size - lb + 1, c = Math.ceil(qlen / 2), h = c + 3;
    const X0 = natToBigInt(reciprocalApprox(natFromBigInt(b / 10n ** BigInt(4 * (lb - h))), h));
    // A reciprocal a few units off, and far off either way (estimates too large: R1 < 0; too small: R1 >= b).
    // A unit of X moves the estimates by about top/B^(h+2) ≈ 10^−16 units: offsets of 10^16 to 10^26 move them by
    // units to 10^10 units.
    for (const off of [0n, -3n, 3n, 10n ** 16n, -(10n ** 16n), 4n * 10n ** 16n, -4n * 10n ** 16n, 10n ** 22n, -(10n ** 22n), 10n ** 26n, -(10n ** 26n)]) {
      const X = natFromBigInt(X0 + off);
      const estimates = m.group([[[X, { size: c + 2, like: X }]]], undefined, 4);
      const corrections = m.group([], { products: [[B, { size: qlen + 1, like: B }]], limbs: lb + 3 }, 4);
      try {
        const res = twoChunksOneRemainder(A, B, X, c, estimates, corrections, m);
        if (res === undefined) declined++;
        else {
          exact++;
          assert.equal(natToBigInt(res.q), a / b, `nb=${nb} off=${off}`);
          assert.equal(natToBigInt(res.r), a % b, `nb=${nb} off=${off}`);
        }
      } finally {
        estimates.close();
        corrections.close();
      }
    }
  }
  assert.ok(exact > 0 && declined > 0, `exact ${exact}, declined ${declined}`);
});

test('natMulSpectraHigh on a transform split among threads (2^18 points and more) agrees with natMul within one unit', async () => {
  const { natFromDigits, natSub, natCompare } = await import('./index.js');
  const { natHighView } = await import('./nat.js');
  const r = rng(26);
  const digits = (n: number): Uint8Array => {
    const s = new Uint8Array(n);
    for (let i = 0; i < n; i++) s[i] = 48 + Math.floor(r() * 10);
    s[0] = 49;
    return s;
  };
  // 1.05·10^6 digits each: a product of 2^18 complex points at digit size 4.
  const X = natFromDigits(digits(1_050_000)), Y = natFromDigits(digits(1_050_000));
  const plan = natSpectrumPlan([[[X, Y]]]);
  assert.ok(plan.M >= 1 << 18, `M = ${plan.M}`);
  const exact = natMul(X, Y);
  for (const s of [Math.floor(exact.size / 2), exact.size - 100_000, 12_345]) {
    const got = natMulSpectraHigh(natSpectrum(X, plan), natSpectrum(Y, plan), s);
    const want = natHighView(exact, s);
    const d = natCompare(got, want) >= 0 ? natSub(got, want) : natSub(want, got);
    assert.ok(natCompare(d, natFromNumber(1)) <= 0, `s=${s}`);
  }
});
