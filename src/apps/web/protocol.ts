/**
 * protocol — what the web app's job worker (job-worker.ts) is started with and what it posts.
 * Shared by the server side and the page scripts (type-only imports there).
 */

import { getConfig } from '../../config.js';

/** The server's configuration, for the worker: a worker thread does not see `configure()` calls made here. */
export interface WorkerConfig {
  readonly home: string;
  readonly memoryBudget: number;
  readonly chunkSize: number;
  readonly maxDigits: number | undefined;
}

export function workerConfig(): WorkerConfig {
  const { home, memoryBudget, chunkSize, maxDigits } = getConfig();
  return { home, memoryBudget, chunkSize, maxDigits };
}

/** The operations of the calculator. */
export const OPERATIONS = ['add', 'sub', 'mul', 'div', 'mod', 'pow', 'isqrt'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** An operand after the server has checked it: typed text (literal or expression) or an allowed file. */
export type ResolvedOperand = { readonly type: 'text'; readonly text: string } | { readonly type: 'file'; readonly path: string; readonly name: string };

export interface CalcTask {
  readonly kind: 'calc';
  readonly config: WorkerConfig;
  readonly op: Operation;
  readonly a: ResolvedOperand;
  /** Absent for isqrt. */
  readonly b: ResolvedOperand | undefined;
  /** Largest value of an expression operand, in digits. */
  readonly maxDigits: number;
  /** Largest result, in digits (estimated from the operands before any work). */
  readonly maxResultDigits: number;
}

export interface PiTask {
  readonly kind: 'pi';
  readonly config: WorkerConfig;
  readonly decimals: number;
}

export type JobTask = CalcTask | PiTask;

export interface JobProgress {
  readonly type: 'progress';
  /** For pi: 'compute' then 'index'; for the calculator: 'operands' then the operation. */
  readonly phase: string;
  readonly done: number;
  readonly total: number;
  readonly elapsedMs: number;
}

/** What the page shows of a calculation's result. */
export interface CalcResult {
  readonly op: Operation;
  readonly digits: number;
  readonly negative: boolean;
  /** The first and last (up to) 50 digits, without the sign. */
  readonly first: string;
  readonly last: string;
  readonly elapsedMs: number;
  /** Name of the staged file in the log folder. */
  readonly file: string;
}

export interface CalcResultEvent {
  readonly type: 'result';
  readonly result: CalcResult;
  /** Absolute path of the staged result; the server replaces it by nothing before publishing. */
  readonly path?: string;
}

export interface PiResultEvent {
  readonly type: 'result';
  readonly pi: { readonly path: string; readonly decimals: number; readonly elapsedMs: number };
}
