/**
 * kernel/multiplier — a product planner bound to a memory budget: what the kernel's division and square root, and
 * pi, multiply with. Single products follow planner.ts's `planProduct` (executed by mul.ts); groups of products
 * that share operands reuse transforms (sums.ts) when `planSharedTransforms` allows it, else they are planned
 * one by one. One object carries the budget through a whole computation (a Newton iteration, a series), so every
 * product of it honours the same promise; it carries the computation's per-call knobs the same way (thresholds,
 * diagnostics and fault-injection hooks: MultiplierOptions), which are never module state (docs/ARCHITECTURE.md,
 * "Configuration and per-call knobs").
 */
import { budgetFor } from './budget.js';
import { natMul, natSqr, type MulOptions } from './mul.js';
import { beginForwards, dropLastStage, forwardEachAt, productAt, productJobs, splits, transformLength, type BegunForwards, type FreshInput } from './fftcore.js';
import { activeThreads, joinBackground, prewakeThreads, runInBackground, runShare, type Job } from './threads.js';
import { u16View, wasm, wasmAlloc, wasmFree } from './wasmheap.js';
import { CHECK_PRIME } from './mul.js';
import { BASE, NAT_ONE, Nat, jsLimbs, modLimbs, natAdd, natCompare, natDigitCount, natHighView, natShiftLimbs, natSub, powMod, type LimbsAlloc } from './nat.js';
import { planSharedTransforms } from './planner.js';
import {
  mulAddSteps, mulHighSteps, mulWrappedSteps, natFreeSpectrum, natModWrapped, natReapBackground, natSpectra, natSpectrumPlan,
  wrappedDifferenceSteps, type NatSpectrum, type PendingSpectrum, type PlanOperand, type WrappedMinuend, type ProductStep, type SpectrumPlan,
} from './spectra.js';
import { natSumsOfProducts, natSumsWorstLength } from './sums.js';

/** A product a·b (the same Nat twice is a square). */
export type Product = readonly [Nat, Nat];

/**
 * Transform groups (shared spectra, wrapped products) from this complex length on; shorter ones multiply one by one
 * and subtract in full. Measured (Newton division and isqrt, one thread): at 2·10^3 and 2·10^4 digits the
 * group's bookkeeping (plans, spectra in the wasm memory, residues of the wrapped differences) cost more than the
 * transforms it saves; at 2·10^5 digits it saves 15–20%.
 */
export const GROUP_MIN_LENGTH = 1 << 13;

/** Default below this many limbs in min(quotient, divisor), division is schoolbook (div.ts); Newton above. */
export const NEWTON_DIV_THRESHOLD = 120;

/** What a Multiplier carries through a computation (every field optional). */
export interface MultiplierOptions extends Omit<MulOptions, 'budget'> {
  /**
   * Bytes the products may use, or a function read before each product (a share that changes while threads come
   * and go); default: the whole memory budget.
   */
  readonly budget?: number | (() => number);
  /** Newton division from this many limbs (div.ts; at least 3); default NEWTON_DIV_THRESHOLD. */
  readonly newtonDivThreshold?: number;
}

export class Multiplier {
  private readonly budgetSource: number | (() => number);
  private readonly productOptions: Omit<MulOptions, 'budget'>;
  /** Newton division from this many limbs in min(quotient, divisor) (div.ts). */
  readonly newtonDivThreshold: number;

  /**
   * @param options the budget alone (bytes, or a function read before each product), or MultiplierOptions.
   * @example new Multiplier({ budget: 64 << 20, fftThreshold: 4, onPlan: (p) => plans.push(p) })
   */
  constructor(options: number | (() => number) | MultiplierOptions = {}) {
    const o: MultiplierOptions = typeof options === 'object' ? options : { budget: options };
    this.budgetSource = o.budget ?? (() => budgetFor('inMemory'));
    const { budget: _budget, newtonDivThreshold, ...productOptions } = o;
    this.productOptions = productOptions;
    this.newtonDivThreshold = Math.max(3, newtonDivThreshold ?? NEWTON_DIV_THRESHOLD);
  }

