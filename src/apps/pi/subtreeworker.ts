/**
 * subtreeworker — entry point of the thread that computes one subtree of pi's binary splitting (see subtree.ts):
 * runs `split(a, b, needP)` with its own kernel, reports progress in batches and hands back P, Q, |T| as limbs
 * (transferred, not copied), then waits for the next task (SubtreeJob.next, or queueRoot: pi's 1/√10005 by
 * natRsqrtSmall, queued behind a range) until the caller terminates it. Never throws out of the thread: an error is
 * reported, so the waiting caller is always released.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { configure } from '../../config.js';
import { InvalidArgumentError } from '../../errors.js';
import { describeFailure, natExportLimbs, natRsqrtSmall, signalDone, suspendHelper } from '../../kernel/index.js';
import { piMultiplier } from './products.js';
import { split } from './series.js';
import type { SubtreeReply, SubtreeRequest, SubtreeTask } from './subtree.js';

const request = workerData as SubtreeRequest & { port: MessagePort; flag: Int32Array };
const { port, flag } = request;

/** Progress goes out at most this often (each message wakes nobody: the caller drains them when it looks). */
const REPORT_MS = 100;

function post(reply: SubtreeReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(reply, transfer);
}

function run({ a, b, needP }: Pick<SubtreeRequest, 'a' | 'b' | 'needP'>): void {
  if (!(Number.isSafeInteger(a) && Number.isSafeInteger(b) && 0 <= a && a < b)) {
    throw new InvalidArgumentError(`pi subtree: bad term range [${a}, ${b})`);
  }
  const steps = split(a, b, needP);
  let pending = 0;
  let last = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) {
      const { p, q, t } = step.value;
      const limbs = [p, q, t].map((x) => (x === undefined ? undefined : natExportLimbs(x)));
      const transfer = limbs.flatMap((x) => (x === undefined ? [] : [x.buffer as ArrayBuffer]));
      post({ progress: pending, result: { p: limbs[0], q: limbs[1]!, t: limbs[2]! } }, transfer);
      return;
    }
    pending += step.value;
    if (performance.now() - last > REPORT_MS) {
      post({ progress: pending });
      pending = 0;
      last = performance.now();
    }
  }
}

/** Y ≈ B^limbs/√c, its limbs transferred (pi's budgeted multiplier: this thread's configured share). */
function root(c: number, limbs: number): void {
  const y = natExportLimbs(natRsqrtSmall(c, limbs, piMultiplier));
  post({ progress: 0, root: y }, [y.buffer as ArrayBuffer]);
}

/**
 * One task: its result or its error posted, then its flag set (flag[0] for a range, flag[1] for the root: see
 * SubtreeJob), so the waiting caller is always released.
 */
function handle(task: SubtreeTask): void {
  if ('rootOf' in task) {
    let ok = true;
    try {
      root(task.rootOf, task.limbs);
    } catch (e) {
      ok = false;
      post({ progress: 0, error: describeFailure(e), rootFailed: true });
    }
    Atomics.store(flag, 1, ok ? 1 : 2);
    Atomics.notify(flag, 1);
    return;
  }
  let failed = false;
  try {
    run(task);
  } catch (e) {
    failed = true;
    post({ progress: 0, error: describeFailure(e) });
  }
  signalDone(flag, !failed);
}

configure({ memoryBudget: request.memoryBudget });
// This thread is one core's work already: its products must not start a kernel helper of their own.
suspendHelper();
handle(request);
parentPort?.on('message', handle);
