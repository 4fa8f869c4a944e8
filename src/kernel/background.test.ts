// Background steps (threads.ts runInBackground, joinBackground) and what the division builds on them (spectra.ts
// natSpectrumBegin, Multiplier.prefetchPlan, TransformGroup.adopt): a spectrum made on another thread has natSpectrum's
// values and norm for every length family and digit size; a step shared with the workers waits for a pending
// background step; a worker's failure comes back at the join; a group adopts a prefetched spectrum only with its own
// digit size and length (else frees it), and prefetches never leak wasm memory; the division gives the same limbs on
// 1, 2 and 4 threads at sizes where its reciprocal's levels and the divisor are prefetched.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { configure, getConfig } from '../config.js';
import { ArithmeticCheckError } from '../errors.js';
import { Multiplier, natDivApprox, natDivMod, natFromBigInt, natMul, natToBigInt } from './index.js';
import { natFreeSpectrum, natReapBackground, natSpectrum, natSpectrumBegin, natSpectrumPlan, type NatSpectrum } from './spectra.js';
import { forwardJob, powerOfTwoTables, prepareTransforms, topRadix } from './fftcore.js';
import { backgroundBusy, backgroundInFlight, joinBackground, runInBackground, runShares, threadsReady } from './threads.js';
import { f64View, heapTop, wasm, wasmAlloc, wasmFree } from './wasmheap.js';
import { randomNatural as digits, seededRandom as rng } from '../../test/random.js';

const initialThreads = getConfig().threads;
after(() => configure({ threads: initialThreads }));

/** The kernel on `threads` threads, its workers up (a background step is skipped while they boot). */
function onThreads(threads: number): void {
  configure({ threads });
  runShares(wasm(), [[], []]);
}

function spectrumValues(s: NatSpectrum): Float64Array {
  return f64View(s.ptr, 2 * s.plan.M).slice();
}

