/**
 * kernel/fftworker — one of the kernel's worker threads (see threads.ts): instantiates the compiled kernel on the
 * shared wasm memory it is given, then loops: wait for a new generation, claim and run the step's chunks until none
 * is left (threads.ts runClaimed). Never throws out of its loop: an error is posted on the port and flagged, and the
 * chunk counted done, so the waiting caller is always released.
 * After a step that its caller follows with another it polls for a while (threads.ts SPIN_MICROS: the next step comes
 * within microseconds); otherwise, and then, it blocks in Atomics.wait (it has no other work). It is unref'd: it
 * never keeps a process alive.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { CONTROL, describeFailure, markWorker, runClaimed, spinThenWait, type Lane } from './threads.js';
import { instantiateKernel } from './wasmheap.js';

const { port, module, memory, control, main, background } = workerData as {
  port: MessagePort;
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: Int32Array;
  main: Lane;
  background: Lane;
};

markWorker();
const kernel = instantiateKernel(module, memory);

let generation = Atomics.load(control, CONTROL.GEN);
Atomics.add(control, CONTROL.READY, 1);
Atomics.notify(control, CONTROL.READY);

let linger = false;
for (;;) {
  // After a step its caller follows with another (linger), poll for it first: waking from Atomics.wait takes longer.
  if (linger) spinThenWait(control, CONTROL.GEN, generation);
  else Atomics.wait(control, CONTROL.GEN, generation);
  const now = Atomics.load(control, CONTROL.GEN);
  if (now === generation) {
    // Woken without a step (threads.ts prewakeThreads): one is about to come, poll for it.
    linger = true;
    continue;
  }
  generation = now;
  linger = Atomics.load(control, CONTROL.LINGER) === 1;
  // A worker that wakes after the caller ran every chunk finds none to claim (and may claim a later step's: fine).
  // The caller's steps first (the caller waits for them), then a background step's (threads.ts runInBackground);
  // a step published meanwhile has bumped GEN, so the loop comes straight back for it.
  const fail = (e: unknown): void => port.postMessage({ error: describeFailure(e) });
  runClaimed(kernel, control, main, fail);
  runClaimed(kernel, control, background, fail);
}
