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
import { Nat, natAdd, natDigitCount } from './nat.js';
import { planSharedTransforms } from './planner.js';
import { natSumsOfProducts, natSumsWorstLength } from './sums.js';

/** A product a·b (the same Nat twice is a square). */
export type Product = readonly [Nat, Nat];

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
    const M = natSumsWorstLength(sums, this.productOptions.fftThreshold);
    const distinct = new Set<Nat>();
    let resultDigits = 0;
    for (const sum of sums) {
      for (const [a, b] of sum) {
        distinct.add(a).add(b);
        resultDigits += natDigitCount(a) + natDigitCount(b);
      }
    }
    if (M === 0 || !planSharedTransforms(M, distinct.size + 1, resultDigits, this.budget)) {
      return sums.map((sum) => sum.map(([a, b]) => this.mul(a, b)).reduce((x, y) => natAdd(x, y)));
    }
    return natSumsOfProducts(sums, this.options());
  }
}

/** The kernel's default: products within the whole memory budget (read at each product). */
export const KERNEL_MULTIPLIER = new Multiplier();
