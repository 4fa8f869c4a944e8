/** apps/collatz — Collatz trajectories of huge numbers: the library's public surface. */
export { collatz, collatzSync, CollatzRun, PEAK_VALUE_MAX_DIGITS } from './trajectory.js';
export type { CollatzOptions, CollatzProgress, CollatzResult } from './trajectory.js';
export type { TrajectorySamples } from './samples.js';
export { readStart, parseStart } from './input.js';
export type { CollatzInput } from './input.js';
export { plainCollatz } from './plain-loop.js';
export type { PlainCollatz } from './plain-loop.js';
