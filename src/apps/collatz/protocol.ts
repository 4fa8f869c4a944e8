/**
 * protocol — the messages between the Collatz web server, its worker threads and the page.
 *
 * The worker posts `WorkerMessage`s; the server forwards them to the page as Server-Sent
 * Events named by `type` (plus `cancelled`, which only the server knows about).
 */
import { MathStreamError } from '../../errors.js';
import type { CollatzProgress, CollatzResult } from './trajectory.js';

/** What a worker is started with (its `workerData`). */
export interface WorkerTask {
  /** The start number as typed: a literal or an expression such as `2^1000-1`. */
  readonly text: string;
  /** Largest start (and intermediate expression value) in decimal digits. */
  readonly maxDigits: number;
  readonly maxSamples: number;
}

export interface ProgressEvent {
  readonly type: 'progress';
  readonly progress: CollatzProgress;
  readonly elapsedMs: number;
}

export interface ResultEvent {
  readonly type: 'result';
  readonly result: CollatzResult;
  readonly elapsedMs: number;
}

export interface FailedEvent {
  readonly type: 'failed';
  readonly error: { readonly code: string; readonly message: string };
}

export interface CancelledEvent {
  readonly type: 'cancelled';
}

export type WorkerMessage = ProgressEvent | ResultEvent | FailedEvent;
export type RunEvent = WorkerMessage | CancelledEvent;

/** The state of a run as `GET /api/runs/:id` reports it. */
export interface RunSnapshot {
  readonly id: string;
  readonly state: 'running' | 'done' | 'failed' | 'cancelled';
  readonly last: RunEvent | undefined;
}

/** The `failed` event a worker posts for an error: a MathStreamError's code and message, else an internal error. */
export function failedEvent(error: unknown): FailedEvent {
  const known = error instanceof MathStreamError;
  return {
    type: 'failed',
    error: {
      code: known ? error.code : 'INTERNAL',
      message: known ? error.message : `internal error: ${error instanceof Error ? error.message : String(error)}`,
    },
  };
}
