/**
 * outofcore — pi beyond the memory budget, by the plan of plan.ts (docs/ARCHITECTURE.md, "pi beyond the memory
 * budget"), in five phases reported through `onProgress(done, total, phase)`:
 *
 * 1. `series`: each leaf subtree of the plan is computed in memory (series.ts `split`, pi's budgeted multiplier)
 *    and its P, Q, |T| written as digit files;
 * 2. `merge`: every node above the leaves is merged on files by the engine's operations,
 *    P = P1·P2, Q = Q1·Q2, |T| = |T1|·Q2 + P1·|T2| (all magnitudes: series.ts's split points keep T1, T2 of one
 *    sign); the engine's planner runs each product in memory or out of core;
 * 3. `root`: the root merge in truncated decimal floats, Q = Q1·Q2 and T = T1·Q2 + P1·T2 to L digits (`Run.root`;
 *    in memory compute.ts's `rootQuotient` divides by Q2 instead; the float truncations are within the same bound,
 *    at digit instead of limb granularity);
 * 4. `sqrt`: s = isqrt(10005·10^(2M)) on files (engine `isqrt`);
 * 5. `quotient`: X = floor(426880·s·Q / T) on files (engine `mul`, `div`), checked and cut to N decimals by the
 *    guard digits as in compute.ts, then `digits`: the caller's sink writes them out.
 *
 * Every finished unit (a leaf, a merge, the root, s, X) is recorded in the run's journal (units.ts) with its files'
 * digit counts and residues; a rerun of the same computation resumes from the recorded units. Each merge is also
 * checked by residues: r(P) = r(P1)·r(P2), r(Q) = r(Q1)·r(Q2), r(T) = r(T1)·r(Q2) + r(P1)·r(T2) mod the run's prime.
 */
import { ArithmeticCheckError, CancelledError } from '../../errors.js';
import { add, div, isqrt, mul } from '../../engine/index.js';
import { shiftDecimal, truncateDecimal } from '../../engine/linear.js';
import { writeNatResult } from '../../engine/result.js';
import { StreamNumber } from '../../number.js';
import { readForward } from '../../storage/index.js';
import { registerReference, releaseKeeping, releaseReference } from '../../tracker/references.js';
import { mulMod } from '../../engine/outofcore/residue.js';
import { type PiNode, type PiPlan } from './plan.js';
import { mergeWeight, split, subtreeWeight } from './series.js';
import { type FileRecord, freeOwnFiles, journalPrime, openRecorded, recordOf } from './units.js';
import { resumableRun } from '../../engine/outofcore/resume.js';
import type { Journal } from '../../engine/outofcore/journal.js';
import type { OperationOptions, ResumeOptions } from '../../engine/context.js';

/** The phases of an out-of-core run, in order. */
export type PiPhase = 'series' | 'merge' | 'root' | 'sqrt' | 'quotient' | 'digits';

/**
 * `resume` keeps the run's journal in a checkpoint folder (engine/outofcore/resume.ts) and continues a killed or
 * failed run of the same computation; it is passed on to the engine's operations, whose own checkpoints then
 * resume a long product, square root or division inside a unit. `fresh` starts pi over (the engine operations'
 * checkpoints are keyed by their operand files, new ones in a fresh run).
 */
export interface PiOutOfCoreOptions extends ResumeOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, phase?: string) => void;
}

/** Extra precision of the root merge's floats beyond M (as compute.ts's FLOAT_EXTRA). */
const FLOAT_EXTRA = 20;

/** Weights of the phases above the leaves, in subtreeWeight's units (a merge on files costs ~3× one in memory). */
function weights(plan: PiPlan): { merge: (n: number) => number; root: number; sqrt: number; quotient: number; digits: number } {
  const top = mergeWeight(plan.terms);
  return { merge: (n) => 3 * mergeWeight(n), root: 2 * top, sqrt: 6 * top, quotient: 8 * top, digits: top / 4 };
}

function nodesOf(node: PiNode, into: PiNode[] = []): PiNode[] {
  into.push(node);
  if (node.children) for (const c of node.children) nodesOf(c, into);
  return into;
}

/** Total work units of an out-of-core run (progress). */
export function piOutOfCoreWork(plan: PiPlan): number {
  const w = weights(plan);
  let total = w.root + w.sqrt + w.quotient + w.digits;
  for (const node of plan.roots!.flatMap((r) => nodesOf(r))) {
    total += node.children ? w.merge(node.b - node.a) : subtreeWeight(node.a, node.b);
  }
  return total;
}

