// Wrapped (cyclic, modulo B^k − 1) products and the transform groups of Newton's division and square root, against
// BigInt: every digit size and both length families, the multi-thread unpacking, signed residues, the difference
// with a wrong bound, an aliasing residue and an injected fault; then division and isqrt on structured operands at
// the sizes where they run on transform groups.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ArithmeticCheckError } from '../errors.js';
import { Multiplier } from './multiplier.js';
import { Nat, modLimbs, natFromBigInt, natHalveOwned, natHighView, natShiftAddLimbs, natToBigInt, wasmAddress } from './nat.js';
import { heapTop } from './wasmheap.js';
import { natDivMod } from './div.js';
import { natIsqrt } from './sqrt.js';
import { transformLength } from './fftcore.js';
import { CHECK_PRIME } from './mul.js';
import {
  natModWrapped, natMulSpectraWrapped, natSpectrum, natSpectrumPlan, natWrappedDifference, spectraWrappedDifference, wrappedDifference,
  type SpectrumPlan,
} from './spectra.js';
import { bigintSqrt } from '../../test/helpers.js';
import { randomNatural as digits, seededRandom as rng } from '../../test/random.js';

const N = (x: bigint): Nat => natFromBigInt(x);
const B = (x: Nat): bigint => natToBigInt(x);
const mod = (x: bigint, k: number): bigint => {
  const m = 10n ** BigInt(4 * k) - 1n;
  return ((x % m) + m) % m;
};

