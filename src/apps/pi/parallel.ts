/**
 * parallel — pi's series on t threads: the binary-splitting tree below the root is cut into leaves (subtrees), which
 * t − 1 subtree threads (subtree.ts) and the caller compute at once, while the caller merges them back up here.
 *
 * The cut follows the tree `split` itself walks (series.ts): starting from the root's two children, the heaviest
 * leaf is replaced by its two children at `splitPoint` until every leaf has at most `maxLeafTerms` terms (what a
 * subtree thread's share of the budget holds: kernel/budget.ts piSubtreeLeafTerms) and the leaves balance on t
 * threads (cutSeries), so every merge above them is one `split` would do. P(a,b), Q(a,b) and T(a,b) are exact
 * integers defined by the range alone, so the results — and the digits — are the same for every t.
 *
 * Schedule: the caller walks the cut tree in post-order, as `split` does, merging each node as soon as its two
 * children are there. The subtree threads take the leaves in tree order, each the next one not yet started when it
 * is free; a leaf the caller needs and no thread has started, the caller computes itself, and while it waits for a
 * thread's leaf it computes the next unstarted one. So the bottom levels (the leaves: at 10^8 decimals 32 of ~220,000
 * terms, each ~9 of the tree's ~14 levels) run on all t threads, and the merges above the cut run on the caller
 * while the subtree threads go on with the next leaves. The kernel's FFT helpers stay out while subtree threads
 * may run (the cores are taken) and serve the caller once the last leaf is in; the root's two children are merged
 * only then (topFrontier). The threads may run at most AHEAD_PER_THREAD·t leaves ahead of the caller's walk, so
 * the finished leaves the caller holds stay a few leaves' worth.
 *
 * Memory: a subtree thread is configured with its part of the `piSubtrees` share, which bounds its leaf's length
 * (not pi's size); while threads run, the caller's products plan within what the threads' products leave
 * (piCallerTransformBytes, through limitPiBudget), and once the last leaf is taken, within the whole share again.
 *
 * The side root: a thread with no leaf left computes pi's 1/√10005 (compute.ts), which does not depend on the
 * series, while the caller finishes its last subtree (at 10^7 decimals on 2 threads, two halves, the thread's half
 * ends 0.35–0.7 s before the caller's on a quiet machine; the root costs 0.35–0.45 s of one core, and ~0.2 s of the
 * caller's wall with the helper after the series, as it was computed before), and the caller takes it only after the
 * root merge (PendingRoot), so that the thread has that merge's time too. While it runs it counts as a running
 * thread: the helper stays off and the caller's products stay within what it leaves. Only where its numbers are no
 * larger than the thread's leaves (sideRootFits), so the thread's memory share still holds it; otherwise (pi 10^8)
 * the caller computes the root after the series, as on one thread. Where the cut is the two halves on one subtree
 * thread (10^7 on 2 threads), that thread, given the left half [0, m), keeps its Q1 (subtree.ts keepQ: the half comes
 * without it) and after the root also forms compute.ts's product N = Y·⌊Q1⌋·k (SideRoot `times`, subtree.ts
 * RootProduct), which needs nothing of the caller's, so the caller's serial tail after the series is the root merge
 * and the division only (the product was 0.14–0.2 s of the caller's wall with the helper).
 */
import { piCallerTransformBytes, piSubtreeLeafTerms, piSubtreeThreadBudget, suspendHelper } from '../../kernel/index.js';
import { limitPiBudget } from './products.js';
import { YIELD_TERMS, merge, mergeWeight, type Split, split, splitPoint, subtreeWeight } from './series.js';
import type { Float } from './signed.js';
import { type RootProduct, SubtreeJob } from './subtree.js';

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
 * The root's two children [0, m) and [m, terms), cut by replacing the longest leaf with its two children until
 * every leaf has at most `maxLeafTerms` terms, then the heaviest until the leaves, scheduled longest first on
 * `threads`, are within BALANCE of an equal share (for a power of two that is at least `threads` equal leaves; for 3
 * threads, eight leaves scheduled 3 + 3 + 2), or no leaf is worth cutting. The leaves come out in tree order.
 */