interface Numbers {
  p: StreamNumber | undefined;
  q: StreamNumber;
  t: StreamNumber;
}

interface Recorded {
  p?: FileRecord;
  q: FileRecord;
  t: FileRecord;
}

/** A float on a file: value = n · 10^e. */
interface FileFloat {
  n: StreamNumber;
  e: number;
}

const PAUSE_MS = 50;

/** One out-of-core run: its journal, its prime, its progress and the staged files it holds. */
class Run {
  private done = 0;
  private lastPause = performance.now();
  private readonly held = new Set<StreamNumber>();
  /**
   * Files of recorded units, each with one extra reference of this run: released without deleting the file if the
   * run fails or is cancelled (a rerun resumes from them), with it once the unit is consumed or the run is done.
   */
  private readonly units = new Set<string>();
  private readonly w;

  constructor(
    readonly plan: PiPlan,
    readonly journal: Journal,
    readonly prime: number,
    readonly options: PiOutOfCoreOptions,
    readonly total: number,
  ) {
    this.w = weights(plan);
  }

  private checkCancelled(): void {
    if (this.options.signal?.aborted) throw new CancelledError(`pi to ${this.plan.decimals} decimals`);
  }

  progress(units: number, phase: PiPhase): void {
    this.done += units;
    this.options.onProgress?.(Math.min(this.done, this.total), this.total, phase);
  }

  private async pause(): Promise<void> {
    if (performance.now() - this.lastPause > PAUSE_MS) {
      await new Promise((resolveNow) => setImmediate(resolveNow));
      this.lastPause = performance.now();
    }
    this.checkCancelled();
  }

  /** Takes an engine result: recorded as the run's own before anything else happens, and held until freed. */
  async own(result: Promise<StreamNumber>): Promise<StreamNumber> {
    const x = await result;
    this.held.add(x);
    if (this.journal.durable) await this.journal.set(`own:${x.path}`, '1');
    return x;
  }

  free(...xs: Array<StreamNumber | undefined>): void {
    for (const x of xs) {
      if (x === undefined) continue;
      const path = x.path;
      this.held.delete(x);
      x.free();
      if (this.units.delete(path)) releaseReference(path);
    }
  }

  /** Marks x's file as a recorded unit's (see `units`). */
  private keep(x: StreamNumber): void {
    if (this.units.has(x.path)) return;
    registerReference(x.path);
    this.units.add(x.path);
  }

  /**
   * Lets go of everything: intermediate files are deleted; recorded units' files too when `done` or when the run is
   * not resumable, else they are kept for a rerun.
   */
  freeAll(done: boolean): void {
    for (const x of this.held) x.free();
    this.held.clear();
    const keep = !done && this.journal.durable;
    for (const path of this.units) (keep ? releaseKeeping : releaseReference)(path);
    this.units.clear();
  }

  /** Options of the engine operations: cancellation, and their own checkpoints when pi's run is resumable. */
  engine(): OperationOptions {
    const { signal, resume, onResume } = this.options;
    return { signal, resume, onResume };
  }

  /** A unit from the journal, if its files are all still the recorded ones. */
  async recalled(key: string): Promise<Numbers | undefined> {
    const text = this.journal.get(key);
    if (text === undefined) return undefined;
    const record = JSON.parse(text) as Recorded;
    const opened: StreamNumber[] = [];
    const open = async (r: FileRecord | undefined): Promise<StreamNumber | undefined> => {
      if (r === undefined) return undefined;
      const x = await openRecorded(r, this.prime);
      if (x) opened.push(x);
      return x;
    };
    const p = await open(record.p);
    const q = await open(record.q);
    const t = await open(record.t);
    if ((record.p !== undefined && p === undefined) || q === undefined || t === undefined) {
      for (const x of opened) x.free();
      return undefined;
    }
    for (const x of opened) {
      this.held.add(x);
      this.keep(x);
    }
    return { p, q, t };
  }

  async record(key: string, numbers: Numbers): Promise<Recorded> {
    const r: Recorded = {
      ...(numbers.p ? { p: await recordOf(numbers.p, this.prime) } : {}),
      q: await recordOf(numbers.q, this.prime),
      t: await recordOf(numbers.t, this.prime),
    };
    for (const x of [numbers.p, numbers.q, numbers.t]) if (x) this.keep(x);
    await this.journal.set(key, JSON.stringify(r));
    return r;
  }