describe('wrapped products', () => {
  test('natModWrapped and natWrappedDifference against BigInt', () => {
    const r = rng(21);
    for (const k of [1, 2, 7, 100, 1001]) {
      const m = 10n ** BigInt(4 * k) - 1n;
      for (const x of [0n, 1n, m - 1n, m, m + 1n, 2n * m, m * m, digits(r, 4 * k + 3), digits(r, 12 * k)]) {
        assert.equal(B(natModWrapped(N(x), k)), mod(x, k), `k=${k}`);
      }
      for (let i = 0; i < 20; i++) {
        const v = digits(r, Math.max(1, Math.floor(r() * (4 * k - 1)))) * (r() < 0.5 ? -1n : 1n); // |v| < B^k/2
        const y = digits(r, 4 * k);
        const d = natWrappedDifference(N(mod(y + v, k)), N(mod(y, k)), k);
        assert.equal((d.negative ? -1n : 1n) * B(d.magnitude), v, `k=${k}`);
      }
      // x − m·y with a multiplier, x of several pieces, and the extremes (y = B^k − 2, x = 0, x = B^k − 1).
      for (const mult of [1, 2, 10005, 2 ** 26 - 1]) {
        for (const [x, y] of [[digits(r, 12 * k + 5), digits(r, 4 * k)], [0n, m - 1n], [m, 0n], [m, m - 1n], [m * m + 7n, 1n]] as const) {
          const yy = mod(y, k);
          const d = natWrappedDifference(N(x), N(yy), k, mult);
          const v = (d.negative ? -1n : 1n) * B(d.magnitude);
          assert.equal(mod(v, k), mod(x - BigInt(mult) * yy, k), `k=${k} m=${mult}`);
          assert.ok(2n * B(d.magnitude) < m + 1n, `least magnitude, k=${k} m=${mult}`);
        }
      }
      // x given as a power of B (never formed), and the magnitude's residue taken in the wasm memory.
      for (const e of [0, 1, k - 1, k, 3 * k + 2]) {
        const y = mod(digits(r, 4 * k), k);
        const d = wrappedDifference({ power: e }, N(y), k, 3, 1000003);
        const v = (d.negative ? -1n : 1n) * B(d.magnitude);
        assert.equal(mod(v, k), mod(10000n ** BigInt(e) - 3n * y, k), `k=${k} power ${e}`);
        assert.equal(BigInt(d.residue), B(d.magnitude) % 1000003n, `k=${k} power ${e}: residue`);
      }
    }
  });

  test('every digit size, 2^k and 3·2^k lengths, one and several unpacking runs', () => {
    const r = rng(22);
    for (const d of [4, 3, 2, 1]) {
      for (const M of [64, 96, 1024, 1536, 1 << 15, 3 << 14]) {
        if (M > 4096 && (d === 4 || (d < 3 && M === 1 << 15))) continue; // d = 4 at these lengths: the division tests below
        const plan: SpectrumPlan = { d, M, wrapLimbs: (d * M) / 2 };
        const k = plan.wrapLimbs;
        // Operands of up to 2M − 1 digits of 10^d (the transform's length): the product wraps several times.
        const maxDigits = d * (2 * M - 1) - 4;
        for (const [x, y] of [
          [digits(r, maxDigits), digits(r, Math.floor(maxDigits / 3) + 1)],
          [10n ** BigInt(maxDigits) - 1n, 10n ** BigInt(maxDigits - 5) - 1n],
          [BigInt('5'.repeat(maxDigits)), BigInt('5'.repeat(maxDigits))],
        ] as const) {
          const a = N(x), b = N(y);
          const got = natMulSpectraWrapped(natSpectrum(a, plan), natSpectrum(b, plan));
          assert.equal(B(got), mod(x * y, k), `d=${d} M=${M}`);
        }
      }
    }
  });

  test('the wrapped difference taken in the wasm memory (unpacked limbs and their top carry, never corrected in JS)', () => {
    const r = rng(27);
    for (const d of [4, 3, 2]) {
      for (const M of [64, 96, 1536, 1 << 13, 3 << 13]) {
        const plan: SpectrumPlan = { d, M, wrapLimbs: (d * M) / 2 };
        const k = plan.wrapLimbs;
        const m = 10n ** BigInt(4 * k) - 1n;
        const maxDigits = Math.min(d * (2 * M - 1) - 4, 4 * k + 40);
        // Random, all nines (the raw limbs reach 9999 and wrap), all fives (the balanced digits at their extreme),
        // a·b = B^k − 1 ≡ 0 (the raw limbs all 9999 or a carry onto them), and 1·1.
        const half = 10n ** BigInt(2 * k);
        const pairs: Array<readonly [bigint, bigint]> = [
          [digits(r, maxDigits), digits(r, maxDigits)],
          [10n ** BigInt(maxDigits) - 1n, 10n ** BigInt(maxDigits) - 1n],
          [BigInt('5'.repeat(maxDigits)), BigInt('5'.repeat(maxDigits))],
          [half - 1n, half + 1n],
          [1n, 1n],
        ];
        for (const [x, y] of pairs) {
          const sa = natSpectrum(N(x), plan), sb = natSpectrum(N(y), plan);
          const xy = mod(x * y, k);
          // x: near a·b (small differences of both signs), one piece, two pieces (the fused pass), more, powers of B.
          const targets: Array<bigint | { power: number }> = [
            xy + 12345n, xy - 1n, xy, digits(r, 4 * k - 3), digits(r, 8 * k - 2), (m + 1n) * (xy + 7n) + m - 3n,
            digits(r, 12 * k + 5), 0n, m, { power: 0 }, { power: k - 1 }, { power: k }, { power: 3 * k + 2 },
          ];
          for (const t of targets) {
            const xv = typeof t === 'bigint' ? (t < 0n ? t + m : t) : 10000n ** BigInt(t.power);
            const got = spectraWrappedDifference(typeof t === 'bigint' ? N(xv) : t, sa, sb, 1000003);
            assert.ok(got !== null, `d=${d} M=${M}`);
            const v = (got.negative ? -1n : 1n) * B(got.magnitude);
            assert.equal(mod(v, k), mod(xv - x * y, k), `d=${d} M=${M}`);
            assert.ok(2n * B(got.magnitude) < m + 1n, `least magnitude d=${d} M=${M}`);
            assert.equal(BigInt(got.residue), B(got.magnitude) % 1000003n, `residue d=${d} M=${M}`);
          }
        }
      }
    }
  });

  test('a plan with wrapped products: the modulus covers the requested limbs; direct plans reduce', () => {
    const r = rng(23);
    for (const n of [50, 500, 5000, 40000]) {
      const x = digits(r, n), y = digits(r, Math.floor(n / 2) + 1);
      const a = N(x), b = N(y);
      const want = a.size + 3;
      const plan = natSpectrumPlan([], undefined, { products: [[a, b]], limbs: want });
      assert.ok(plan.wrapLimbs >= want);
      if (plan.d > 0) assert.equal(plan.M, transformLength(plan.M));
      assert.equal(B(natMulSpectraWrapped(natSpectrum(a, plan), natSpectrum(b, plan))), mod(x * y, plan.wrapLimbs), `n=${n}`);
    }
  });
});