  /** Bytes the next product may use. */
  get budget(): number {
    return typeof this.budgetSource === 'number' ? this.budgetSource : this.budgetSource();
  }

  /** The options of the next single product (natMul/natSqr): this multiplier's knobs and current budget. */
  private options(): MulOptions {
    return { ...this.productOptions, budget: this.budget };
  }

  /** @internal the options of the next product (TransformGroup's spectral products). */
  productOptionsNow(): MulOptions {
    return this.options();
  }

  /**
   * A group of products that share transforms: `sums` and the `wrap`ped products (modulo B^k − 1, k >= wrap.limbs)
   * as natSpectrumPlan takes them (operands not computed yet as stand-ins), with at most `liveSpectra` spectra alive
   * at once. When they do not fit the budget (or are too small for the FFT), the group multiplies one by one.
   * `held`: its spectral results (products, and the magnitudes of differences) are left in the wasm memory, valid
   * only until the group closes (TransformGroup's `held`): for a caller whose intermediate numbers all die with the
   * group (sqrt.ts refineStep).
   * @example const g = m.group([[[xh, e]]], { products: [[d, xh]], limbs: k + 3 }, 3);
   */
  group(
    sums: ReadonlyArray<ReadonlyArray<readonly [PlanOperand, PlanOperand]>>,
    wrap: { products: ReadonlyArray<readonly [PlanOperand, PlanOperand]>; limbs: number } | undefined,
    liveSpectra: number,
    held = false,
  ): TransformGroup {
    const plan = this.groupPlan(sums, wrap, liveSpectra);
    return new TransformGroup(this, plan, plan?.wrapLimbs ?? wrap?.limbs ?? 0, held);
  }

  /** The plan `group` gives such a group, or undefined when it multiplies one by one. */
  private groupPlan(
    sums: ReadonlyArray<ReadonlyArray<readonly [PlanOperand, PlanOperand]>>,
    wrap: { products: ReadonlyArray<readonly [PlanOperand, PlanOperand]>; limbs: number } | undefined,
    liveSpectra: number,
  ): SpectrumPlan | undefined {
    // Too short for a group whatever its digit size (base 10^4 gives the shortest transform): no plan, no norms.
    let longest = wrap?.limbs ?? 0;
    for (const sum of sums) for (const [a, b] of sum) longest = Math.max(longest, a.size + b.size);
    if (transformLength(Math.ceil(longest / 2)) < GROUP_MIN_LENGTH) return undefined;
    const plan = natSpectrumPlan(sums, this.productOptions.fftThreshold, wrap);
    let resultLimbs = 0;
    for (const sum of sums) for (const [a, b] of sum) resultLimbs = Math.max(resultLimbs, a.size + b.size);
    resultLimbs = Math.max(resultLimbs, plan.wrapLimbs);
    if (plan.M < GROUP_MIN_LENGTH || !planSharedTransforms(plan.M, liveSpectra, 4 * resultLimbs, this.budget)) return undefined;
    return plan;
  }

  /**
   * The plan that `group(sums, wrap, liveSpectra)` would make, or undefined when that group would multiply one by
   * one: for an operand's transform started on an idle thread (spectra.ts natSpectrumBegin) before the group exists,
   * its other operands not computed yet and given as stand-ins. The group made later with the real operands takes it
   * (TransformGroup.adopt) when its own plan has the same digit size and length, and frees it otherwise, so a
   * prefetch moves work and never changes a plan or a result.
   */
  prefetchPlan(
    sums: ReadonlyArray<ReadonlyArray<readonly [PlanOperand, PlanOperand]>>,
    wrap: { products: ReadonlyArray<readonly [PlanOperand, PlanOperand]>; limbs: number } | undefined,
    liveSpectra: number,
  ): SpectrumPlan | undefined {
    return this.groupPlan(sums, wrap, liveSpectra);
  }

  /** a·b within the budget (a square when a === b). */
  mul(a: Nat, b: Nat): Nat {
    return natMul(a, b, this.options());
  }

  /** a² within the budget. */
  sqr(a: Nat): Nat {
    return natSqr(a, this.options());
  }