  /** P, Q, |T| of `node`: recalled, computed in memory (a leaf) or merged on files. */
  async node(node: PiNode): Promise<{ numbers: Numbers; record: Recorded }> {
    const key = `node:${node.a}-${node.b}`;
    const recalled = await this.recalled(key);
    if (recalled) {
      this.progress(this.nodeWork(node), node.children ? 'merge' : 'series');
      return { numbers: recalled, record: JSON.parse(this.journal.get(key)!) as Recorded };
    }
    if (!node.children) return this.leaf(node, key);
    const left = await this.node(node.children[0]);
    const right = await this.node(node.children[1]);
    const merged = await this.merge(node, left, right, key);
    this.free(left.numbers.p, left.numbers.q, left.numbers.t, right.numbers.p, right.numbers.q, right.numbers.t);
    return merged;
  }

  private nodeWork(node: PiNode): number {
    if (!node.children) return subtreeWeight(node.a, node.b);
    return this.w.merge(node.b - node.a) + this.nodeWork(node.children[0]) + this.nodeWork(node.children[1]);
  }

  private async leaf(node: PiNode, key: string): Promise<{ numbers: Numbers; record: Recorded }> {
    const steps = split(node.a, node.b, node.needP);
    let step = steps.next();
    for (; !step.done; step = steps.next()) {
      this.progress(step.value, 'series');
      await this.pause();
    }
    const { p, q, t } = step.value;
    const numbers: Numbers = {
      p: p === undefined ? undefined : await this.own(writeNatResult(false, p)),
      q: await this.own(writeNatResult(false, q)),
      t: await this.own(writeNatResult(false, t)),
    };
    return { numbers, record: await this.record(key, numbers) };
  }

  private async merge(
    node: PiNode,
    left: { numbers: Numbers; record: Recorded },
    right: { numbers: Numbers; record: Recorded },
    key: string,
  ): Promise<{ numbers: Numbers; record: Recorded }> {
    this.checkCancelled();
    const o = this.engine();
    const l = left.numbers, r = right.numbers;
    const p = node.needP ? await this.own(mul(l.p!, r.p!, o)) : undefined;
    const q = await this.own(mul(l.q, r.q, o));
    const t1 = await this.own(mul(l.t, r.q, o));
    const t2 = await this.own(mul(l.p!, r.t, o));
    const t = await this.own(add(t1, t2, o));
    this.free(t1, t2);
    const numbers = { p, q, t };
    const record = await this.record(key, numbers);
    // The merge's residue check (the products' own checks already ran; this one also covers the sum and the files).
    const pr = this.prime, L = left.record, R = right.record;
    const ok =
      (!p || record.p!.residue === mulMod(L.p!.residue, R.p!.residue, pr)) &&
      record.q.residue === mulMod(L.q.residue, R.q.residue, pr) &&
      record.t.residue === (mulMod(L.t.residue, R.q.residue, pr) + mulMod(L.p!.residue, R.t.residue, pr)) % pr;
    if (!ok) {
      await this.journal.forget(key);
      throw new ArithmeticCheckError(`pi: the merge of terms [${node.a}, ${node.b}) on files failed its residue check`);
    }
    this.progress(this.w.merge(node.b - node.a), 'merge');
    return { numbers, record };
  }

  // ---------------------------------------------------------------- floats on files (compute.ts's signed.ts floats)

  private async truncate(x: FileFloat, precision: number): Promise<FileFloat> {
    const drop = x.n.digitCount - Math.max(1, precision);
    if (drop <= 0) return x;
    return { n: await this.own(truncateDecimal(x.n, drop, this.engine())), e: x.e + drop };
  }

  private magnitude(x: FileFloat): number {
    return x.n.isZero ? -Infinity : x.n.digitCount - 1 + x.e;
  }

  private async floatMul(x: FileFloat, y: FileFloat, precision: number): Promise<FileFloat> {
    const a = await this.truncate(x, precision);
    const b = await this.truncate(y, precision);
    const product = await this.own(mul(a.n, b.n, this.engine()));
    if (a !== x) this.free(a.n);
    if (b !== y) this.free(b.n);
    const result = await this.truncate({ n: product, e: a.e + b.e }, precision);
    if (result.n !== product) this.free(product);
    return result;
  }

