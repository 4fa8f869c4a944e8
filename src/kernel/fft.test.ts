// The compiled FFT kernel (assembly/fft.ts through fftcore.ts and fft.ts) against independent oracles: a naive
// O(n²) DFT at small lengths of both families (2^k and 3·2^k), BigInt products across sizes and digit sizes, the
// proven rounding bound on operands whose balanced digits are all at the extremes, the zero tail the forward
// transform never reads, and the rounding check that refuses NaN and infinite outputs.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { natFromBigInt, natToBigInt } from './index.js';
import { natFromLimbs } from './nat.js';
import { FFT_MAX_LENGTH, releaseFftCaches, fftFits, fftMulLimbs, fftWorkingBytes, lastFftDigits, lastFftLength, lastRoundingError, limbsToWasm, residueAt, unpackAt, worstCasePlan } from './fft.js';
import { cosSin, forwardAt, inverseAt, mixedBound, pointwiseAt, topRadix, twoLevel, type SpectrumTerm } from './fftcore.js';
import { f64View, heapBytesFor, heapTop, takeHighWater, u16View, wasm, wasmAlloc, wasmAllocLike, wasmFree, wasmMemoryBytes } from './wasmheap.js';
import { randomNatural as digits, seededRandom as rng } from '../../test/random.js';

/** x (interleaved re, im) copied into a fresh wasm block; run fn on its address; returns the block's contents. */
function inWasm(x: Float64Array, fn: (ptr: number) => void): Float64Array {
  const ptr = wasmAlloc(8 * x.length);
  try {
    f64View(ptr, x.length).set(x);
    fn(ptr);
    return f64View(ptr, x.length).slice();
  } finally {
    wasmFree(ptr);
  }
}

function bitReverse(j: number, n: number): number {
  let r = 0;
  for (let bit = 1, rbit = n >> 1; bit < n; bit <<= 1, rbit >>= 1) if (j & bit) r |= rbit;
  return r;
}

/** Naive DFT X[k] = Σ x[t]·e^{−2πitk/M} (in long double-free but O(M²) plain arithmetic, angles reduced exactly). */
function naiveDft(x: Float64Array, M: number): Float64Array {
  const out = new Float64Array(2 * M);
  for (let k = 0; k < M; k++) {
    let sr = 0, si = 0;
    for (let t = 0; t < M; t++) {
      const a = (-2 * Math.PI * ((t * k) % M)) / M;
      const c = Math.cos(a), s = Math.sin(a);
      sr += x[2 * t]! * c - x[2 * t + 1]! * s;
      si += x[2 * t]! * s + x[2 * t + 1]! * c;
    }
    out[2 * k] = sr;
    out[2 * k + 1] = si;
  }
  return out;
}

/** Which DFT index the forward transform leaves at position j (bit-reversed; 3P: block b holds X[3·rev(j') + b]). */
function outputIndex(j: number, M: number): number {
  const R = M % 3 === 0 ? 3 : M % 5 === 0 ? 5 : 1;
  if (R === 1) return bitReverse(j, M);
  const P = M / R;
  return R * bitReverse(j % P, P) + Math.floor(j / P);
}

/**
 * The tables' values as they were built in JavaScript before they were compiled (fftcore.ts cosSin's reduction, then
 * Math.cos or Math.sin): the oracle of the compiled `trig`, which must give the same bits (the proven bound and the
 * recorded transform digests of tables.test.ts rest on them).
 */
function jsTrig(t: number, n: number, sine: boolean): number {
  let sinSign = 1, cosSign = 1, swap = false;
  if (2 * t > n) {
    t = n - t;
    sinSign = -1;
  }
  if (4 * t > n) {
    t = n / 2 - t;
    cosSign = -1;
  }
  if (8 * t > n) {
    t = n / 4 - t;
    swap = true;
  }
  const a = Math.PI * ((2 * t) / n);
  return sine ? sinSign * (swap ? Math.cos(a) : Math.sin(a)) : cosSign * (swap ? Math.sin(a) : Math.cos(a));
}