  /**
   * Σ_t a_t·b_t for each listed sum (one or two products each), sharing transforms (sums.ts natSumsOfProducts):
   * each distinct operand (by identity) is transformed once and a sum costs one inverse transform. When its spectra
   * (one per distinct operand and an output, at the worst-case transform length) do not fit the budget, every
   * product is planned on its own.
   * @example const [t, q] = m.sumsOfProducts([[[t1, q2], [p1, t2]], [[q1, q2]]]);
   */
  sumsOfProducts(sums: ReadonlyArray<ReadonlyArray<Product>>): Nat[] {
    if (!this.sharesTransforms(sums)) {
      return sums.map((sum) => sum.map(([a, b]) => this.mul(a, b)).reduce((x, y) => natAdd(x, y)));
    }
    return natSumsOfProducts(sums, this.options());
  }

  /**
   * Whether sumsOfProducts runs `sums` with shared transforms (their spectra fit the budget); otherwise it plans
   * every product on its own, and a caller that can drop operands between the products (pi's largest merges) may
   * as well run them itself, in its own order.
   */
  sharesTransforms(sums: ReadonlyArray<ReadonlyArray<Product>>): boolean {
    const M = natSumsWorstLength(sums, this.productOptions.fftThreshold);
    const distinct = new Set<Nat>();
    let resultDigits = 0;
    for (const sum of sums) {
      for (const [a, b] of sum) {
        distinct.add(a).add(b);
        resultDigits += natDigitCount(a) + natDigitCount(b);
      }
    }
    return M !== 0 && planSharedTransforms(M, distinct.size + 1, resultDigits, this.budget);
  }
}

/**
 * A product of a TransformGroup in steps (its `…Work` methods): it yields the operands it needs transformed, then its
 * pointwise step and inverse transform (spectra.ts ProductStep), and returns its result; TransformGroup's `run`
 * drives it, or `together` with another. One method a kind of product, written once over spectra.ts's ProductSteps
 * generators. Made by a group's `…Work` method, it must be run by that group (run it once: a generator).
 */
export type GroupWork<T> = Generator<Nat[] | ProductStep, T, void>;
/**
 * Products of one step of a computation that share operands, some of them wrapped modulo B^k − 1 (Newton's
 * iterations: the divisor's or an iterate's transform serves two products, and a product whose high or low part is
 * known beforehand is computed modulo B^k − 1 with a transform as long as the part that is not). Operands are
 * transformed once, on first use, and kept in the wasm memory until `release` or `close` (which the caller must
 * reach: try/finally). Made by Multiplier.group, which falls back to products planned one by one (and reduced, for
 * the wrapped ones) when the spectra do not fit the budget.
 */
export class TransformGroup {
  private readonly spectra = new Map<Nat, NatSpectrum>();

  /**
   * Where its spectral products and differences put their limbs (nat.ts LimbsAlloc): new JS arrays, or with `held`
   * blocks of the wasm memory (heldBlocks) freed by close. Held results cost no fresh JS memory (an intermediate
   * number of a 10^6-digit root is 60k–250k limbs: zeroed and faulted in, ~0.2–0.4 µs a kB, about what its product's
   * unpacking costs) and their next products copy them within the wasm memory.
   */
  private readonly alloc: LimbsAlloc;

  /** The wasm blocks of held results (freed by close). */
  private readonly heldBlocks: number[] = [];

  /**
   * @param plan the shared plan, or undefined to multiply one by one
   * @param wrapLimbs k of the wrapped products' modulus B^k − 1 (>= the requested limbs; the plan's when it has one)
   * @param held whether its results stay in the wasm memory until close (Multiplier.group); a group without a plan
   *   returns the planner's products, in JS memory, either way
   */
  constructor(
    private readonly m: Multiplier,
    private readonly plan: SpectrumPlan | undefined,
    readonly wrapLimbs: number,
    held = false,
  ) {
    this.alloc = held && plan !== undefined && plan.M <= HELD_MAX_LENGTH ? (n) => this.hold(n) : jsLimbs;
  }

  /** Whether its results are held in the wasm memory (`held`, up to HELD_MAX_LENGTH points) or are new JS arrays. */
  get holdsResults(): boolean {
    return this.alloc !== jsLimbs;
  }