describe('transform groups', () => {
  test('difference: exact within the bound, with a wrong bound, and when the residue aliases', () => {
    const r = rng(24);
    const m = new Multiplier();
    for (const n of [300, 3000, 30000]) {
      const x = digits(r, n), y = digits(r, n);
      const a = N(x), b = N(y);
      const bound = a.size + 1;
      const g = m.group([], { products: [[a, b]], limbs: bound + 2 }, 3);
      try {
        const k = g.wrapLimbs;
        const small = digits(r, 4 * a.size);
        const cases = [
          x * y + small, // within the bound
          x * y - small,
          x * y + 10n ** BigInt(8 * a.size), // beyond it: the full product is formed
          x * y + 7n * (10n ** BigInt(4 * k) - 1n) + 5n, // aliases to 5 modulo B^k − 1: the residue check sees it
        ];
        for (const c of cases) {
          const d = g.difference(N(c), a, b, bound);
          assert.equal((d.negative ? -1n : 1n) * B(d.magnitude), c - x * y, `n=${n}`);
        }
        const p = a.size + b.size + 3;
        const d = g.difference({ power: p }, a, b, bound);
        assert.equal((d.negative ? -1n : 1n) * B(d.magnitude), 10n ** BigInt(4 * p) - x * y, `power n=${n}`);
      } finally {
        g.close();
      }
    }
  });

  test('difference with the residue of c given (cResidue), and c = nat·B^shift: the same check, and the residue it returns', () => {
    const r = rng(26);
    let full = 0;
    const m = new Multiplier({ onPlan: () => full++ });
    const P = BigInt(CHECK_PRIME);
    // Digit counts whose groups have a plan (from GROUP_MIN_LENGTH on; shorter ones always form the full product).
    for (const n of [100000, 200000]) {
      const x = digits(r, n), y = digits(r, n);
      const a = N(x), b = N(y);
      const bound = a.size + 1;
      const g = m.group([], { products: [[a, b]], limbs: bound + 2 }, 3);
      try {
        for (const c of [x * y + digits(r, 4 * a.size), x * y - digits(r, 4 * a.size), x * y]) {
          const rc = Number(c % P);
          full = 0;
          const d = g.difference(N(c), a, b, bound, rc);
          assert.equal((d.negative ? -1n : 1n) * B(d.magnitude), c - x * y, `n=${n}`);
          assert.equal(BigInt(d.residue), B(d.magnitude) % P, `residue n=${n}`);
          assert.equal(full, 0, `a right cResidue keeps the wrapped difference, n=${n}`);
          // A wrong residue fails the check: the full product is formed, and the result is still exact.
          const e = g.difference(N(c), a, b, bound, (rc + 1) % CHECK_PRIME);
          assert.equal((e.negative ? -1n : 1n) * B(e.magnitude), c - x * y, `wrong cResidue n=${n}`);
          assert.equal(BigInt(e.residue), B(e.magnitude) % P, `fallback residue n=${n}`);
          assert.ok(full > 0, 'a wrong cResidue costs the full product');
        }
        // c = nat·B^shift, never formed (spectra.ts WrappedMinuend): with and without its residue, beyond the bound
        // (the full product, which forms it), and differenceHigh's floor.
        for (const shift of [1, 5, 300]) {
          const S = 10n ** BigInt(4 * shift);
          const q = (x * y) / S;
          for (const [nat, given] of [[q + 12345n, true], [q - 98765n, false], [q * 10n ** 8n, false]] as const) {
            full = 0;
            const d = g.difference({ nat: N(nat), shift }, a, b, bound, given ? Number((nat * S) % P) : undefined);
            assert.equal((d.negative ? -1n : 1n) * B(d.magnitude), nat * S - x * y, `shifted ${shift} n=${n}`);
            assert.equal(BigInt(d.residue), B(d.magnitude) % P, `shifted residue ${shift} n=${n}`);
            if (B(d.magnitude) < 10n ** BigInt(4 * bound)) assert.equal(full, 0, `shifted ${shift}: the wrapped difference`);
            else assert.ok(full > 0, `shifted ${shift}: beyond the bound, the full product`);
            const hi = g.differenceHigh({ nat: N(nat), shift }, a, b, bound, 3);
            const exact = nat * S - x * y, mag = exact < 0n ? -exact : exact;
            if (mag < 10n ** BigInt(4 * bound)) {
              const diff = B(hi.magnitude) - mag / 10n ** 12n;
              assert.ok(diff >= -1n && diff <= 1n, `shifted ${shift}: differenceHigh within one unit`);
            }
          }
        }
      } finally {
        g.close();
      }
    }
  });

  test('differenceHigh: a magnitude beyond the bound (a wrong bound, an aliased value) costs the full product, never a digit', () => {
    const r = rng(27);
    let full = 0;
    const m = new Multiplier({ onPlan: () => full++ });
    // Digit counts whose groups have a plan (from GROUP_MIN_LENGTH on), and one that has none (exact anyway).
    for (const n of [100000, 200000, 3000]) {
      const x = digits(r, n), y = digits(r, n);
      const a = N(x), b = N(y);
      const bound = a.size + 1;
      const s = 30; // far enough above the guard limbs that the high path runs (spectra.ts highFrom)
      const g = m.group([], { products: [[a, b]], limbs: bound + 2 }, 3);
      try {
        const k = g.wrapLimbs;
        const Bb = 10n ** BigInt(4 * bound);
        const cases: Array<[bigint, boolean]> = [
          [x * y + digits(r, 4 * a.size), false], // within the bound: the wrapped difference
          [x * y - digits(r, 4 * a.size), false],
          [x * y + 3n * Bb + 12345n, true], // beyond it, not aliased: its magnitude shows it
          [x * y - 5n * Bb, true],
          [x * y + 7n * (10n ** BigInt(4 * k) - 1n) + 10n * Bb, true], // aliases to 10·B^bound: caught by its size
          [x * y - 3n * (10n ** BigInt(4 * k) - 1n) - 2n * Bb - 1n, true], // aliases to −2·B^bound − 1
        ];
        for (const [c, beyond] of cases) {
          full = 0;
          const hi = g.differenceHigh(N(c), a, b, bound, s);
          const exact = c - x * y, mag = exact < 0n ? -exact : exact;
          const got = B(hi.magnitude), want = mag / 10n ** BigInt(4 * s);
          if (beyond) assert.ok(full > 0, `n=${n}: beyond the bound, the full product`);
          if (beyond) {
            assert.equal(got, want, `n=${n}: exact floor from the full product`);
            assert.equal(hi.negative, exact < 0n);
          } else {
            assert.ok(got - want >= -1n && got - want <= 1n, `n=${n}: within one unit`);
            if (got >= 1n) assert.equal(hi.negative, exact < 0n);
          }
        }
      } finally {
        g.close();
      }
    }
  });

  test('a fault in a wrapped product is never silent', () => {
    const r = rng(25);
    const x = digits(r, 20000), y = digits(r, 20000);
    const faultHook = (l: Uint16Array): void => {
      l[3] = (l[3]! + 1) % 10000;
    };
    const m = new Multiplier({ faultHook });
    const a = N(x), b = N(y);
    const g = m.group([], { products: [[a, b]], limbs: a.size + 3 }, 3);
    try {
      assert.throws(() => g.difference(N(x * y + 12345n), a, b, a.size + 1), ArithmeticCheckError);
    } finally {
      g.close();
    }
  });

  test('held results (Multiplier.group held): in the wasm memory, the same values and residues, freed by close', () => {
    const r = rng(28);
    const m = new Multiplier();
    const P = BigInt(CHECK_PRIME);
    // Digit counts whose groups have a plan (from GROUP_MIN_LENGTH on), and one that has none (its products are the
    // planner's, in JS memory).
    for (const n of [100000, 3000]) {
      const x = digits(r, n), y = digits(r, n);
      const a = N(x), b = N(y);
      const bound = a.size + 1;
      const c = x * y + digits(r, 4 * a.size);
      const run = (held: boolean): { top: number; values: bigint[] } => {
        const g = m.group([[[a, b]]], { products: [[a, b]], limbs: bound + 2 }, 3, held);
        try {
          const prod = g.mul(a, b);
          const high = g.mulHigh(a, b, 40);
          const d = g.difference(N(c), a, b, bound);
          const dh = g.differenceHigh(N(c), a, b, bound, 30);
          for (const v of [prod, high, d.magnitude, dh.magnitude]) {
            assert.equal(wasmAddress(v.limbs) >= 0, held && n === 100000, `n=${n} held=${held}: where the limbs live`);
          }
          assert.equal(B(prod), x * y, `n=${n}`);
          assert.equal(BigInt(modLimbs(prod.limbs, prod.size, CHECK_PRIME)), (x * y) % P, `n=${n}: residue read in place`);
          assert.equal(BigInt(d.residue), B(d.magnitude) % P);
          assert.equal((d.negative ? -1n : 1n) * B(d.magnitude), c - x * y);
          const hw = B(high) - (x * y) / 10n ** 160n;
          assert.ok(hw >= -1n && hw <= 1n, `n=${n}: mulHigh within one unit`);
          const half = natHalveOwned(prod); // in place on held limbs
          assert.equal(B(half.q), (x * y) / 2n);
          assert.equal(half.r, Number((x * y) % 2n));
          return { top: heapTop(), values: [B(half.q), B(d.magnitude), B(dh.magnitude)] };
        } finally {
          g.close();
        }
      };
      const plain = run(false);
      const first = run(true);
      assert.deepEqual(first.values, plain.values, `n=${n}: held or not, the same results`);
      // close frees what it held: the same groups again do not grow the heap.
      for (let i = 0; i < 5; i++) assert.equal(run(true).top, first.top, `n=${n}: round ${i}, the heap does not grow`);
    }
  });

  test('a fault in a held product is never silent (its residue is read where it is held)', () => {
    const r = rng(29);
    const x = digits(r, 100000), y = digits(r, 100000);
    let seen = 0;
    const faultHook = (l: Uint16Array): void => {
      if (wasmAddress(l) >= 0) seen++;
      l[3] = (l[3]! + 1) % 10000;
    };
    const a = N(x), b = N(y);
    const g = new Multiplier({ faultHook }).group([[[a, b]]], undefined, 3, true);
    try {
      assert.throws(() => g.mul(a, b), ArithmeticCheckError);
      assert.equal(seen, 1, 'the corrupted limbs were the held ones');
    } finally {
      g.close();
    }
  });

  test('natHighView and natShiftAddLimbs', () => {
    const r = rng(26);
    for (let i = 0; i < 30; i++) {
      const x = digits(r, 1 + Math.floor(r() * 200)), y = digits(r, 1 + Math.floor(r() * 200));
      const k = Math.floor(r() * 30);
      assert.equal(B(natHighView(N(x), k)), x / 10n ** BigInt(4 * k));
      const hi = x * 10n ** BigInt(4 * k);
      assert.equal(B(natShiftAddLimbs(N(x), k, N(y))), hi + y);
      assert.equal(B(natShiftAddLimbs(N(x), k, N(y), true)), hi >= y ? hi - y : 0n);
    }
    const nines = 10n ** 400n - 1n;
    assert.equal(B(natShiftAddLimbs(N(nines), 3, N(10n ** 12n))), nines * 10n ** 12n + 10n ** 12n);
    assert.equal(B(natShiftAddLimbs(N(1n), 50, N(1n), true)), 10n ** 200n - 1n);
  });
});