  /** x + y to `precision` digits (both positive here; see signed.ts `floatAdd` for the bound). */
  private async floatAdd(x: FileFloat, y: FileFloat, precision: number): Promise<FileFloat> {
    const floor = Math.max(this.magnitude(x), this.magnitude(y)) - precision - 2;
    const made: StreamNumber[] = [];
    const cut = async (f: FileFloat): Promise<FileFloat> => {
      if (f.e >= floor) return f;
      const n = await this.own(truncateDecimal(f.n, floor - f.e, this.engine()));
      made.push(n);
      return { n, e: floor };
    };
    const a = await cut(x);
    const b = await cut(y);
    const exponent = Math.min(a.e, b.e);
    const align = async (f: FileFloat): Promise<StreamNumber> => {
      if (f.e === exponent) return f.n;
      const n = await this.own(shiftDecimal(f.n, f.e - exponent, this.engine()));
      made.push(n);
      return n;
    };
    const sum = await this.own(add(await align(a), await align(b), this.engine()));
    this.free(...made);
    const result = await this.truncate({ n: sum, e: exponent }, precision);
    if (result.n !== sum) this.free(sum);
    return result;
  }

  /**
   * The root merge in floats: Q = Q1·Q2 and T = T1·Q2 + P1·T2 to L digits. P1·T2 is the tail of the series from
   * term m on, smaller than T1·Q2 by the gap measured here (~14.18·m digits), so its operands need only L minus that
   * gap plus 3 digits for its absolute error to stay below 3·10^−L relative to T: one of compute.ts's ~10 float
   * truncations of at most 10^(1−L) each. (In memory, compute.ts `rootQuotient` divides by Q2 instead and never forms
   * the two long products; here they are the engine's, in memory or out of core by size.)
   */
  async root(left: Numbers, right: Numbers): Promise<{ q: FileFloat; t: FileFloat }> {
    const precision = this.plan.decimals + this.plan.guard + FLOAT_EXTRA;
    const f = (n: StreamNumber): FileFloat => ({ n, e: 0 });
    const q = await this.floatMul(f(left.q), f(right.q), precision);
    const main = await this.floatMul(f(left.t), f(right.q), precision);
    const gap = this.magnitude(main) - this.magnitude(f(left.p!)) - this.magnitude(f(right.t));
    const tail = await this.floatMul(f(left.p!), f(right.t), Math.max(1, precision - gap + 3));
    const t = await this.floatAdd(main, tail, precision);
    for (const x of [main, tail]) if (x.n !== t.n) this.free(x.n);
    return { q, t };
  }

  /** A recorded single file (root's floats, s, X), if still valid. */
  async recalledOne(key: string): Promise<{ x: StreamNumber; e: number } | undefined> {
    const text = this.journal.get(key);
    if (text === undefined) return undefined;
    const record = JSON.parse(text) as FileRecord & { e: number };
    const x = await openRecorded(record, this.prime);
    if (!x) return undefined;
    this.held.add(x);
    this.keep(x);
    return { x, e: record.e };
  }

  async recordOne(key: string, x: StreamNumber, e = 0): Promise<void> {
    this.keep(x);
    await this.journal.set(key, JSON.stringify({ ...(await recordOf(x, this.prime)), e }));
  }
}

/** Phases 1–5 up to X (each skipped where the journal has its result). */
async function computeX(run: Run, plan: PiPlan, w: ReturnType<typeof weights>): Promise<StreamNumber> {
  const digits = plan.decimals + plan.guard;
  // 1–3: series, merges, root.
  let q = await run.recalledOne('root:q');
  let t = q && (await run.recalledOne('root:t'));
  if (!q || !t) {
    const left = await run.node(plan.roots![0]);
    const right = await run.node(plan.roots![1]);
    const root = await run.root(left.numbers, right.numbers);
    await run.recordOne('root:q', root.q.n, root.q.e);
    await run.recordOne('root:t', root.t.n, root.t.e);
    run.free(left.numbers.p, left.numbers.q, left.numbers.t, right.numbers.p, right.numbers.q, right.numbers.t);
    q = { x: root.q.n, e: root.q.e };
    t = { x: root.t.n, e: root.t.e };
  } else {
    run.progress(run.total - w.root - w.sqrt - w.quotient - w.digits, 'root');
  }
  run.progress(w.root, 'root');

  // 4: s = isqrt(10005·10^(2M)).
  run.progress(0, 'sqrt');
  let s = (await run.recalledOne('sqrt'))?.x;
  if (!s) {
    const base = await run.own(StreamNumber.fromLiteral(10005));
    const radicand = await run.own(shiftDecimal(base, 2 * digits, run.engine()));
    run.free(base);
    s = await run.own(isqrt(radicand, run.engine()));
    run.free(radicand);
    await run.recordOne('sqrt', s);
  }
  run.progress(w.sqrt, 'sqrt');

  // 5: X = floor(426880 · s · Qm · 10^eq / (Tm · 10^et)), shifting whichever side keeps it integral.
  run.progress(0, 'quotient');
  const o = run.engine();
  const scaled = await run.own(mul(s!, 426880, o));
  const product = await run.own(mul(scaled, q.x, o));
  run.free(scaled);
  const shift = q.e - t.e;
  const numerator = shift > 0 ? await run.own(shiftDecimal(product, shift, o)) : product;
  if (numerator !== product) run.free(product);
  const denominator = shift < 0 ? await run.own(shiftDecimal(t.x, -shift, o)) : t.x;
  const x = await run.own(div(numerator, denominator, o));
  run.free(numerator);
  if (denominator !== t.x) run.free(denominator);
  await run.recordOne('x', x);
  run.progress(w.quotient, 'quotient');
  return x;
}

