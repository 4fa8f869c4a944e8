/**
 * subtree — one subtree of pi's binary-splitting tree on a thread of its own, while the caller computes another
 * (parallel.ts cuts the tree).
 *
 * Subtrees share nothing until they are merged, so on t cores t of them take about the time of one. The thread runs
 * its own kernel (its FFT helper kept off: this thread is one core's work already) and sends back P, Q, |T| as
 * transferred limbs.
 *
 * Memory: a thread computes one leaf of the cut tree (parallel.ts), configured with its part of the budget's
 * `piSubtrees` share (kernel/budget.ts), which bounds the leaf's length; the caller's products plan within what the
 * threads' products leave (piCallerTransformBytes), so the budget still bounds what all products hold together.
 *
 * Once the series has no leaf left to give, a thread may also be queued pi's one computation that does not depend
 * on the series, the reciprocal square root of 10005 (`queueRoot`; parallel.ts decides when, and only where its
 * numbers are no larger than a leaf's), so that it starts the moment the thread's last leaf is done and runs while
 * the caller finishes its own subtree instead of after it. A thread given the series' left half [0, m) as its last
 * range may keep that range's Q (= compute.ts's Q1, `keepQ`: then not sent) and go on after the root to compute.ts's
 * product N = Y·⌊Q1⌋·k (`RootProduct`), which depends on nothing of the caller's: that product then leaves the
 * caller's serial tail.
 */
import { receiveMessageOnPort } from 'node:worker_threads';
import { ArithmeticCheckError } from '../../errors.js';
import { type ArithmeticThread, natImportLimbs, piSubtreeThreadBudget, startThread } from '../../kernel/index.js';
import type { Split } from './series.js';
import type { Float } from './signed.js';

/**
 * With a queued root: the product Y·⌊Q⌋·factor instead of Y, ⌊Q⌋ the Q of the thread's last range truncated to
 * `precision` digits (signed.ts floatTruncate), so the result is a Float with ⌊Q⌋'s exponent (compute.ts's N).
 */
export interface RootProduct {
  readonly precision: number;
  readonly factor: number;
}

/**
 * @internal A range of the series (with `keepQ`, its Q stays on the thread for a RootProduct and the result's q is
 * zero), or Y ≈ B^limbs/√rootOf (kernel natRsqrtSmall, B = 10^4) for compute.ts, optionally times ⌊Q⌋ (`times`).
 */
export type SubtreeTask = { a: number; b: number; needP: boolean; keepQ?: boolean } | { rootOf: number; limbs: number; times?: RootProduct };

/** @internal What the worker is asked first (plus its port and flag); later tasks come as SubtreeTask messages. */
export interface SubtreeRequest {
  a: number;
  b: number;
  needP: boolean;
  keepQ?: boolean;
  memoryBudget: number;
}

/** @internal What the worker says: progress weights, and once per task, a result (a range's or a root's) or an error. */
export interface SubtreeReply {
  progress: number;
  result?: { p: Uint16Array | undefined; q: Uint16Array; t: Uint16Array };
  root?: Uint16Array;
  /** The exponent of the root's value (that of ⌊Q⌋ when the task had `times`, else 0). */
  rootExponent?: number;
  /** The thread's failure, as describeFailure words it. */
  error?: string;
  /** The failure was the root's (queueRoot), not a range's. */
  rootFailed?: boolean;
}

/** Threads started and not yet exited (for tests: a stopped computation leaves none behind). */
let liveThreads = 0;

/** @internal Subtree threads currently alive. */
export function liveSubtreeThreads(): number {
  return liveThreads;
}

/**
 * A subtree being computed on a thread of its own; once its result is taken, `next` gives the same thread another
 * range (a thread's start — its isolate, modules and kernel — costs ~0.2 s of CPU, at 10^8 decimals ~16 leaves a
 * thread).
 */
export class SubtreeJob {
  /**
   * flag[0]: 0 while the thread works on a range, 1 when it has posted its result, 2 when it has posted an error;
   * flag[1]: the same for the queued root (0 until then).
   */
  private readonly thread: ArithmeticThread;
  private progressSeen = 0;
  private reply: SubtreeReply | undefined;
  private rootReply: SubtreeReply | undefined;
  private exitCode: number | undefined;
  private taken = false;

