// The kernel's N threads (threads.ts, fftworker.ts, fftcore's split steps, fft.ts's parallel packing and split
// unpacking): N = 1, 2 and 4 on any machine give bit-identical products, squares and spectral sums, equal to BigInt;
// carries cross the unpacking cuts through runs of 9s and 0s; a failing chunk is reported (a worker's as an
// ArithmeticCheckError) and the pool keeps working; steps of many claimed chunks run each chunk with its own
// arguments; MATHSTREAM_THREADS is read by config.ts and bad values are refused.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { configure, getConfig } from '../config.js';
import { ArithmeticCheckError } from '../errors.js';
import { Multiplier, natFromBigInt, natToBigInt, natMul, natSqr, natMulAddSpectra, natSpectrum, natSpectrumPlan, natDivMod, natIsqrt, type Nat } from './index.js';
import { natMulSpectraWrapped, natSpectra, type NatSpectrum as Spectrum, type SpectrumPlan } from './spectra.js';
import { lastFftLength, unpackAt, unpackHighAt, unpackScratchBytes, unpackWrappedAt } from './fft.js';
import { natFromLimbs } from './nat.js';
import { PARALLEL_MIN, beginForwards, dropLastStage, forwardAt, forwardEachAt, inverseAt, pointwiseAt, powerOfTwoTables, prepareTransforms, productAt, topRadix } from './fftcore.js';
import { SPIN_MICROS, backgroundBusy, backgroundInFlight, fftThreads, joinBackground, runInBackground, runShares, type Job } from './threads.js';
import type { TransformGroup } from './multiplier.js';
import { f64View, u16View, wasm, wasmAlloc, wasmFree } from './wasmheap.js';
import { randomNatural as digits, seededRandom as rng } from '../../test/random.js';

const initialThreads = getConfig().threads;
after(() => configure({ threads: initialThreads }));

/** fn's result with the kernel on each thread count. */
function onThreads<T>(counts: number[], fn: () => T): T[] {
  return counts.map((threads) => {
    configure({ threads });
    assert.equal(fftThreads(), threads);
    return fn();
  });
}

/**
 * A group test's operands at n limbs: x·y and the halves u·v; c = x·y + small, whose difference fits `bound` limbs,
 * and cWrong = x·y + large, whose does not (the full-product fallback); s, a high product's cut.
 */
function groupOperands(r: () => number, n: number) {
  const big = (limbs: number): Nat => natFromBigInt(digits(r, 4 * limbs));
  const x = big(n), y = big(n - 37), u = big(n / 2), v = big(n / 2 + 5), small = big(n / 4), large = big(n / 4 + 800);
  const c = natFromBigInt(natToBigInt(natMul(x, y)) + natToBigInt(small));
  const cWrong = natFromBigInt(natToBigInt(natMul(x, y)) + natToBigInt(large));
  return { x, y, u, v, small, large, c, cWrong, bound: small.size + 1, s: n / 4 };
}

function sameLimbs(results: Nat[], what: string): void {
  for (const r of results.slice(1)) assert.deepEqual(r.limbs, results[0]!.limbs, `${what}: same limbs for every thread count`);
}