/** How many finished units (subtrees, merges, root, square root, quotient) the journal holds. */
function unitCount(plan: PiPlan, journal: Journal): number {
  const nodes = plan.roots!.flatMap((r) => nodesOf(r));
  return nodes.filter((n) => journal.get(`node:${n.a}-${n.b}`) !== undefined).length +
    ['root:q', 'sqrt', 'x'].filter((key) => journal.get(key) !== undefined).length;
}

/** True when the guard digits read as g satisfy 2 ≤ g ≤ 10^G − 2 (compute.ts's header). */
function guardIsSafe(guard: Uint8Array): boolean {
  const inner = guard.subarray(0, guard.length - 1);
  const last = guard[guard.length - 1]!;
  if (inner.every((d) => d === 48) && last <= 49) return false;
  if (inner.every((d) => d === 57) && last >= 56) return false;
  return true;
}

/**
 * X ≈ pi·10^M as a staged file (M + 1 digits, "3" first) by the out-of-core plan, handed to `sink` together with
 * whether its guard digits prove the truncation; the run's files and journal are removed once `sink` is done and
 * the guard is safe (otherwise the caller retries with more guard digits, and this run's journal is dropped too).
 */
export async function runPiOutOfCore<T>(
  plan: PiPlan,
  options: PiOutOfCoreOptions,
  sink: (x: StreamNumber, decimals: number) => Promise<T>,
): Promise<{ value: T } | undefined> {
  // The checkpoint is keyed by what pi computes (decimals and guard digits), never by the budget: a rerun with another
  // budget reuses every unit whose term range its plan shares. The disk is planned by resumableRun (bytes needed vs
  // free, refused before any work); the output file is checked by the caller.
  const spec = { operation: 'pi', operands: [], parameters: { decimals: plan.decimals, guard: plan.guard } };
  const disk = { digits: plan.decimals + plan.guard + 1, scratchBytes: plan.diskBytes };
  return resumableRun(spec, disk, options, async (context) => {
    context.resumed(unitCount(plan, context.journal), plan.leaves + plan.merges + 3, 'units');
    return runUnits(plan, context.journal, options, sink);
  });
}

async function runUnits<T>(
  plan: PiPlan,
  journal: Journal,
  options: PiOutOfCoreOptions,
  sink: (x: StreamNumber, decimals: number) => Promise<T>,
): Promise<{ value: T } | undefined> {
  const prime = await journalPrime(journal);
  const total = piOutOfCoreWork(plan);
  const run = new Run(plan, journal, prime, options, total);
  const w = weights(plan);
  const digits = plan.decimals + plan.guard;
  let outcome: { value: T } | undefined;
  let finished = false;
  try {
    let x = (await run.recalledOne('x'))?.x;
    if (x) run.progress(total - w.digits, 'quotient');
    else x = await computeX(run, plan, w);

    if (x.digitCount !== digits + 1) {
      throw new ArithmeticCheckError(`pi: expected ${digits + 1} digits before truncation, got ${x.digitCount}`);
    }
    let head: Uint8Array = new Uint8Array(0);
    for await (const chunk of readForward(x.info, 1, 0, 1)) head = chunk;
    if (head[0] !== 51) throw new ArithmeticCheckError('pi: the integer part came out different from 3');
    let guard: Uint8Array = new Uint8Array(0);
    for await (const chunk of readForward(x.info, plan.guard, 1 + plan.decimals, 1 + digits)) guard = Uint8Array.from(chunk);
    run.progress(0, 'digits');
    if (guardIsSafe(guard)) outcome = { value: await sink(x, plan.decimals) };
    run.progress(w.digits, 'digits');
    finished = true;
  } finally {
    run.freeAll(finished);
  }
  // Done (or to be redone with more guard digits): the run's files go; resumableRun removes the journal's folder.
  await freeOwnFiles(journal);
  return outcome;
}
