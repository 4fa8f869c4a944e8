/**
 * plain-loop — the straightforward Collatz loop on bigints: n → n/2 or n → 3n+1, one step
 * each, until 1. The yardstick the accelerated trajectory is tested and benchmarked against.
 */
import { InvalidArgumentError } from '../../errors.js';

export interface PlainCollatz {
  readonly steps: number;
  readonly oddSteps: number;
  /** The largest value met, the start included. */
  readonly peak: bigint;
}

/**
 * Counts the trajectory one ordinary step at a time: slow on big starts, but obviously right, which is its job.
 * @throws {InvalidArgumentError} `start` is below 1
 * @example
 * plainCollatz(27n); // { steps: 111, oddSteps: 41, peak: 9232n }
 */
export function plainCollatz(start: bigint): PlainCollatz {
  if (start < 1n) throw new InvalidArgumentError(`collatz needs a positive integer, got ${start}`);
  let n = start;
  let steps = 0;
  let oddSteps = 0;
  let peak = n;
  while (n !== 1n) {
    if ((n & 1n) === 1n) {
      n = 3n * n + 1n;
      oddSteps++;
      if (n > peak) peak = n;
    } else {
      n >>= 1n;
    }
    steps++;
  }
  return { steps, oddSteps, peak };
}
