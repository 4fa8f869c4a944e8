/**
 * pi-threads — the async driver computes the series' subtrees on N threads at once (apps/pi/parallel.ts,
 * subtree.ts): the digits are the same for N = 1, 2, 4 and as the independent 10^6 hash of pi.test.ts, progress
 * stays monotone, a small memory budget keeps one thread, cancelling stops the subtree threads, a failure there
 * surfaces as ArithmeticCheckError, and the side root (1/√10005 on a thread with no leaf left) equals this thread's,
 * as does its product N = Y·⌊Q1⌋·k formed on the thread that computed Q1.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { computePi, computePiDigits } from '../src/apps/pi/index.js';
import { THREADED_DECIMALS, piWorkTotal } from '../src/apps/pi/compute.js';
import { cutSeries, scheduledMakespan, sideRootFits } from '../src/apps/pi/parallel.js';
import { type Split, split, splitPoint, subtreeWeight, termsFor } from '../src/apps/pi/series.js';
import { SubtreeJob, liveSubtreeThreads } from '../src/apps/pi/subtree.js';
import { configure, getConfig } from '../src/config.js';
import { ArithmeticCheckError, CancelledError } from '../src/errors.js';
import { fftThreads, natMulSmall, natRsqrtSmall, natToBigInt, type Nat } from '../src/kernel/index.js';
import { type Float, floatOf, floatTruncate } from '../src/apps/pi/signed.js';

/** Same constant as pi.test.ts (computed outside this project by two independent programs). */
const MILLION_DECIMALS_SHA256 = '7806ee47461b49ef1f578e14461b2c83c09c6d7a9a914275da1d71e9cbbf7069';

const twoCores = fftThreads() > 1;

/** The job's result, waited for (up to 10 s). */
function poll(job: SubtreeJob): Split {
  for (let i = 0; i < 500; i++) {
    const r = job.poll(20);
    if (r) return r;
  }
  throw new Error('no result');
}

/** The job's queued root, waited for (up to 10 s). */
function pollRoot(job: SubtreeJob): Float {
  for (let i = 0; i < 500; i++) {
    const r = job.pollRoot(20);
    if (r) return r;
  }
  throw new Error('no root');
}

/** split() run to its end on this thread. */
function computeSplit(a: number, b: number, needP: boolean): Split {
  const steps = split(a, b, needP);
  for (;;) {
    const s = steps.next();
    if (s.done) return s.value;
  }
}

/** Waits (up to 10 s) for the subtree threads to exit; thread exit is an event, so it needs a few turns. */
async function threadsGone(): Promise<number> {
  for (let i = 0; i < 200 && liveSubtreeThreads() > 0; i++) await sleep(50);
  return liveSubtreeThreads();
}

describe('pi on N threads', () => {
  test('N = 1, 2, 4 give identical digits, with N − 1 subtree threads running', async () => {
    const n = 2 * THREADED_DECIMALS + 7;
    const reference = computePiDigits(n);
    for (const threads of [1, 2, 4]) {
      let seen = 0;
      let last = 0;
      const digits = await computePi(n, {
        threads,
        onProgress: (done, total) => {
          assert.ok(done >= last && done <= total, `progress ${done} of ${total} after ${last}`);
          last = done;
          seen = Math.max(seen, liveSubtreeThreads());
        },
      });
      assert.deepEqual(digits, reference, `${threads} threads`);
      assert.equal(seen, threads - 1, `${threads} threads: subtree threads seen`);
      assert.equal(await threadsGone(), 0);
    }
  });

  test('the cut: leaves of the split tree covering the series once, balanced on N threads', () => {
    const terms = termsFor(10_000_000);
    const m = splitPoint(0, terms);
    for (const threads of [1, 2, 3, 4, 5, 6, 8, 16]) {
      const { leaves } = cutSeries(m, terms, threads);
      if ((threads & (threads - 1)) === 0) assert.equal(leaves.length, Math.max(2, threads), `${threads}: a power of two cuts exactly`);
      let next = 0;
      for (const leaf of leaves) {
        assert.equal(leaf.a, next);
        next = leaf.b;
      }
      assert.equal(next, terms);
      const weights = leaves.map((l) => subtreeWeight(l.a, l.b));
      const total = weights.reduce((x, y) => x + y, 0);
      assert.ok(scheduledMakespan(weights, threads) <= (1.15 * total) / threads + 1e-9 || threads === 1, `${threads} threads`);
    }
    // Leaves within a subtree thread's share: at 10^8 decimals and ~330,000 terms a leaf, 32 leaves in tree order.
    const big = termsFor(100_000_000);
    const fine = cutSeries(splitPoint(0, big), big, 2, 330_000).leaves;
    assert.equal(fine.length, 32);
    assert.ok(fine.every((l, i) => l.b - l.a <= 330_000 && (i === 0 ? l.a === 0 : l.a === fine[i - 1]!.b)));
    assert.equal(fine.at(-1)!.b, big);
    // A short series is not cut below 2·YIELD_TERMS terms a leaf.
    assert.ok(cutSeries(1500, 3000, 16).leaves.length < 16);
    assert.ok(piWorkTotal(10_000_000) > 0);
  });

  test('the side root goes to a subtree thread where its numbers are no larger than a leaf (10^7 on 2 threads), not at 10^8', () => {
    const limbs = (decimals: number): number => Math.ceil((decimals + 12 + 8) / 4); // compute.ts's p
    assert.ok(sideRootFits({ c: 10005, limbs: limbs(10_000_000) }, 2));
    assert.ok(!sideRootFits({ c: 10005, limbs: limbs(100_000_000) }, 2));
  });

  test('a thread count that is not a positive integer is refused', async () => {
    await assert.rejects(computePi(10, { threads: 0 }), /positive integer/);
  });
});

