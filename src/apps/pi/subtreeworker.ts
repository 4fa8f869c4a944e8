/**
 * subtreeworker — entry point of the thread that computes one subtree of pi's binary splitting (see subtree.ts):
 * runs `split(a, b, needP)` with its own kernel, reports progress in batches and hands back P, Q, |T| as limbs
 * (transferred), then waits for the next task (SubtreeJob.next, or queueRoot: pi's 1/√10005 by natRsqrtSmall,
 * queued behind a range, and with `times` the product N of compute.ts from it and the last range's Q) until the
 * caller terminates it. Never throws out of the thread: an error is reported, so the waiting caller is always
 * released.
 *
 * P, Q and T go out in their own buffers where a Nat's limbs fill its buffer (a product's or a sum's result, trimmed
 * by at most a few limbs): the thread drops them once posted, so a copy would only add fresh pages (at 10^7
 * decimals ~19 MB, ~4,700 first-touch faults of ~13 µs on the measuring VM) and a pass over them. A range asked to
 * keep its Q (a RootProduct follows) keeps it here instead of sending it.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { configure } from '../../config.js';
import { InvalidArgumentError } from '../../errors.js';
import {
  type Nat, describeFailure, natExportLimbs, natMulSmall, natRsqrtSmall, signalDone, suspendHelper,
} from '../../kernel/index.js';
import { largeStep, piMultiplier } from './products.js';
import { split } from './series.js';
import { floatOf, floatTruncate } from './signed.js';
import type { RootProduct, SubtreeReply, SubtreeRequest, SubtreeTask } from './subtree.js';

const request = workerData as SubtreeRequest & { port: MessagePort; flag: Int32Array };
const { port, flag } = request;

/** Progress goes out at most this often (each message wakes nobody: the caller drains them when it looks). */
const REPORT_MS = 100;

function post(reply: SubtreeReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(reply, transfer);
}

/** The Q of the last range computed here with `keepQ`, kept for a RootProduct (dropped when the next range starts or when used). */
let lastQ: Nat | undefined;

/** Limbs a whole buffer may have beyond its Nat's (a trimmed top) and still be handed over instead of copied. */
const HANDOVER_SLACK_LIMBS = 64;
/**
 * Nats shorter than this are copied: a copy of 8 KB costs microseconds, and the kernel's shared constants (NAT_ONE's
 * buffer, which a handover would detach in this thread) are far below it.
 */
const HANDOVER_MIN_LIMBS = 4096;

/**
 * x's limbs to post: its own array where it is long (HANDOVER_MIN_LIMBS), starts its buffer and fills it but for
 * HANDOVER_SLACK_LIMBS, and neither another posted array nor a Nat kept here (`kept`) uses that buffer (x is dropped
 * after posting), else a copy (natExportLimbs). Its buffer joins `transfer`.
 */
function handOver(x: Nat, transfer: ArrayBuffer[], kept?: Nat): Uint16Array {
  const { limbs } = x;
  const buffer = limbs.buffer;
  const whole = buffer instanceof ArrayBuffer && limbs.length >= HANDOVER_MIN_LIMBS && limbs.byteOffset === 0
    && buffer.byteLength - limbs.byteLength <= 2 * HANDOVER_SLACK_LIMBS;
  const out = whole && !transfer.includes(buffer) && kept?.limbs.buffer !== buffer ? limbs : natExportLimbs(x);
  transfer.push(out.buffer as ArrayBuffer);
  return out;
}

function run({ a, b, needP, keepQ }: Pick<SubtreeRequest, 'a' | 'b' | 'needP' | 'keepQ'>): void {
  lastQ = undefined;
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
      if (keepQ) lastQ = q;
      const transfer: ArrayBuffer[] = [];
      const result = {
        p: p === undefined ? undefined : handOver(p, transfer, lastQ),
        q: keepQ ? new Uint16Array(0) : handOver(q, transfer),
        t: handOver(t, transfer, lastQ),
      };
      post({ progress: pending, result }, transfer);
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

/**
 * Y ≈ B^limbs/√c (pi's budgeted multiplier: this thread's configured share), or with `times` the product Y·⌊Q⌋·factor
 * of compute.ts (⌊Q⌋ the last range's Q cut as compute.ts's rootQuotient cuts Q1, so the same Float), its limbs
 * transferred with the exponent.
 */
function root(c: number, limbs: number, times: RootProduct | undefined): void {
  if (times && lastQ === undefined) throw new InvalidArgumentError('pi subtree: a root product asked of a thread that holds no range\'s Q');
  const y = natRsqrtSmall(c, limbs, piMultiplier);
  let value = y;
  let exponent = 0;
  if (times && lastQ !== undefined) {
    const cut = floatTruncate(floatOf({ negative: false, magnitude: lastQ }), times.precision);
    lastQ = undefined;
    const scaled = natMulSmall(cut.mantissa, times.factor);
    value = largeStep(() => piMultiplier.mul(y, scaled));
    exponent = cut.exponent;
  }
  const transfer: ArrayBuffer[] = [];
  post({ progress: 0, root: handOver(value, transfer), rootExponent: exponent }, transfer);
}

/**
 * One task: its result or its error posted, then its flag set (flag[0] for a range, flag[1] for the root: see
 * SubtreeJob), so the waiting caller is always released. A root is a thread's last task (SubtreeJob.queueRoot): the
 * thread then stops listening and ends, so its heap and wasm memory (at 10^7 decimals ~120 MB with the root's
 * product) go while the caller still works on the root merge, not when it takes the result and stops the thread.
 */
function handle(task: SubtreeTask): void {
  if ('rootOf' in task) {
    let ok = true;
    try {
      root(task.rootOf, task.limbs, task.times);
    } catch (e) {
      ok = false;
      post({ progress: 0, error: describeFailure(e), rootFailed: true });
    }
    Atomics.store(flag, 1, ok ? 1 : 2);
    Atomics.notify(flag, 1);
    parentPort?.off('message', handle);
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
