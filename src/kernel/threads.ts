/**
 * kernel/threads — the arithmetic threads: N − 1 workers (N = `MATHSTREAM_THREADS`, default the machine's available
 * parallelism, see config.ts) that run shares of the compiled FFT kernel's steps in its one shared wasm memory
 * (kernel/wasmheap.ts), and the one way any arithmetic thread is started and reports back (`startThread`,
 * `signalDone`; pi's subtree thread uses them too).
 *
 * A step is a list of chunks, independent pieces of work, each a list of kernel calls (`Job`), and `runShares`
 * returns when all are done. The kernel's API stays synchronous: the caller publishes the chunks in shared memory,
 * bumps a generation counter the idle workers poll and then Atomics.wait on, and then the caller and every worker
 * that is awake claim chunks one at a time from one shared claim word (compare-and-swap) until none is left; the
 * caller then polls and waits until every claimed chunk is done (Node allows Atomics.wait on the main thread;
 * polling first: SPIN_MICROS). No message per step, no copy: a chunk is a few numbers, the data is in the shared
 * wasm memory. Claiming, not a fixed share a thread, because on this kind of machine a thread is often late: a
 * sleeping worker took 0.3–1.5 ms to wake on a loaded 2-core VM, and a polling one is now and then descheduled for a
 * time slice; with fixed shares the whole step waited for it. Claimed, the caller runs the late thread's chunks
 * itself, so a step never takes longer than the caller alone plus one chunk.
 * A worker's failure comes back as an ArithmeticCheckError in the caller.
 *
 * Background steps (runInBackground, joinBackground): chunks the caller publishes and does not wait for, in a lane of
 * their own (claim, done and error words and a chunk table), for work known before it is needed (div.ts transforms
 * its divisor and each Newton level's D on the idle worker while the reciprocal's unsplit products run on the caller).
 * A worker looks at the caller's lane first and then at the background lane; a worker busy with a background chunk
 * is only a late worker for the caller's steps (their chunks are claimed by the others), so no thread waits for the
 * other kind of step. The caller joins a background step before it reads what the step wrote.
 *
 * Determinism: callers split steps only into independent pieces (butterflies, sub-blocks, pairs, digit runs whose
 * carries are joined exactly), so every element sees the same operations whatever N is and whichever thread claims
 * its chunk: the same bits for any N.
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
  'touchPages', // digitproduct.ts: the first touch of the transform buffers, in the background while it reads
] as const satisfies ReadonlyArray<keyof KernelExports>;
export type JobFunction = (typeof JOB_FUNCTIONS)[number];
/** One kernel call: the function and its numeric arguments. */
export type Job = readonly [JobFunction, ...number[]];

const MAX_ARGS = 12;
const JOB_WORDS = 2 + MAX_ARGS;
/**
 * Jobs one step may hold, all chunks together, with T threads: 16·T², and at least 4096. The largest steps are
 * fftcore's shared radix-4 stages: a stage over `count` blocks is one job a block in each of stepChunks(T) = 4T
 * chunks, and splitPlan shares a stage only while count < 4T, so such a step has fewer than 16T² jobs; a block step
 * has one job a chunk and fewer than 16T chunks, the pointwise step a chunk's jobs plus one a level, the unpacking
 * and forwardEachAt one a chunk, the out-of-core column pass (transform.ts) one a thread. fftcore's fusedPlan shares a
 * stage only while its blocks form fewer than 1.5T units (about half the blocks), so over fewer than 3T blocks: a
 * stage of one input has fewer than 12T² jobs, and beginForwards puts several inputs in one step only while they fit.
 */
export function jobCapacity(threads: number): number {
  return Math.max(4096, 16 * threads * threads);
}
/** Chunks one step may hold (the claim word holds a chunk index and the count in 15 bits each). */
export const MAX_CHUNKS = (1 << 15) - 1;
const CHUNK_BITS = 15;
const CHUNK_MASK = (1 << CHUNK_BITS) - 1;

