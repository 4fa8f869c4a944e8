/**
 * kernel/fftworker — one of the kernel's worker threads (see threads.ts): instantiates the compiled kernel on the
 * shared wasm memory it is given, then loops: wait for a new generation, run its share of the step, count down.
 * Never throws out of its loop: an error is posted on the port and flagged, so the waiting caller is always released.
 * It blocks in Atomics.wait between steps (it has no other work), and is unref'd: it never keeps a process alive.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { CONTROL, describeFailure, markWorker, runSlot, spinThenWait } from './threads.js';
import { instantiateKernel } from './wasmheap.js';

const { port, module, memory, control, jobs, index } = workerData as {
  port: MessagePort;
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: Int32Array;
  jobs: Float64Array;
  index: number;
};

markWorker();
const kernel = instantiateKernel(module, memory);

let generation = Atomics.load(control, CONTROL.GEN);
Atomics.add(control, CONTROL.READY, 1);
Atomics.notify(control, CONTROL.READY);

for (;;) {
  spinThenWait(control, CONTROL.GEN, generation, Atomics.load(control, CONTROL.SPIN));
  const now = Atomics.load(control, CONTROL.GEN);
  if (now === generation) continue;
  generation = now;
  try {
    runSlot(kernel, jobs, index);
  } catch (e) {
    port.postMessage({ error: describeFailure(e) });
    Atomics.store(control, CONTROL.ERROR, 1);
  }
  if (Atomics.sub(control, CONTROL.REMAINING, 1) === 1) Atomics.notify(control, CONTROL.REMAINING);
}