describe('twiddle tables', () => {
  test('cosSin(s·t, s·n) = cosSin(t, n) and cos at n/2 − t = −cos at t, bit for bit (how the tables are built)', () => {
    const r = rng(40);
    const a = new Float64Array(2), b = new Float64Array(2);
    for (const n of [8, 64, 96, 3 << 10, 1 << 20, 3 << 21, 40, 5 << 12]) {
      for (const s of [2, 3, 4, 5, 12, 16, 48]) {
        for (let i = 0; i < 2000; i++) {
          const t = Math.floor(r() * n);
          cosSin(t, n, a, 0);
          cosSin(s * t, s * n, b, 0);
          assert.deepEqual(b, a, `t=${t} n=${n} s=${s}`);
        }
      }
      for (let i = 0; i < 2000; i++) {
        const t = Math.floor((r() * n) / 4);
        cosSin(t, n, a, 0);
        cosSin(n / 2 - t, n, b, 0);
        assert.equal(b[0], -a[0]!, `cos(2π(n/2 − t)/n) = −cos(2πt/n) bit for bit, t=${t} n=${n}`);
      }
    }
  });

  test('compiled trig and cosTable = Math.cos / Math.sin bit for bit: whole tables and random angles', () => {
    const k = wasm();
    // Whole quarter periods: the 1.6·10^7-digit file product's H_M (3·2^21), a 5·2^k and a 2^k one, small ones.
    for (const n of [8, 24, 40, 1024, 3 << 10, 5 << 12, 1 << 16, 5 << 20, 3 << 21]) {
      const q = n / 4;
      const ptr = wasmAlloc(8 * (q + 1));
      try {
        k.cosTable(ptr, n, 0, q + 1);
        const h = f64View(ptr, q + 1);
        let bad = -1;
        for (let t = 0; t <= q && bad < 0; t++) if (!Object.is(h[t], jsTrig(t, n, false))) bad = t;
        assert.equal(bad, -1, `cosTable n=${n}: entry ${bad}`);
      } finally {
        wasmFree(ptr);
      }
    }
    // Every octant, both functions, at lengths up to 2^50 (angles not on the tables' grids too).
    const r = rng(43);
    for (let i = 0; i < 200000; i++) {
      const n = 4 * Math.floor(1 + r() * 2 ** (2 + (i % 48)));
      const t = Math.floor(r() * n);
      const sine = (i & 1) === 1;
      const got = k.trig(t, n, sine ? 1 : 0);
      if (!Object.is(got, jsTrig(t, n, sine))) assert.fail(`trig(${t}, ${n}, ${sine ? 'sin' : 'cos'}) = ${got}, Math gives ${jsTrig(t, n, sine)}`);
    }
  });

  test('scaledCopy(s) reads H_m[s·t] through the quarter period (−H_m[m/2 − s·t] above m/4) for a mixed m', () => {
    const k = wasm();
    for (const [m, n] of [[3 << 12, 1 << 12], [3 << 12, 1 << 10], [5 << 10, 1 << 8], [1 << 12, 1 << 10]] as const) {
      const mixed = m % 3 === 0 || m % 5 === 0;
      const mLen = (mixed ? m / 4 : m / 2) + 1, nLen = n / 2 + 1;
      const from = wasmAlloc(8 * mLen), to = wasmAlloc(8 * nLen);
      try {
        k.cosTable(from, m, 0, m / 4 + 1);
        const H = f64View(from, mLen);
        for (let t = m / 4 + 1; t < mLen; t++) H[t] = -H[m / 2 - t]!; // a power of two's second quarter
        k.scaledCopy(to, nLen, from, m, mLen - 1, m / n);
        const h = f64View(to, nLen);
        for (let t = 0; t < nLen; t++) assert.ok(Object.is(h[t], jsTrig(t, n, false)), `m=${m} n=${n} t=${t}`);
      } finally {
        wasmFree(from);
        wasmFree(to);
      }
    }
  });
});

