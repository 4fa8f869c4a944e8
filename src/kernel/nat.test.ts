// kernel/nat's compiled linear passes against BigInt, at the extremes their exactness proofs are written for:
// modLimbs's block dot products (assembly/natops.ts residueDot: every limb 9999, the largest primes up to 2^26, every
// length around the block and staging boundaries), natShiftAddLimbs's compiled sum (carry and borrow runs) and natAdd /
// natSub compiled from 1024 limbs.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  NAT_ZERO, modLimbs, natAdd, natDivSmall, natFromLimbs, natHalveOwned, natHighView, natShiftAddLimbs, natShiftAddTwo, natSub, natToBigInt,
} from './nat.js';
import { seededRandom as rng } from '../../test/random.js';

const BLOCK = 256;
const STAGE = 1 << 18;

/** Makes m-limb vectors (random, all 9999 or all 0 below a nonzero top limb) from the random source r. */
function limbMaker(r: () => number): (m: number, fill: 'random' | 'max' | 'zero') => Uint16Array {
  return (m, fill) => {
    const x = new Uint16Array(m);
    for (let i = 0; i < m; i++) x[i] = fill === 'max' ? 9999 : fill === 'zero' ? 0 : Math.floor(r() * 10000);
    x[m - 1] = Math.max(1, x[m - 1]!);
    return x;
  };
}

