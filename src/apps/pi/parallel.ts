/**
 * parallel — pi's series on t threads: the binary-splitting tree below the root is cut into t subtrees, t − 1 of
 * them computed on subtree threads (subtree.ts) while the caller computes one, then merged back up here.
 *
 * The cut follows the tree `split` itself walks (series.ts): starting from the root's two children, the heaviest
 * subtree of the frontier (subtreeWeight) is replaced by its two children at `splitPoint` until there are t, so the
 * subtrees are of about equal work and every merge above them is one `split` would do. P(a,b), Q(a,b) and T(a,b)
 * are exact integers defined by the range alone, so the results — and the digits — are the same for every t.
 *
 * Memory: the t computations run at once, each with 1/t of pi's budget for its products' transforms (the caller's
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

/** The root's two children [0, m) and [m, terms), cut into at most `threads` leaves (fewer for a short series). */
export function cutSeries(m: number, terms: number, threads: number): { roots: [Node, Node]; leaves: Node[] } {
  const roots: [Node, Node] = [
    { a: 0, b: m, needP: true },
    { a: m, b: terms, needP: false },
  ];
  const leaves: Node[] = [...roots];
  while (leaves.length < threads) {
    let best = -1;
    for (let i = 0; i < leaves.length; i++) {
      const n = leaves[i]!;
      if (n.b - n.a < MIN_CUT_TERMS) continue;
      if (best < 0 || subtreeWeight(n.a, n.b) > subtreeWeight(leaves[best]!.a, leaves[best]!.b)) best = i;
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
 * The series' two root halves with the tree cut into `threads` subtrees: the first here, the others on subtree
 * threads. Their progress is reported with this thread's steps; they are stopped if this generator ends early (an
 * error here or on a thread, or the driver cancelling and closing it).
 */
export function* seriesOnThreads(m: number, terms: number, threads: number): Generator<number, [Split, Split]> {
  const { roots, leaves } = cutSeries(m, terms, threads);
  const parties = leaves.length;
  const results = new Map<Node, Split>();
  const jobs: Array<[Node, SubtreeJob]> = [];
  const restoreBudget = sharePiBudget(parties);
  try {
    for (const leaf of leaves.slice(1)) jobs.push([leaf, new SubtreeJob(leaf.a, leaf.b, leaf.needP, parties)]);
    const progress = (): number => jobs.reduce((sum, [, job]) => sum + job.takeProgress(), 0);
    const first = leaves[0]!;
    const steps = split(first.a, first.b, first.needP);
    let step = steps.next();
    for (; !step.done; step = steps.next()) yield step.value + progress();
    results.set(first, step.value);
    // Waits on the first unfinished thread a slice at a time and looks at the others without waiting, so a
    // failure anywhere surfaces at once.
    let pending = jobs;
    while (pending.length > 0) {
      pending = pending.filter(([leaf, job], i) => {
        const result = job.poll(i === 0 ? WAIT_SLICE_MS : 0);
        if (result) results.set(leaf, result);
        return result === undefined;
      });
      yield progress();
    }
  } finally {
    restoreBudget();
    for (const [, job] of jobs) job.stop();
  }
  const left = yield* mergeUp(roots[0], results);
  const right = yield* mergeUp(roots[1], results);
  return [left, right];
}

/** The node's P, Q, T from its computed leaves, merging in the tree's order (post-order, as `split` does). */
function* mergeUp(node: Node, results: Map<Node, Split>): Generator<number, Split> {
  if (!node.children) return results.get(node)!;
  const left = yield* mergeUp(node.children[0], results);
  const right = yield* mergeUp(node.children[1], results);
  const merged = merge(left, right, node.needP);
  yield mergeWeight(node.b - node.a);
  return merged;
}