describe('compiled transforms against a naive DFT', () => {
  const lengths = [4, 8, 16, 32, 64, 128, 512, 2048, 24, 48, 96, 192, 384, 768, 1536, 3 * 2048, 40, 80, 160, 320, 640, 1280, 5 * 1024];
  test('forward transform = naive DFT (bit-reversed order), inverse = M × identity, all three families', () => {
    const r = rng(41);
    for (const M of lengths) {
      const x = new Float64Array(2 * M);
      for (let i = 0; i < x.length; i++) x[i] = Math.round(r() * 2000) - 1000;
      const X = inWasm(x, (p) => forwardAt(p, M));
      const want = naiveDft(x, M);
      let norm = 0;
      for (let i = 0; i < x.length; i++) norm += x[i]! * x[i]!;
      const tol = 1e-12 * Math.sqrt(norm * M);
      for (let j = 0; j < M; j++) {
        const k = outputIndex(j, M);
        assert.ok(Math.abs(X[2 * j]! - want[2 * k]!) < tol && Math.abs(X[2 * j + 1]! - want[2 * k + 1]!) < tol, `M=${M} position ${j} (X[${k}])`);
      }
      const back = inWasm(X, (p) => inverseAt(p, M));
      for (let i = 0; i < x.length; i++) assert.ok(Math.abs(back[i]! / M - x[i]!) < 1e-9, `M=${M} round trip at ${i}`);
    }
  });

  test('the same bits after the tables are freed and rebuilt (the kept table addresses are dropped with them)', () => {
    const r = rng(44);
    for (const M of [64, 96, 2048, 5 * 1024, 1 << 15, 3 << 13]) {
      const x = new Float64Array(2 * M);
      for (let i = 0; i < x.length; i++) x[i] = Math.round(r() * 2000) - 1000;
      const before = inWasm(x, (p) => forwardAt(p, M));
      const back = inWasm(before, (p) => inverseAt(p, M));
      releaseFftCaches();
      // Other lengths first, so the rebuilt tables land at other addresses.
      inWasm(new Float64Array(2 * 4096), (p) => forwardAt(p, 4096));
      assert.deepEqual(inWasm(x, (p) => forwardAt(p, M)), before, `M=${M} forward`);
      assert.deepEqual(inWasm(before, (p) => inverseAt(p, M)), back, `M=${M} inverse`);
    }
  });

  test('points from `filled` on are taken as zero whatever memory holds there, all three families', () => {
    const r = rng(31);
    for (const M of [96, 3 * 1024, 3 * 4096, 3 * 16384, 4096, 1 << 14, 1 << 16, 80, 5 * 1024, 5 * 8192]) {
      for (const filled of [1, Math.floor(M / 5), Math.floor(M * 0.42), Math.floor(M * 0.7), M]) {
        const z = new Float64Array(2 * M);
        for (let t = 0; t < 2 * filled; t++) z[t] = Math.round(r() * 1000) - 500;
        const g = z.slice();
        g.fill(NaN, 2 * filled);
        const zeroTail = inWasm(z, (p) => forwardAt(p, M));
        const garbageTail = inWasm(g, (p) => forwardAt(p, M, filled));
        assert.deepEqual(garbageTail, zeroTail, `M=${M} filled=${filled}`);
      }
    }
  });
});

/**
 * The packed product spectrum by the textbook formulas, in natural index order: untangle each packed spectrum X̃
 * (Â(k) = E + w^k·O, Â(k + M) = E − w^k·O, E = (X̃[k] + conj X̃[M − k])/2, O = (X̃[k] − conj X̃[M − k])/(2i),
 * w = e^{−2πi/2M}), multiply, add the terms, re-tangle (Z̃[k] = (S + i·conj(w^k)·(C(k) − C(k + M)))/2, S = C(k) + C(k + M)).
 */
