/**
 * pi-threads — the async driver computes the series' two halves at once (apps/pi/subtree.ts): the digits are the
 * same as on one thread and as the independent 10^6 hash of pi.test.ts, progress stays monotone, a small memory
 * budget keeps one thread, cancelling stops the second thread, and a failure there surfaces as ArithmeticCheckError.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { computePi, computePiDigits } from '../src/apps/pi/index.js';
import { TWO_THREAD_DECIMALS } from '../src/apps/pi/compute.js';
import { SubtreeJob, liveSubtreeThreads } from '../src/apps/pi/subtree.js';
import { configure, getConfig } from '../src/config.js';
import { ArithmeticCheckError, CancelledError } from '../src/errors.js';
import { fftThreads } from '../src/kernel/index.js';

/** Same constant as pi.test.ts (computed outside this project by two independent programs). */
const MILLION_DECIMALS_SHA256 = '7806ee47461b49ef1f578e14461b2c83c09c6d7a9a914275da1d71e9cbbf7069';

const twoCores = fftThreads() > 1;

/** Waits (up to 10 s) for the second threads to exit; thread exit is an event, so it needs a few turns. */
async function threadsGone(): Promise<number> {
  for (let i = 0; i < 200 && liveSubtreeThreads() > 0; i++) await sleep(50);
  return liveSubtreeThreads();
}

describe('pi on two threads', { skip: twoCores ? false : 'single core or MATHSTREAM_THREADS=1' }, () => {
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
    assert.ok(sawThread, 'the second thread ran');
    assert.ok(reports > 10);
    assert.equal(await threadsGone(), 0);
  });

  test('just above the two-thread threshold: same digits as one thread', async () => {
    const n = TWO_THREAD_DECIMALS + 7;
    assert.deepEqual(await computePi(n), computePiDigits(n));
  });

  test('one thread when the second one\'s memory would not fit the budget', async () => {
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

  test('cancelling while both halves run stops the second thread', async () => {
    const controller = new AbortController();
    let calls = 0;
    let threadsAtAbort = -1;
    // Large enough that its right half (~40 s) outlasts threadsGone()'s wait: only a real stop passes.
    const run = computePi(20_000_000, {
      signal: controller.signal,
      onProgress: () => {
        if (++calls !== 5) return;
        threadsAtAbort = liveSubtreeThreads();
        controller.abort();
      },
    });
    await assert.rejects(run, CancelledError);
    assert.equal(threadsAtAbort, 1, 'the second thread was running when cancelled');
    assert.equal(await threadsGone(), 0);
  });

  test('a failure on the second thread is an ArithmeticCheckError naming it', async () => {
    const job = new SubtreeJob(5, 3, false);
    let error: unknown;
    try {
      for (let i = 0; i < 500 && job.poll(20) === undefined; i++);
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof ArithmeticCheckError, String(error));
    assert.match((error as Error).message, /second thread failed: InvalidArgumentError: .*bad term range \[5, 3\)/);
    job.stop();
    assert.equal(await threadsGone(), 0);
  });
});