export function cutSeries(m: number, terms: number, threads: number, maxLeafTerms = Infinity): { roots: [Node, Node]; leaves: Node[] } {
  const roots: [Node, Node] = [
    { a: 0, b: m, needP: true },
    { a: m, b: terms, needP: false },
  ];
  const leaves: Node[] = [...roots];
  const cut = (i: number): void => {
    const n = leaves[i]!;
    const c = splitPoint(n.a, n.b);
    n.children = [
      { a: n.a, b: c, needP: true },
      { a: c, b: n.b, needP: n.needP },
    ];
    leaves.splice(i, 1, ...n.children);
  };
  const cuttable = (n: Node): boolean => n.b - n.a >= MIN_CUT_TERMS;
  for (;;) {
    let longest = -1;
    for (let i = 0; i < leaves.length; i++) {
      const n = leaves[i]!;
      if (n.b - n.a > maxLeafTerms && cuttable(n) && (longest < 0 || n.b - n.a > leaves[longest]!.b - leaves[longest]!.a)) longest = i;
    }
    if (longest < 0) break;
    cut(longest);
  }
  const balanced = (): boolean => {
    if (leaves.length < threads) return false;
    const weights = leaves.map(weightOf);
    return scheduledMakespan(weights, threads) <= (BALANCE * weights.reduce((x, y) => x + y, 0)) / threads;
  };
  while (threads > 1 && !balanced() && leaves.length < MAX_LEAVES_PER_THREAD * threads) {
    let best = -1;
    for (let i = 0; i < leaves.length; i++) {
      if (!cuttable(leaves[i]!)) continue;
      if (best < 0 || weightOf(leaves[i]!) > weightOf(leaves[best]!)) best = i;
    }
    if (best < 0) break;
    cut(best);
  }
  return { roots, leaves };
}

/**
 * A task for a subtree thread with no leaf left: Y ≈ B^limbs/√c (kernel natRsqrtSmall, B = 10^4; compute.ts), and
 * with `times`, where that thread computed the left half [0, m), Y·⌊Q1⌋·factor instead (subtree.ts RootProduct).
 */
export interface SideRoot {
  readonly c: number;
  readonly limbs: number;
  readonly times?: RootProduct;
}

/**
 * The side root given to a subtree thread: `take` waits for it (and then lets the threads go); `stop` gives it up.
 * `product`: the thread forms the SideRoot's `times` product (take gives Y·⌊Q1⌋·factor with ⌊Q1⌋'s exponent), else
 * take gives Y (exponent 0).
 */
export interface PendingRoot {
  readonly product: boolean;
  take(): Generator<number, Float>;
  stop(): void;
}

/**
 * Limbs of the side root per term of a subtree thread's leaf: the root's largest products have results of about
 * its `limbs` (the wrapped square of Y_h, and Y_h times the difference: kernel/sqrt.ts natRsqrtSmall), a leaf's top
 * merge of n terms has results of ~11.5·n limbs (T, 46 digits a term); 8 keeps the root below the leaf with margin.
 */
const ROOT_LIMBS_PER_LEAF_TERM = 8;

/**
 * Whether a subtree thread's memory share holds the side root (its numbers no larger than a leaf's). Also its
 * product: Y, ⌊Q1⌋·factor (~limbs each) and their product (2·limbs) are 4·limbs ≤ 32 limbs (64 bytes) a leaf term,
 * and Q1 kept for it ~10 limbs a term (38 digits), below the ~108 bytes a term a leaf's top merge holds (its
 * children's P, Q, T and its own); its transforms are planned within the thread's share as the leaves' are.
 */
export function sideRootFits(side: SideRoot, threads: number): boolean {
  return side.limbs <= ROOT_LIMBS_PER_LEAF_TERM * piSubtreeLeafTerms(threads);
}

/** How long one wait for a subtree thread blocks before the driver gets a step back (progress, cancellation). */
const WAIT_SLICE_MS = 20;
/** Leaves the subtree threads may have finished or started ahead of the caller's walk, per thread. */
const AHEAD_PER_THREAD = 2;

/**
 * The series' two root halves with the tree cut for `threads` (cutSeries, leaves within the subtree threads'
 * memory share) and scheduled as the header says, and the side root if one was given, fits and a thread was free
 * for it (else undefined: the caller computes it). The threads' progress is reported with this thread's steps;
 * they are stopped if this generator ends early (an error here or on a thread, or the driver cancelling and
 * closing it); the caller must take or stop a PendingRoot it gets.
 */