function packedProduct(terms: [Float64Array, Float64Array][], M: number): Float64Array {
  const z = new Float64Array(2 * M);
  const untangle = (x: Float64Array, k: number, wr: number, wi: number): number[] => {
    const m = (M - k) % M;
    const er = (x[2 * k]! + x[2 * m]!) / 2, ei = (x[2 * k + 1]! - x[2 * m + 1]!) / 2;
    const or = (x[2 * k + 1]! + x[2 * m + 1]!) / 2, oi = -(x[2 * k]! - x[2 * m]!) / 2;
    const tr = wr * or - wi * oi, ti = wr * oi + wi * or;
    return [er + tr, ei + ti, er - tr, ei - ti];
  };
  for (let k = 0; k < M; k++) {
    const a = (Math.PI * k) / M;
    const wr = Math.cos(a), wi = -Math.sin(a);
    let c1r = 0, c1i = 0, c2r = 0, c2i = 0;
    for (const [x, y] of terms) {
      const [a1r, a1i, a2r, a2i] = untangle(x, k, wr, wi);
      const [b1r, b1i, b2r, b2i] = untangle(y, k, wr, wi);
      c1r += a1r! * b1r! - a1i! * b1i!;
      c1i += a1r! * b1i! + a1i! * b1r!;
      c2r += a2r! * b2r! - a2i! * b2i!;
      c2i += a2r! * b2i! + a2i! * b2r!;
    }
    const dr = c1r - c2r, di = c1i - c2i;
    const dcr = dr * wr + di * wi, dci = di * wr - dr * wi; // (C1 − C2)·conj(w^k)
    z[2 * k] = (c1r + c2r - dci) / 2;
    z[2 * k + 1] = (c1i + c2i + dcr) / 2;
  }
  return z;
}

/** pointwiseAt's one-thread calls with every range cut at the given fractions (odd cuts included), as threads cut them. */
function pointwiseCut(out: number, terms: readonly SpectrumTerm[], M: number, cuts: number[]): void {
  const k = wasm();
  const [A1, B1] = terms[0]!;
  const [A2, B2] = terms.length > 1 ? terms[1]! : [0, 0];
  const R = topRadix(M);
  const P = M / R;
  const pieces = (n: number): [number, number][] => {
    const at = [0, ...cuts.map((f) => Math.min(n, Math.floor(f * n) | 1)), n].sort((a, b) => a - b);
    return at.slice(1).map((b, i) => [at[i]!, b]);
  };
  const { lo, hi } = twoLevel(2 * P);
  k.pwSelf(out, A1, B1, A2, B2, 0, P, lo, hi);
  for (let base = 2; base < P; base <<= 1) for (const [i0, i1] of pieces(base >> 1)) k.pwLevel(out, A1, B1, A2, B2, 0, P, lo, hi, base, i0, i1);
  if (R > 1) {
    const top = twoLevel(2 * M);
    for (let b = 1; 2 * b < R; b++) for (const [j0, j1] of pieces(P)) k.pwBlocks(out, A1, B1, A2, B2, P, top.lo, top.hi, j0, j1, R, b);
  }
}

