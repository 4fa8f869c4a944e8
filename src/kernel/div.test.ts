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