export function* seriesOnThreads(
  m: number,
  terms: number,
  threads: number,
  side?: SideRoot,
): Generator<number, [Split, Split, PendingRoot | undefined]> {
  const { roots, leaves } = cutSeries(m, terms, threads, piSubtreeLeafTerms(threads));
  const workers = Math.min(threads, leaves.length) - 1;
  const threadBudget = piSubtreeThreadBudget(threads);
  const maxAhead = AHEAD_PER_THREAD * threads;
  /** Finished leaves not yet merged (computed ahead by a thread or by this one). */
  const results = new Map<Node, Split>();
  const running = new Map<Node, SubtreeJob>();
  /** Threads done with their leaf, waiting for the next (a thread's start costs ~0.2 s of CPU); `all` to stop them. */
  const idle: SubtreeJob[] = [];
  const all: SubtreeJob[] = [];
  /** The first leaf, in tree order, that nobody has started. */
  let next = 0;
  /** Progress of finished threads not yet reported. */
  let finishedProgress = 0;
  /** The thread the side root is queued on (still in `running` while it ends its leaf), and the root once back. */
  let sideJob: SubtreeJob | undefined;
  let sideResult: Float | undefined;
  const sideWanted = side !== undefined && sideRootFits(side, threads);
  const sideRunning = (): boolean => sideJob !== undefined && sideResult === undefined;
  /**
   * The thread that keeps Q1 for the side root's product: the one given the left half roots[0] as a leaf, where it is
   * the only subtree thread and the cut is the two halves (10^7 on 2 threads), so no other leaf follows there and
   * the side root goes to it; it then sends no Q1 (subtree.ts keepQ).
   */
  const keepsQ = sideWanted && side.times !== undefined && workers === 1 && leaves.length === 2 && leaves[0] === roots[0];
  let qKeeper: SubtreeJob | undefined;
  /** Whether the side root's thread forms the product too (it is the qKeeper). */
  let sideProduct = false;
  /** Threads computing beside this one: those on leaves, and the side root's if it is on none. */
  const busyThreads = (): number => running.size + (sideRunning() && ![...running.values()].includes(sideJob!) ? 1 : 0);
  const restoreBudget = limitPiBudget(() => piCallerTransformBytes(threads, busyThreads()));

  const progress = (): number => {
    let sum = finishedProgress;
    finishedProgress = 0;
    for (const job of running.values()) sum += job.takeProgress();
    return sum;
  };
  const roomAhead = (): boolean => next < leaves.length && results.size + running.size < maxAhead;
  /** Collects finished threads (waiting up to `ms` for `awaited`'s) and gives free threads the next leaves. */
  const tend = (ms: number, awaited?: Node): void => {
    for (const [leaf, job] of running) {
      const result = job.poll(leaf === awaited ? ms : 0);
      if (result === undefined) continue;
      finishedProgress += job.takeProgress();
      results.set(leaf, result);
      running.delete(leaf);
      if (job !== sideJob) idle.push(job);
    }
    while (running.size < workers && roomAhead()) {
      const leaf = leaves[next++]!;
      let job = idle.pop();
      const keepQ = keepsQ && leaf === roots[0];
      if (job) job.next(leaf.a, leaf.b, leaf.needP, keepQ);
      else {
        job = new SubtreeJob(leaf.a, leaf.b, leaf.needP, threadBudget, keepQ);
        all.push(job);
      }
      running.set(leaf, job);
      if (keepQ) qKeeper = job;
    }
    tendSide();
    release();
  };
  /**
   * Once every leaf is given out, queues the side root on the thread that keeps Q1, with the product, or else on the
   * thread likely free first (an idle one, else the one on the earliest-given leaf: the root then starts the moment
   * that leaf is done, not when this thread next looks), and collects it when done.
   */
  const tendSide = (ms = 0): void => {
    if (sideWanted && sideJob === undefined && next === leaves.length) {
      sideProduct = qKeeper !== undefined;
      sideJob = qKeeper ?? idle.pop() ?? running.values().next().value;
      sideJob?.queueRoot(side!.c, side!.limbs, sideProduct ? side!.times : undefined);
    }
    if (sideRunning()) sideResult = sideJob!.pollRoot(ms);
  };
  /** Kept off while subtree threads may still run (both cores are taken); see release. */
  let resumeHelper: (() => void) | undefined;
  /**
   * Once every leaf is taken and no thread runs: the threads go (their heaps and wasm memories with them) and the
   * kernel's FFT helper serves the caller's remaining merges (the last subtrees' and the root's children's).
   */
  const release = (): void => {
    if (resumeHelper === undefined || next < leaves.length || running.size > 0 || sideRunning()) return;
    for (const job of all) job.stop();
    resumeHelper();
    resumeHelper = undefined;
  };
  /** Everything this generator started is let go: the threads, the helper's suspension, the caller's budget limit. */
  const cleanUp = (): void => {
    restoreBudget();
    for (const job of all) job.stop();
    resumeHelper?.();
    resumeHelper = undefined;
  };
  function* here(leaf: Node): Generator<number, Split> {
    const steps = split(leaf.a, leaf.b, leaf.needP);
    let step = steps.next();
    for (; !step.done; step = steps.next()) {
      yield step.value + progress();
      tend(0);
    }
    return step.value;
  }
  /** A leaf's P, Q, T: taken when finished, computed here when nobody started it, else waited for. */
  function* take(leaf: Node): Generator<number, Split> {
    for (;;) {
      const done = results.get(leaf);
      if (done !== undefined) {
        results.delete(leaf);
        tend(0);
        return done;
      }
      if (leaves[next] === leaf) {
        next++;
        return yield* here(leaf);
      }
      // The leaf runs on a thread: compute the next unstarted one meanwhile, if the look-ahead allows.
      if (roomAhead()) {
        const ahead = leaves[next++]!;
        results.set(ahead, yield* here(ahead));
      } else {
        tend(WAIT_SLICE_MS, leaf);
        yield progress();
      }
    }
  }
  function* walk(node: Node): Generator<number, Split> {
    if (!node.children) return yield* take(node);
    const left = yield* walk(node.children[0]);
    const right = yield* walk(node.children[1]);
    // Between a large merge's products the free threads get their next leaves: such a merge lasts seconds.
    const merged = merge(left, right, node.needP, () => tend(0));
    tend(0);
    yield mergeWeight(node.b - node.a) + progress();
    return merged;
  }

  // Phase 1: the subtrees below the top level (frontier), in tree order, each merged up as its leaves come in,
  // with this thread and the subtree threads busy and the kernel's FFT helper kept out until the last leaf is in
  // (release). Phase 2: the top level's merges from the frontier's results, with the helper.
  const frontier = topFrontier(roots, terms);
  const done = new Map<Node, Split>();
  /** Set when the side root is still running at the end: the PendingRoot then cleans up. */
  let handedOver = false;
  try {
    resumeHelper = suspendHelper();
    tend(0);
    for (const node of frontier) done.set(node, yield* walk(node));
    tendSide();
    release();
    if (!sideRunning()) restoreBudget();
    const left = yield* mergeUp(roots[0], done);
    const right = yield* mergeUp(roots[1], done);
    tendSide();
    if (sideJob === undefined) return [left, right, undefined];
    handedOver = true;
    return [left, right, pendingRoot(sideProduct, () => {
      tendSide(WAIT_SLICE_MS);
      return sideResult;
    }, cleanUp)];
  } finally {
    if (!handedOver) cleanUp();
  }
}