describe('background steps', () => {
  test('a spectrum made in the background has natSpectrum\'s values and norm (2^k, 3·2^k, 5·2^k; d = 4, 3; 2 and 4 threads)', () => {
    const r = rng(41);
    const families = new Set<number>();
    for (const threads of [2, 4]) {
      onThreads(threads);
      // Digit counts that land on each length family, with an odd and an even number of packed digits.
      for (const n of [60_000, 47_000, 39_001, 240_000]) {
        const a = natFromBigInt(digits(r, n));
        for (const plan of [natSpectrumPlan([[[a, a]]]), { ...natSpectrumPlan([[[a, a]]]), d: 3 }]) {
          const M = plan.M;
          if (Math.ceil((4 * a.size) / plan.d) + 1 > 2 * M) continue; // d = 3 may not fit the d = 4 length
          families.add(topRadix(M));
          const ref = natSpectrum(a, plan, true);
          const p = natSpectrumBegin(a, plan);
          assert.ok(p !== undefined, 'started on 2+ threads with no other background step');
          joinBackground(); // (finish gives undefined while a worker is still on it)
          const got = p.finish(plan);
          assert.ok(got !== undefined);
          try {
            assert.equal(got.normSq, ref.normSq, `norm n=${n} d=${plan.d}`);
            const x = spectrumValues(ref), y = spectrumValues(got);
            let same = true;
            for (let i = 0; i < x.length && same; i++) same = x[i] === y[i];
            assert.ok(same, `spectrum n=${n} M=${M} d=${plan.d} T=${threads}`);
          } finally {
            natFreeSpectrum(ref);
            natFreeSpectrum(got);
          }
        }
      }
    }
    assert.deepEqual([...families].sort(), [1, 3, 5], 'every length family');
  });

  test('a spectrum still being made by a worker is given up without waiting, its memory freed once the worker is done', () => {
    onThreads(2);
    const a = natFromBigInt(digits(rng(45), 1_000_000));
    const plan = natSpectrumPlan([[[a, a]]]);
    let seen = 0;
    let top = -1; // the heap's top once the first attempt built its tables: given-up spectra must not raise it
    for (let attempt = 0; attempt < 40 && seen < 4; attempt++) {
      const p = natSpectrumBegin(a, plan);
      assert.ok(p !== undefined);
      // Wait until a worker has claimed it (or it is over already: then this attempt shows nothing).
      const end = performance.now() + 50;
      while (!backgroundInFlight(p.ticket) && backgroundBusy() && performance.now() < end);
      if (!backgroundInFlight(p.ticket)) {
        joinBackground();
        p.cancel();
        continue;
      }
      seen++;
      assert.equal(attempt % 2 === 0 ? p.finish(plan) : (p.cancel(), undefined), undefined, 'given up, not waited for');
      p.cancel(); // closed: a no-op
      joinBackground();
      natReapBackground();
      if (top < 0) top = heapTop();
      else assert.equal(heapTop(), top, 'its memory is back once the worker is done');
    }
    assert.ok(seen > 0, 'a worker was seen making a background spectrum');
  });

  test('one thread: nothing starts in the background (no thread to overlap); nor while the workers boot', () => {
    configure({ threads: 1 });
    const a = natFromBigInt(digits(rng(42), 100_000));
    assert.equal(natSpectrumBegin(a, natSpectrumPlan([[[a, a]]])), undefined);
    // More workers than the pool has: the first prefetch starts them and skips (it would wait for their boot).
    configure({ threads: 6 });
    assert.equal(threadsReady(), false);
    assert.equal(natSpectrumBegin(a, natSpectrumPlan([[[a, a]]])), undefined);
    onThreads(6);
    assert.equal(threadsReady(), true);
    const p = natSpectrumBegin(a, natSpectrumPlan([[[a, a]]]));
    assert.ok(p !== undefined);
    p.cancel();
    joinBackground();
  });

  test('steps run while a background step does (their own lane); a second background step joins the first; a worker\'s failure comes back at the join', () => {
    configure({ threads: 2 });
    const M = 1 << 16;
    prepareTransforms(M);
    const a = wasmAlloc(16 * M), b = wasmAlloc(16 * M), c = wasmAlloc(16 * M);
    try {
      const fill = (ptr: number): void => {
        const v = f64View(ptr, 2 * M);
        for (let i = 0; i < v.length; i++) v[i] = (i * 7919) % 10007 - 5003;
      };
      fill(a);
      fill(b);
      fill(c);
      // a: in the background, and meanwhile shared steps (b and c, then c again and back); then a's transform is c's.
      const t = runInBackground(wasm(), [[forwardJob(a, M, M)]]);
      runShares(wasm(), [[forwardJob(b, M, M)], [forwardJob(c, M, M)]]);
      joinBackground(t);
      assert.equal(backgroundBusy(), false, 'joined');
      joinBackground(t); // no-op now
      assert.deepEqual(f64View(a, 2 * M).slice(), f64View(c, 2 * M).slice());
      // Many short steps while one long background chunk runs: none waits for it (its worker is a late worker).
      fill(a);
      const long = runInBackground(wasm(), [[forwardJob(a, M, M), ['inverse', a, M, 0, powerOfTwoTables(M)], forwardJob(a, M, M)]]);
      const v = wasmAlloc(16 * 64);
      try {
        for (let i = 0; i < 50; i++) runShares(wasm(), [[['pack', v, 4, 4, v + 64, v + 512]], [['pack', v, 4, 4, v + 128, v + 768]]]);
      } finally {
        joinBackground(long);
        wasmFree(v);
      }
      assert.deepEqual(f64View(b, 2 * M).slice(), f64View(c, 2 * M).slice());
      // A failing background chunk (reads past the 4 GiB of the wasm memory): reported at the join, whoever ran it.
      for (let round = 0; round < 3; round++) {
        const bad = runInBackground(wasm(), [[['pack', 2 ** 32 - 64, 1000, 4, 2 ** 32 - 64, 0]]]);
        assert.throws(
          () => joinBackground(bad),
          (e: unknown) => (e instanceof ArithmeticCheckError && /worker thread failed/i.test(e.message))
            || (e instanceof WebAssembly.RuntimeError && /out of bounds/.test(e.message)),
        );
      }
      // The pool keeps working.
      fill(a);
      runInBackground(wasm(), [[['forward', a, M, M, 0, powerOfTwoTables(M)]]]);
      runInBackground(wasm(), [[]]); // joins the first
      assert.deepEqual(f64View(a, 2 * M).slice(), f64View(c, 2 * M).slice());
      joinBackground();
    } finally {
      wasmFree(a);
      wasmFree(b);
      wasmFree(c);
    }
  });

  test('a group adopts a prefetched spectrum with its own plan only, frees it otherwise, and prefetches leak nothing', () => {
    onThreads(2);
    const r = rng(43);
    const x = natFromBigInt(digits(r, 200_000)), y = natFromBigInt(digits(r, 190_000)), z = natFromBigInt(digits(r, 120_000));
    const m = new Multiplier();
    const expect = natToBigInt(natMul(x, y));
    const prefetch = (sums: Parameters<Multiplier['prefetchPlan']>[0], x: typeof z) => {
      const plan = m.prefetchPlan(sums, undefined, 3);
      return plan === undefined ? undefined : natSpectrumBegin(x, plan);
    };
    const once = (): void => {
      // Planned as the group below: adopted, and the product reads it (after the last round's given-up spectrum,
      // if a worker was still on it: one background step at a time).
      joinBackground();
      const p = prefetch([[[x, { size: y.size, like: x }]]], x);
      assert.ok(p !== undefined);
      const g = m.group([[[x, y]]], undefined, 3);
      try {
        g.adopt(x, p);
        assert.equal(natToBigInt(g.mul(x, y)), expect);
      } finally {
        g.close();
      }
      // Planned for a shorter transform: the group frees it and transforms x itself.
      const q = prefetch([[[z, z]]], x);
      const g2 = m.group([[[x, y]]], undefined, 3);
      try {
        if (q !== undefined) assert.notEqual(q.M, natSpectrumPlan([[[x, y]]]).M);
        g2.adopt(x, q);
        assert.equal(natToBigInt(g2.mul(x, y)), expect);
      } finally {
        g2.close();
      }
      // Adopted and never used: freed by close.
      const u = prefetch([[[x, { size: y.size, like: x }]]], x);
      const g3 = m.group([[[x, y]]], undefined, 3);
      g3.adopt(x, u);
      g3.close();
      // Never adopted: cancelled (twice is harmless).
      const v = prefetch([[[x, { size: y.size, like: x }]]], x);
      v?.cancel();
      v?.cancel();
    };
    once();
    const top = heapTop();
    for (let i = 0; i < 10; i++) once();
    assert.equal(heapTop(), top, 'no wasm memory kept by prefetches');
  });

  test('natDivMod and natDivApprox with prefetched divisor and reciprocal levels: same limbs on 1, 2 and 4 threads, q·b + r = a', () => {
    const r = rng(44);
    // 2·10^5 and 10^6 digits of divisor: reciprocal levels from 2^13 points up, the divisor's transform beside them.
    for (const n of [200_000, 1_000_000]) {
      const a = natFromBigInt(digits(r, 2 * n)), b = natFromBigInt(digits(r, n));
      const results = [1, 2, 4].map((threads) => {
        onThreads(threads);
        return natDivMod(a, b);
      });
      const approx = [1, 2, 4].map((threads) => {
        onThreads(threads);
        return natDivApprox(a, b);
      });
      for (const q of approx.slice(1)) assert.deepEqual(q.limbs, approx[0]!.limbs, `approximate quotient n=${n}`);
      const gap = natToBigInt(approx[0]!) - natToBigInt(results[0]!.q);
      assert.ok(gap >= -1n && gap <= 1n, `natDivApprox within one of the quotient at n=${n}`);
      for (const d of results.slice(1)) {
        assert.deepEqual(d.q.limbs, results[0]!.q.limbs, `quotient n=${n}`);
        assert.deepEqual(d.r.limbs, results[0]!.r.limbs, `remainder n=${n}`);
      }
      const { q, r: rem } = results[0]!;
      assert.ok(natToBigInt(rem) < natToBigInt(b));
      assert.equal(natToBigInt(natMul(q, b)) + natToBigInt(rem), natToBigInt(a), `q·b + r = a at n=${n}`);
    }
  });
});

