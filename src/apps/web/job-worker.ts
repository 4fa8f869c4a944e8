/**
 * job-worker — one calculation or one pi file, in a worker thread, so the web server's event
 * loop only ever relays progress.
 *
 * Cancellation is cooperative (`{type: 'cancel'}` aborts the AbortSignal the engine watches):
 * the engine then removes its partial result and its tracker rows itself, and the failure it
 * throws (CancelledError) is posted like any other. A finished calculation keeps its handle on
 * the result until the server has taken its own reference (`{type: 'done'}`), so the result
 * is never unreferenced in between (a collector in another process could take it).
 */
import { openSync, readSync, closeSync } from 'node:fs';
import { basename } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { ResultTooLargeError } from '../../errors.js';
import { configure } from '../../config.js';
import { StreamNumber } from '../../number.js';
import { add, div, isqrt, mod, mul, pow, sub } from '../../engine/index.js';
import { ensureIndex, ensurePiFile } from '../find/index.js';
import { evaluateExpression, parseExpression } from '../collatz/expression.js';
import type { CalcResult, CalcTask, JobTask, PiTask, ResolvedOperand } from './protocol.js';
import type { WorkerEvent } from './runs.js';
import { openPicked } from './results.js';
import { failedEvent } from '../collatz/protocol.js';

const PROGRESS_INTERVAL_MS = 100;
const SHOWN_DIGITS = 50;

const controller = new AbortController();
let released: () => void = () => undefined;
const done = new Promise<void>((resolve) => (released = resolve));
parentPort?.on('message', (message: { type: string }) => {
  if (message.type === 'cancel') controller.abort();
  if (message.type === 'done') released();
});

function post(event: WorkerEvent): void {
  parentPort!.postMessage(event);
}

const started = performance.now();
let lastProgress = 0;
function progress(phase: string): (done: number, total: number) => void {
  return (doneUnits, total) => {
    const now = performance.now();
    if (now - lastProgress < PROGRESS_INTERVAL_MS && doneUnits < total) return;
    lastProgress = now;
    post({ type: 'progress', phase, done: doneUnits, total, elapsedMs: now - started });
  };
}

/**
 * An operand and how to let go of it. A picked file is kept whatever happens (results.ts,
 * openPicked). Typed text is this run's own temporary: a plain literal goes to the literal store as
 * text, an expression is evaluated first, and either is released (and so removed) when the run ends.
 */
async function operand(spec: ResolvedOperand, maxDigits: number): Promise<{ number: StreamNumber; done: () => void }> {
  if (spec.type === 'file') return openPicked(spec.path);
  const tree = parseExpression(spec.text, { maxDigits });
  let number: StreamNumber;
  if (tree.kind === 'number') number = await StreamNumber.fromLiteral(tree.digits);
  else if (tree.kind === 'negate' && tree.operand.kind === 'number') number = await StreamNumber.fromLiteral(`-${tree.operand.digits}`);
  else number = await StreamNumber.fromLiteral(evaluateExpression(tree, spec.text, { maxDigits }));
  return { number, done: () => number.free() };
}