describe('waking the workers (threads.ts: a step notifies the sleeping workers; the completing thread, a sleeping caller)', () => {
  /** Busy-waits `ms` (the caller does other work: the workers poll or fall asleep meanwhile). */
  const busy = (ms: number): void => {
    const end = performance.now() + ms;
    while (performance.now() < end);
  };
  /** n one-limb chunks (chunk i writes (i + 1)² into result slot i: see 'steps of many chunks'), their buffers. */
  function tinySteps(n: number) {
    const src = wasmAlloc(2 * n), out = wasmAlloc(64 * n), res = wasmAlloc(16 * n);
    const limbs = u16View(src, n);
    for (let i = 0; i < n; i++) limbs[i] = i + 1;
    const chunks = Array.from({ length: n }, (_, i): Job[] => [['pack', src + 2 * i, 1, 4, out + 64 * i, res + 16 * i]]);
    const clear = (): void => void f64View(res, 2 * n).fill(-1);
    const check = (what: string): void => {
      const r = f64View(res, 2 * n);
      for (let i = 0; i < n; i++) assert.equal(r[2 * i], (i + 1) ** 2, `chunk ${i}: ${what}`);
    };
    const free = (): void => [src, out, res].forEach(wasmFree);
    return { chunks, clear, check, free };
  }

  test('no lost wake-up: background steps that only a worker runs are run, published as the workers poll or fall asleep (2 and 4 threads)', () => {
    // The caller never joins before the step is done, so only a worker can run it: a worker that went to sleep just
    // as the step was published and was not woken would leave it pending until the deadline. The gaps sweep the
    // moment a worker goes from polling (SPIN_MICROS after a step its caller follows with another) to sleeping.
    const r = rng(61);
    for (const threads of [2, 4]) {
      configure({ threads });
      const steps = tinySteps(4 * threads);
      try {
        runShares(wasm(), steps.chunks); // the pool, started
        for (let rep = 0; rep < 120; rep++) {
          const gap = rep % 3 === 0 ? 2 * r() : (SPIN_MICROS / 1000) * 3 * r();
          runShares(wasm(), steps.chunks, rep % 2 === 0); // a step first, followed (linger) or not
          busy(gap);
          steps.clear();
          const ticket = runInBackground(wasm(), steps.chunks);
          const deadline = performance.now() + 5000;
          while (backgroundBusy() && performance.now() < deadline);
          assert.equal(backgroundBusy(), false, `a worker ran the step published after ${gap.toFixed(3)} ms (threads ${threads}, rep ${rep})`);
          joinBackground(ticket);
          steps.check(`threads ${threads}, rep ${rep}`);
        }
      } finally {
        steps.free();
      }
    }
  });

  test('the caller sleeping on a background step is woken when a worker completes it', () => {
    // One chunk long enough that the caller's join outlasts its polling (SPIN_MICROS) and sleeps, with lengths that
    // put the worker's completion near the moment the caller goes to sleep: a lost wake-up hangs the test (the
    // caller blocks in Atomics.wait; checked: dropping chunkDone's notify hangs it at once).
    configure({ threads: 2 });
    const steps = tinySteps(8);
    try {
      for (let rep = 0; rep < 200; rep++) {
        steps.clear();
        const repeat = 1 + (rep % 40);
        const ticket = runInBackground(wasm(), [steps.chunks.slice(0, repeat % 8 + 1).flat().concat(...Array.from({ length: repeat }, () => steps.chunks.flat()))]);
        // Joined once a worker has claimed the chunk (else the caller would run it itself and never wait).
        while (!backgroundInFlight(ticket) && backgroundBusy());
        joinBackground(ticket);
        steps.check(`rep ${rep}`);
      }
    } finally {
      steps.free();
    }
  });
});