describe('pointwise step', () => {
  test('products, squares and sums of two products = untangle, multiply, re-tangle (naive formulas), all three families', () => {
    const r = rng(53);
    for (const M of [8, 16, 64, 2048, 1 << 14, 24, 96, 3 * 4096, 40, 160, 5 * 2048]) {
      const spectra = Array.from({ length: 4 }, () => {
        const x = new Float64Array(2 * M);
        for (let i = 0; i < x.length; i++) x[i] = r() * 2000 - 1000;
        return x;
      });
      // Position j of the transform's output holds X[outputIndex(j)]: the formulas run in natural order.
      const natural = (x: Float64Array): Float64Array => {
        const y = new Float64Array(2 * M);
        for (let j = 0; j < M; j++) {
          y[2 * outputIndex(j, M)] = x[2 * j]!;
          y[2 * outputIndex(j, M) + 1] = x[2 * j + 1]!;
        }
        return y;
      };
      const [a, b, c, d] = spectra.map(natural) as [Float64Array, Float64Array, Float64Array, Float64Array];
      const cases: [string, number[][], [Float64Array, Float64Array][]][] = [
        ['product', [[0, 1]], [[a, b]]],
        ['square', [[0, 0]], [[a, a]]],
        ['sum of products', [[0, 1], [2, 3]], [[a, b], [c, d]]],
        ['sum of squares', [[0, 0], [2, 2]], [[a, a], [c, c]]],
        ['product plus square', [[0, 1], [2, 2]], [[a, b], [c, c]]],
      ];
      const ptrs = spectra.map((x) => {
        const ptr = wasmAlloc(16 * M);
        f64View(ptr, 2 * M).set(x);
        return ptr;
      });
      const out = wasmAlloc(16 * M);
      try {
        for (const [name, idx, ref] of cases) {
          const terms = idx.map(([i, j]) => [ptrs[i!]!, ptrs[j!]!] as const);
          pointwiseAt(out, terms, M);
          const got = f64View(out, 2 * M).slice();
          const want = packedProduct(ref, M);
          const tol = 1e-12 * 4e6 * idx.length;
          for (let j = 0; j < M; j++) {
            const k = outputIndex(j, M);
            assert.ok(Math.abs(got[2 * j]! - want[2 * k]!) < tol && Math.abs(got[2 * j + 1]! - want[2 * k + 1]!) < tol, `M=${M} ${name} position ${j}`);
          }
          // The same bits whatever the cuts between threads' ranges (odd ones split a two-pair step), and in place.
          for (const cuts of [[0.5], [0.13, 0.37, 0.71], [0.01, 0.99]]) {
            pointwiseCut(out, terms, M, cuts);
            assert.deepEqual(f64View(out, 2 * M).slice(), got, `M=${M} ${name} cut at ${cuts}`);
          }
          const first = idx[0]![0]!;
          const keep = f64View(ptrs[first]!, 2 * M).slice();
          pointwiseCut(ptrs[first]!, terms, M, [0.29, 0.63]);
          assert.deepEqual(f64View(ptrs[first]!, 2 * M).slice(), got, `M=${M} ${name} in place`);
          f64View(ptrs[first]!, 2 * M).set(keep);
        }
      } finally {
        for (const ptr of ptrs) wasmFree(ptr);
        wasmFree(out);
      }
    }
  });
});

describe('unpacking a transform output', () => {
  // A NaN or infinite output, rounded and stored, would become limb 0 and a zero product; the rounding check must
  // refuse it (the product is then redone with smaller digits), not let the residue check be the only guard.
  test('NaN or Infinity anywhere fails the rounding check, at every digit size', () => {
    const M = 8, L = 16;
    const scratch = wasmAlloc(256);
    try {
      for (const d of [5, 4, 3, 2, 1]) {
        for (const bad of [NaN, Infinity, -Infinity]) {
          for (const at of [0, 5, 11]) {
            const x = new Float64Array(2 * M).fill(M);
            x[at] = bad;
            let out: Uint16Array | null = new Uint16Array(0);
            inWasm(x, (p) => (out = unpackAt(p, M, L, d, 20, scratch)));
            assert.equal(out, null, `d=${d} ${bad} at ${at}`);
          }
        }
        let ok: Uint16Array | null = null;
        inWasm(new Float64Array(2 * M).fill(M), (p) => (ok = unpackAt(p, M, L, d, 20, scratch)));
        assert.ok(ok !== null && (ok as Uint16Array).some((limb) => limb !== 0), `d=${d} finite outputs unpack`);
      }
    } finally {
      wasmFree(scratch);
    }
  });
});

describe('unpacking large signed coefficients', () => {
  // Coefficients up to ±10^13 (products near the bound have such), negative ones included, rounded from within
  // ±0.1: the limbs, the pending digits and the carry left must be the integer Σ round(x_j)·10^(d·j), through one
  // and two carry chains.
  test('bases 10^4, 10^3 and 10^5 against BigInt, with the rounding distance, runs from digit 0 and from a multiple of 12', () => {
    const r = rng(59);
    for (const d of [4, 3, 5]) {
      for (const n of [10, 513, 1024, 1030, 2051, 5001, 40_000]) {
        const src = wasmAlloc(8 * n), out = wasmAlloc(4 * n + 64), res = wasmAlloc(40); // base 10^5: 5 limbs a 4 digits
        try {
          const x = f64View(src, n);
          const offs: number[] = [];
          for (let i = 0; i < n; i++) {
            offs.push((r() - 0.5) * 0.2);
            x[i] = Math.round((r() - 0.5) * 2e13) + offs[i]!;
          }
          for (const q0 of [0, 12 * Math.floor(n / 36)]) {
            const far = Math.max(...offs.slice(q0).map(Math.abs));
            wasm().unpack(src, 1, q0, n, d, out, res);
            const [o, carry, acc, accPow, maxErr] = f64View(res, 5) as unknown as number[];
            let want = 0n;
            for (let i = n - 1; i >= q0; i--) want = want * 10n ** BigInt(d) + BigInt(Math.round(x[i]!));
            let got = BigInt(acc!) + BigInt(carry!) * BigInt(accPow!);
            const limbs = u16View(out, o!);
            for (let i = o! - 1; i >= 0; i--) got = got * 10000n + BigInt(limbs[i]!);
            assert.equal(got, want, `d=${d} n=${n} q0=${q0}`);
            assert.ok(limbs.every((l) => l < 10000), `d=${d} n=${n} q0=${q0} limbs below 10^4`);
            assert.ok(Math.abs(maxErr! - far) < 1e-3, `d=${d} n=${n} q0=${q0} rounding distance ${maxErr} vs ${far}`);
          }
        } finally {
          wasmFree(src);
          wasmFree(out);
          wasmFree(res);
        }
      }
    }
  });
});

