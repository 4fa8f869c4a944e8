/**
 * products — pi's products: the kernel's planner bound to pi's share of the memory budget (kernel/budget.ts,
 * `piTransforms`), divided among the threads computing the series at once, and the binary-splitting merge with
 * shared transforms.
 *
 * Every big product, division and square root of apps/pi goes through `piMultiplier`, so all of them honour the
 * same budget: a product whose transforms would not fit is split by the planner (kernel/planner.ts).
 */
import { type Nat, Multiplier, budgetFor, natAdd, releaseFftCaches } from '../../kernel/index.js';

/** This thread's share for its products while other threads compute beside it (parallel.ts); unset: the whole share. */
let limit: (() => number) | undefined;

/** The multiplier of this thread's pi work: its share of the budget, read at each product. */
export const piMultiplier = new Multiplier(() => limit?.() ?? budgetFor('piTransforms'));

/**
 * Has pi's products on this thread plan within `bytes()` (read at each product; kernel/budget.ts
 * piCallerTransformBytes) instead of the whole `piTransforms` share, until the returned function is called: the
 * series' subtree threads hold their own products meanwhile. A subtree thread gets its share through its
 * configured budget instead.
 */
export function limitPiBudget(bytes: () => number): () => void {
  const before = limit;
  limit = bytes;
  return () => {
    limit = before;
  };
}

/** The three results of a binary-splitting merge. */
export interface MergedProducts {
  readonly p: Nat | undefined;
  readonly q: Nat;
  readonly t: Nat;
}

/**
 * A merge's operands, handed over: mergeProducts drops each one (sets it undefined) once its last product has used
 * it, so that the caller, holding no other reference, lets the largest merges free them early.
 */
export interface MergeOperands {
  p1?: Nat;
  /** Absent when the merge's own P is not needed. */
  p2?: Nat;
  q1?: Nat;
  q2?: Nat;
  t1?: Nat;
  t2?: Nat;
}

/**
 * The Chudnovsky merge's products: P = P1·P2 (only when p2 is given), Q = Q1·Q2, T = T1·Q2 + P1·T2.
 * T and Q share one transform plan (the planner's transform reuse, when the spectra fit the budget): Q2 is
 * transformed once for two products and T's two products share one inverse transform — 5 forward + 2 inverse
 * transforms instead of 8 + 3; at most 5 spectra are alive at once. P1·P2 is a group of its own: P is half as long
 * as Q, so its own transform is about half the shared plan's length, cheaper than reusing P1's spectrum (measured
 * at 32768 terms: 88.5 ms against 97 ms with P in the shared plan, 93 ms for four plain products); as a group, its
 * result's residue is kept for the parent's check like T's and Q's (sums.ts), so no operand residue is recomputed.
 *
 * Where the spectra do not fit (the top merges at 10^8 decimals: every product is planned on its own anyway), the
 * products run one by one in the order that drops operands soonest — T1·Q2 (T1 done), Q1·Q2 (Q1, Q2), P1·T2 (T2),
 * P1·P2 (P1, P2), then the sum — so what the merge holds shrinks as it goes instead of all six operands staying
 * alive to its end (at the root's children, each operand is 20–40 MB of limbs). `between` runs after each of those
 * products.
 */
export function mergeProducts(ops: MergeOperands, between?: () => void): MergedProducts {
  const { p1, p2, q1, q2, t1, t2 } = ops as Required<MergeOperands>;
  if (piMultiplier.sharesTransforms([[[t1, q2], [p1, t2]], [[q1, q2]]])) {
    const [t, q] = piMultiplier.sumsOfProducts([[[t1, q2], [p1, t2]], [[q1, q2]]]);
    const p = p2 === undefined ? undefined : piMultiplier.sumsOfProducts([[[p1, p2]]])[0]!;
    clear(ops);
    return { t: t!, q: q!, p };
  }
  return oneByOne(ops, between);
}

function clear(ops: MergeOperands): void {
  ops.p1 = ops.p2 = ops.q1 = ops.q2 = ops.t1 = ops.t2 = undefined;
}

/**
 * Runs one of pi's largest steps (a merge's products one by one, the root's quotient, the final product and
 * division: compute.ts) with the FFT's cached twiddle tables freed first; the one place that decides their lifetime
 * in pi. These steps each have a transform length of their own, and a table left in the wasm memory by the step
 * before splits its free space, so that the next step's transforms were placed above it and the memory grew (it
 * never shrinks: at 10^8 decimals 567 MiB instead of ~510 for the rest of the run). Rebuilding a table costs a few
 * percent of such a step. Smaller steps (the merges below the shared-transform size) keep the tables: they reuse
 * them.
 */
export function largeStep<T>(step: () => T): T {
  releaseFftCaches();
  return step();
}

/**
 * mergeProducts' products one by one, each a `largeStep` and each operand dropped after its last use (this frame
 * keeps none); `between` runs after each product (parallel.ts gives its subtree threads their next leaves there).
 */
function oneByOne(ops: MergeOperands, between = (): void => undefined): MergedProducts {
  const take = <K extends keyof MergeOperands>(key: K): Nat => {
    const x = ops[key]!;
    ops[key] = undefined;
    return x;
  };
  let main: Nat | undefined = largeStep(() => piMultiplier.mul(take('t1'), ops.q2!));
  between();
  const q = largeStep(() => piMultiplier.mul(take('q1'), take('q2')));
  between();
  let tail: Nat | undefined = largeStep(() => piMultiplier.mul(ops.p1!, take('t2')));
  between();
  // Tables freed even when P is not needed: natAdd's compiled sum then finds the wasm memory unsplit.
  const p = largeStep(() => (ops.p2 === undefined ? undefined : piMultiplier.mul(ops.p1!, take('p2'))));
  ops.p1 = undefined;
  const t = natAdd(main, tail);
  main = tail = undefined;
  return { p, q, t };
}