describe('N threads', () => {
  test('products and squares at split lengths, 2^k, 3·2^k and 5·2^k: N = 1, 2, 4 bit-identical and equal to BigInt', () => {
    // Split lengths (from PARALLEL_MIN = 2^17 points): 10^6 digits M = 2^18, 1.2·10^6 M = 5·2^16, 1.45·10^6 M = 3·2^17.
    const r = rng(11);
    const families = new Set<number>();
    for (const n of [1_000_000, 1_200_000, 1_450_000]) {
      const x = digits(r, n), y = digits(r, n - 17);
      const a = natFromBigInt(x), b = natFromBigInt(y);
      const products = onThreads([1, 2, 4], () => natMul(a, b));
      assert.ok(lastFftLength >= PARALLEL_MIN, `length ${lastFftLength} is split`);
      families.add(topRadix(lastFftLength));
      sameLimbs(products, `product n=${n}`);
      assert.equal(natToBigInt(products[0]!), x * y, `product n=${n}`);
      const squares = onThreads([1, 2, 4], () => natSqr(a));
      sameLimbs(squares, `square n=${n}`);
      assert.equal(natToBigInt(squares[0]!), x * x, `square n=${n}`);
    }
    assert.deepEqual([...families].sort(), [1, 3, 5], 'every length family was split');
  });

  test('a sum of products through spectra: N = 1, 2, 4 bit-identical and equal to BigInt', () => {
    const r = rng(12);
    const [x1, y1, x2, y2] = [digits(r, 1_000_000), digits(r, 990_000), digits(r, 950_000), digits(r, 1_010_000)];
    const [a1, b1, a2, b2] = [x1, y1, x2, y2].map(natFromBigInt) as [Nat, Nat, Nat, Nat];
    const plan = natSpectrumPlan([[[a1, b1], [a2, b2]]]);
    assert.ok(plan.M >= PARALLEL_MIN);
    const sums = onThreads([1, 2, 4], () => {
      const s = (v: Nat) => natSpectrum(v, plan);
      return natMulAddSpectra([[s(a1), s(b1)], [s(a2), s(b2)]]);
    });
    sameLimbs(sums, 'spectral sum');
    assert.equal(natToBigInt(sums[0]!), x1 * y1 + x2 * y2);
  });

  test('wrapped products, Newton division and isqrt on transform groups: N = 1, 2, 4 bit-identical and exact', () => {
    const r = rng(13);
    // 4.4·10^6 / 2.2·10^6 digits: the wrapped product, and the division's and the root's largest steps, split.
    const x = digits(r, 4_400_000), y = digits(r, 2_200_000);
    const a = natFromBigInt(x), b = natFromBigInt(y);
    const k = b.size + 3;
    const plan = natSpectrumPlan([], undefined, { products: [[a, b]], limbs: k });
    assert.ok(plan.M >= PARALLEL_MIN);
    const wrapped = onThreads([1, 2, 4], () => natMulSpectraWrapped(natSpectrum(a, plan), natSpectrum(b, plan)));
    sameLimbs(wrapped, 'wrapped product');
    const m = 10n ** BigInt(4 * plan.wrapLimbs) - 1n;
    assert.equal(natToBigInt(wrapped[0]!), (x * y) % m);
    const quotients = onThreads([1, 2, 4], () => natDivMod(a, b));
    sameLimbs(quotients.map((d) => d.q), 'quotient');
    assert.equal(natToBigInt(quotients[0]!.q), x / y);
    assert.equal(natToBigInt(quotients[0]!.r), x % y);
    const roots = onThreads([1, 2, 4], () => natIsqrt(a));
    sameLimbs(roots, 'root');
    const s = natToBigInt(roots[0]!);
    assert.ok(s * s <= x && (s + 1n) * (s + 1n) > x);
  });

  test('operands transformed together (natSpectra: packed and transformed one a thread) equal natSpectrum\'s bits', () => {
    // Every length family and digit size, below and from PARALLEL_MIN (2 threads: each transform whole on its own
    // thread; 4 threads from PARALLEL_MIN: split), operands of different lengths (different filled points, an odd
    // and an even digit count, the pack's carry digit), and three operands on two threads (dealt out in turn).
    const r = rng(14);
    const bits = (s: Spectrum): Buffer => Buffer.from(s.spectrum!.buffer, s.spectrum!.byteOffset, s.spectrum!.byteLength);
    for (const [d, M] of [[4, 1 << 13], [5, 5 * (1 << 11)], [3, 3 * (1 << 12)], [2, 1 << 12], [4, PARALLEL_MIN], [4, 3 * PARALLEL_MIN / 2], [3, 5 * PARALLEL_MIN / 4]] as const) {
      const plan: SpectrumPlan = { d, M, wrapLimbs: 0 };
      const most = Math.floor(((2 * M - 2) * d) / 4);
      // All 9s (the balanced digits end in a carry digit), then random limbs (built as limbs: no BigInt conversion).
      const ops = [most, Math.floor(most / 3) + 1, 7].map((n, i) =>
        natFromLimbs(Uint16Array.from({ length: n }, (_, j) => (i === 0 ? 9999 : j === n - 1 ? 1 + Math.floor(r() * 9999) : Math.floor(r() * 10000)))));
      configure({ threads: 1 });
      const alone = ops.map((x) => bits(natSpectrum(x, plan)));
      for (const threads of [1, 2, 4]) {
        configure({ threads });
        const two = natSpectra(ops.slice(0, 2), plan);
        const three = natSpectra(ops, plan);
        two.forEach((s, i) => assert.ok(bits(s).equals(alone[i]!), `d=${d} M=${M} pair ${i} on ${threads}`));
        three.forEach((s, i) => {
          assert.ok(bits(s).equals(alone[i]!), `d=${d} M=${M} three ${i} on ${threads}`);
          assert.equal(s.residue, natSpectrum(ops[i]!, plan).residue);
        });
      }
    }
  });

  test('productAt (the fused step): forwardAt, pointwiseAt and inverseAt\'s bits on 1–4 threads, fresh and begun inputs', () => {
    // Every length family from PARALLEL_MIN (fusedPlan: a power of two shares one stage on 2 and 3 threads, two on 4;
    // 3P two; 5P none on 2, one on 4), one and two terms, a square, out aliasing the first operand, inputs with a
    // zero tail (filled < M) and with all-extreme values.
    for (const M of [PARALLEL_MIN, (5 * PARALLEL_MIN) / 4, (3 * PARALLEL_MIN) / 2, 2 * PARALLEL_MIN]) {
      prepareTransforms(M);
      const filled = [M / 2 + 3, M, M - 1000, (3 * M) / 4];
      const input = filled.map((f, i) => Float64Array.from({ length: 2 * M }, (_, j) =>
        j >= 2 * f ? 0 : i === 3 ? (j % 3 === 0 ? -5000 : 5000) : ((j * 7919 + i * 104729) % 10001) - 5000));
      const place = (x: Float64Array): number => {
        const p = wasmAlloc(16 * M);
        f64View(p, 2 * M).set(x);
        return p;
      };
      const take = (p: number): Buffer => Buffer.from(f64View(p, 2 * M).slice().buffer);
      // Reference: one thread, the separate calls.
      configure({ threads: 1 });
      const spec = input.map((x, i) => {
        const p = place(x);
        forwardAt(p, M, filled[i]);
        return p;
      });
      const refOut = (terms: [number, number][]): Buffer => {
        const out = wasmAlloc(16 * M);
        pointwiseAt(out, terms.map(([a, b]) => [spec[a]!, spec[b]!]), M);
        inverseAt(out, M);
        const r = take(out);
        wasmFree(out);
        return r;
      };
      const refs = { one: refOut([[0, 1]]), two: refOut([[0, 1], [2, 3]]), square: refOut([[3, 3]]) };
      for (const threads of [1, 2, 3, 4]) {
        configure({ threads });
        const fresh = input.map(place);
        // out aliasing a fresh first operand, both operands fresh
        productAt(fresh[0]!, [[fresh[0]!, fresh[1]!]], M, [0, 1].map((i) => ({ ptr: fresh[i]!, filled: filled[i]! })));
        assert.ok(take(fresh[0]!).equals(refs.one), `M=${M} fresh pair on ${threads}`);
        // two terms: operand 2 begun, 3 fresh, 0 and 1 finished spectra; operand 3 then reused finished
        const b = beginForwards([{ ptr: fresh[2]!, filled: filled[2]! }], M);
        const out = wasmAlloc(16 * M);
        productAt(out, [[spec[0]!, spec[1]!], [fresh[2]!, fresh[3]!]], M, [{ ptr: fresh[3]!, filled: filled[3]! }], b ? [b] : []);
        assert.ok(take(out).equals(refs.two), `M=${M} begun + fresh on ${threads}`);
        assert.ok(take(fresh[3]!).equals(Buffer.from(f64View(spec[3]!, 2 * M).slice().buffer)), `M=${M} fresh spectrum finished on ${threads}`);
        productAt(out, [[fresh[3]!, fresh[3]!]], M);
        assert.ok(take(out).equals(refs.square), `M=${M} square of a finished spectrum on ${threads}`);
        wasmFree(out);
        for (const p of fresh) wasmFree(p);
      }
      for (const p of spec) wasmFree(p);
    }
  });

  test('a product\'s last inverse stage run with its unpacking (productAt deferLast): the same limbs, plain, high and wrapped, on 1–4 threads', () => {
    // Every length family from PARALLEL_MIN, d = 4 and 3 (runs must start on limb boundaries: multiples of 4 digits
    // for d = 3), products shorter than the transform (runs clipped at L) and high parts (clipped at `from`).
    const r = rng(21);
    for (const M of [PARALLEL_MIN, (5 * PARALLEL_MIN) / 4, (3 * PARALLEL_MIN) / 2, 2 * PARALLEL_MIN]) {
      prepareTransforms(M);
      for (const d of [4, 3]) {
        const half = 10 ** d / 2;
        const na = M / 2 + 7, nb = M / 2 - 5 - (M % 3);
        const digitsOf = (n: number): Float64Array => {
          const x = new Float64Array(2 * M);
          for (let q = 0; q < n; q++) x[q] = Math.floor(r() * 2 * half) - half;
          x[n - 1] = 1 + Math.floor(r() * (half - 1)); // a positive number (balanced digits, the top one positive)
          return x;
        };
        const a = digitsOf(na), b = digitsOf(nb);
        const L = na + nb - 1;
        const outLimbs = Math.ceil((L * d) / 4) + 2;
        const from = 12 * Math.floor(L / 36);
        const place = (x: Float64Array): number => {
          const p = wasmAlloc(16 * M);
          f64View(p, 2 * M).set(x);
          return p;
        };
        const unpacks: [string, (out: number) => unknown][] = [
          ['plain', (out) => {
            const scratch = wasmAlloc(unpackScratchBytes(L, d, outLimbs));
            try { return unpackAt(out, M, L, d, outLimbs, scratch); } finally { wasmFree(scratch); }
          }],
          ['high', (out) => {
            const scratch = wasmAlloc(unpackScratchBytes(L, d, outLimbs));
            try { return unpackHighAt(out, M, L, d, from, outLimbs, scratch); } finally { wasmFree(scratch); }
          }],
          ['wrapped', (out) => {
            const scratch = wasmAlloc(unpackScratchBytes(2 * M, d, (d * M) / 2));
            try { return unpackWrappedAt(out, M, d, scratch); } finally { wasmFree(scratch); }
          }],
        ];
        const product = (defer: boolean, unpack: (out: number) => unknown): { limbs: unknown; deferred: boolean } => {
          const A = place(a), B = place(b);
          try {
            const deferred = productAt(A, [[A, B]], M, [{ ptr: A, filled: Math.ceil(na / 2) }, { ptr: B, filled: Math.ceil(nb / 2) }], [], defer);
            return { limbs: unpack(A), deferred };
          } finally {
            wasmFree(A);
            wasmFree(B);
          }
        };
        configure({ threads: 1 });
        const refs = unpacks.map(([, unpack]) => product(false, unpack).limbs);
        refs.forEach((ref, i) => assert.ok(ref !== null, `M=${M} d=${d} ${unpacks[i]![0]} unpacks`));
        for (const threads of [1, 2, 3, 4]) {
          configure({ threads });
          unpacks.forEach(([what, unpack], i) => {
            const { limbs, deferred } = product(true, unpack);
            assert.equal(deferred, threads > 1, `M=${M} deferred on ${threads}`);
            assert.deepEqual(limbs, refs[i], `M=${M} d=${d} ${what} on ${threads} threads`);
          });
        }
      }
    }
    // A deferred stage is of one output: unpacking another is an internal fault, never a silent wrong product.
    configure({ threads: 2 });
    const M = PARALLEL_MIN;
    const A = wasmAlloc(16 * M), other = wasmAlloc(16 * M), scratch = wasmAlloc(unpackScratchBytes(8, 4, 4));
    f64View(A, 2 * M).fill(0);
    f64View(other, 2 * M).fill(0);
    assert.equal(productAt(A, [[A, A]], M, [{ ptr: A, filled: 4 }], [], true), true);
    assert.throws(() => unpackAt(other, M, 8, 4, 4, scratch), /pending last stage is of another output/);
    dropLastStage();
    assert.ok(unpackAt(other, M, 8, 4, 4, scratch) !== null, 'nothing pending once dropped');
    for (const p of [A, other, scratch]) wasmFree(p);
  });

  test('forwardEachAt: each input transformed whole, the same bits as forwardAt, for any thread count', () => {
    for (const M of [3 << 12, 1 << 13, 5 << 11]) {
      prepareTransforms(M);
      const input = Array.from({ length: 5 }, (_, i) => Float64Array.from({ length: 2 * M }, (_, j) => (j * 7919 + i * 104729) % 10007 - 5003));
      const run = (each: boolean): Buffer[] => {
        const ptrs = input.map((x) => {
          const p = wasmAlloc(16 * M);
          f64View(p, 2 * M).set(x);
          return p;
        });
        const filled = ptrs.map((_, i) => M - 100 * i);
        if (each) forwardEachAt(ptrs.map((ptr, i) => ({ ptr, filled: filled[i]! })), M);
        else ptrs.forEach((p, i) => forwardAt(p, M, filled[i]));
        const out = ptrs.map((p) => Buffer.from(f64View(p, 2 * M).slice().buffer));
        for (const p of ptrs) wasmFree(p);
        return out;
      };
      configure({ threads: 1 });
      const ref = run(false);
      for (const threads of [1, 2, 3, 4]) {
        configure({ threads });
        run(true).forEach((b, i) => assert.ok(b.equals(ref[i]!), `M=${M} input ${i} on ${threads} threads`));
      }
    }
  });

  test('every kind of group product (and a wrong bound\'s full-product fallback): N = 1, 2, 4 bit-identical and exact', () => {
    // Below PARALLEL_MIN (on the calling thread) and from it (split, its steps claimed by the threads).
    const r = rng(15);
    for (const n of [6000, 140_000]) {
      const { x, y, u, v, small, large, c, cWrong, bound, s } = groupOperands(r, n);
      const exact = natToBigInt(natMul(x, y));
      const run = (): Nat[] => {
        const g = new Multiplier().group([[[u, v]], [[x, y]]], { products: [[x, y]], limbs: bound + 3 }, 6);
        try {
          const [d, dh, dw, hi, sq, wr, xy] = [
            g.difference(c, x, y, bound), g.differenceHigh(c, x, y, bound, 3), g.difference(cWrong, x, y, bound),
            g.mulHigh(u, v, s), g.mul(u, u), g.mulWrapped(x, y), g.mul(x, y),
          ];
          assert.equal(d.negative, false);
          assert.equal(dw.negative, false);
          return [d.magnitude, dh.magnitude, dw.magnitude, hi, sq, wr, xy];
        } finally {
          g.close();
        }
      };
      const [ref, ...others] = onThreads([1, 2, 4], run);
      assert.equal(natToBigInt(ref![0]!), natToBigInt(small));
      assert.equal(natToBigInt(ref![2]!), natToBigInt(large));
      assert.equal(natToBigInt(ref![6]!), exact);
      others.forEach((got, t) => got.forEach((z, i) => assert.deepEqual(z.limbs, ref![i]!.limbs, `n=${n} result ${i} on ${[2, 4][t]} threads`)));
    }
  });

  test('TransformGroup.together: two products of every kind at once give the single calls\' results on 1, 2, 4 threads', () => {
    // 60000 limbs: 2^16–2^17 points (SIDE_BY_SIDE_MIN to SIDE_BY_SIDE_MAX: each product whole on a thread, on 4
    // threads split from PARALLEL_MIN); 140000: 2^18, split, one after the other. Pairs of every kind, a pair sharing
    // an operand, and one whose difference falls back to the full product (a wrong bound) beside one that does not.
    const r = rng(16);
    for (const n of [60_000, 140_000]) {
      const { x, y, u, v, small, large, c, cWrong, bound, s } = groupOperands(r, n);
      // Products planned one by one (onPlan): only the wrong bound's full product, in both runs; a pair whose
      // rounding check failed would fall back to one more (its digits would still be right).
      let planned = 0;
      const group = (): TransformGroup =>
        new Multiplier({ onPlan: () => planned++ }).group([[[u, v]], [[x, y]]], { products: [[x, y]], limbs: bound + 3 }, 6);
      const single = (): Nat[] => {
        const g = group();
        try {
          return [
            g.difference(c, x, y, bound).magnitude, g.differenceHigh(c, x, y, bound, 3).magnitude, g.mulHigh(u, v, s),
            g.mul(u, u), g.difference(cWrong, x, y, bound).magnitude, g.mulWrapped(x, y), g.mul(x, y), g.mul(u, v),
          ];
        } finally {
          g.close();
        }
      };
      const paired = (): Nat[] => {
        const g = group();
        try {
          const [d, dh] = g.together(g.differenceWork(c, x, y, bound), g.differenceHighWork(c, x, y, bound, 3));
          const [hi, sq] = g.together(g.mulHighWork(u, v, s), g.mulWork(u, u));
          const [dw, wr] = g.together(g.differenceWork(cWrong, x, y, bound), g.mulWrappedWork(x, y));
          const [xy, uv] = g.together(g.mulWork(x, y), g.mulWork(u, v));
          return [d.magnitude, dh.magnitude, hi, sq, dw.magnitude, wr, xy, uv];
        } finally {
          g.close();
        }
      };
      configure({ threads: 1 });
      planned = 0;
      const ref = single();
      const plannedAlone = planned;
      assert.equal(natToBigInt(ref[0]!), natToBigInt(small));
      assert.equal(natToBigInt(ref[4]!), natToBigInt(large));
      assert.equal(natToBigInt(ref[6]!), natToBigInt(x) * natToBigInt(y));
      for (const threads of [1, 2, 4]) {
        planned = 0;
        const [got] = onThreads([threads], paired);
        got!.forEach((z, i) => assert.deepEqual(z.limbs, ref[i]!.limbs, `n=${n} result ${i} on ${threads} threads`));
        assert.equal(planned, plannedAlone, `n=${n} on ${threads} threads: no fallback product`);
      }
    }
  });

  test('17 threads: a 2^21-point transform\'s widest shared stage (64 blocks × 68 chunks) fits the step table; same bits as 1 thread', () => {
    // splitPlan for T = 17 shares stages over 1, 4, 16 and 64 blocks (64 is neither a multiple of 17 nor 4·17): the
    // last is 64 jobs in each of stepChunks(17) = 68 chunks, 4352 jobs (more than the 4096 of a small pool's table).
    const M = 1 << 21;
    prepareTransforms(M);
    const buf = wasmAlloc(16 * M);
    try {
      const view = (): Float64Array => f64View(buf, 2 * M);
      const input = new Float64Array(2 * M);
      const r = rng(21);
      for (let i = 0; i < input.length; i++) input[i] = Math.floor(r() * 10000) - 5000;
      const [one, many] = onThreads([1, 17], () => {
        view().set(input);
        forwardAt(buf, M);
        const fwd = view().slice();
        inverseAt(buf, M);
        return [fwd, view().slice()];
      });
      assert.ok(Buffer.from(one![0]!.buffer).equals(Buffer.from(many![0]!.buffer)), 'forward: same bits');
      assert.ok(Buffer.from(one![1]!.buffer).equals(Buffer.from(many![1]!.buffer)), 'inverse: same bits');
    } finally {
      wasmFree(buf);
      configure({ threads: 2 });
    }
  });

  test('17 threads: a fused product of two new 3·2^18-point operands (their top stage over 48 blocks: 6528 jobs for both, one step each) gives 1 thread\'s bits', () => {
    const M = 3 << 18;
    prepareTransforms(M);
    const r = rng(22);
    const inputs = [0, 1].map(() => Float64Array.from({ length: 2 * M }, (_, j) => (j < M ? Math.floor(r() * 10000) - 5000 : 0)));
    const [one, many] = onThreads([1, 17], () => {
      const [A, B] = inputs.map((x) => {
        const p = wasmAlloc(16 * M);
        f64View(p, 2 * M).set(x);
        return p;
      }) as [number, number];
      productAt(A, [[A, B]], M, [{ ptr: A, filled: M / 2 }, { ptr: B, filled: M / 2 }]);
      const out = Buffer.from(f64View(A, 2 * M).slice().buffer);
      wasmFree(A);
      wasmFree(B);
      return out;
    });
    configure({ threads: 2 });
    assert.ok(one!.equals(many!), 'same bits');
  });

  test('split unpacking: carries cross the cuts through runs of 9s and 0s', () => {
    // (10^n − 1)^2 = 10^2n − 2·10^n + 1 and (10^n − 1)(10^n + 1) = 10^2n − 1 put 9-runs and 0-runs across every
    // cut, where a run starts from a zero carry and the carry below is added in afterwards (borrows included).
    for (const n of [1_000_000, 1_000_001, 1_000_003]) {
      const p = 10n ** BigInt(n);
      const nines = natFromBigInt(p - 1n);
      for (const threads of [2, 3, 4]) {
        configure({ threads });
        assert.equal(natToBigInt(natSqr(nines)), (p - 1n) ** 2n, `(10^${n} − 1)^2 on ${threads}`);
        assert.ok(lastFftLength >= PARALLEL_MIN);
        assert.equal(natToBigInt(natMul(nines, natFromBigInt(p + 1n))), p * p - 1n, `(10^${n} − 1)(10^${n} + 1) on ${threads}`);
        assert.equal(natToBigInt(natMul(nines, natFromBigInt(p / 10n + 1n))), (p - 1n) * (p / 10n + 1n), `unbalanced on ${threads}`);
      }
    }
  });

  test('a failing chunk raises its error (ArithmeticCheckError when a worker ran it) after the others ran, and the pool keeps working', () => {
    configure({ threads: 2 });
    // A chunk reading past the 4 GiB of the wasm memory traps on whichever thread claims it: the caller throws the
    // trap itself, a worker's comes back as an ArithmeticCheckError naming it. Chunk 0 is a real transform, so the
    // worker usually claims the bad one; either way every other chunk has run and the next step runs.
    const M = 1 << 16;
    prepareTransforms(M);
    const buf = wasmAlloc(16 * M);
    try {
      f64View(buf, 2 * M).fill(1);
      for (let round = 0; round < 5; round++) {
        assert.throws(
          () => runShares(wasm(), [[['forward', buf, M, M, 0, powerOfTwoTables(M)]], [['pack', 2 ** 32 - 64, 1000, 4, 2 ** 32 - 64, 0]], []]),
          (e: unknown) => (e instanceof ArithmeticCheckError && /worker thread failed: .*(out of bounds|RuntimeError)/i.test(e.message))
            || (e instanceof WebAssembly.RuntimeError && /out of bounds/.test(e.message)),
        );
        runShares(wasm(), [[], []]); // the next step runs (the error flag was cleared)
      }
    } finally {
      wasmFree(buf);
    }
    const x = digits(rng(13), 1_000_000);
    assert.equal(natToBigInt(natSqr(natFromBigInt(x))), x * x);
  });

  test('steps of many chunks, on 2 and 4 threads: every chunk runs, with its own arguments', () => {
    // Chunk i packs the one limb i + 1 and writes its squared norm (i + 1)² into result slot i: a chunk skipped leaves
    // −1, a chunk run with another's arguments a wrong square.
    for (const threads of [2, 4]) {
      configure({ threads });
      const n = 300;
      const src = wasmAlloc(2 * n), out = wasmAlloc(16 * 4 * n), res = wasmAlloc(16 * n);
      try {
        const limbs = u16View(src, n);
        for (let i = 0; i < n; i++) limbs[i] = i + 1;
        for (let rep = 0; rep < 20; rep++) {
          f64View(res, 2 * n).fill(-1);
          runShares(wasm(), Array.from({ length: n }, (_, i): Job[] => [['pack', src + 2 * i, 1, 4, out + 64 * i, res + 16 * i]]), rep % 2 === 0);
          const r = f64View(res, 2 * n);
          for (let i = 0; i < n; i++) assert.equal(r[2 * i], (i + 1) ** 2, `chunk ${i} (threads ${threads}, rep ${rep})`);
        }
      } finally {
        wasmFree(src);
        wasmFree(out);
        wasmFree(res);
      }
    }
  });
});

describe('MATHSTREAM_THREADS', () => {
  const script = `
    import { getConfig } from ${JSON.stringify(new URL('../config.js', import.meta.url).href)};
    import { availableParallelism } from 'node:os';
    process.stdout.write(String(getConfig().threads) + ' ' + availableParallelism());`;
  const run = (value: string | undefined): string => {
    const env = { ...process.env };
    if (value === undefined) delete env['MATHSTREAM_THREADS'];
    else env['MATHSTREAM_THREADS'] = value;
    return execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      env, cwd: fileURLToPath(new URL('.', import.meta.url)), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
    });
  };
  test('default: the machine\'s available parallelism; a positive integer (more than the cores allowed)', () => {
    const [threads, cores] = run(undefined).split(' ');
    assert.equal(threads, cores);
    assert.equal(run('4').split(' ')[0], '4');
    assert.equal(run('1').split(' ')[0], '1');
  });
  test('anything else is refused with an error naming the variable', () => {
    for (const bad of ['0', '-1', '1.5', 'two']) {
      assert.throws(() => run(bad), (e: unknown) => /MATHSTREAM_THREADS/.test(String((e as { stderr?: string }).stderr)), bad);
    }
  });
});
