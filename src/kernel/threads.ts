/**
 * kernel/threads — the arithmetic threads: N − 1 workers (N = `MATHSTREAM_THREADS`, default the machine's available
 * parallelism, see config.ts) that run shares of the compiled FFT kernel's steps in its one shared wasm memory
 * (kernel/wasmheap.ts), and the one way any arithmetic thread is started and reports back (`startThread`,
 * `signalDone`; pi's subtree thread uses them too).
 *
 * A step is a list of shares, one per thread, each a list of kernel calls (`Job`): the caller's share runs here,
 * the others on the workers, and `runShares` returns when all are done. The kernel's API stays synchronous: the
 * caller publishes the shares in shared memory, bumps a generation counter the idle workers poll and then Atomics.wait
 * on, runs its own share, then polls and waits until the workers have counted down (Node allows Atomics.wait on the
 * main thread; polling first: SPIN_MICROS). No message per step, no copy: a share is a few numbers, the data is in
 * the shared wasm memory.
 * A worker's failure comes back as an ArithmeticCheckError in the caller.
 *
 * Determinism: callers split steps only into independent pieces (butterflies, sub-blocks, pairs, digit runs whose
 * carries are joined exactly), so every element sees the same operations whatever N is: the same bits for any N.
 *
 * Workers start on first use (tens of ms), are unref'd (they never keep a process alive) and stay for the life of
 * the process. Only the thread that loaded the kernel allocates wasm memory; workers only compute.
 */
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { getConfig } from '../config.js';
import { ArithmeticCheckError } from '../errors.js';
import { wasmShared, type KernelExports } from './wasmheap.js';

/** The kernel functions a share may call (their index is what crosses to the workers). */
const JOB_FUNCTIONS = [
  'dif4Stage', 'dit4Stage', 'difBlocks', 'ditBlocks', 'dif3Stage', 'dit3Stage', 'dif5Stage', 'dit5Stage',
  'forward', 'inverse', 'pwSelf', 'pwLevel', 'pwBlocks', 'pack', 'unpack', 'convolveColumns',
] as const satisfies ReadonlyArray<keyof KernelExports>;
export type JobFunction = (typeof JOB_FUNCTIONS)[number];
/** One kernel call: the function and its numeric arguments. */
export type Job = readonly [JobFunction, ...number[]];

const MAX_ARGS = 12;
const JOB_WORDS = 2 + MAX_ARGS;
/** Jobs one share may hold. */
export const MAX_JOBS = 1024;
const SLOT_WORDS = 1 + MAX_JOBS * JOB_WORDS;

/**
 * Control words: [0] generation, [1] workers still running, [2] error flag, [3] workers started, [4] 1 when the step's
 * caller will start another step right after it (the workers then poll for it before they sleep: runShares' `linger`).
 */
const GEN = 0, REMAINING = 1, ERROR = 2, READY = 3, LINGER = 4;
const CONTROL_WORDS = 5;

/**
 * How long (µs) a thread polls a control word before it sleeps on it: the caller for the workers' count-down, a
 * worker for the next step's generation when the caller said one follows (`linger`). Steps come in runs (a
 * transform's stages, its pointwise step, inverse and unpacking: a few µs apart), and waking a thread that sleeps in
 * Atomics.wait took 30–100 µs here (futex, scheduler, a virtual CPU's halt exit) while the other thread waited: that,
 * more than the work, is what made steps of 2^15–2^17 points gain little wall time split (fftcore.ts PARALLEL_MIN).
 * Measured on 2 threads of a 2-core machine: a forward and inverse transform of 2^16 points split ran 1.24× faster
 * than on one thread with sleeping threads, 1.77× polling for 30 µs, for 5% more CPU. A poll that catches nothing
 * costs this much CPU: so a worker polls only after a step the caller said is followed by another.
 */
export const SPIN_MICROS = 50;

/**
 * Waits until control[index] is no longer `value`: polls it for up to SPIN_MICROS, then sleeps (Atomics.wait).
 * @internal (fftworker.ts)
 */