  /** n limbs of the wasm memory held until close (any content: the unpacking writes them all). */
  private hold(n: number): Uint16Array {
    const ptr = wasmAlloc(2 * n);
    this.heldBlocks.push(ptr);
    return u16View(ptr, n);
  }

  /**
   * Forward transforms begun (fftcore beginForwards: their shared top stages run, their leaves not), by spectrum
   * address: the first product that reads one finishes it, fused with its pointwise step (productAt).
   */
  private readonly begun = new Map<number, BegunForwards>();

  /** Spectra made on another thread (adopt), finished when first used. */
  private readonly pending = new Map<Nat, PendingSpectrum>();

  /**
   * Takes a spectrum started on another thread for operand x (spectra.ts natSpectrumBegin, planned by
   * Multiplier.prefetchPlan): used when this group's plan has its digit size and length (x's products then read it),
   * freed otherwise. Accepts undefined (nothing was started).
   */
  adopt(x: Nat, p: PendingSpectrum | undefined): void {
    if (p === undefined) return;
    const plan = this.plan;
    if (plan === undefined || p.value !== x || p.d !== plan.d || p.M !== plan.M || this.spectra.has(x) || this.pending.has(x)) {
      p.cancel();
      return;
    }
    this.pending.set(x, p);
  }

  private spectrum(x: Nat): NatSpectrum {
    let s = this.spectra.get(x);
    if (s === undefined) {
      this.transform([x]);
      s = this.spectra.get(x)!;
    }
    return s;
  }

  /**
   * Transforms the operands not transformed yet, as one job (spectra.ts natSpectra: a product's two new operands
   * are packed at once, one operand a thread), up to their leaves when the transforms split: the leaves run in the
   * product's fused step (fftcore productAt), one synchronised step fewer a product and each block of the
   * spectrum transformed, multiplied and transformed back in the cache of one thread.
   */
  private transform(xs: readonly Nat[], side = false): void {
    for (const x of xs) {
      const p = this.pending.get(x);
      if (p === undefined) continue;
      this.pending.delete(x);
      const s = p.finish(this.plan!);
      if (s !== undefined) this.spectra.set(x, s); // (else still being made on a worker: transformed here)
    }
    const fresh = [...new Set(xs)].filter((x) => !this.spectra.has(x));
    if (fresh.length === 0) return;
    // Side by side (transformAll, together; lengths where that pays: sideBySide): each forward transform whole on a
    // thread, one step for all (fftcore forwardEachAt, the one-thread `forward`: the same bits); the workers wake while
    // this thread copies and packs the operands.
    const each = side && sideBySide(this.plan!.M);
    if (each) prewakeThreads();
    const begin = (inputs: ReadonlyArray<FreshInput>, M: number): void => {
      if (each) return forwardEachAt(inputs, M, true);
      const b = beginForwards(inputs, M);
      if (b !== null) for (const ptr of b.ptrs) this.begun.set(ptr, b);
    };
    natSpectra(fresh, this.plan!, true, begin).forEach((s, i) => this.spectra.set(fresh[i]!, s));
  }

  /**
   * Transforms these operands now, as one step (products that read them later find them done): where products run
   * side by side (SIDE_BY_SIDE_MIN to SIDE_BY_SIDE_MAX) each transform whole on its own thread; otherwise as every
   * group transform (from the split length shared top stages, the leaves in the first product's step). For a caller whose next products read several operands that are
   * all known already (sqrt.ts's top level: s' for R, Y for Q0): their transforms then take the time of one.
   * Nothing without a plan (the products are planned one by one).
   */
  transformAll(...xs: Nat[]): void {
    if (this.plan !== undefined) this.transform(xs, true);
  }

  /**
   * Runs a product of this group (a GroupWork): its transforms, then its fused step (fftcore productAt), whose
   * inverse's last stage runs with the unpacking of its output (fft.ts unpackRuns), the first thing every product
   * does with it (spectra.ts transformedSum); a product that does not unpack it (a fallback) never reads it either,
   * and the stage is dropped.
   */
  private run<T>(work: GroupWork<T>): T {
    try {
      return this.steps(work);
    } finally {
      dropLastStage(); // (a product that threw before its unpacking)
    }
  }

