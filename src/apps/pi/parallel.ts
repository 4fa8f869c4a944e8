/**
 * parallel — pi's series on t threads: the binary-splitting tree below the root is cut into t subtrees, t − 1 of
 * them computed on subtree threads (subtree.ts) while the caller computes one, then merged back up here.
 *
 * The cut follows the tree `split` itself walks (series.ts): starting from the root's two children, the heaviest
 * subtree of the frontier (subtreeWeight) is replaced by its two children at `splitPoint` until the leaves balance
 * on t threads (cutSeries), so every merge above them is one `split` would do. P(a,b), Q(a,b) and T(a,b) are exact
 * integers defined by the range alone, so the results — and the digits — are the same for every t.
 *
 * Choice: the merges above the leaves run on the caller, one after the other (the kernel's FFT threads serve them).
 * For a power of two t that is the tree's top log2(t) levels, as with t = 2 before; other t cut a level or two
 * deeper to balance, so their gain over the next lower power of two is smaller than t suggests.
 *
 * Memory: at most t computations run at once, each with 1/t of pi's budget for its products' transforms (the caller's
 * through sharePiBudget, a subtree thread's through its configured budget), so the budget still bounds what all
 * products hold together; how many threads the budget allows at all is budget.ts's `piThreadsWithinBudget`.
 * The merges above the subtrees run on the caller with the whole share again.
 */
import { sharePiBudget } from './products.js';
import { YIELD_TERMS, merge, mergeWeight, type Split, split, splitPoint, subtreeWeight } from './series.js';
import { SubtreeJob } from './subtree.js';

/** A node of the cut tree: a term range, whether its P is needed, and its children once cut. */
export interface Node {
  readonly a: number;
  readonly b: number;
  readonly needP: boolean;
  children?: [Node, Node];
}

/** Ranges shorter than this are not cut further (their work is too small to spread). */
const MIN_CUT_TERMS = 2 * YIELD_TERMS;
/** A cut is good enough when its leaves, scheduled longest first, keep the threads within this factor of equal. */
const BALANCE = 1.15;
/** Cuts beyond this many leaves per thread are not worth their serial merges above them. */
const MAX_LEAVES_PER_THREAD = 4;

function weightOf(n: Node): number {
  return subtreeWeight(n.a, n.b);
}

/** Longest-first schedule of `weights` on `threads`: the busiest thread's total (what the series then takes). */
export function scheduledMakespan(weights: readonly number[], threads: number): number {
  const load = new Array<number>(Math.max(1, threads)).fill(0);
  for (const w of [...weights].sort((x, y) => y - x)) {
    let least = 0;
    for (let i = 1; i < load.length; i++) if (load[i]! < load[least]!) least = i;
    load[least]! += w;
  }
  return Math.max(...load);
}

/**
 * The root's two children [0, m) and [m, terms), cut by replacing the heaviest leaf with its two children until
 * the leaves, scheduled longest first on `threads`, are within BALANCE of an equal share (for a power of two that
 * is exactly `threads` equal leaves; for 3 threads, eight leaves scheduled 3 + 3 + 2), or no leaf is worth cutting.
 */
export function cutSeries(m: number, terms: number, threads: number): { roots: [Node, Node]; leaves: Node[] } {
  const roots: [Node, Node] = [
    { a: 0, b: m, needP: true },
    { a: m, b: terms, needP: false },
  ];
  const leaves: Node[] = [...roots];
  const balanced = (): boolean => {
    if (leaves.length < threads) return false;
    const weights = leaves.map(weightOf);
    return scheduledMakespan(weights, threads) <= (BALANCE * weights.reduce((x, y) => x + y, 0)) / threads;
  };
  while (threads > 1 && !balanced() && leaves.length < MAX_LEAVES_PER_THREAD * threads) {
    let best = -1;
    for (let i = 0; i < leaves.length; i++) {
      if (leaves[i]!.b - leaves[i]!.a < MIN_CUT_TERMS) continue;
      if (best < 0 || weightOf(leaves[i]!) > weightOf(leaves[best]!)) best = i;
    }
    if (best < 0) break;
    const n = leaves[best]!;
    const c = splitPoint(n.a, n.b);
    n.children = [
      { a: n.a, b: c, needP: true },
      { a: c, b: n.b, needP: n.needP },
    ];
    leaves.splice(best, 1, ...n.children);
  }
  return { roots, leaves };
}

/** How long one wait for the subtree threads blocks before the driver gets a step back (progress, cancellation). */
const WAIT_SLICE_MS = 20;

/**
 * The series' two root halves with the tree cut for `threads` (cutSeries): its leaves, longest first, go to up to
 * threads − 1 subtree threads and to this thread, each taking the next leaf when it is free. The threads' progress
 * is reported with this thread's steps; they are stopped if this generator ends early (an error here or on a
 * thread, or the driver cancelling and closing it).
 */
export function* seriesOnThreads(m: number, terms: number, threads: number): Generator<number, [Split, Split]> {
  const { roots, leaves } = cutSeries(m, terms, threads);
  const queue = [...leaves].sort((x, y) => weightOf(y) - weightOf(x));
  const parties = Math.min(threads, leaves.length);
  const results = new Map<Node, Split>();
  let running: Array<[Node, SubtreeJob]> = [];
  const started: SubtreeJob[] = [];
  const restoreBudget = sharePiBudget(parties);
  try {
    const progress = (): number => started.reduce((sum, job) => sum + job.takeProgress(), 0);
    // Collects finished threads (waiting up to `ms` on the first) and gives free threads the next leaves.
    const tend = (ms: number): void => {
      running = running.filter(([leaf, job], i) => {
        const result = job.poll(i === 0 ? ms : 0);
        if (result) results.set(leaf, result);
        return result === undefined;
      });
      while (running.length < parties - 1 && queue.length > 1) {
        const leaf = queue.shift()!;
        const job = new SubtreeJob(leaf.a, leaf.b, leaf.needP, parties);
        started.push(job);
        running.push([leaf, job]);
      }
    };
    tend(0);
    for (let leaf = queue.shift(); leaf !== undefined; leaf = queue.shift()) {
      const steps = split(leaf.a, leaf.b, leaf.needP);
      let step = steps.next();
      for (; !step.done; step = steps.next()) {
        yield step.value + progress();
        tend(0);
      }
      results.set(leaf, step.value);
      tend(0);
    }
    while (running.length > 0) {
      tend(WAIT_SLICE_MS);
      yield progress();
    }
    yield progress();
  } finally {
    restoreBudget();
    for (const job of started) job.stop();
  }
  const left = yield* mergeUp(roots[0], results);
  const right = yield* mergeUp(roots[1], results);
  return [left, right];
}

/**
 * The node's P, Q, T from its computed leaves, merging in the tree's order (post-order, as `split` does). A leaf's
 * result leaves the map when it is taken, so merged leaves are not kept alive.
 */
function* mergeUp(node: Node, results: Map<Node, Split>): Generator<number, Split> {
  if (!node.children) {
    const leaf = results.get(node)!;
    results.delete(node);
    return leaf;
  }
  const left = yield* mergeUp(node.children[0], results);
  const right = yield* mergeUp(node.children[1], results);
  const merged = merge(left, right, node.needP);
  yield mergeWeight(node.b - node.a);
  return merged;
}