  /**
   * [a, b) with P if `needP`, on a thread configured with `memoryBudget` bytes (kernel/budget.ts
   * piSubtreeThreadBudget); with `keepQ` the thread keeps Q for a RootProduct (queueRoot) and poll's q is zero.
   */
  constructor(a: number, b: number, needP: boolean, memoryBudget = piSubtreeThreadBudget(2), keepQ = false) {
    const request: SubtreeRequest = { a, b, needP, keepQ, memoryBudget };
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

  /**
   * Gives the thread [a, b) (with P if `needP`, keeping Q if `keepQ`) once the last range's result has been taken
   * (poll returned it).
   * @throws ArithmeticCheckError when the last result was not taken yet
   */
  next(a: number, b: number, needP: boolean, keepQ = false): void {
    this.give({ a, b, needP, keepQ });
  }

  /**
   * Queues Y ≈ B^limbs/√c (natRsqrtSmall with the thread's budgeted multiplier) behind the thread's current range,
   * or starts it if the thread is idle; pollRoot takes it. With `times`, the thread goes on to Y·⌊Q⌋·factor, Q its
   * last range's, kept there (`keepQ`; RootProduct; the thread fails if it holds none). Once per thread, and no
   * range may follow it. It is signalled through flag[1], so the current range's result is still taken with poll.
   */
  queueRoot(c: number, limbs: number, times?: RootProduct): void {
    const task: SubtreeTask = times ? { rootOf: c, limbs, times } : { rootOf: c, limbs };
    this.thread.worker.postMessage(task);
  }

  private give(task: SubtreeTask): void {
    if (!this.taken) throw new ArithmeticCheckError('pi: a subtree thread was given a task before its result was taken');
    this.taken = false;
    this.reply = undefined;
    Atomics.store(this.thread.flag, 0, 0);
    this.thread.worker.postMessage(task);
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
    const result = this.takeReply(ms)?.result;
    return result && {
      p: result.p === undefined ? undefined : natImportLimbs(result.p),
      q: natImportLimbs(result.q),
      t: natImportLimbs(result.t),
    };
  }

  /**
   * Like poll, for the root queued with queueRoot: Y (exponent 0), or Y·⌊Q⌋·factor with ⌊Q⌋'s exponent, once the
   * thread is done with it; undefined until then.
   */
  pollRoot(ms: number): Float | undefined {
    const { flag } = this.thread;
    if (Atomics.load(flag, 1) === 0) Atomics.wait(flag, 1, 0, ms);
    this.drain();
    if (this.rootReply?.error) throw new ArithmeticCheckError(`pi: a subtree thread failed: ${this.rootReply.error}`);
    const reply = this.rootReply;
    if (reply?.root) {
      this.rootReply = { progress: 0 };
      return { negative: false, mantissa: natImportLimbs(reply.root), exponent: reply.rootExponent ?? 0 };
    }
    if (this.exitCode !== undefined) throw new ArithmeticCheckError(`pi: a subtree thread stopped (exit code ${this.exitCode}) without the root`);
    return undefined;
  }

  /** The finished range's reply, taken once (waiting up to `ms`); undefined while the thread works. */
  private takeReply(ms: number): SubtreeReply | undefined {
    const { flag } = this.thread;
    if (Atomics.load(flag, 0) === 0) Atomics.wait(flag, 0, 0, ms);
    this.drain();
    if (this.reply?.error) {
      throw new ArithmeticCheckError(`pi: a subtree thread failed: ${this.reply.error}`);
    }
    const reply = this.reply;
    if (reply?.result) {
      // Handed over once: the job must not keep the limbs alive after the caller has used them.
      this.reply = { progress: 0 };
      this.taken = true;
      return reply;
    }
    // A thread that ends without a reply died (e.g. out of memory); the exit event arrives between the async
    // driver's pauses.
    if (this.exitCode !== undefined && !this.taken) throw new ArithmeticCheckError(`pi: a subtree thread stopped (exit code ${this.exitCode}) without a result`);
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
      if (reply.root || reply.rootFailed) this.rootReply = reply;
      else if (reply.result || reply.error) this.reply = reply;
    }
  }
}