describe('products against BigInt', () => {
  test('sizes from 100 to 4·10^5 digits, unbalanced, squares, all three length families', () => {
    const r = rng(43);
    const families = new Set<number>();
    for (const n of [100, 777, 3000, 12_345, 50_000, 131_072, 200_000, 400_000]) {
      const x = digits(r, n), y = digits(r, Math.max(1, Math.floor(n * r())));
      const a = natFromBigInt(x), b = natFromBigInt(y);
      assert.equal(natToBigInt(natFromLimbs(fftMulLimbs(a.limbs, b.limbs, false))), x * y, `n=${n}`);
      families.add(topRadix(lastFftLength));
      assert.equal(natToBigInt(natFromLimbs(fftMulLimbs(a.limbs, a.limbs, true))), x * x, `square n=${n}`);
      families.add(topRadix(lastFftLength));
    }
    assert.deepEqual([...families].sort(), [1, 3, 5]);
  });
});

describe('unpacking with two carry chains (base 10^4, one thread)', () => {
  test('runs of 9s and 0s across the cut between the chains, and the joined carry through the upper chain', () => {
    // (10^n − 1)^2 = 10^2n − 2·10^n + 1 and (10^n − 1)(10^n + 1) put a 9-run or a 0-run across the middle of the
    // product, where the upper chain starts from a zero carry and the lower chain's carry is added in afterwards.
    const r = rng(43);
    let base4 = 0;
    for (const n of [45_000, 50_001, 80_002, 120_003, 200_000]) {
      const p = 10n ** BigInt(n);
      const y = digits(r, n);
      for (const [x, z] of [[p - 1n, p - 1n], [p - 1n, p + 1n], [p - 1n, p / 10n + 1n], [p - 1n, y], [y, 10n ** BigInt(n - 3)]] as const) {
        const got = natToBigInt(natFromLimbs(fftMulLimbs(natFromBigInt(x).limbs, natFromBigInt(z).limbs, false)));
        assert.equal(got, x * z, `n=${n}`);
        if (lastFftDigits === 4) base4++;
      }
    }
    assert.ok(base4 >= 10, 'the base-10^4 unpacking ran');
  });
});