describe('Newton division and square root on structured operands', () => {
  test('divmod: all nines, powers of ten, q·b ± 1, b² − 1, near-equal operands', () => {
    for (const n of [2500, 12000, 60000]) {
      const t = 10n ** BigInt(n);
      const b0 = digits(rng(n), n);
      const pairs: Array<[bigint, bigint]> = [
        [t * t - 1n, t - 1n],
        [t * t - 1n, t / 10n - 1n],
        [t * t, t],
        [t * t, t + 1n],
        [t * t - 1n, t + 1n],
        [b0 * (t - 1n) + 1n, b0],
        [b0 * (t - 1n) - 1n, b0],
        [b0 * b0 - 1n, b0],
        [b0 * b0, b0],
        [(t - 1n) * (t - 1n) * 10n, t - 1n],
        [t * t * 10n - 1n, 5n * t + 3n],
      ];
      for (const [a, b] of pairs) {
        const { q, r } = natDivMod(N(a), N(b));
        assert.equal(B(q), a / b, `${a.toString().length}/${b.toString().length}`);
        assert.equal(B(r), a % b);
      }
    }
  });

  test('isqrt: squares and their neighbours, all nines, powers of ten', () => {
    for (const n of [3000, 20000, 90000]) {
      const t = 10n ** BigInt(n);
      const s0 = digits(rng(n + 1), n);
      for (const a of [s0 * s0, s0 * s0 - 1n, s0 * s0 + 1n, (s0 + 1n) * (s0 + 1n) - 1n, t * t - 1n, t * t, t * t * 10n - 1n, t * t * 10n]) {
        const s = B(natIsqrt(N(a)));
        assert.equal(s, bigintSqrt(a), `${a.toString().length} digits`);
      }
    }
  });
});