/**
 * The side root as a PendingRoot: `poll` returns it once there (each call waiting up to WAIT_SLICE_MS); `cleanUp`
 * runs once, when it is taken or given up.
 */
function pendingRoot(product: boolean, poll: () => Float | undefined, cleanUp: () => void): PendingRoot {
  let open = true;
  const stop = (): void => {
    if (open) cleanUp();
    open = false;
  };
  return {
    product,
    *take(): Generator<number, Float> {
      try {
        for (;;) {
          const y = poll();
          if (y !== undefined) return y;
          yield 0;
        }
      } finally {
        stop();
      }
    },
    stop,
  };
}

/** Nodes of more than this fraction of the series' terms are merged only once all leaves are done (phase 2). */
const TOP_FRACTION = 1 / 3;

/**
 * The cut tree's top level: the nodes with more than TOP_FRACTION of the terms that have children (the root's two
 * children, when they are cut). Returns the subtrees just below them (leaves included), in tree order: what phase
 * 1 computes. Their merges are the largest; done after the last leaf, no subtree thread's memory is alive beside
 * them (the left child's would otherwise run beside the right child's leaves).
 */
function topFrontier(roots: readonly Node[], terms: number): Node[] {
  const out: Node[] = [];
  const visit = (n: Node): void => {
    if (n.children && n.b - n.a > TOP_FRACTION * terms) n.children.forEach(visit);
    else out.push(n);
  };
  roots.forEach(visit);
  return out;
}

/**
 * The node's P, Q, T from its computed subtrees, merging in the tree's order (post-order, as `split` does). A
 * subtree's result leaves the map when it is taken, so merged ones are not kept alive.
 */
function* mergeUp(node: Node, results: Map<Node, Split>): Generator<number, Split> {
  const own = results.get(node);
  if (own !== undefined) {
    results.delete(node);
    return own;
  }
  const left = yield* mergeUp(node.children![0], results);
  const right = yield* mergeUp(node.children![1], results);
  const merged = merge(left, right, node.needP);
  yield mergeWeight(node.b - node.a);
  return merged;
}
