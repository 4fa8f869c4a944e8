/**
 * kernel/budget — the memory-budget policy in one place: which share of MATHSTREAM_MEMORY each kind of work plans
 * for, and what a decimal digit costs in each representation. Every budget decision of the project (the product
 * planner, the engine's in-memory/out-of-core routing, the out-of-core block size, the in-memory steps of out-of-core Newton iterations, pi's threads)
 * reads its numbers from here; nothing else multiplies the budget by a fraction or a digit count by a byte size.
 *
 * The figures are measured on Node 20 x64 (see each constant); the planner's working-set formulas themselves
 * (transform buffers, twiddle tables) come from the FFT (`fftWorkingBytes`).
 */
import { getConfig } from '../config.js';

/** Bytes per decimal digit as ASCII text (a whole operand read into memory, a result before it is written). */
export const TEXT_BYTES_PER_DIGIT = 1;
/** Bytes per decimal digit in base-10^4 limbs (two bytes per four digits). */
export const LIMB_BYTES_PER_DIGIT = 0.5;

/**
 * Shares of the memory budget:
 * - `inMemory`: an engine operation done in memory may use the whole budget for its operands' text and limbs,
 *   its result and its products' working sets (that sum is what the planner compares with it).
 * - `outOfCoreBlocks`: the out-of-core product plans within a half: its block transforms (128 bytes per block
 *   point, multiply.ts blockSizeForBudget) and the 2-D transform's column pass (one stripe of both operands and of
 *   the product, and two columns per thread; transform2d.ts chunkColumns). The other half is what the plan does not
 *   count: the wasm memory beyond the plan (twiddle tables, the outer columns' scratch, free ranges too small for
 *   the next step's blocks — it never shrinks), dropped I/O buffers and spectra V8 has not collected yet (90–170
 *   MiB measured, whatever the budget), Node itself (~55 MiB). Peak RSS of `pow 9 387420489` (every step out of
 *   core; the 2-D stripe capped at 2^17 columns) with three quarters: 320 MiB at 128 MiB, 472 MiB at 256 MiB, 634
 *   MiB at 1 GiB — over the issue's budget + 150 MiB below 512 MiB; with a half: 262, 365 and 643 MiB, same CPU
 *   time (~17 s).
 * - `piTransforms`: pi's product transforms. Pi also holds its numbers beside them (P, Q, T of the last merges,
 *   then the Newton iterates: PI_HELD_BYTES_PER_DECIMAL), and V8 frees a dropped buffer only at its next
 *   collection. Peak RSS of pi to 10^8 decimals with a 1 GiB budget: whole budget 1.83–2.08 GiB over runs
 *   (GC timing); 3/4: 1.92 GiB in 11 min 53 s; 1/2: 1.70 GiB in 12 min 59 s. A half keeps the 2 GiB promise with
 *   a margin larger than that spread, for 9% more time.
 * - `outOfCoreInMemory`: the steps of an out-of-core Newton iteration (division's reciprocal, the square root)
 *   small enough to run in memory with the kernel's own division: a quarter, so that such a step, its operands'
 *   text and limbs and the kernel's products stay well inside the budget the whole operation was given.
 * - `piHeld`: pi computes in memory while the numbers it holds (PI_HELD_BYTES_PER_DECIMAL per decimal) fit this
 *   share; beyond it, out of core (apps/pi/plan.ts): 10^8 decimals at the default 1 GiB stay in memory as before.
 * - `piLeaf`: out of core, each binary-splitting subtree computed in memory holds its P, Q, T and its last merge's
 *   operands (PI_LEAF_BYTES_PER_TERM) within this share; the other half is its products' transforms (`piTransforms`).
 */
export const BUDGET_SHARES = {
  inMemory: 1,
  outOfCoreBlocks: 0.5,
  piTransforms: 0.5,
  outOfCoreInMemory: 0.25,
  piHeld: 1,
  piLeaf: 0.5,
} as const;

export type BudgetUse = keyof typeof BUDGET_SHARES;

/** The configured budget in bytes (MATHSTREAM_MEMORY). */
export function memoryBudget(): number {
  return getConfig().memoryBudget;
}

/** Bytes `use` may plan for, when `parties` computations share the budget at once (threads). */
export function budgetFor(use: BudgetUse, parties = 1): number {
  return Math.floor((memoryBudget() * BUDGET_SHARES[use]) / Math.max(1, parties));
}

/**
 * Bytes an in-memory engine operation holds besides its products' working sets, for operands and results of
 * these digit counts: each is held as text (read from or written to its file) and as limbs.
 */
export function heldBytes(...digitCounts: number[]): number {
  let digits = 0;
  for (const d of digitCounts) digits += d;
  return Math.ceil(digits * (TEXT_BYTES_PER_DIGIT + LIMB_BYTES_PER_DIGIT));
}

/**
 * Memory pi holds per decimal outside the products' transforms: the last merge's operands and results (~6 numbers
 * of ~N digits at 0.5 byte/digit in limbs) plus the ASCII text. Used to refuse, before any work, sizes this machine
 * cannot hold.
 */
export const PI_HELD_BYTES_PER_DECIMAL = 6;

/**
 * Memory each thread of pi's series adds, per decimal of its subtree, counted against the budget: subtrees are
 * alive at once, in separate heaps. Measured peak RSS, one thread → two (each a half tree): 10^7 decimals
 * 464 → 711 MiB (~26 bytes per decimal of the whole, i.e. ~52 per decimal of the second thread's half);
 * 10^8 decimals 1.97 → 2.28 GiB.
 */
export const PI_THREAD_BYTES_PER_DECIMAL = 52;

/**
 * Threads pi's series may use for `decimals` (at most `wanted`): t threads each compute a subtree of about 1/t of
 * the series, so the t − 1 threads beside the caller's add PI_THREAD_BYTES_PER_DECIMAL · decimals · (t − 1)/t,
 * which must fit the budget.
 */
export function piThreadsWithinBudget(decimals: number, wanted: number): number {
  let t = Math.max(1, Math.floor(wanted));
  while (t > 1 && (PI_THREAD_BYTES_PER_DECIMAL * decimals * (t - 1)) / t > memoryBudget()) t--;
  return t;
}

/**
 * Bytes a binary-splitting subtree computed in memory holds per term of its range, outside its products'
 * transforms: P, Q and T have about 24 + 38 + 46 digits per term at the sizes that matter (k ~ 10^6..10^8), i.e.
 * ~54 bytes as limbs, and its last merge holds both children's and its own (~2 × 54), plus V8's slack for dropped
 * buffers it has not collected yet. Measured: pi to 10^8 at 256 MiB (subtrees of 440,000 terms) peaks at 652 MiB
 * RSS, within the budget + 0.5 GiB.
 */
export const PI_LEAF_BYTES_PER_TERM = 160;

/**
 * Whether pi to `decimals` is computed in memory (its held numbers fit the `piHeld` share of the budget);
 * otherwise apps/pi/plan.ts plans it out of core.
 */
export function piFitsInMemory(decimals: number): boolean {
  return decimals * PI_HELD_BYTES_PER_DECIMAL <= budgetFor('piHeld');
}

/** The most terms of one binary-splitting subtree that pi computes in memory when it runs out of core. */
export function piLeafTermsWithinBudget(): number {
  return Math.max(1, Math.floor(budgetFor('piLeaf') / PI_LEAF_BYTES_PER_TERM));
}
