/**
 * kernel/threads — one helper thread for the FFT, so that a large product uses both cores of the machine, and the
 * one way an arithmetic thread is started and reports back (`startThread`, `signalDone`; pi's subtree thread uses
 * them too).
 *
 * The kernel's API stays synchronous: the caller posts the helper's half of a step, does its own half, then blocks
 * on an Atomics.wait until the helper has finished (Node allows Atomics.wait on the main thread). Data is shared,
 * never copied: transform buffers live in SharedArrayBuffers (fft.ts's pool), and a message carries only views of
 * them. The helper's completion and any error come back through a MessageChannel read
 * synchronously with `receiveMessageOnPort`, so a failure in the helper surfaces as an exception in the caller.
 *
 * Why one helper and not a pool: the machines this runs on have 2 cores; every step splits into two equal halves.
 * `MATHSTREAM_THREADS=1` (or a single-core machine) turns the helper off; the code paths then stay serial.
 * The helper is started on first use (about 30 ms) and unref'd, so it never keeps a process alive.
 */
import { availableParallelism } from 'node:os';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { ArithmeticCheckError, InvalidArgumentError } from '../errors.js';

/** The FFT helper: flag[1] is 1 once it listens (set by the helper; read before the first task). */
interface Helper extends ArithmeticThread {
  ready: boolean;
}

/** How long the first task waits for the helper to start before the kernel gives up on it and stays serial. */
const START_TIMEOUT_MS = 15_000;

let helper: Helper | null | undefined;

/**
 * Threads the FFT may use: min(2, available cores), or fewer if `MATHSTREAM_THREADS` says so (a positive integer;
 * values above 2 mean 2). Anything else is an InvalidArgumentError rather than a silent default.
 */
export function fftThreads(): number {
  const raw = process.env['MATHSTREAM_THREADS'];
  const wanted = raw === undefined || raw.trim() === '' ? 2 : Number(raw);
  if (!Number.isInteger(wanted) || wanted < 1) {
    throw new InvalidArgumentError(`MATHSTREAM_THREADS must be a positive integer (1 = single-threaded), got "${raw}"`);
  }
  return Math.min(2, wanted, availableParallelism());
}

/** True when the array's memory is shared with the helper. */
export function isShared(a: Float64Array): boolean {
  return a.buffer instanceof SharedArrayBuffer;
}

/** A thread started by startThread: its reply port and its shared flag (see below). */
export interface ArithmeticThread {
  worker: Worker;
  port: MessagePort;
  /** [0]: 0 while working, 1 done, 2 failed (set with signalDone); [1]: free for the thread's own protocol. */
  flag: Int32Array;
}

/**
 * Starts the worker script `url` with `data` plus `port` (its end of a MessageChannel, for replies the caller reads
 * synchronously with receiveMessageOnPort) and `flag` (shared Int32 slots the caller can Atomics.wait on). Neither
 * end keeps the process alive. Both arithmetic threads (this module's FFT helper, pi's subtree thread) start here.
 */
export function startThread(url: URL, data: object): ArithmeticThread {
  const { port1, port2 } = new MessageChannel();
  const flag = new Int32Array(new SharedArrayBuffer(8));
  // execArgv: [] — a thread must not inherit flags meant for the main script (`--input-type=module -e ...`
  // makes a file worker fail to start).
  const worker = new Worker(url, { workerData: { ...data, port: port2, flag }, transferList: [port2], execArgv: [] });
  worker.unref();
  port1.unref();
  return { worker, port: port1, flag };
}

/** Thread side: one line describing a failure, as the caller reports it ("InvalidArgumentError: …"). */
export function describeFailure(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** Thread side: sets flag[0] to done (1) or failed (2) and wakes the waiting caller. Post any reply first. */
export function signalDone(flag: Int32Array, ok: boolean): void {
  Atomics.store(flag, 0, ok ? 1 : 2);
  Atomics.notify(flag, 0);
}

function startHelper(): Helper | null {
  if (fftThreads() < 2) return null;
  const thread = startThread(new URL('./fftworker.js', import.meta.url), {});
  thread.worker.on('error', () => disable(thread.worker));
  thread.worker.on('exit', () => disable(thread.worker));
  return { ...thread, ready: false };
}

function disable(worker: Worker): void {
  if (helper && helper.worker === worker) helper = null;
}

/** Blocks until the helper listens; false (and the helper is dropped) if it does not start in time. */
function awaitReady(h: Helper): boolean {
  if (h.ready) return true;
  Atomics.wait(h.flag, 1, 0, START_TIMEOUT_MS);
  h.ready = Atomics.load(h.flag, 1) === 1;
  if (!h.ready) {
    void h.worker.terminate();
    helper = null;
  }
  return h.ready;
}

let suspended = 0;

/**
 * Keeps the helper out of the products started until the returned function is called (calls nest). For long
 * work whose time is elsewhere but whose peak memory matters: a helper pins its shared buffer pool (up to
 * 256 MiB) and its own twiddle tables for the life of the process.
 */
export function suspendHelper(): () => void {
  suspended++;
  let resumed = false;
  return () => {
    if (!resumed) {
      resumed = true;
      suspended--;
    }
  };
}

/** Whether products would use the helper now (without starting it). */
export function helperWanted(): boolean {
  return suspended === 0 && helper !== null && fftThreads() > 1;
}

/** The helper thread, started on first call; null when the kernel runs single-threaded or the helper is suspended. */
function getHelper(): Helper | null {
  if (suspended > 0) return null;
  if (helper === undefined) helper = startHelper();
  return helper;
}

/** Turns the helper off for this thread (the helper itself calls it: helpers never start helpers). */
export function disableHelper(): void {
  helper = null;
}

/** Whether `runWithHelper` will really run two halves at once. */
export function helperAvailable(): boolean {
  return getHelper() !== null;
}

/**
 * Runs `remote` (a message the helper's `fftworker` understands) on the helper while `local()` runs here; returns
 * when both are done. Throws if the helper reports an error. If there is no helper, or it never started,
 * `remoteHere()` does the helper's half in this thread instead.
 */
export function runWithHelper(local: () => void, remote: unknown, remoteHere: () => void): void {
  const h = getHelper();
  if (h === null || !awaitReady(h)) {
    local();
    remoteHere();
    return;
  }
  Atomics.store(h.flag, 0, 0);
  h.worker.postMessage(remote);
  let localError: unknown;
  try {
    local();
  } catch (e) {
    localError = e;
  }
  // The helper always answers (its handler catches everything), so this wait ends.
  while (Atomics.load(h.flag, 0) === 0) Atomics.wait(h.flag, 0, 0);
  const failed = Atomics.load(h.flag, 0) !== 1;
  const reply = failed ? (receiveMessageOnPort(h.port)?.message as { error?: string } | undefined) : undefined;
  if (localError !== undefined) throw localError;
  if (failed) throw new ArithmeticCheckError(`FFT helper thread failed: ${reply?.error ?? 'unknown error'}`);
}

/** Posts a message the helper handles without an answer (e.g. dropping cached tables). */
export function notifyHelper(message: unknown): void {
  if (helper) helper.worker.postMessage(message);
}