  private steps<T>(work: GroupWork<T>): T {
    for (let r = work.next(); ; r = work.next()) {
      dropLastStage();
      if (r.done === true) return r.value;
      if (Array.isArray(r.value)) this.transform(r.value);
      else this.productStep(r.value);
    }
  }

  /** Whether a product step reads a forward transform begun and not finished (beginForwards). */
  private readsBegun(step: ProductStep): boolean {
    return step.terms.some((term) => term.some((ptr) => this.begun.has(ptr)));
  }

  /** A product's fused step (fftcore productAt), with the begun transforms it reads. */
  private productStep({ out, terms, M }: ProductStep): void {
    // The begun transforms this step reads, each once (a spectrum begun with another is finished alone).
    const begun = new Set<BegunForwards>();
    for (const term of terms) {
      for (const ptr of term) {
        const b = this.begun.get(ptr);
        if (b === undefined) continue;
        begun.add(b.ptrs.length === 1 ? b : { ...b, ptrs: [ptr] });
        this.begun.delete(ptr);
      }
    }
    productAt(out, terms, M, [], [...begun], true);
  }

  /**
   * Two products of this group that need nothing of each other (made by its `…Work` methods), each exactly what its
   * method (mul, mulHigh, mulWrapped, difference, differenceHigh) returns, computed at once on two threads where that
   * pays (sideBySide: SIDE_BY_SIDE_MIN to SIDE_BY_SIDE_MAX points): their new operands' forward transforms in one
   * step, each whole on a thread (transformAll), then the second product's pointwise step and inverse transform
   * whole on the idle worker (fftcore productJobs, threads.ts runInBackground) while this thread runs the first's
   * and unpacks and checks it; then the second is joined, unpacked and checked. Each product goes through the compiled
   * calls it makes alone, so the bits, the rounding checks and the residue checks are the single calls' on any number
   * of threads, whichever thread runs which. At other lengths, on one thread or without a plan, the two run one
   * after the other (each split as usual from the split length).
   * @example const [R, eps] = g.together(g.differenceWork(aTop, s, s, bound), g.differenceHighWork({ power: e }, s, Y, bound, k));
   */
  together<A, B>(a: GroupWork<A>, b: GroupWork<B>): [A, B] {
    if (this.plan === undefined || !sideBySide(this.plan.M)) return [this.run(a), this.run(b)];
    // (Side by side, no forward transform is begun: transform() runs them whole, forwardEachAt.)
    const works: ReadonlyArray<GroupWork<unknown>> = [a, b];
    const at: Array<IteratorResult<Nat[] | ProductStep, unknown>> = [];
    let ticket: number | undefined;
    try {
      for (const w of works) at.push(w.next());
      for (;;) {
        const open = [0, 1].filter((i) => at[i]!.done !== true);
        if (open.length === 0) return [at[0]!.value as A, at[1]!.value as B];
        const needs = open.filter((i) => Array.isArray(at[i]!.value));
        if (needs.length > 0) {
          this.transform(needs.flatMap((i) => at[i]!.value as Nat[]), true);
          for (const i of needs) at[i] = works[i]!.next();
        } else if (open.length === 1 || this.readsBegun(at[0]!.value as ProductStep) || this.readsBegun(at[1]!.value as ProductStep)) {
          // One finished without a transform (a fallback), or a product reads a transform begun by an earlier call
          // (its leaves are left to its fused step): each runs as run() runs it.
          for (const i of open) {
            this.productStep(at[i]!.value as ProductStep);
            at[i] = works[i]!.next();
            dropLastStage();
          }
        } else {
          const [jobsA, jobsB] = [0, 1].map((i) => {
            const p = at[i]!.value as ProductStep;
            return productJobs(p.out, p.terms, p.M);
          }) as [Job[], Job[]];
          // B on the idle worker (threads.ts runInBackground; run here by joinBackground when no worker took it), A
          // here, then A is unpacked and checked while B may still run; B's output is read only after the join.
          const k = wasm();
          ticket = runInBackground(k, [jobsB]);
          runShare(k, jobsA);
          at[0] = works[0]!.next();
          joinBackground(ticket);
          ticket = undefined;
          at[1] = works[1]!.next();
        }
      }
    } finally {
      // A worker may still write a product's output: it ends before any work frees its memory.
      if (ticket !== undefined) joinBackground(ticket);
      for (const w of works) w.return(undefined);
    }
  }