/**
 * Control words: [0] generation, [1] the claim word (count << 15 | next unclaimed chunk), [2] chunks done,
 * [3] error flag, [4] workers started, [5] 1 when the step's caller will start another step right after it (the
 * workers then poll for it before they sleep: runShares' `linger`).
 *
 * Why the claim word needs no generation: a compare-and-swap that moves it from (c, i) to (c, i + 1), i < c, claims
 * chunk i of the step whose chunks are in the table at that moment, whatever step the claiming thread believes it is
 * in: the caller writes a step's table before it publishes (c, 0), and rewrites it only after all c chunks are done,
 * which includes every chunk claimed from that word. So a stale thread that reads the word, is descheduled and
 * comes back to a later step's word of the same value claims a chunk of that later step, exactly once, and runs
 * it from the table as it is then. `done` counts only claimed chunks, so it reaches c exactly when the step is over.
 */
const GEN = 0, CLAIM = 1, DONE = 2, ERROR = 3, READY = 4, LINGER = 5;
/** The background lane's claim, done and error words (runInBackground): the same protocol as CLAIM, DONE, ERROR. */
const BG_CLAIM = 6, BG_DONE = 7, BG_ERROR = 8;
const CONTROL_WORDS = 9;

/**
 * A lane of steps: its claim, done and error words and its chunk table. The caller's steps (runShares) use one,
 * background steps (runInBackground) the other, so a step can start while a background step still runs: a worker
 * busy with a background chunk is just a late worker for it (its chunks are claimed by the others and the caller).
 */
export interface Lane {
  readonly claim: number;
  readonly done: number;
  readonly error: number;
  /** The step's jobs, JOB_WORDS doubles each: function index, argument count, arguments. */
  readonly jobs: Float64Array;
  /** The step's chunks: chunk i is jobs [starts[i], starts[i + 1]). */
  readonly starts: Int32Array;
}

/** A lane's words and a fresh table of `capacity` jobs. */
function newLane(claimWord: number, doneWord: number, errorWord: number, capacity: number): Lane {
  return {
    claim: claimWord,
    done: doneWord,
    error: errorWord,
    jobs: new Float64Array(new SharedArrayBuffer(8 * JOB_WORDS * capacity)),
    starts: new Int32Array(new SharedArrayBuffer(4 * (MAX_CHUNKS + 1))),
  };
}

/**
 * How long (µs) a thread polls a control word before it sleeps on it: the caller for the workers' count-down, a
 * worker for the next step's generation when the caller said one follows (`linger`). Steps come in runs (a
 * transform's stages, its pointwise step, inverse and unpacking: a few µs apart), and waking a thread that sleeps in
 * Atomics.wait took 30–100 µs here (futex, scheduler, a virtual CPU's halt exit) while the other thread waited: that,
 * more than the work, is what made steps of 2^15–2^17 points gain little wall time split (fftcore.ts PARALLEL_MIN).
 * Measured on 2 threads of a 2-core machine: a forward and inverse transform of 2^16 points split ran 1.24× faster
 * than on one thread with sleeping threads, 1.77× polling for 30 µs, for 5% more CPU. A poll that catches nothing
 * costs this much CPU: so a worker polls only after a step the caller said is followed by another.
 * With claimed chunks a sleeping worker no longer holds a step up (the caller runs its chunks), so polling buys less:
 * one step of two 30 µs chunks took 36 µs with a polling worker against 83 µs with a sleeping one (medians of 1000,
 * load ~3; quiet: two 17 µs chunks 34 against 73 µs, eight 17 µs chunks 97 against 203 µs, 140 µs on one thread), while at 10^6 digits the same-process A/B of 50 against 0 µs (31 rounds, 2 threads, load ~3) moved
 * neither the product's, the division's nor the root's CPU or wall time beyond the noise. Oversubscribed (load 5–6:
 * other processes and one busy loop on the 2 cores), pi 10^7 on 2 threads took 3–5% more CPU polling (9.7–11.5 s
 * against 9.3–10.6 s, four runs each, alternated) at a wall time that varied ±30% run to run either way. Kept at 50:
 * the cost is bounded (50 µs a step run, a few % when the cores are oversubscribed) and short steps need it.
 * Tried and removed (2026-12-07): workers that after a step nap in timed waits (Atomics.wait with a 30 or 100 µs
 * timeout) for 3 ms before they sleep, announcing their sleep so that a step notifies only sleepers. A V8 timed wait
 * took ~110–130 µs of wall time and ~25 µs of CPU whatever its timeout up to 50 µs, so a napping worker held ~24% of
 * a core; same-process A/Bs on a quiet machine (2 threads, 21–41 rounds) moved the product, the division and the root
 * at 10^6 and 4·10^6 digits by less than the noise (the root +3–6% CPU); with one busy loop beside them the division
 * at 10^6 digits took 17–18% more wall time and the root at 4·10^6 6–8% more (naps taking the CPU the caller needs).
 * Notifying only announced sleepers, without naps, also measured the same as notifying every step.
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
  /** The caller's steps (runShares). */
  main: Lane;
  /** Background steps (runInBackground). */
  background: Lane;
  /** Jobs a lane's table holds (jobCapacity). */
  capacity: number;
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

