/**
 * runs — the web app's run registry: every long computation (a Collatz run, a calculation, the
 * pi file) is a worker thread registered here, with its last event, its Server-Sent Events
 * listeners and its cancellation. One registry for every page, so the limit on concurrent runs
 * holds across pages.
 *
 * Protocol with the worker (protocol.ts of each app): the worker posts `progress` events, then
 * exactly one `result` or `failed`. Cancelling is one of two kinds, chosen per run:
 * - `terminate`: the thread is stopped at once (Collatz: it holds nothing outside its heap);
 * - `signal`: the thread gets `{type: 'cancel'}` and aborts its AbortSignal, so the engine
 *   removes its partial files and rows itself; the run counts as running until the thread says
 *   so (a `failed` event with code CANCELLED). A page that sees `cancelled` can rely on "no
 *   file, no row". A thread that does not answer within CANCEL_GRACE_MS is terminated.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { HttpError } from './http.js';
import { failedEvent } from '../collatz/protocol.js';

/** What a worker posts: progress (any fields), then one final result or failure. */
export type WorkerEvent =
  | { readonly type: 'progress'; readonly [field: string]: unknown }
  | { readonly type: 'result'; readonly [field: string]: unknown }
  | { readonly type: 'failed'; readonly error: { readonly code: string; readonly message: string } };

export type RunEvent = WorkerEvent | { readonly type: 'cancelled' };

export type RunState = 'running' | 'done' | 'failed' | 'cancelled';

export interface RunSnapshot {
  readonly id: string;
  readonly kind: string;
  readonly state: RunState;
  readonly last: RunEvent | undefined;
}

export interface RunSpec {
  /** What runs: 'collatz', 'calc', 'pi'. */
  readonly kind: string;
  readonly worker: URL;
  readonly workerData: unknown;
  readonly cancel: 'terminate' | 'signal';
  /**
   * Called in this thread with the worker's result before anyone sees it; may replace it (the
   * calculator takes its own reference on the result file here). A throw fails the run.
   */
  readonly adopt?: (result: WorkerEvent & { type: 'result' }) => Promise<WorkerEvent>;
}

export interface Run {
  readonly id: string;
  readonly kind: string;
  state: RunState;
  last: RunEvent | undefined;
  readonly listeners: Set<ServerResponse>;
  worker: Worker | undefined;
  cancelRequested: boolean;
  /** The final event has arrived and is being adopted: the thread's exit is expected now. */
  settling: boolean;
  readonly spec: RunSpec;
}

const FINISHED_RUNS_KEPT = 64;
const CANCEL_GRACE_MS = 10_000;

export class RunRegistry {
  readonly #runs = new Map<string, Run>();
  readonly #maxRunning: number;

  constructor(maxRunning: number) {
    this.#maxRunning = maxRunning;
  }