describe('pi on two threads by default', { skip: twoCores ? false : 'single core or MATHSTREAM_THREADS=1' }, () => {
  test('10^6 decimals match the independent hash, and progress is monotone', async () => {
    let last = 0;
    let reports = 0;
    let sawThread = false;
    const digits = await computePi(1_000_000, {
      onProgress: (done, total) => {
        assert.ok(done >= last && done <= total, `progress ${done} of ${total} after ${last}`);
        last = done;
        reports++;
        sawThread ||= liveSubtreeThreads() > 0;
      },
    });
    assert.equal(createHash('sha256').update(digits).digest('hex'), MILLION_DECIMALS_SHA256);
    assert.ok(sawThread, 'a subtree thread ran');
    assert.ok(reports > 10);
    assert.equal(await threadsGone(), 0);
  });

  test('just above the threaded threshold: same digits as one thread', async () => {
    const n = THREADED_DECIMALS + 7;
    assert.deepEqual(await computePi(n), computePiDigits(n));
    assert.equal(await threadsGone(), 0);
  });

  test('one thread when a second one\'s memory would not fit the budget', async () => {
    const budget = getConfig().memoryBudget;
    configure({ memoryBudget: 2 << 20 }); // 2 MiB: below ~26 bytes per decimal of 150,000 decimals
    try {
      let threads = 0;
      const digits = await computePi(150_000, { onProgress: () => void (threads = Math.max(threads, liveSubtreeThreads())) });
      assert.equal(threads, 0);
      assert.deepEqual(digits, computePiDigits(150_000));
    } finally {
      configure({ memoryBudget: budget });
    }
  });

  test('cancelling while the subtrees run stops the subtree thread', async () => {
    const controller = new AbortController();
    let calls = 0;
    let threadsAtAbort = -1;
    // Large enough that its right half (~40 s) outlasts threadsGone()'s wait: only a real stop passes.
    const run = computePi(20_000_000, {
      threads: 2,
      signal: controller.signal,
      onProgress: () => {
        if (++calls !== 5) return;
        threadsAtAbort = liveSubtreeThreads();
        controller.abort();
      },
    });
    await assert.rejects(run, CancelledError);
    assert.equal(threadsAtAbort, 1, 'the subtree thread was running when cancelled');
    assert.equal(await threadsGone(), 0);
  });

  test('a subtree thread takes a second range once its first result is taken, with the same values', async () => {
    const job = new SubtreeJob(0, 3000, true);
    assert.throws(() => job.next(0, 10, false), /before its result was taken/);
    const first = poll(job);
    job.next(3000, 5000, false);
    const second = poll(job);
    job.stop();
    const fresh = [computeSplit(0, 3000, true), computeSplit(3000, 5000, false)];
    assert.deepEqual([first.p, first.q, first.t].map((x) => x && natToBigInt(x)), [fresh[0]!.p, fresh[0]!.q, fresh[0]!.t].map((x) => x && natToBigInt(x)));
    assert.equal(second.p, undefined);
    assert.deepEqual([second.q, second.t].map(natToBigInt), [fresh[1]!.q, fresh[1]!.t].map(natToBigInt));
    assert.equal(await threadsGone(), 0);
  });

  test('a root queued behind a range comes after its result, equal to the one computed here; a failing root is named', async () => {
    const job = new SubtreeJob(0, 2000, true);
    job.queueRoot(10005, 3000);
    const range = poll(job);
    const fresh = computeSplit(0, 2000, true);
    assert.deepEqual([range.p!, range.q, range.t].map(natToBigInt), [fresh.p!, fresh.q, fresh.t].map(natToBigInt));
    const y = pollRoot(job);
    assert.equal(natToBigInt(y.mantissa), natToBigInt(natRsqrtSmall(10005, 3000)));
    assert.equal(y.exponent, 0);
    job.stop();
    // Queued on an idle thread it starts at once; natRsqrtSmall refuses c = 0 there.
    const idle = new SubtreeJob(0, 10, false);
    poll(idle);
    idle.queueRoot(0, 10);
    assert.throws(() => pollRoot(idle), (e: unknown) => e instanceof ArithmeticCheckError && /subtree thread failed: InvalidArgumentError/.test(e.message));
    idle.stop();
    assert.equal(await threadsGone(), 0);
  });

  test('the root\'s product with the thread\'s own Q (compute.ts\'s N) equals the one formed here; without a Q it fails, named', async () => {
    // Long enough that P and T are handed over in their own buffers (subtreeworker.ts handOver); Q kept there, not sent.
    const [a, b, limbs, precision, factor] = [0, 3000, 2500, 9001, 42_709_344];
    const job = new SubtreeJob(a, b, true, undefined, true);
    job.queueRoot(10005, limbs, { precision, factor });
    const range = poll(job);
    const fresh = computeSplit(a, b, true);
    assert.ok(fresh.t.size > 4096 && fresh.p!.size > 4096, 'P and T are long enough to be handed over');
    assert.deepEqual([range.p!, range.t].map(natToBigInt), [fresh.p!, fresh.t].map(natToBigInt));
    assert.equal(range.q.size, 0, 'Q stays on the thread');
    const n = pollRoot(job);
    // A root is a thread's last task: the thread ends by itself once it is posted (its memory goes with it).
    assert.equal(await threadsGone(), 0);
    job.stop();
    const cut = floatTruncate(floatOf({ negative: false, magnitude: fresh.q }), precision);
    assert.ok(cut.exponent > 0, 'Q was cut');
    assert.equal(n.exponent, cut.exponent);
    assert.equal(natToBigInt(n.mantissa), natToBigInt(natRsqrtSmall(10005, limbs)) * natToBigInt(natMulSmall(cut.mantissa, factor)));
    // A thread that sent its Q (no keepQ), or whose range failed, holds none: the product is refused there, named.
    const refused = (e: unknown): boolean => e instanceof ArithmeticCheckError && /subtree thread failed: InvalidArgumentError: .*holds no range/.test(e.message);
    const sent = new SubtreeJob(0, 100, false);
    assert.ok(poll(sent).q.size > 0);
    sent.queueRoot(10005, 10, { precision: 10, factor: 1 });
    assert.throws(() => pollRoot(sent), refused);
    sent.stop();
    const failed = new SubtreeJob(5, 3, false, undefined, true);
    assert.throws(() => poll(failed), ArithmeticCheckError);
    failed.queueRoot(10005, 10, { precision: 10, factor: 1 });
    assert.throws(() => pollRoot(failed), refused);
    failed.stop();
    assert.equal(await threadsGone(), 0);
  });

  test('a failure on a subtree thread is an ArithmeticCheckError naming it', async () => {
    const job = new SubtreeJob(5, 3, false);
    let error: unknown;
    try {
      for (let i = 0; i < 500 && job.poll(20) === undefined; i++);
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof ArithmeticCheckError, String(error));
    assert.match((error as Error).message, /subtree thread failed: InvalidArgumentError: .*bad term range \[5, 3\)/);
    job.stop();
    assert.equal(await threadsGone(), 0);
  });
});