/**
 * Chunks a step shared among T threads is cut into (runShares): 4 a thread. A step then ends at most a quarter of a
 * thread's share after the caller runs out of chunks, also when a worker joins late or runs slower (its core shared
 * with another process), while a claim (one compare-and-swap on a word the threads share, well under a µs) stays
 * far below a chunk's work (tens of µs and more from PARALLEL_MIN on).
 */
export function stepChunks(threads: number): number {
  return threads > 1 ? 4 * threads : 1;
}

/** @internal Marks this thread as a pool worker (fftworker.ts). */
export function markWorker(): void {
  isWorker = true;
}

function startPool(workers: number): Pool {
  const control = new Int32Array(new SharedArrayBuffer(4 * CONTROL_WORDS));
  const capacity = jobCapacity(workers + 1);
  const main = newLane(CLAIM, DONE, ERROR, capacity);
  const background = newLane(BG_CLAIM, BG_DONE, BG_ERROR, capacity);
  const { module, memory } = wasmShared();
  const threads: ArithmeticThread[] = [];
  for (let w = 0; w < workers; w++) {
    const t = startThread(new URL('./fftworker.js', import.meta.url), { module, memory, control, main, background });
    t.worker.on('error', () => dropPool(control));
    t.worker.on('exit', () => dropPool(control));
    threads.push(t);
  }
  return { threads, control, main, background, capacity, ready: false };
}

function dropPool(control: Int32Array): void {
  if (pool && pool.control === control) {
    for (const t of pool.threads) void t.worker.terminate();
    pool = null;
  }
}

/** The pool with at least `workers` workers, started and listening; null if it does not start in time. */
function readyPool(workers: number): Pool | null {
  if (pool && pool.threads.length < workers) {
    joinBackground();
    dropPool(pool.control);
  }
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
  joinBackground();
  if (pool) dropPool(pool.control);
  pool = startPool(workers);
}

function writeChunks(p: Pool, lane: Lane, chunks: ReadonlyArray<readonly Job[]>): void {
  if (chunks.length > MAX_CHUNKS) throw new Error(`kernel threads: ${chunks.length} chunks exceed ${MAX_CHUNKS}`);
  let j = 0;
  for (let c = 0; c < chunks.length; c++) {
    lane.starts[c] = j;
    for (const [fn, ...args] of chunks[c]!) {
      if (j >= p.capacity) throw new Error(`kernel threads: a step of more than ${p.capacity} jobs`);
      if (args.length > MAX_ARGS) throw new Error(`kernel threads: ${fn} with ${args.length} arguments`);
      const o = j++ * JOB_WORDS;
      lane.jobs[o] = JOB_FUNCTIONS.indexOf(fn);
      lane.jobs[o + 1] = args.length;
      for (let i = 0; i < args.length; i++) lane.jobs[o + 2 + i] = args[i]!;
    }
  }
  lane.starts[chunks.length] = j;
}

/** Claims the next chunk of the current step (its index), or returns -1 when all are claimed (see CLAIM). */
function claim(control: Int32Array, lane: Lane): number {
  for (;;) {
    const w = Atomics.load(control, lane.claim);
    const i = w & CHUNK_MASK;
    if (i >= w >>> CHUNK_BITS) return -1;
    if (Atomics.compareExchange(control, lane.claim, w, w + 1) === w) return i;
  }
}