  /** a·b. */
  mul(a: Nat, b: Nat): Nat {
    return this.run(this.mulWork(a, b));
  }

  /** mul as a GroupWork (its steps, for run or together). */
  *mulWork(a: Nat, b: Nat): GroupWork<Nat> {
    if (this.plan === undefined) return this.m.mul(a, b);
    yield [a, b];
    return yield* mulAddSteps([[this.spectrum(a), this.spectrum(b)]], this.m.productOptionsNow(), this.alloc);
  }

  /**
   * floor(a·b / B^s), or one more or less (spectra.ts natMulSpectraHigh: the digits below are not unpacked and the
   * product has no residue check), for a caller that checks its end result otherwise (div.ts's estimates and
   * corrections, sqrt.ts's levels below the top, which only steer). Exact when the group multiplies one by one.
   */
  mulHigh(a: Nat, b: Nat, s: number): Nat {
    return this.run(this.mulHighWork(a, b, s));
  }

  /** mulHigh as a GroupWork (its steps, for run or together). */
  *mulHighWork(a: Nat, b: Nat, s: number): GroupWork<Nat> {
    if (this.plan === undefined) return natHighView(this.m.mul(a, b), s);
    yield [a, b];
    return yield* mulHighSteps(this.spectrum(a), this.spectrum(b), s, this.m.productOptionsNow(), this.alloc);
  }

  /** a·b mod (B^k − 1), k = wrapLimbs, in [0, B^k − 1) (not residue-checked: see natMulSpectraWrapped). */
  mulWrapped(a: Nat, b: Nat): Nat {
    return this.run(this.mulWrappedWork(a, b));
  }

  /** mulWrapped as a GroupWork (its steps, for run or together). */
  *mulWrappedWork(a: Nat, b: Nat): GroupWork<Nat> {
    if (this.plan === undefined) return natModWrapped(this.m.mul(a, b), this.wrapLimbs);
    yield [a, b];
    return yield* mulWrappedSteps(this.spectrum(a), this.spectrum(b), this.m.productOptionsNow());
  }

  /**
   * c − a·b as a sign and a magnitude, for a caller who knows that |c − a·b| < B^bound (the group's wrap must be
   * longer: wrapLimbs > bound): from a·b and c modulo B^k − 1 (spectra.ts spectraWrappedDifference), with the
   * product's transform as long as the difference instead of the product. Verified like every product: the difference must be below
   * B^bound and agree with c − a·b modulo the process's check prime (which also catches a residue that aliased
   * because the caller's bound was wrong); otherwise the full product is formed (residue-checked) and subtracted,
   * so the result is exact whatever the bound. `c` may be a power of B, given by its exponent, or nat·B^shift (formed
   * only if the full product is: spectra.ts WrappedMinuend). `cResidue`, when
   * given, must be c's residue modulo CHECK_PRIME as computed from c's limbs (or derived exactly from residues so
   * computed: sqrt.ts's nested tops of a, and |R|·B^s from R's `residue`); it saves the pass over c. `residue`: the
   * magnitude's residue modulo CHECK_PRIME (taken from its limbs in the wasm memory, or by modLimbs after a full product).
   */
  difference(
    c: WrappedMinuend, a: Nat, b: Nat, bound: number, cResidue?: number,
  ): { negative: boolean; magnitude: Nat; residue: number } {
    return this.run(this.differenceWork(c, a, b, bound, cResidue));
  }