  running(): number {
    let count = 0;
    for (const run of this.#runs.values()) if (run.state === 'running') count++;
    return count;
  }

  /** Refuses with 429 when `maxRunning` runs are computing. @throws HttpError 429 */
  checkCapacity(): void {
    if (this.running() >= this.#maxRunning) {
      throw new HttpError(429, `${this.#maxRunning} runs are already computing; wait for one to finish or cancel it`);
    }
  }

  /** Starts a worker for `spec`. @throws HttpError 429 when too many runs compute already */
  start(spec: RunSpec): Run {
    this.checkCapacity();
    const run: Run = { id: randomUUID(), kind: spec.kind, state: 'running', last: undefined, listeners: new Set(), worker: undefined, cancelRequested: false, settling: false, spec };
    const worker = new Worker(spec.worker, { workerData: spec.workerData });
    run.worker = worker;
    const adopt = spec.adopt;
    worker.on('message', (message: WorkerEvent) => {
      if (run.state !== 'running') return;
      if (message.type === 'progress') {
        this.#publish(run, message);
      } else if (message.type === 'result') {
        if (adopt === undefined) {
          this.#finish(run, 'done', message);
          return;
        }
        // Node delivers a thread's last messages and then its 'exit' in one go: the exit must
        // not count as a crash while the result is being adopted.
        run.settling = true;
        adopt(message).then(
          (event) => this.#finish(run, event.type === 'failed' ? 'failed' : 'done', event),
          (error: unknown) => this.#finish(run, 'failed', failedEvent(error)),
        );
      } else if (message.error.code === 'CANCELLED' && run.cancelRequested) {
        this.#finish(run, 'cancelled', { type: 'cancelled' });
      } else {
        this.#finish(run, 'failed', message);
      }
    });
    worker.on('error', (error) => this.#finish(run, 'failed', failedEvent(error)));
    worker.on('exit', (code) => {
      if (run.settling) return;
      if (run.cancelRequested) this.#finish(run, 'cancelled', { type: 'cancelled' });
      else this.#finish(run, 'failed', { type: 'failed', error: { code: 'INTERNAL', message: `the computation stopped unexpectedly (exit code ${code})` } });
    });
    this.#runs.set(run.id, run);
    return run;
  }

  /** A run of this kind that is still computing, if any. */
  runningOfKind(kind: string): Run | undefined {
    for (const run of this.#runs.values()) if (run.kind === kind && run.state === 'running') return run;
    return undefined;
  }

  get(id: string): Run | undefined {
    return this.#runs.get(id);
  }

  snapshot(run: Run): RunSnapshot {
    return { id: run.id, kind: run.kind, state: run.state, last: run.last };
  }

  /** Asks a run to stop (see the module comment for the two kinds). */
  cancel(run: Run): void {
    if (run.state !== 'running' || run.worker === undefined) return;
    run.cancelRequested = true;
    if (run.spec.cancel === 'terminate') {
      this.#finish(run, 'cancelled', { type: 'cancelled' });
      return;
    }
    run.worker.postMessage({ type: 'cancel' });
    const worker = run.worker;
    setTimeout(() => {
      if (run.worker === worker) void worker.terminate();
    }, CANCEL_GRACE_MS).unref();
  }

  /** Streams the run's events as Server-Sent Events: the last one at once, then each new one. */
  stream(run: Run, req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    res.write('retry: 1000\n\n');
    if (run.last !== undefined) res.write(frame(run.last));
    if (run.state !== 'running') {
      res.end();
      return;
    }
    run.listeners.add(res);
    req.on('close', () => run.listeners.delete(res));
  }

  /** Cancels every run and waits for the workers to end. */
  async close(): Promise<void> {
    const waits: Array<Promise<unknown>> = [];
    for (const run of this.#runs.values()) {
      if (run.state === 'running' && run.worker !== undefined) {
        const worker = run.worker;
        waits.push(new Promise((resolve) => worker.once('exit', resolve)));
        this.cancel(run);
      }
    }
    await Promise.all(waits);
  }

  #publish(run: Run, event: RunEvent): void {
    run.last = event;
    const text = frame(event);
    for (const res of run.listeners) {
      res.write(text);
      if (event.type !== 'progress') res.end();
    }
    if (event.type !== 'progress') run.listeners.clear();
  }

  #finish(run: Run, state: Exclude<RunState, 'running'>, event: RunEvent): void {
    if (run.state !== 'running') return;
    run.state = state;
    const worker = run.worker;
    run.worker = undefined;
    if (worker !== undefined) {
      if (run.spec.cancel === 'terminate') void worker.terminate();
      // A signal-cancelled worker ends by itself once it has posted its final event (it may
      // still be releasing its handles); this only tells it that it may.
      else worker.postMessage({ type: 'done' });
    }
    this.#publish(run, event);
    this.#forgetOld();
  }

  #forgetOld(): void {
    const finished = [...this.#runs.values()].filter((r) => r.state !== 'running');
    for (const run of finished.slice(0, Math.max(0, finished.length - FINISHED_RUNS_KEPT))) this.#runs.delete(run.id);
  }
}

function frame(event: RunEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}
