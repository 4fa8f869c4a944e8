/**
 * worker — one Collatz run in a worker thread, so the web server's event loop stays free.
 *
 * Evaluates the typed text (a literal or a size-capped expression), runs the trajectory and
 * posts progress about ten times a second, then the result or the failure. Cancellation is
 * the server terminating this thread: nothing here needs cleaning up.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { evaluate } from './expression.js';
import { collatz } from './trajectory.js';
import { requirePositive } from './input.js';
import { failedEvent, type WorkerMessage, type WorkerTask } from './protocol.js';

const PROGRESS_INTERVAL_MS = 100;

function post(message: WorkerMessage): void {
  parentPort!.postMessage(message);
}

async function main(task: WorkerTask): Promise<void> {
  const started = performance.now();
  try {
    const shown = task.text.length > 40 ? `${task.text.slice(0, 40)}...` : task.text.trim();
    const start = requirePositive(evaluate(task.text, { maxDigits: task.maxDigits }), `"${shown}"`);
    const result = await collatz(start, {
      maxSamples: task.maxSamples,
      sliceMs: PROGRESS_INTERVAL_MS,
      onProgress: (_done, _total, progress) => {
        if (!progress.finished) post({ type: 'progress', progress, elapsedMs: performance.now() - started });
      },
    });
    post({ type: 'result', result, elapsedMs: performance.now() - started });
  } catch (error) {
    post(failedEvent(error));
  }
}

if (parentPort !== null) await main(workerData as WorkerTask);