describe('base 10^5 digits (products of up to a few 10^4 digits)', () => {
  test('every operand length class (limbs mod 5, the packing tail) and unpacking tail, against BigInt', () => {
    const r = rng(67);
    for (const n of [449, 450, 451, 452, 453, 454, 1001, 4_003, 9_999, 20_000, 30_001]) {
      for (const m of [n, Math.max(1, Math.floor(n * r())), 448 + Math.floor(r() * 20)]) {
        const x = digits(r, n), y = digits(r, m);
        const a = natFromBigInt(x), b = natFromBigInt(y);
        assert.equal(natToBigInt(natFromLimbs(fftMulLimbs(a.limbs, b.limbs, false))), x * y, `n=${n} m=${m}`);
        assert.equal(lastFftDigits, 5, `n=${n} m=${m} uses base 10^5`);
      }
      const x = digits(r, n);
      assert.equal(natToBigInt(natFromLimbs(fftMulLimbs(natFromBigInt(x).limbs, natFromBigInt(x).limbs, true))), x * x, `square n=${n}`);
    }
    // All nines, powers of ten: every balanced digit at its carry's edge.
    for (const n of [450, 2_000, 20_000]) {
      const nines = 10n ** BigInt(n) - 1n, ten = 10n ** BigInt(n - 7);
      for (const [x, y] of [[nines, nines], [nines, ten], [ten, ten]] as const) {
        assert.equal(natToBigInt(natFromLimbs(fftMulLimbs(natFromBigInt(x).limbs, natFromBigInt(y).limbs, false))), x * y, `n=${n}`);
      }
    }
  });

  test('beyond its range the products go on at base 10^4 (the first guess, then the exact norms decide)', () => {
    const r = rng(71);
    const x = digits(r, 200_000), y = digits(r, 200_000);
    assert.equal(natToBigInt(natFromLimbs(fftMulLimbs(natFromBigInt(x).limbs, natFromBigInt(y).limbs, false))), x * y);
    assert.equal(lastFftDigits, 4);
    // Digits all at the extremes of base 10^5 pass the random-digit guess but not the exact norms: redone at 10^4.
    const h = 50_000;
    const v = Array.from({ length: 6_000 }, (_, i) => (i === 5_999 ? h - 1 : i % 2 ? h - 1 : -h));
    const z = fromBalanced(v, 5);
    assert.equal(natToBigInt(natFromLimbs(fftMulLimbs(natFromBigInt(z).limbs, natFromBigInt(z).limbs, false))), z * z);
    assert.ok(lastFftDigits <= 4, `extreme base-10^5 digits: d=${lastFftDigits}`);
  });
});

/** A number whose balanced base-10^d digits are exactly `v` (each in [−B/2, B/2), the top one positive). */
function fromBalanced(v: number[], d: number): bigint {
  const B = BigInt(10 ** d);
  let x = 0n;
  for (let i = v.length - 1; i >= 0; i--) x = x * B + BigInt(v[i]!);
  return x;
}

describe('residue check', () => {
  test('compiled residues of limb vectors equal BigInt mod p, every length class of the four-segment split, both methods of residueAt', () => {
    const r = rng(59);
    for (const p of [33_554_467, 67_108_859]) {
      for (const n of [0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 63, 64, 65, 255, 256, 257, 1000, 4095, 4096, 4097, 12_345]) {
        const limbs = Uint16Array.from({ length: n }, () => Math.floor(r() * 10_000));
        const ptr = wasmAlloc(2 * n + 2);
        try {
          u16View(ptr, n).set(limbs);
          let x = 0n;
          for (let i = n - 1; i >= 0; i--) x = x * 10_000n + BigInt(limbs[i]!);
          assert.equal(wasm().residue(ptr, n, p), Number(x % BigInt(p)), `n=${n} p=${p}`);
          assert.equal(residueAt(ptr, n, p), Number(x % BigInt(p)), `residueAt n=${n} p=${p}`);
        } finally {
          wasmFree(ptr);
        }
      }
    }
  });

  test('fftMulLimbs with a check prime verifies its products (and squares) and returns the same limbs', () => {
    const r = rng(61);
    for (const n of [500, 40_000, 300_000]) {
      const x = digits(r, n), y = digits(r, n - 3);
      const a = natFromBigInt(x), b = natFromBigInt(y);
      assert.deepEqual(fftMulLimbs(a.limbs, b.limbs, false, 4, 33_554_467), fftMulLimbs(a.limbs, b.limbs, false));
      assert.equal(natToBigInt(natFromLimbs(fftMulLimbs(a.limbs, a.limbs, true, 4, 67_108_859))), x * x);
    }
  });
});