export function spinThenWait(control: Int32Array, index: number, value: number): void {
  if (Atomics.load(control, index) !== value) return;
  const end = performance.now() + SPIN_MICROS / 1000;
  // performance.now() every 64 polls (~0.1–0.3 µs a poll): the clock costs more than a load.
  for (let i = 1; Atomics.load(control, index) === value; i++) {
    if ((i & 63) === 0 && performance.now() > end) {
      Atomics.wait(control, index, value);
      return;
    }
  }
}

/** How long a step waits for the workers to start before running on the threads it has. */
const START_TIMEOUT_MS = 15_000;

/**
 * Threads the kernel may use: `MATHSTREAM_THREADS` (config.ts; a positive integer, default the machine's available
 * parallelism). Values above the core count are allowed (they give the same digits, more slowly).
 */
export function fftThreads(): number {
  return getConfig().threads;
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
 * end keeps the process alive. Every arithmetic thread (this module's workers, pi's subtree thread) starts here.
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

// ---------------------------------------------------------------- the worker pool

interface Pool {
  threads: ArithmeticThread[];
  control: Int32Array;
  /** One slot of SLOT_WORDS doubles per worker. */
  jobs: Float64Array;
  ready: boolean;
}

let pool: Pool | null = null;
/** Set in a worker: workers never start workers. */
let isWorker = false;
let suspended = 0;

/**
 * Keeps the workers out of the steps started until the returned function is called (calls nest): they then run
 * on the calling thread alone. For a thread that is itself one of several (pi's subtree thread).
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

/** Threads a step started now would use (the caller included). */
export function activeThreads(): number {
  if (isWorker || suspended > 0) return 1;
  return fftThreads();
}

/** @internal Marks this thread as a pool worker (fftworker.ts). */
export function markWorker(): void {
  isWorker = true;
}

function startPool(workers: number): Pool {
  const control = new Int32Array(new SharedArrayBuffer(4 * CONTROL_WORDS));
  const jobs = new Float64Array(new SharedArrayBuffer(8 * SLOT_WORDS * workers));
  const { module, memory } = wasmShared();
  const threads: ArithmeticThread[] = [];
  for (let w = 0; w < workers; w++) {
    const t = startThread(new URL('./fftworker.js', import.meta.url), { module, memory, control, jobs, index: w });
    t.worker.on('error', () => dropPool(control));
    t.worker.on('exit', () => dropPool(control));
    threads.push(t);
  }
  return { threads, control, jobs, ready: false };
}

function dropPool(control: Int32Array): void {
  if (pool && pool.control === control) {
    for (const t of pool.threads) void t.worker.terminate();
    pool = null;
  }
}

/** The pool with at least `workers` workers, started and listening; null if it does not start in time. */
function readyPool(workers: number): Pool | null {
  if (pool && pool.threads.length < workers) dropPool(pool.control);
  pool ??= startPool(workers);
  const p = pool;
  if (!p.ready) {
    const deadline = Date.now() + START_TIMEOUT_MS;
    let n: number;
    while ((n = Atomics.load(p.control, READY)) < p.threads.length && Date.now() < deadline) {
      Atomics.wait(p.control, READY, n, Math.max(1, deadline - Date.now()));
    }
    p.ready = Atomics.load(p.control, READY) === p.threads.length;
    if (!p.ready) {
      dropPool(p.control);
      return null;
    }
  }
  return p;
}

/**
 * Starts the workers now without waiting for them (they boot while the caller prepares a large step: tables,
 * packing). No-op when steps would run on one thread or the pool is up.
 */
export function warmThreads(): void {
  const workers = activeThreads() - 1;
  if (workers < 1 || (pool && pool.threads.length >= workers)) return;
  if (pool) dropPool(pool.control);
  pool = startPool(workers);
}

function writeShare(jobs: Float64Array, slot: number, share: readonly Job[]): void {
  if (share.length > MAX_JOBS) throw new Error(`kernel threads: a share of ${share.length} jobs exceeds ${MAX_JOBS}`);
  let o = slot * SLOT_WORDS;
  jobs[o++] = share.length;
  for (const [fn, ...args] of share) {
    if (args.length > MAX_ARGS) throw new Error(`kernel threads: ${fn} with ${args.length} arguments`);
    jobs[o] = JOB_FUNCTIONS.indexOf(fn);
    jobs[o + 1] = args.length;
    for (let i = 0; i < args.length; i++) jobs[o + 2 + i] = args[i]!;
    o += JOB_WORDS;
  }
}

/**
 * Wakes the idle workers ahead of a step the caller is about to start, after some work of its own (copying and
 * packing the operands of transforms that then run side by side): a woken worker finds no new step and polls for
 * one (SPIN_MICROS) before it sleeps again, so its 30–100 µs of waking up overlap the caller's work instead of
 * following it. No-op when no pool is running or steps would run on one thread.
 */
export function prewakeThreads(): void {
  if (pool !== null && pool.ready && activeThreads() > 1) Atomics.notify(pool.control, GEN);
}

/** @internal Runs the share in a worker's slot (fftworker.ts) with that thread's kernel instance. */
export function runSlot(k: KernelExports, jobs: Float64Array, slot: number): void {
  let o = slot * SLOT_WORDS;
  const count = jobs[o++]!;
  const args: number[] = [];
  for (let j = 0; j < count; j++, o += JOB_WORDS) {
    const fn = JOB_FUNCTIONS[jobs[o]!]!;
    args.length = jobs[o + 1]!;
    for (let i = 0; i < args.length; i++) args[i] = jobs[o + 2 + i]!;
    (k[fn] as (...a: number[]) => unknown)(...args);
  }
}

function runShare(k: KernelExports, share: readonly Job[]): void {
  for (const [fn, ...args] of share) (k[fn] as (...a: number[]) => unknown)(...args);
}

/**
 * Runs shares[0] here and shares[t] on worker t − 1, all to completion (shares.length <= activeThreads(); with
 * fewer threads available, the remaining shares run here, one after the other). `linger`: the caller starts another
 * step right after this one (the next stage of a transform, the inverse after the pointwise step), so the workers
 * poll for it (SPIN_MICROS) instead of going to sleep; it changes only the timing, never a result.
 * @throws ArithmeticCheckError when a worker fails (after every share has finished).
 */
export function runShares(k: KernelExports, shares: ReadonlyArray<readonly Job[]>, linger = false): void {
  const p = shares.length > 1 && activeThreads() > 1 ? readyPool(activeThreads() - 1) : null;
  if (p === null) {
    for (const s of shares) runShare(k, s);
    return;
  }
  const workers = p.threads.length;
  for (let w = 0; w < workers; w++) writeShare(p.jobs, w, shares[w + 1] ?? []);
  Atomics.store(p.control, ERROR, 0);
  Atomics.store(p.control, LINGER, linger ? 1 : 0);
  Atomics.store(p.control, REMAINING, workers);
  Atomics.add(p.control, GEN, 1);
  Atomics.notify(p.control, GEN);
  let localError: unknown;
  try {
    runShare(k, shares[0]!);
  } catch (e) {
    localError = e;
  }
  // Workers always count down (their loop catches everything), so this wait ends.
  let r: number;
  while ((r = Atomics.load(p.control, REMAINING)) !== 0) spinThenWait(p.control, REMAINING, r);
  if (localError !== undefined) throw localError;
  if (Atomics.load(p.control, ERROR) !== 0) {
    const errors: string[] = [];
    for (const t of p.threads) {
      const m = receiveMessageOnPort(t.port)?.message as { error?: string } | undefined;
      if (m?.error) errors.push(m.error);
    }
    throw new ArithmeticCheckError(`FFT worker thread failed: ${errors.join('; ') || 'unknown error'}`);
  }
}

/** @internal Worker loop helpers (fftworker.ts): the control words' indices. */
export const CONTROL = { GEN, REMAINING, ERROR, READY, LINGER } as const;