  /** difference as a GroupWork (its steps, for run or together). */
  *differenceWork(
    c: WrappedMinuend, a: Nat, b: Nat, bound: number, cResidue?: number,
  ): GroupWork<{ negative: boolean; magnitude: Nat; residue: number }> {
    const k = this.wrapLimbs;
    const p = CHECK_PRIME;
    const power = c instanceof Nat || !('power' in c) ? undefined : c.power;
    if (this.plan !== undefined && k > bound) {
      // Neither the wrapped product nor the power B^power leaves or enters the JS heap (spectraWrappedDifference:
      // B^(power mod k) is written in the wasm memory, the magnitude's residue taken there before it is copied out);
      // null: form the full product.
      yield [a, b];
      const d = yield* wrappedDifferenceSteps(c, this.spectrum(a), this.spectrum(b), p, 0, this.m.productOptionsNow(), this.alloc);
      if (d !== null && d.magnitude.size <= bound) {
        const rc =
          power !== undefined ? powMod(BASE, power, p)
          : cResidue !== undefined ? cResidue
          : c instanceof Nat ? this.residue(c)
          : 'nat' in c ? (this.residue(c.nat) * powMod(BASE, c.shift, p)) % p
          : 0; // (a power is taken above)
        const v = (rc - ((this.residue(a) * this.residue(b)) % p) + (d.negative ? d.residue : p - d.residue) + 2 * p) % p;
        if (v === 0) return { negative: d.negative, magnitude: d.magnitude, residue: d.residue };
      }
    }
    const ab = this.m.mul(a, b);
    const cc = c instanceof Nat ? c : 'nat' in c ? natShiftLimbs(c.nat, c.shift) : natShiftLimbs(NAT_ONE, c.power);
    const negative = natCompare(cc, ab) < 0;
    const magnitude = negative ? natSub(ab, cc) : natSub(cc, ab);
    // The residue only when asked (sqrt.ts's P): the small groups without a plan take this path for every difference.
    return { negative, magnitude, get residue(): number { return modLimbs(magnitude.limbs, magnitude.size, p); } };
  }

  /**
   * The sign of c − a·b and floor(|c − a·b| / B^s) within one unit, for a caller who knows |c − a·b| < B^bound
   * (wrapLimbs > bound) and checks its end result otherwise (div.ts, sqrt.ts below the top level): no residue check.
   * From the wrapped product's digits above s (spectra.ts spectraWrappedDifferenceHigh): (c − a·b) + Lo,
   * |Lo| < B^(s−2), as the representative of least magnitude of its class modulo B^k − 1, which is itself (both
   * terms far below B^k/2). Its magnitude is within |Lo| < B^s of |c − a·b|, so their floors over B^s differ by at
   * most one, and its sign is c − a·b's whenever its magnitude is at least B^s. Exact (difference, then the floor) when the group has no plan,
   * and when the magnitude exceeds B^bound (the caller's bound was wrong: the full product, then the floor).
   */
  differenceHigh(c: WrappedMinuend, a: Nat, b: Nat, bound: number, s: number): { negative: boolean; magnitude: Nat } {
    return this.run(this.differenceHighWork(c, a, b, bound, s));
  }

  /** differenceHigh as a GroupWork (its steps, for run or together). */
  *differenceHighWork(c: WrappedMinuend, a: Nat, b: Nat, bound: number, s: number): GroupWork<{ negative: boolean; magnitude: Nat }> {
    let d: { negative: boolean; magnitude: Nat } | null = null;
    let wrong = false;
    if (this.plan !== undefined && this.wrapLimbs > bound) {
      yield [a, b];
      if (s > 0) d = yield* wrappedDifferenceSteps(c, this.spectrum(a), this.spectrum(b), 0, s, {}, this.alloc);
      // The caller's bound, checked as difference checks it (there is no residue to check here): |c − a·b| < B^bound
      // and |Lo| < B^(s−2) give a magnitude below B^bound + B^(s−2), so one of more than `bound` limbs means the bound
      // was wrong and the wrapped value may have aliased (or, harmlessly, |c − a·b| lies within B^(s−2) of B^bound).
      // Either way the full product decides (difference with no bound: no second wrapped attempt). A wrong bound thus
      // costs a full product, never a digit, but where an aliased value lands below B^bound by chance (probability
      // about B^(bound−k)): the callers only steer (their end results are checked), so that costs time at most.
      if (d !== null && d.magnitude.size > bound) {
        d = null;
        wrong = true;
      }
    }
    const e = d ?? (yield* this.differenceWork(c, a, b, wrong ? Infinity : bound));
    return { negative: e.negative, magnitude: natHighView(e.magnitude, s) };
  }