/** Counts one claimed chunk done; the thread that completes the step wakes the caller if it sleeps. */
function chunkDone(control: Int32Array, lane: Lane): void {
  const done = Atomics.add(control, lane.done, 1) + 1;
  if (done === Atomics.load(control, lane.claim) >>> CHUNK_BITS) Atomics.notify(control, lane.done);
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

/**
 * @internal A worker's part of the current step (fftworker.ts): claims chunks and runs them from the table with
 * that thread's kernel instance until none is left. A failing chunk is reported through `fail` (and counted done:
 * the caller is always released).
 */
export function runClaimed(k: KernelExports, control: Int32Array, lane: Lane, fail: (e: unknown) => void): void {
  const { jobs, starts } = lane;
  const args: number[] = [];
  for (let c; (c = claim(control, lane)) >= 0; ) {
    try {
      for (let j = starts[c]!, end = starts[c + 1]!; j < end; j++) {
        const o = j * JOB_WORDS;
        const fn = JOB_FUNCTIONS[jobs[o]!]!;
        args.length = jobs[o + 1]!;
        for (let i = 0; i < args.length; i++) args[i] = jobs[o + 2 + i]!;
        (k[fn] as (...a: number[]) => unknown)(...args);
      }
    } catch (e) {
      fail(e);
      Atomics.store(control, lane.error, 1);
    }
    chunkDone(control, lane);
  }
}

/** Runs one chunk's kernel calls in order on this thread (a chunk run inline, or a caller's own share). */
export function runShare(k: KernelExports, share: readonly Job[]): void {
  for (const [fn, ...args] of share) (k[fn] as (...a: number[]) => unknown)(...args);
}

/**
 * Runs the chunks (independent pieces of one step, any number of them) to completion: this thread and every worker
 * that is awake claim them one at a time (see CLAIM), so a late worker's chunks are run here. With one thread, or a
 * single chunk, they all run here in order. Chunks of about equal cost, a few per thread, let the threads finish
 * together: a step ends at most one chunk after the caller runs out of chunks to claim. `linger`: the caller starts
 * another step right after this one (the next stage of a transform, the inverse after the pointwise step), so the
 * workers poll for it (SPIN_MICROS) instead of going to sleep; it changes only the timing, never a result.
 * @throws ArithmeticCheckError when a chunk fails on a worker (after every chunk has finished); a chunk failing here
 * throws its own error, likewise after every chunk has finished.
 */
export function runShares(k: KernelExports, chunks: ReadonlyArray<readonly Job[]>, linger = false): void {
  const p = chunks.length > 1 && activeThreads() > 1 ? readyPool(activeThreads() - 1) : null;
  if (p === null) {
    for (const s of chunks) runShare(k, s);
    return;
  }
  publish(p, p.main, chunks, linger);
  finishStep(k, p, p.main, chunks);
}

/**
 * Writes a step's chunks into its lane and wakes the workers for it (runShares, runInBackground): every step bumps
 * GEN, and a worker woken or done with a chunk looks at both lanes (fftworker.ts).
 */
function publish(p: Pool, lane: Lane, chunks: ReadonlyArray<readonly Job[]>, linger: boolean): void {
  const control = p.control;
  writeChunks(p, lane, chunks);
  Atomics.store(control, lane.error, 0);
  if (lane === p.main) Atomics.store(control, LINGER, linger ? 1 : 0);
  Atomics.store(control, lane.done, 0);
  Atomics.store(control, lane.claim, chunks.length << CHUNK_BITS);
  Atomics.add(control, GEN, 1);
  Atomics.notify(control, GEN);
}

/**
 * The caller's part of a step published in `lane`: claims and runs chunks until none is left, then waits until every
 * claimed chunk is done and reports the first failure (runShares' @throws).
 */
function finishStep(k: KernelExports, p: Pool, lane: Lane, chunks: ReadonlyArray<readonly Job[]>): void {
  const control = p.control;
  let localError: unknown;
  for (let c; (c = claim(control, lane)) >= 0; ) {
    try {
      runShare(k, chunks[c]!);
    } catch (e) {
      localError ??= e;
    }
    chunkDone(control, lane);
  }
  // Every claimed chunk is counted done, also when it fails (runClaimed), so this wait ends.
  let d: number;
  while ((d = Atomics.load(control, lane.done)) !== chunks.length) spinThenWait(control, lane.done, d);
  if (localError !== undefined) throw localError;
  if (Atomics.load(control, lane.error) !== 0) {
    const errors: string[] = [];
    for (const t of p.threads) {
      for (let m; (m = receiveMessageOnPort(t.port)?.message as { error?: string } | undefined); ) if (m.error) errors.push(m.error);
    }
    throw new ArithmeticCheckError(`FFT worker thread failed: ${errors.join('; ') || 'unknown error'}`);
  }
}

// ---------------------------------------------------------------- background steps

/**
 * The background step published and not yet joined (runInBackground), with the kernel the caller would run its
 * unclaimed chunks on, and its ticket.
 */
let background: { k: KernelExports; p: Pool; chunks: ReadonlyArray<readonly Job[]>; ticket: number } | null = null;
let tickets = 0;

/**
 * Publishes `chunks` as a step that the idle workers run while the caller goes on with other work (coarse
 * parallelism: work known in advance, such as the forward transform of an operand a later product needs, runs on
 * the thread that a chain of short, unsplit products leaves idle). Returns a ticket for joinBackground. The
 * chunks' memory must stay untouched by the caller until it joins. Background steps have their own lane: the
 * caller's steps (runShares) go on meanwhile, a worker running a background chunk being for them a late worker
 * (their chunks are claimed by the caller and the other workers), so no thread ever waits for the other kind of
 * step. One background step at a time (a second joins the first). With one thread, or no pool, the chunks run here
 * at once. The chunks are the same kernel calls whichever thread runs them: the same bits for any thread count.
 */
export function runInBackground(k: KernelExports, chunks: ReadonlyArray<readonly Job[]>): number {
  joinBackground();
  const ticket = ++tickets;
  const p = activeThreads() > 1 ? readyPool(activeThreads() - 1) : null;
  if (p === null) {
    for (const s of chunks) runShare(k, s);
    return ticket;
  }
  publish(p, p.background, chunks, false);
  background = { k, p, chunks, ticket };
  return ticket;
}

/**
 * Finishes the background step (of `ticket` only, when given; any otherwise): the caller runs the chunks no worker
 * claimed, waits for the claimed ones and reports failures as runShares does. No-op when it is already joined.
 */
export function joinBackground(ticket?: number): void {
  const b = background;
  if (b === null || (ticket !== undefined && b.ticket !== ticket)) return;
  background = null;
  finishStep(b.k, b.p, b.p.background, b.chunks);
}

/**
 * Whether the background step of `ticket` is pending with every chunk claimed and not all done: joining it now would
 * only wait for a worker (which, on a loaded machine, may be descheduled for a time slice); a caller that can do
 * without its result does (spectra.ts natSpectrumBegin).
 */
export function backgroundInFlight(ticket: number): boolean {
  const b = background;
  if (b === null || b.ticket !== ticket) return false;
  const w = Atomics.load(b.p.control, BG_CLAIM);
  return (w & CHUNK_MASK) >= w >>> CHUNK_BITS && Atomics.load(b.p.control, BG_DONE) !== b.chunks.length;
}

/**
 * Whether the workers are up (started and listening), without waiting for them: a caller with optional work for
 * them (a background step) skips it while they boot (tens of ms) instead of waiting there (warmThreads starts them).
 */
export function threadsReady(): boolean {
  const p = pool;
  return p !== null && p.threads.length >= activeThreads() - 1 && (p.ready || Atomics.load(p.control, READY) === p.threads.length);
}

/** Whether a background step is still running (a caller with optional background work skips it then). */
export function backgroundBusy(): boolean {
  const b = background;
  return b !== null && Atomics.load(b.p.control, BG_DONE) !== b.chunks.length;
}

/** @internal Worker loop helpers (fftworker.ts): the control words' indices. */
export const CONTROL = { GEN, READY, LINGER } as const;
