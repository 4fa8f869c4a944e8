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
 * - `inMemory`: an engine operation done in memory may use the whole budget for what it holds (its operands and
 *   result as limbs, the result's writing: loadedHeldBytes, splitHeldBytes, divisionHeldBytes) and its products'
 *   working sets (that sum is what the planner compares with it).
 * - `outOfCoreBlocks`: the out-of-core product plans within a half: its block transforms (128 bytes per block
 *   point, multiply.ts blockSizeForBudget) and the 2-D transform's column pass (one stripe of both operands and of
 *   the product, and two columns per thread; transform2d.ts chunkColumns). The other half is what the plan does not
 *   count: the wasm memory beyond the plan (twiddle tables, the outer columns' scratch, free ranges too small for
 *   the next step's blocks — it never shrinks), dropped I/O buffers V8 has not collected yet (90–170 MiB measured,
 *   whatever the budget, when the block convolution's spectra were still JS arrays), Node itself (~55 MiB). Both
 *   out-of-core methods keep their working set in the wasm memory, like the in-memory products, so an operation
 *   that runs both kinds in turn (the out-of-core division, the power) holds the largest of them, not their sum. Peak RSS of `pow 9 387420489` (every step out of
 *   core; the 2-D stripe capped at 2^17 columns) with three quarters: 320 MiB at 128 MiB, 472 MiB at 256 MiB, 634
 *   MiB at 1 GiB — over the budget + 150 MiB below 512 MiB; with a half: 262, 365 and 643 MiB, same CPU
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
 * - `piSubtrees`: in memory, the subtree threads of pi's series together (each its own heap and wasm memory: its
 *   numbers, its products' transforms, V8's slack; PI_THREAD_BYTES_PER_TERM per term of its leaf plus
 *   PI_THREAD_FIXED_BYTES). The series is cut into leaves small enough for that (apps/pi/parallel.ts), and while
 *   the threads run the caller's products plan within `piTransforms` less what the threads' own products may use
 *   (piCallerTransformBytes). 0.3: at the default 1 GiB one subtree thread takes leaves of up to ~400,000 terms, so
 *   pi 10^7 (two halves of 352,000) still runs as two halves, each merged to its top on its own thread, as before
 *   the finer cut (with 0.25, four leaves and the halves' merges left to the caller); 10^8 gets 32 leaves.
 */
export const BUDGET_SHARES = {
  inMemory: 1,
  outOfCoreBlocks: 0.5,
  piTransforms: 0.5,
  outOfCoreInMemory: 0.25,
  piHeld: 1,
  piLeaf: 0.5,
  piSubtrees: 0.3,
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
 * Digits a streamed file product (kernel/digitproduct.ts) reads and converts at a time, and the pieces its result is
 * written in (nat.ts natDigitPieces' default): a multiple of 32, so every piece but the top one is whole vector steps.
 */
export const STREAM_PIECE_DIGITS = 1 << 20;

/**
 * Bytes writing a result of `digits` digits from limbs holds besides the limbs (engine/result.ts writeNatResult →
 * nat.ts natDigitPieces): two pieces of text in JS (one converted while the other is written) and the compiled
 * conversion's staging (a piece as limbs and as text). The whole text is never held.
 */
export function resultWriteBytes(digits: number): number {
  return Math.ceil(Math.min(digits, STREAM_PIECE_DIGITS) * (3 * TEXT_BYTES_PER_DIGIT + LIMB_BYTES_PER_DIGIT));
}

/**
 * Bytes a streamed file product (kernel/digitproduct.ts) holds besides its transforms and their tables, for operands
 * of a and b digits: while reading, a piece of text per operand in its staging block; while writing the a + b digits
 * of the product, `resultWriteBytes`; and the small blocks of packing (16 bytes an operand) and unpacking (40 bytes a
 * run, up to 4 runs a thread: threads.ts stepChunks), each rounded up by the allocator, with 4 KiB to spare (the
 * residue check's table of powers lives outside the allocator, in the wasm memory's first page). Neither operand nor
 * the product is held whole, in any representation (that is the point of streaming them).
 * @example streamedHeldBytes(6.4e7, 6.4e7) // 5,771,584 with 2 threads: 5.5 MiB of pieces and 4.3 KiB
 */
export function streamedHeldBytes(aDigits: number, bDigits: number): number {
  const piece = (digits: number): number => Math.min(digits, STREAM_PIECE_DIGITS);
  const read = (piece(aDigits) + piece(bDigits)) * TEXT_BYTES_PER_DIGIT;
  const smallBlocks = 4096 + 160 * Math.max(1, getConfig().threads);
  return Math.ceil(read) + resultWriteBytes(aDigits + bDigits) + smallBlocks;
}

/**
 * Bytes an in-memory product of file operands of a and b digits holds besides its working set (planner.ts
 * `mulWorkingBytes`, which counts the product's limbs): both operands as limbs (engine/load.ts reads them a piece at a
 * time, so their text is never whole in memory) and the result's writing (`resultWriteBytes`). The engine's division
 * and power count their largest product this way (engine/outofcore/product.ts), with their own extra on top.
 * @example loadedHeldBytes(1e7, 1e7) // 13,670,016: 2·10^7 digits as limbs and 3.5 MiB of pieces
 */
export function loadedHeldBytes(aDigits: number, bDigits: number): number {
  return Math.ceil((aDigits + bDigits) * LIMB_BYTES_PER_DIGIT) + resultWriteBytes(aDigits + bDigits);
}

/**
 * Bytes a budget split of loaded operands (kernel/mul.ts splitProduct, x = x1·B^h + x0 and y alike) holds besides
 * its part product's working set (which counts that part's result), per digit of a + b, as limbs: the operands
 * (a + b digits), the copies of their low halves x0 and y0 and the sums x1 + x0 and y1 + y0 (each ≈ (a + b)/2
 * digits together), the running sum `out` (a + b) and the result taken from it (a + b, when natFromLimbs copies it):
 * 4·(a + b) limb-digits, 2 bytes a digit; and the result's writing. Measured (bench/outofcore-held.ts --ops split
 * --force, 256 MiB): peak RSS − Node's own 73 MiB − the part product's working set = 1.5, 1.9, 2.2 bytes per digit
 * of a + b at 2.1·10^7, 2.5·10^7 and 2.8·10^7 digits a side (the last with the write's pieces, 0.1).
 * @example splitHeldBytes(1e7, 1e7) // 43,670,016
 */
export function splitHeldBytes(aDigits: number, bDigits: number): number {
  return Math.ceil((aDigits + bDigits) * 4 * LIMB_BYTES_PER_DIGIT) + resultWriteBytes(aDigits + bDigits);
}

/**
 * Bytes an in-memory division a / b (a of `aDigits`, b of `bDigits` digits; kernel/div.ts natDivMod) holds besides
 * its largest product's operands, result and working set (which engine/outofcore/product.ts counts with
 * `loadedHeldBytes`: the quotient-sized estimate or the remainder q·b, q = a − b + 1 digits), per digit of a + b:
 * the dividend and divisor as limbs (0.5 byte), the quotient, remainder and reciprocal (q + b + min(q, b) limb-digits
 * ≤ 2·(a + b): 1 byte), and the intermediates of the Newton levels and chunks dropped but not yet collected by V8,
 * which only measurement bounds: all together at most 2.98 bytes over the shapes below, so 3 bytes (6 limb-digits)
 * a digit are charged. Measured (bench/outofcore-held.ts) at 8 GiB, where no product splits: peak RSS − Node's own 73 MiB − the largest
 * product's loaded count, per digit of a + b, for a/b = 1.25, 2, 4, 10, 100, 1000 at a = 1.6·10^7: 2.98, 2.01, 1.29,
 * 1.75, 0.51, −3.5; at a = 3.2·10^7: 1.90, 1.10, −0.4, −0.5, −1.6, −4.1 (that count over-states the short divisors'
 * products, which the division runs in two chunks of q/2).
 * @example divisionHeldBytes(2e7, 1e7) // 90,000,000
 */
export function divisionHeldBytes(aDigits: number, bDigits: number): number {
  return Math.ceil((aDigits + bDigits) * 6 * LIMB_BYTES_PER_DIGIT);
}

/**
 * Memory pi holds per decimal outside the products' transforms: the last merge's operands and results (~6 numbers
 * of ~N digits at 0.5 byte/digit in limbs) plus the ASCII text. Used to refuse, before any work, sizes this machine
 * cannot hold. An upper bound since the root merge is divided by Q2 (apps/pi/compute.ts rootQuotient): at 10^8
 * decimals the most pi holds is at the final division, its numerator N (1 byte a decimal), Tm and X (0.5 each) and
 * the division's reciprocal and remainders, and a file is written from X in chunks, without the text.
 */
export const PI_HELD_BYTES_PER_DECIMAL = 6;

/**
 * Memory a subtree thread of pi's series adds per term of its leaf, counted against the `piSubtrees` share: its
 * heap and wasm memory hold the leaf's numbers, its merges' operands and transforms and V8's slack. Measured peak
 * RSS, one thread → two (each a half tree): 10^7 decimals (352,000 terms a half) 464 → 711 MiB, i.e. ~740 bytes per
 * term of the second thread's half (the thread's transforms planned within half of its configured budget).
 */
export const PI_THREAD_BYTES_PER_TERM = 740;
/** What a subtree thread costs whatever its leaf: a V8 isolate, the kernel's wasm memory and tables. */
export const PI_THREAD_FIXED_BYTES = 24 * 2 ** 20;
/** Leaves shorter than this are not worth a thread of their own (its start, ~50 ms, and the merges above them). */
export const PI_MIN_SUBTREE_TERMS = 8192;

/**
 * The most terms of a leaf that each of the `threads` − 1 subtree threads beside the caller may compute at once:
 * together they fit the `piSubtrees` share (PI_THREAD_FIXED_BYTES + PI_THREAD_BYTES_PER_TERM per term each).
 * 0 when not even the fixed cost fits.
 */
export function piSubtreeLeafTerms(threads: number): number {
  const each = budgetFor('piSubtrees', threads - 1) - PI_THREAD_FIXED_BYTES;
  return Math.max(0, Math.floor(each / PI_THREAD_BYTES_PER_TERM));
}

/** The memory budget a subtree thread is configured with, when `threads` threads compute pi's series. */
export function piSubtreeThreadBudget(threads: number): number {
  return budgetFor('piSubtrees', threads - 1);
}

/**
 * Bytes the caller's products may plan for while `running` subtree threads compute beside it (of `threads`): the
 * `piTransforms` share less what the threads' products plan for (each its own `piTransforms` share of its
 * configured budget, piSubtreeThreadBudget), so the budget still bounds all products held at once.
 */
export function piCallerTransformBytes(threads: number, running: number): number {
  const threadBudget = piSubtreeThreadBudget(threads);
  return Math.max(0, budgetFor('piTransforms') - Math.floor(running * threadBudget * BUDGET_SHARES.piTransforms));
}

/**
 * Threads pi's series may use (at most `wanted`): the series is cut into leaves of at most piSubtreeLeafTerms(t)
 * terms (apps/pi/parallel.ts), so a thread's memory follows its leaf, not the size of pi; t is lowered while those
 * leaves would be shorter than PI_MIN_SUBTREE_TERMS. So it no longer depends on the number of decimals.
 * @example
 * piThreadsWithinBudget(8); // 8 at the default 1 GiB: each of 7 threads gets leaves of up to ~28,000 terms
 */
export function piThreadsWithinBudget(wanted: number): number {
  let t = Math.max(1, Math.floor(wanted));
  while (t > 1 && piSubtreeLeafTerms(t) < PI_MIN_SUBTREE_TERMS) t--;
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
