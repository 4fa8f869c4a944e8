/**
 * plan — the one place that decides how pi to N decimals is computed for the memory budget
 * (docs/ARCHITECTURE.md §4, "pi beyond the memory budget"):
 *
 * - **memory**: everything in memory (compute.ts) while the numbers pi holds fit the budget
 *   (kernel/budget.ts `piFitsInMemory`);
 * - **outOfCore**: the binary-splitting tree is cut at the depth where a subtree's P, Q, T still fit the budget
 *   (`piLeafTermsWithinBudget`): those subtrees ("leaves") are computed in memory with the existing series code
 *   and written as digit files; every merge above them runs on files through the engine's operations (whose
 *   products the kernel planner sends out of core when they do not fit), the root merge in truncated decimal
 *   floats, then the square root of 10005 and the final quotient on files (engine `isqrt`, `div`).
 *
 * The tree cut is the one `split` walks (series.ts `splitPoint`), so the leaves' and merges' P, Q, T are the same
 * exact integers as in memory, and the digits do not depend on the plan.
 *
 * Disk: the out-of-core run keeps at most two levels of the tree on disk (a merge's children until its own files
 * are recorded), each level's P, Q, T about 7.1 digits per decimal (~24 + 38 + 46 digits per term, 14.18 decimals
 * per term), plus the final steps' numbers (radicand 2N, square root N, numerator 2N, quotient N) and the engine's
 * out-of-core product scratch; PI_DISK_BYTES_PER_DECIMAL covers the largest of those moments with a margin.
 */
import { PI_HELD_BYTES_PER_DECIMAL, piFitsInMemory, piLeafTermsWithinBudget } from '../../kernel/index.js';
import { InvalidArgumentError, ResultTooLargeError } from '../../errors.js';
import { splitPoint, termsFor } from './series.js';

/** Per-call overrides of the plan, for tests and benchmarks (docs/ARCHITECTURE.md, "per-call knobs"). */
export interface PiPlanOptions {
  /** Force the method instead of the budget's choice. */
  readonly method?: PiMethod;
  /** Most terms of a subtree computed in memory (out of core); default from the budget. */
  readonly leafTerms?: number;
}

export type PiMethod = 'memory' | 'outOfCore';

/** A node of the out-of-core tree: a term range, whether its P is needed, its children above the leaf depth. */
export interface PiNode {
  readonly a: number;
  readonly b: number;
  readonly needP: boolean;
  readonly children?: readonly [PiNode, PiNode];
}

export interface PiPlan {
  readonly decimals: number;
  /** Digits computed beyond the decimals, to prove the truncation (compute.ts). */
  readonly guard: number;
  readonly terms: number;
  readonly method: PiMethod;
  /** Out of core: the root's two children (the root merge is the final one, in floats); undefined in memory. */
  readonly roots?: readonly [PiNode, PiNode];
  /** Out of core: the most terms of a leaf subtree. */
  readonly leafTerms: number;
  /** Out of core: subtrees computed in memory, and merges on files below the root. */
  readonly leaves: number;
  readonly merges: number;
  /** Bytes of disk the run needs at its peak (scratch and result files; the output file is counted apart). */
  readonly diskBytes: number;
  /** Bytes of memory the numbers pi holds need in memory (informative). */
  readonly heldBytes: number;
}

/** Disk bytes per decimal of an out-of-core run at its peak (see the header: two tree levels + the final steps). */
export const PI_DISK_BYTES_PER_DECIMAL = 24;

/** Term indices stay below 2^31 (series.ts's split points use 32-bit shifts): about 3·10^10 decimals. */
const MAX_TERMS = 2 ** 31 - 1;

/** Leaves smaller than this many terms are not worth a file of their own (and a merge on files). */
const MIN_LEAF_TERMS = 64;

function cutTree(a: number, b: number, needP: boolean, leafTerms: number, counts: { leaves: number; merges: number }): PiNode {
  if (b - a <= leafTerms || b - a < 3) {
    counts.leaves++;
    return { a, b, needP };
  }
  const m = splitPoint(a, b);
  counts.merges++;
  return { a, b, needP, children: [cutTree(a, m, true, leafTerms, counts), cutTree(m, b, needP, leafTerms, counts)] };
}

/**
 * The plan for pi to `decimals` decimals with `guard` guard digits, under the configured memory budget.
 * @throws {InvalidArgumentError} `decimals` is not a positive safe integer, or `options.leafTerms` is not a positive
 *   integer
 * @throws {ResultTooLargeError} the series would need 2^31 terms or more (about 3·10^10 decimals)
 * @example
 * planPi(1000).method;                                  // 'memory'
 * planPi(100_000, 12, { method: 'outOfCore', leafTerms: 1024 }).leaves; // 8
 */
export function planPi(decimals: number, guard: number, options: PiPlanOptions = {}): PiPlan {
  if (!Number.isSafeInteger(decimals) || decimals < 1) {
    throw new InvalidArgumentError(`pi: the number of decimals must be a positive integer, got ${decimals}`);
  }
  if (options.leafTerms !== undefined && !(Number.isSafeInteger(options.leafTerms) && options.leafTerms >= 1)) {
    throw new InvalidArgumentError(`pi: leafTerms must be a positive integer, got ${options.leafTerms}`);
  }
  const digits = decimals + guard;
  const terms = termsFor(digits);
  if (terms > MAX_TERMS) {
    throw new ResultTooLargeError(`pi: ${decimals} decimals need ${terms} series terms, more than the ${MAX_TERMS} the series indexes`);
  }
  const heldBytes = digits * PI_HELD_BYTES_PER_DECIMAL;
  const method = options.method ?? (piFitsInMemory(digits) ? 'memory' : 'outOfCore');
  const leafTerms = Math.max(MIN_LEAF_TERMS, options.leafTerms ?? piLeafTermsWithinBudget());
  if (method === 'memory') {
    return { decimals, guard, terms, method, leafTerms, leaves: 0, merges: 0, diskBytes: 0, heldBytes };
  }
  const m = splitPoint(0, terms);
  const counts = { leaves: 0, merges: 0 };
  const roots: [PiNode, PiNode] = [cutTree(0, m, true, leafTerms, counts), cutTree(m, terms, false, leafTerms, counts)];
  return {
    decimals, guard, terms, method, roots, leafTerms, ...counts,
    diskBytes: Math.ceil(digits * PI_DISK_BYTES_PER_DECIMAL) + (64 << 20),
    heldBytes,
  };
}

/** One line describing the plan (the CLI's `--plan`-like diagnostics and the docs' examples). */
export function describePiPlan(plan: PiPlan): string {
  if (plan.method === 'memory') return `pi ${plan.decimals}: in memory (${plan.terms} terms)`;
  return (
    `pi ${plan.decimals}: out of core, ${plan.terms} terms in ${plan.leaves} subtrees of at most ${plan.leafTerms} ` +
    `terms computed in memory, ${plan.merges} merges and the root merge on files, then sqrt and quotient on files`
  );
}