/** Refuses, before any work, a result over the limit: sizes from the operands' digit counts. */
function checkResultSize(task: CalcTask, a: StreamNumber, b: StreamNumber | undefined): void {
  const x = a.digitCount;
  const y = b?.digitCount ?? 0;
  let digits: number;
  switch (task.op) {
    case 'add':
    case 'sub':
      digits = Math.max(x, y) + 1;
      break;
    case 'mul':
      digits = x + y;
      break;
    case 'div':
    case 'mod':
      digits = task.op === 'div' ? Math.max(1, x - y + 1) : y;
      break;
    case 'isqrt':
      digits = Math.ceil(x / 2);
      break;
    case 'pow': {
      // |a|^e has about e·log10|a| digits; a in 0, ±1 is exact for any e (the engine knows).
      const single = x === 1 ? Number(a.toBigInt()) : undefined;
      const small = single !== undefined && Math.abs(single) <= 1;
      const e = b === undefined || b.digitCount > 16 ? Infinity : Number(b.toBigInt());
      // At least (x−1)·e + 1 digits; for a one-digit base exactly about e·log10|a| + 1.
      digits = small || e <= 0 ? 1 : single !== undefined ? e * Math.log10(Math.abs(single)) + 1 : (x - 1) * e + 1;
      break;
    }
  }
  if (digits > task.maxResultDigits) {
    throw new ResultTooLargeError(
      `${task.op}: the result would have about ${Number.isFinite(digits) ? Math.round(digits).toLocaleString('en-US') : 'too many'} digits; ` +
        `this app's limit is ${task.maxResultDigits.toLocaleString('en-US')}`,
    );
  }
}

/** The first and last `count` digits of a digit file, read at their offsets. */
function ends(number: StreamNumber, count: number): { first: string; last: string } {
  const { path, start, end } = number.info;
  const fd = openSync(path, 'r');
  try {
    const read = (from: number, to: number): string => {
      const buffer = Buffer.alloc(to - from);
      const bytes = readSync(fd, buffer, 0, buffer.length, from);
      return buffer.subarray(0, bytes).toString('latin1');
    };
    return { first: read(start, Math.min(end, start + count)), last: read(Math.max(start, end - count), end) };
  } finally {
    closeSync(fd);
  }
}

async function calc(task: CalcTask): Promise<void> {
  const options = { signal: controller.signal, onProgress: progress(task.op) };
  const releases: Array<() => void> = [];
  try {
    const first = await operand(task.a, task.maxDigits);
    releases.push(first.done);
    const second = task.b === undefined ? undefined : await operand(task.b, task.maxDigits);
    if (second !== undefined) releases.push(second.done);
    const a = first.number;
    const b = second?.number;
    checkResultSize(task, a, b);
    let result: StreamNumber;
    switch (task.op) {
      case 'add': result = await add(a, b!, options); break;
      case 'sub': result = await sub(a, b!, options); break;
      case 'mul': result = await mul(a, b!, options); break;
      case 'div': result = await div(a, b!, options); break;
      case 'mod': result = await mod(a, b!, options); break;
      case 'pow': result = await pow(a, b!, options); break;
      case 'isqrt': result = await isqrt(a, options); break;
    }
    // The operands are released before the result is announced: once the page sees "done", the files it picked
    // must already be back at their own reference counts (a test, or a user's gc, looks right then).
    for (const release of releases.splice(0)) release();
    releases.push(() => result.free());
    const shown: CalcResult = {
      op: task.op,
      digits: result.digitCount,
      negative: result.isNegative,
      ...ends(result, SHOWN_DIGITS),
      elapsedMs: performance.now() - started,
      file: basename(result.path),
    };
    post({ type: 'result', result: shown, path: result.path });
    await done;
  } finally {
    for (const release of releases) release();
  }
}

async function pi(task: PiTask): Promise<void> {
  const file = await ensurePiFile(task.decimals, { signal: controller.signal, onProgress: progress('compute') });
  await ensureIndex(file.path, { signal: controller.signal, onProgress: progress('index') });
  post({ type: 'result', pi: { path: file.path, decimals: file.decimals, elapsedMs: performance.now() - started } });
}

async function main(task: JobTask): Promise<void> {
  try {
    const { home, memoryBudget, chunkSize, maxDigits } = task.config;
    configure({ home, memoryBudget, chunkSize, ...(maxDigits === undefined ? {} : { maxDigits }) });
    if (task.kind === 'calc') await calc(task);
    else await pi(task);
  } catch (error) {
    post(failedEvent(error));
  }
  // Closing the port before the server has read the final event could drop it: wait for its word.
  await done;
  parentPort?.close();
}

if (parentPort !== null) await main(workerData as JobTask);
