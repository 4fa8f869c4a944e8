/**
 * kernel/fftworker — entry point of the FFT helper thread (see threads.ts): runs the half of a transform, packing or
 * unpacking step it is sent, on shared buffers, and answers through the port. Never throws out of its handler: an
 * error is reported, so the waiting caller is always released.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { runPackForward, runUnpack, type PackForwardTask, type UnpackTask } from './fft.js';
import { releaseCoreTables, runFftTask, warmUpTransforms, type FftTask } from './fftcore.js';
import { describeFailure, disableHelper, signalDone } from './threads.js';

const { port, flag } = workerData as { port: MessagePort; flag: Int32Array };

disableHelper();
warmUpTransforms();

type Message = { kind: 'task'; task: FftTask | PackForwardTask | UnpackTask } | { kind: 'release' };

parentPort!.on('message', (msg: Message) => {
  if (msg.kind === 'release') {
    releaseCoreTables();
    return;
  }
  let error: string | undefined;
  try {
    if (msg.task.kind === 'packForward') runPackForward(msg.task);
    else if (msg.task.kind === 'unpack') runUnpack(msg.task);
    else runFftTask(msg.task);
  } catch (e) {
    error = describeFailure(e);
  }
  if (error !== undefined) port.postMessage({ error });
  signalDone(flag, error === undefined);
});
Atomics.store(flag, 1, 1);
Atomics.notify(flag, 1);
