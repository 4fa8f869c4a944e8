/**
 * samples — a bounded, evenly spread series of (step, digits) points for plotting.
 *
 * The step axis is cut into buckets of `gap` steps and each bucket keeps its first point.
 * When the series outgrows `maxPoints`, `gap` doubles and the points are re-bucketed. So memory
 * and the plot's payload stay bounded for any trajectory length, and the points stay evenly
 * spread over the steps however densely they arrive (dense in the tail, one per jump mark
 * in the big phase).
 */

export interface TrajectorySamples {
  /** Step numbers (ordinary steps from the start), increasing. */
  readonly steps: number[];
  /** Decimal digits of the value at each step (estimated from log2 inside long jumps). */
  readonly digits: number[];
}

export class SampleSeries {
  private steps: number[] = [];
  private digits: number[] = [];
  private gap = 1;

  constructor(private readonly maxPoints: number) {
    if (!Number.isSafeInteger(maxPoints) || maxPoints < 4) throw new RangeError('maxPoints must be an integer >= 4');
  }

  /** Adds a point with a step beyond the previous one, unless its bucket already has one. */
  add(step: number, digits: number): void {
    const last = this.steps.length - 1;
    if (last >= 0 && Math.floor(step / this.gap) === Math.floor(this.steps[last]! / this.gap)) return;
    this.steps.push(step);
    this.digits.push(digits);
    while (this.steps.length > this.maxPoints) this.widen();
  }

  /** Adds the final point whatever its bucket, and keeps it through later widening. */
  finish(step: number, digits: number): void {
    if (this.steps[this.steps.length - 1] === step) return;
    while (this.steps.length >= this.maxPoints) this.widen();
    this.steps.push(step);
    this.digits.push(digits);
  }

  snapshot(): TrajectorySamples {
    return { steps: [...this.steps], digits: [...this.digits] };
  }

  /** Doubles the bucket width and keeps the first point of each bucket. */
  private widen(): void {
    this.gap *= 2;
    const steps: number[] = [];
    const digits: number[] = [];
    for (let i = 0; i < this.steps.length; i++) {
      const step = this.steps[i]!;
      if (steps.length > 0 && Math.floor(step / this.gap) === Math.floor(steps[steps.length - 1]! / this.gap)) continue;
      steps.push(step);
      digits.push(this.digits[i]!);
    }
    this.steps = steps;
    this.digits = digits;
  }
}