describe('modLimbs compiled (block dot products with a table of powers)', () => {
  test('all-9999 limbs and random limbs at block and staging boundaries, primes up to 2^26, agree with BigInt', () => {
    const r = rng(41);
    const primes = [2, 3, 9973, 10007, 65521, 2 ** 26 - 5, 67108859, 2 ** 26];
    for (const m of [512, 513, 1000, 4095, 4096, 4097, 4096 + BLOCK - 1, 16 * BLOCK + 7, 40_000 + 3, STAGE - 1, STAGE + 1, STAGE + BLOCK + 9]) {
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

describe('natShiftAddLimbs (compiled from 1024 limbs of lo above limb k)', () => {
  test('hi·B^k ± lo agrees with BigInt: overlaps, carry and borrow runs through 9999s and 0s, a negative difference is zero', () => {
    const make = limbMaker(rng(42));
    const B = 10000n;
    for (const [hl, k, ll] of [
      [5000, 4096, 4100], [5000, 10, 4096], [4096, 0, 6000], [9000, 4500, 4600], [3, 4097, 4097], [6000, 6000, 4096],
      [6000, 100, 4196], [6000, 100, 4195], [50, 200, 150], [50, 200, 200], [50, 200, 201], [7, 0, 3], [1, 1, 1],
    ]) {
      for (const fill of ['random', 'max', 'zero'] as const) {
        const hi = natFromLimbs(make(hl!, fill === 'zero' ? 'zero' : fill));
        const lo = natFromLimbs(make(ll!, fill === 'max' ? 'max' : 'random'));
        const H = natToBigInt(hi) * B ** BigInt(k!), L = natToBigInt(lo);
        assert.equal(natToBigInt(natShiftAddLimbs(hi, k!, lo)), H + L, `+ ${hl} ${k} ${ll} ${fill}`);
        const d = natShiftAddLimbs(hi, k!, lo, true);
        if (H >= L) assert.equal(natToBigInt(d), H - L, `− ${hl} ${k} ${ll} ${fill}`);
        else assert.equal(d, NAT_ZERO, `− negative ${hl} ${k} ${ll} ${fill}`);
        // lo with zero limbs at the bottom (the complement starts above them) and lo = hi·B^k exactly.
        const z = natFromLimbs(Uint16Array.from([...new Uint16Array(Math.min(ll!, 40)), ...lo.limbs]));
        const Z = natToBigInt(z);
        assert.equal(natToBigInt(natShiftAddLimbs(hi, k!, z, true)), H >= Z ? H - Z : 0n, `− low zeros ${hl} ${k} ${ll} ${fill}`);
        assert.equal(natToBigInt(natShiftAddLimbs(hi, k!, natFromLimbs(Uint16Array.from([...new Uint16Array(k!), ...hi.limbs])), true)), 0n);
      }
    }
  });
});

describe('natShiftAddLimbs compiled: the eight-limb carry lookahead', () => {
  test('limbs of 0, 1, 9998, 9999 (carries and borrows generated, passed on and stopped inside and across blocks)', () => {
    const r = rng(45);
    const pick = [0, 1, 9998, 9999];
    const make = (m: number, mix: number): Uint16Array => {
      const x = new Uint16Array(m);
      for (let i = 0; i < m; i++) x[i] = r() < mix ? pick[Math.floor(r() * 4)]! : Math.floor(r() * 10000);
      x[m - 1] = Math.max(1, x[m - 1]!);
      return x;
    };
    const B = 10000n;
    for (const [hl, k, ll] of [[4096, 0, 4096], [4103, 0, 4100], [5000, 7, 4105], [4200, 0, 4199]]) {
      for (const mix of [1, 0.9, 0.5]) {
        for (let rep = 0; rep < 4; rep++) {
          const hi = natFromLimbs(make(hl!, mix)), lo = natFromLimbs(make(ll!, mix));
          const H = natToBigInt(hi) * B ** BigInt(k!), L = natToBigInt(lo);
          assert.equal(natToBigInt(natShiftAddLimbs(hi, k!, lo)), H + L, `+ ${hl} ${k} ${ll} ${mix}`);
          const d = natShiftAddLimbs(hi, k!, lo, true);
          if (H >= L) assert.equal(natToBigInt(d), H - L, `− ${hl} ${k} ${ll} ${mix}`);
          else assert.equal(d, NAT_ZERO, `− negative ${hl} ${k} ${ll} ${mix}`);
        }
      }
    }
    // One carry (borrow) through every lane of every block: (B^n − 1) + (B^4095 + 1) and B^n − (B^4095 + 1).
    const lo = natFromLimbs(Uint16Array.from({ length: 4096 }, (_, i) => (i === 0 || i === 4095 ? 1 : 0)));
    for (const n of [4096, 4097, 4104, 5003]) {
      const p = 10n ** BigInt(4 * n);
      const nines = natFromLimbs(new Uint16Array(n).fill(9999));
      const power = natFromLimbs(Uint16Array.from({ length: n + 1 }, (_, i) => (i === n ? 1 : 0)));
      assert.equal(natToBigInt(natShiftAddLimbs(nines, 0, lo)), p + B ** 4095n, `carry run n=${n}`);
      assert.equal(natToBigInt(natShiftAddLimbs(power, 0, lo, true)), p - B ** 4095n - 1n, `borrow run n=${n}`);
    }
  });
});

describe('natShiftAddLimbs with lo mostly below B^k (a copy, or a compiled difference from 1024 limbs of lo)', () => {
  test('agrees with BigInt at overlaps 0, 1, 64 and 65 limbs, lo with low zero limbs, 9999 runs, zero differences', () => {
    const r = rng(44);
    const B = 10000n;
    const make = (m: number, zeros: number, fill: 'random' | 'max'): Uint16Array => {
      const x = new Uint16Array(m);
      for (let i = zeros; i < m; i++) x[i] = fill === 'max' ? 9999 : Math.floor(r() * 10000);
      x[m - 1] = Math.max(1, x[m - 1]!);
      return x;
    };
    const k = 4200;
    for (const ll of [4096, k, k + 1, k + 64, k + 65]) {
      for (const zeros of [0, 1, 4095]) {
        for (const fill of ['random', 'max'] as const) {
          for (const hiLimbs of [make(70, 0, fill), make(70, 0, 'random'), Uint16Array.of(1), Uint16Array.of(0, 0, 1)]) {
            const hi = natFromLimbs(hiLimbs), lo = natFromLimbs(make(ll, zeros, fill));
            const H = natToBigInt(hi) * B ** BigInt(k), L = natToBigInt(lo);
            const what = `${ll} limbs, ${zeros} low zeros, ${fill}, hi of ${hiLimbs.length}`;
            assert.equal(natToBigInt(natShiftAddLimbs(hi, k, lo)), H + L, `+ ${what}`);
            const d = natShiftAddLimbs(hi, k, lo, true);
            if (H >= L) assert.equal(natToBigInt(d), H - L, `− ${what}`);
            else assert.equal(d, NAT_ZERO, `− negative ${what}`);
          }
        }
      }
    }
    // hi·B^k − lo exactly zero, and lo = c·B^k (nothing below limb k).
    const lo = natFromLimbs(make(k + 3, k, 'random'));
    const hi = natHighView(lo, k);
    assert.equal(natShiftAddLimbs(hi, k, lo, true), NAT_ZERO);
    assert.equal(natToBigInt(natShiftAddLimbs(hi, k, lo)), 2n * natToBigInt(lo));
  });
});

describe('natDivSmall by 2 compiled (assembly/natops.ts halveLimbs)', () => {
  test('odd and even limbs, every length around the vector blocks and the compiled threshold, agree with BigInt', () => {
    const r = rng(43);
    for (const n of [1, 9, 255, 256, 257, 263, 264, 265, 272, 4095, 4096, 4097, 4103, 4104, 4105, 4112, 20001]) {
      for (const kind of ['random', 9999, 1, 5000] as const) {
        const x = new Uint16Array(n);
        for (let i = 0; i < n; i++) x[i] = kind === 'random' ? Math.floor(r() * 10000) : kind;
        const a = natFromLimbs(x), b = natToBigInt(a);
        const { q, r: rem } = natDivSmall(a, 2);
        assert.equal(natToBigInt(q), b / 2n, `n ${n}, ${kind}`);
        assert.equal(BigInt(rem), b % 2n, `n ${n}, ${kind}: remainder`);
      }
    }
  });
});

describe('natAdd and natSub compiled (from 1024 limbs of the shorter operand), and natShiftAddLimbs\' compiled complement', () => {
  test('agree with BigInt around the threshold: random limbs, 9999 runs, carries out of the top, borrows through zeros, zero results', () => {
    const make = limbMaker(rng(46));
    const B = 10000n;
    for (const ly of [1023, 1024, 1025, 1031, 1032, 1033, 3000]) {
      for (const extra of [0, 1, 9, 700]) {
        for (const [fx, fy] of [['random', 'random'], ['max', 'max'], ['zero', 'random'], ['zero', 'max'], ['max', 'random']] as const) {
          const x = natFromLimbs(make(ly + extra, fx)), y = natFromLimbs(make(ly, fy));
          const X = natToBigInt(x), Y = natToBigInt(y);
          const what = `${ly + extra}/${ly} ${fx}/${fy}`;
          assert.equal(natToBigInt(natAdd(x, y)), X + Y, `+ ${what}`);
          assert.equal(natToBigInt(natAdd(y, x)), X + Y, `+ swapped ${what}`);
          if (X >= Y) assert.equal(natToBigInt(natSub(x, y)), X - Y, `− ${what}`);
          else assert.equal(natToBigInt(natSub(y, x)), Y - X, `− swapped ${what}`);
          // hi·B^k − lo with lo entirely below B^k or overlapping a little (the complement, compiled from 1024 limbs).
          for (const k of [ly + 5, ly, ly - 1, ly - 64]) {
            const H = X * B ** BigInt(k);
            const d = natShiftAddLimbs(x, k, y, true);
            assert.equal(natToBigInt(d), H >= Y ? H - Y : 0n, `shift − ${what} k=${k}`);
            assert.equal(natToBigInt(natShiftAddLimbs(x, k, y)), H + Y, `shift + ${what} k=${k}`);
          }
        }
      }
      // x − x = 0, B^n − 1 (a borrow through every limb), (B^n − 1) + 1 (a carry out of the top).
      const x = natFromLimbs(make(ly, 'random'));
      assert.equal(natSub(x, x), NAT_ZERO);
      const power = natFromLimbs(Uint16Array.from({ length: ly + 1 }, (_, i) => (i === ly ? 1 : 0)));
      const nines = natFromLimbs(new Uint16Array(ly).fill(9999));
      const one = natFromLimbs(Uint16Array.of(1));
      assert.equal(natToBigInt(natSub(power, nines)), 1n);
      assert.equal(natToBigInt(natAdd(nines, natFromLimbs(Uint16Array.from({ length: ly }, (_, i) => (i === 0 ? 1 : 0))))), B ** BigInt(ly));
      assert.equal(natToBigInt(natSub(power, natFromLimbs(Uint16Array.from({ length: ly }, (_, i) => (i === 0 || i === ly - 1 ? 1 : 0))))), B ** BigInt(ly) - B ** BigInt(ly - 1) - 1n);
      assert.equal(natToBigInt(natAdd(nines, one)), B ** BigInt(ly));
    }
    assert.throws(() => natSub(natFromLimbs(make(1100, 'random')), natFromLimbs(make(1101, 'random'))));
  });
});

describe('natShiftAddTwo and natHalveOwned (sqrt.ts: s\'·B^T ± (Q0·B^u ± δ) in one allocation, halving in place)', () => {
  test('agree with BigInt for every sign, short and compiled terms, carry and borrow runs, a negative step giving zero', () => {
    const make = limbMaker(rng(47));
    const B = 10000n;
    for (const [hl, k, al, j, bl] of [[3000, 2000, 1000, 1000, 1001], [300, 200, 100, 100, 101], [3000, 2000, 1500, 600, 700], [5, 3, 2, 1, 1], [2000, 1100, 1100, 0, 1024]]) {
      for (const fill of ['random', 'max', 'zero'] as const) {
        const hi = natFromLimbs(make(hl!, fill)), a = natFromLimbs(make(al!, fill === 'zero' ? 'max' : fill)), b = natFromLimbs(make(bl!, 'random'));
        const H = natToBigInt(hi) * B ** BigInt(k!), A = natToBigInt(a) * B ** BigInt(j!), Bv = natToBigInt(b);
        for (const aSub of [false, true]) {
          for (const bSub of [false, true]) {
            const step = aSub ? H - A : H + A;
            const want = step < 0n ? 0n : bSub ? step - Bv : step + Bv;
            assert.equal(natToBigInt(natShiftAddTwo(hi, k!, a, j!, aSub, b, bSub)), want < 0n ? 0n : want, `${hl} ${k} ${al} ${j} ${bl} ${fill} ${aSub} ${bSub}`);
          }
        }
      }
    }
    for (const n of [1, 7, 255, 256, 300, 5000]) {
      for (const fill of ['random', 'max'] as const) {
        const x = natFromLimbs(make(n, fill)), X = natToBigInt(x);
        const h = natHalveOwned(natFromLimbs(x.limbs.slice()));
        assert.equal(natToBigInt(h.q), X / 2n, `halve ${n} ${fill}`);
        assert.equal(BigInt(h.r), X % 2n);
      }
    }
  });
});

describe('compiled passes on views at every alignment (copies in and out of the wasm memory at matched offsets)', () => {
  test('natAdd, natSub, natDivSmall by 2, natHalveOwned, modLimbs, natShiftAddLimbs and natShiftAddTwo on views 0–7 limbs into their arrays agree with BigInt', () => {
    const make = limbMaker(rng(48));
    const B = 10000n;
    for (let off = 0; off < 8; off++) {
      // Each operand a view `off` limbs (2·off bytes) into a longer array whose low limbs are garbage.
      const view = (m: number, fill: 'random' | 'max' | 'zero'): ReturnType<typeof natFromLimbs> => {
        const raw = make(m + off, fill);
        for (let i = 0; i < off; i++) raw[i] = 1234;
        return natHighView(natFromLimbs(raw), off);
      };
      for (const fill of ['random', 'max'] as const) {
        const x = view(3001, fill), y = view(1500 + off, fill === 'max' ? 'random' : 'max');
        const X = natToBigInt(x), Y = natToBigInt(y);
        assert.equal(natToBigInt(natAdd(x, y)), X + Y, `add ${off} ${fill}`);
        assert.equal(natToBigInt(natSub(x, y)), X - Y, `sub ${off} ${fill}`);
        assert.equal(natToBigInt(natDivSmall(x, 2).q), X / 2n, `halve ${off} ${fill}`);
        assert.equal(modLimbs(x.limbs, x.size, 67108859), Number(X % 67108859n), `mod ${off} ${fill}`);
        const big = view(300_000, fill);
        assert.equal(modLimbs(big.limbs, big.size, 67108859), Number(natToBigInt(big) % 67108859n), `mod staged ${off} ${fill}`);
        for (const k of [0, 1, 2, 3, 1501]) {
          assert.equal(natToBigInt(natShiftAddLimbs(x, k, y)), X * B ** BigInt(k) + Y, `shiftAdd ${off} ${k}`);
          assert.equal(natToBigInt(natShiftAddTwo(x, k + 1500, y, k, false, y, true)), X * B ** BigInt(k + 1500) + Y * B ** BigInt(k) - Y, `shiftAddTwo ${off} ${k}`);
        }
        const v = view(2000 + off, fill), V = natToBigInt(v);
        const h = natHalveOwned(v);
        assert.equal(natToBigInt(h.q), V / 2n, `halveOwned ${off} ${fill}`);
        assert.equal(BigInt(h.r), V % 2n);
        const below = new Uint16Array(v.limbs.buffer, 0, off);
        assert.ok(below.every((l) => l === 1234), `halveOwned ${off}: the limbs below the view untouched`);
      }
    }
  });
});
