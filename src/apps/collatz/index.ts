/** apps/collatz — Collatz trajectories of huge numbers: the library's public surface. */
export { collatz, collatzSync, CollatzRun } from './trajectory.js';
export type { CollatzOptions, CollatzProgress, CollatzResult } from './trajectory.js';
export type { TrajectorySamples } from './samples.js';
export { readStart, parseStart } from './input.js';
export type { CollatzInput } from './input.js';
export { plainCollatz } from './reference.js';
export type { PlainCollatz } from './reference.js';