  private residue(x: Nat): number {
    const s = this.spectra.get(x);
    return s !== undefined ? s.residue : modLimbs(x.limbs, x.size, CHECK_PRIME);
  }

  /** Frees the spectra of these operands (they are not used again). */
  release(...xs: Nat[]): void {
    for (const x of xs) {
      this.pending.get(x)?.cancel();
      this.pending.delete(x);
      const s = this.spectra.get(x);
      if (s !== undefined) {
        this.begun.delete(s.ptr);
        natFreeSpectrum(s);
      }
      this.spectra.delete(x);
    }
  }

  /** Frees every spectrum of the group, and the results it held (`held`: their limbs are dead from here). */
  close(): void {
    this.release(...this.spectra.keys(), ...this.pending.keys());
    natReapBackground();
    for (const ptr of this.heldBlocks) wasmFree(ptr);
    this.heldBlocks.length = 0;
  }
}


/**
 * A `held` group keeps its results in the wasm memory only up to this complex length (the products of a Newton step
 * at 10^6 digits are 2^13–2^17 points): there a fresh JS array for an intermediate number costs about what its
 * product's unpacking does (perf cpu-clock samples of the 10^6-digit root on one thread, main thread: zeroing, page
 * faults, allocation and copies between the JS heap and the shared memory 10% of the CPU, wasm 75%; with held results
 * 27% fewer non-wasm samples), while beyond it the arrays are a small part of each product, and held blocks would
 * sit in the wasm memory, which never shrinks, beside the largest transforms (pi 10^8's final division peaks there).
 */
export const HELD_MAX_LENGTH = 1 << 17;

/**
 * TransformGroup.together (and transformAll) run two products (transforms) side by side, each whole on a thread, from
 * this complex length: below it a product's transforms take 0.1–0.3 ms, which the worker's wake-up (0.03–0.3 ms on
 * the 2-core VM, far more under load) and the other core's cache (the caller unpacks the worker's output) eat up:
 * same-process A/B of the root at 10^6 digits, 2 threads, quiet slot, 21 rounds: pairs from 2^14 points 13.8 →
 * 13.8 ms wall for 17.1 → 20.0 ms CPU (as the removed side-by-side products had measured). From 2^16 the root's
 * pairs (4·10^6 digits and up) are 0.5–2 ms a product.
 * Retried 2026-12-07 (quiet window, 21 rounds, 5 ms between operations): 2^15 gave the root at 10^6 digits 16.5 →
 * 16.6 ms wall for 19.2 → 20.2 CPU, 2^14 16.0 → 15.5 for 18.0 → 20.0. Nor did slack help: the reciprocal's
 * correction begun on the worker right after ε and joined only at its level's end (beside Q0, P and Δ: the worker
 * had three products' time, and 0.33 of 3 corrections a root were unfinished at the join) moved the root's wall
 * time by −1% to +3% for 5–13% more CPU (31 rounds, 10^6 and 4·10^6 digits; ε begun beside R too: the same).
 */
export const SIDE_BY_SIDE_MIN = 1 << 16;

/**
 * On two threads, pairs up to this length also run side by side rather than each split among the threads (from
 * fftcore.ts PARALLEL_MIN): one step a product instead of three or four synchronised ones, each product's blocks in
 * one thread's cache. With more threads, split products use them all.
 */
export const SIDE_BY_SIDE_MAX = 1 << 17;

/** Whether two independent products of M points run side by side (TransformGroup.together, transformAll). */
function sideBySide(M: number): boolean {
  const T = activeThreads();
  return M >= SIDE_BY_SIDE_MIN && T > 1 && (!splits(M) || (T === 2 && M <= SIDE_BY_SIDE_MAX));
}

/** The kernel's default: products within the whole memory budget (read at each product). */
export const KERNEL_MULTIPLIER = new Multiplier();
