/**
 * subtree — the right half of pi's binary-splitting tree on a second thread, while the caller does the left half.
 *
 * The two halves of the tree [0, m) and [m, n) share nothing until the root merge, and each is about half the
 * series' work (the right one has slightly larger terms but skips P along its right spine), so on two cores the
 * series takes about half the time. The thread runs its own kernel (its FFT helper kept off: this thread is the
 * second core's work already) and sends back P, Q, |T| as transferred limbs.
 *
 * Memory: both halves are alive at once, each with half of the memory budget for its products' transforms, so
 * the budget still bounds what all products hold together.
 */
import { receiveMessageOnPort } from 'node:worker_threads';
import { getConfig } from '../../config.js';
import { ArithmeticCheckError } from '../../errors.js';
import { type ArithmeticThread, natImportLimbs, startThread } from '../../kernel/index.js';
import type { Split } from './series.js';

/** @internal What the worker is asked (plus its port and flag). */
export interface SubtreeRequest {
  a: number;
  b: number;
  needP: boolean;
  memoryBudget: number;
}

/** @internal What the worker says: progress weights, and once, a result or an error. */
export interface SubtreeReply {
  progress: number;
  result?: { p: Uint16Array | undefined; q: Uint16Array; t: Uint16Array };
  /** The thread's failure, as describeFailure words it. */
  error?: string;
}

/** Threads started and not yet exited (for tests: a stopped computation leaves none behind). */
let liveThreads = 0;

/** @internal Second threads currently alive. */
export function liveSubtreeThreads(): number {
  return liveThreads;
}

/** A subtree being computed on the second thread. */
export class SubtreeJob {
  /** flag[0]: 0 while the thread works, 1 when it has posted its result, 2 when it has posted an error. */
  private readonly thread: ArithmeticThread;
  private progressSeen = 0;
  private reply: SubtreeReply | undefined;
  private exitCode: number | undefined;

  constructor(a: number, b: number, needP: boolean) {
    const request: SubtreeRequest = { a, b, needP, memoryBudget: Math.floor(getConfig().memoryBudget / 2) };
    this.thread = startThread(new URL('./subtreeworker.js', import.meta.url), request);
    liveThreads++;
    // A failure is reported by the thread itself, or seen as an exit without a reply (poll): the error event
    // needs a listener only so that it does not become an uncaught exception.
    this.thread.worker.on('error', () => undefined);
    this.thread.worker.on('exit', (code) => {
      liveThreads--;
      this.exitCode = code;
    });
  }

  /** Work units the thread has reported since the last call. */
  takeProgress(): number {
    this.drain();
    const p = this.progressSeen;
    this.progressSeen = 0;
    return p;
  }

  /**
   * Waits up to `ms` for the result: the Split once the thread is done, undefined while it works. Throws
   * ArithmeticCheckError if the thread failed or died.
   */
  poll(ms: number): Split | undefined {
    const { flag } = this.thread;
    if (Atomics.load(flag, 0) === 0) Atomics.wait(flag, 0, 0, ms);
    this.drain();
    if (this.reply?.error) {
      throw new ArithmeticCheckError(`pi: the second thread failed: ${this.reply.error}`);
    }
    const result = this.reply?.result;
    if (result) {
      return {
        p: result.p === undefined ? undefined : natImportLimbs(result.p),
        q: natImportLimbs(result.q),
        t: natImportLimbs(result.t),
      };
    }
    // A thread that ends without a reply died (e.g. out of memory); the exit event arrives between the async
    // driver's pauses.
    if (this.exitCode !== undefined) throw new ArithmeticCheckError(`pi: the second thread stopped (exit code ${this.exitCode}) without a result`);
    return undefined;
  }

  /** Stops the thread (when the caller gives up: cancelled, or failed on its own half). */
  stop(): void {
    void this.thread.worker.terminate();
  }

  private drain(): void {
    for (let m = receiveMessageOnPort(this.thread.port); m !== undefined; m = receiveMessageOnPort(this.thread.port)) {
      const reply = m.message as SubtreeReply;
      this.progressSeen += reply.progress;
      if (reply.result || reply.error) this.reply = reply;
    }
  }
}