describe('rounding error against the proven bound', () => {
  test('operands whose digits are all at the extremes (±10^d/2) stay under mixedBound, at every digit size', () => {
    const r = rng(47);
    const checked = new Map<number, number>();
    const radices = new Set<number>();
    for (const d of [5, 4, 3, 2, 1]) {
      const h = 10 ** d / 2;
      // The longest operands for which the bound still admits digit size d with all digits at ±h.
      // All three length families: M = n complex points rounded up to 5·2^k (300, 2500, 20,000), 3·2^k (3000), 2^k.
      for (const n of d === 5 ? [300, 1000, 2500] : d === 4 ? [500, 3000, 20_000] : [3000, 60_000]) {
        // 'negative': every digit but the top one at −h, so the coefficients and the carries run large and negative.
        for (const signs of ['same', 'random', 'negative'] as const) {
          const digit = (i: number): number => (i === n - 1 || signs === 'same' || (signs === 'random' && r() < 0.5) ? h - 1 : -h);
          const va = Array.from({ length: n }, (_, i) => digit(i));
          const vb = Array.from({ length: n }, (_, i) => digit(i));
          const x = fromBalanced(va, d), y = fromBalanced(vb, d);
          const a = natFromBigInt(x), b = natFromBigInt(y);
          const z = natToBigInt(natFromLimbs(fftMulLimbs(a.limbs, b.limbs, false, d)));
          assert.equal(z, x * y);
          if (lastFftDigits !== d) continue; // the bound ruled d out for this size: no claim to test
          const norm = (v: number[]) => Math.sqrt(v.reduce((s, t) => s + t * t, 0));
          const bound = mixedBound(lastFftLength, norm(va) * norm(vb));
          assert.ok(lastRoundingError <= bound, `d=${d} n=${n} ${signs}: error ${lastRoundingError} > bound ${bound}`);
          assert.ok(lastRoundingError > 0, 'the error is measured');
          checked.set(d, (checked.get(d) ?? 0) + 1);
          radices.add(topRadix(lastFftLength));
        }
      }
    }
    for (const d of [5, 4, 3, 2, 1]) assert.ok((checked.get(d) ?? 0) >= 2, `digit size ${d} was checked against the bound`);
    assert.deepEqual([...radices].sort(), [1, 3, 5], 'every length family was checked against the bound');
  });
});

describe('memory', () => {
  test('fftWorkingBytes covers the wasm heap a product spans and its result, whatever ran before', () => {
    const r = rng(53);
    for (const n of [250_000, 2_000, 60_000]) {
      const a = natFromBigInt(digits(r, 4 * n)), b = natFromBigInt(digits(r, 3 * n));
      const predicted = fftWorkingBytes(a.limbs.length, b.limbs.length);
      // What this product adds above the heap's present top (tables an earlier product kept are reused, not new).
      const before = heapTop();
      takeHighWater();
      fftMulLimbs(a.limbs, b.limbs, false);
      const added = takeHighWater() - before;
      assert.ok(heapBytesFor([]) + added + 2 * (a.limbs.length + b.limbs.length) <= predicted, `n=${n}`);
    }
    // A small product after a large one is planned as small: the memory the large one grew is not its cost.
    assert.ok(fftWorkingBytes(1000, 1000) < wasmMemoryBytes() / 2);
  });

  test('fftFits says where one wasm memory ends (FFT_MAX_LENGTH points), so larger products are split', () => {
    assert.ok(fftFits(4_000_000, 4_000_000));
    assert.ok(!fftFits(60_000_000, 60_000_000));
    for (const limbs of [1e6, 1e7, 3e7, 4e7]) assert.equal(fftFits(limbs, limbs), worstCasePlan(limbs, limbs).N / 2 <= FFT_MAX_LENGTH);
  });
});

describe('matched copies (wasmAllocLike)', () => {
  test('addresses of every alignment mod 8, freed like any block; limbsToWasm copies views at any offset exactly', () => {
    const top = heapTop();
    for (let off = 0; off < 16; off += 2) {
      const p = wasmAllocLike(1000, off);
      assert.equal(p % 8, off % 8);
      const raw = new Uint16Array(600).map((_, i) => (i * 7919) % 10000);
      const x = raw.subarray(off / 2, off / 2 + 500);
      const q = limbsToWasm(x);
      assert.equal(q % 8, x.byteOffset % 8);
      assert.deepEqual(u16View(q, 500).slice(), x.slice());
      wasmFree(q);
      wasmFree(p);
    }
    assert.equal(heapTop(), top);
  });
});
