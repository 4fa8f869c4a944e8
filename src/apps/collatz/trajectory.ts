/**
 * trajectory — the Collatz trajectory of a positive integer of any size: total stopping
 * time, odd steps, the peak, a sampled digits-per-step series; with progress and cancellation.
 *
 * Counting follows the ordinary map (n → n/2 and n → 3n+1 are one step each). Internally the
 * shortcut map T (an odd step is (3n+1)/2) runs, so steps = T-steps + odd steps.
 *
 * Phases:
 * - big (n ≥ 2^96): jumps of k T-steps at once, k ≤ bits/2 and ≤ `maxJumpBits`, via
 *   `jump()` on the low k bits (recursive, see jump.ts). Since T(m) ≥ m/2, a jump from
 *   n > 2^(k+63) never passes through 1, so no step is miscounted.
 * - tail (n < 2^96): plain T-steps, on bigints, and on doubles while below 2^51.
 *
 * Peak: the largest value of the ordinary trajectory is max(n0, 2·max_{j≥1} T^j(n0)) (the
 * 3n+1 value of an odd step is twice the T value; an even value is half of its predecessor).
 * Inside a jump from n, T^j(n) = 3^c_j·(n/2^j + θ), 0 ≤ θ < 1, so the jump's profile argmax
 * (table.ts) locates its largest value up to a relative error 2^(k−bits) ≤ 2^-63. Candidates
 * within 1e-6 in log2 of the best are kept and replayed exactly at the end, so `maxDigits` is
 * exact; the plotted digits inside jumps are estimates from log2.
 */
import { CancelledError, InvalidArgumentError } from '../../errors.js';
import { applySteps, jump, pow3, type JumpMarks } from './jump.js';
import { bitLength, decimalDigits, digitsFromLog2, log2 } from './magnitude.js';
import { SampleSeries, type TrajectorySamples } from './samples.js';
import { LOG2_3 } from './table.js';
import { readStart, type CollatzInput } from './input.js';

export interface CollatzOptions {
  /** Most points in `trajectory` (default 2000). */
  readonly maxSamples?: number;
  /** Cap on the T-steps of one top-level jump (default 2^17): bounds the time between progress reports. */
  readonly maxJumpBits?: number;
  /** Called about every `sliceMs` with steps done and an estimate of the total. */
  readonly onProgress?: (done: number, total: number, detail: CollatzProgress) => void;
  readonly signal?: AbortSignal;
  /** Milliseconds of work between progress reports and event-loop turns (default 50). */
  readonly sliceMs?: number;
}

export interface CollatzProgress {
  readonly steps: number;
  readonly oddSteps: number;
  /** Digits of the current value (estimate). */
  readonly digits: number;
  readonly startDigits: number;
  /** steps + 7.22·log2(current): the mean remaining stopping time of a random number that size. */
  readonly estimatedTotal: number;
  readonly finished: boolean;
}

export interface CollatzResult {
  readonly startDigits: number;
  /** Total stopping time: ordinary steps until 1. */
  readonly steps: number;
  /** Steps of the form n → 3n+1. */
  readonly oddSteps: number;
  /** Decimal digits of the largest value in the trajectory (exact). */
  readonly maxDigits: number;
  /** Step at which that largest value occurs (0 = the start). */
  readonly peakStep: number;
  /**
   * The largest value itself, in decimal, when it has at most `PEAK_VALUE_MAX_DIGITS` digits (9232 for 27);
   * beyond that only its digit count is reported: a peak of a huge start is as huge as the start.
   */
  readonly peakValue?: string;
  readonly trajectory: TrajectorySamples;
}

/** Peaks up to this many digits are reported as values, not only as digit counts. */
export const PEAK_VALUE_MAX_DIGITS = 60;

const BIG_PHASE_MIN_BITS = 96;
const DOUBLE_PHASE_LIMIT_NUMBER = 2 ** 51;
const DOUBLE_PHASE_LIMIT = BigInt(DOUBLE_PHASE_LIMIT_NUMBER);
const TIE_LOG2 = 1e-6;
/** Mean ordinary steps per bit of a random start: 10.41·ln 2 (Lagarias 1985). */
const STEPS_PER_BIT = 7.22;
const DEFAULT_MAX_JUMP_BITS = 1 << 17;

interface PeakCandidate {
  readonly log2: number;
  readonly from: bigint;
  readonly jumpSteps: number;
  /** Ordinary steps done when the jump started. */
  readonly stepsBefore: number;
}

/**
 * A resumable computation: `advance()` works until a deadline; `result()` once finished. The caller owns the
 * loop, so it decides when to report progress, check a signal or yield (collatz() does all three).
 *
 * The constructor takes a bigint start (user text goes through readStart or parseStart) and refuses one below 1;
 * `result()` throws a plain Error before the run has finished (a programming error, not bad input).
 * @throws {InvalidArgumentError} `start` is below 1
 * @example
 * const run = new CollatzRun(27n);
 * while (!run.finished) run.advance(performance.now() + 50);
 * run.result().steps; // 111
 */
export class CollatzRun {
  readonly start: bigint;
  readonly startDigits: number;
  private n: bigint;
  private bits: number;
  private log2n: number;
  private shortcutSteps = 0;
  private odd = 0;
  private candidates: PeakCandidate[] = [];
  private tailPeak: { value: bigint; steps: number } | undefined;
  private readonly samples: SampleSeries;
  private readonly maxJumpBits: number;

  constructor(start: bigint, options: Pick<CollatzOptions, 'maxSamples' | 'maxJumpBits'> = {}) {
    if (start < 1n) throw new InvalidArgumentError(`collatz: the start must be a positive integer, got ${start}`);
    this.start = start;
    this.n = start;
    this.bits = bitLength(start);
    this.log2n = log2(start, this.bits);
    this.startDigits = decimalDigits(start);
    this.samples = new SampleSeries(options.maxSamples ?? 2000);
    this.maxJumpBits = Math.max(32, options.maxJumpBits ?? DEFAULT_MAX_JUMP_BITS);
    this.samples.add(0, this.startDigits);
  }

  get steps(): number {
    return this.shortcutSteps + this.odd;
  }

  get finished(): boolean {
    return this.n === 1n;
  }

  progress(): CollatzProgress {
    return {
      steps: this.steps,
      oddSteps: this.odd,
      digits: digitsFromLog2(this.log2n),
      startDigits: this.startDigits,
      estimatedTotal: this.steps + Math.round(STEPS_PER_BIT * this.log2n),
      finished: this.finished,
    };
  }

  /** Works until `deadline` (performance.now() time) or the end, whichever comes first. */
  advance(deadline = Infinity): void {
    while (!this.finished) {
      if (this.bits > BIG_PHASE_MIN_BITS) this.bigJump();
      else this.runTail();
      if (performance.now() >= deadline) return;
    }
  }

  result(): CollatzResult {
    if (!this.finished) throw new Error('CollatzRun.result() before the run finished');
    const peak = this.exactPeak();
    const maxDigits = decimalDigits(peak.value);
    return {
      startDigits: this.startDigits,
      steps: this.steps,
      oddSteps: this.odd,
      maxDigits,
      peakStep: peak.steps,
      ...(maxDigits <= PEAK_VALUE_MAX_DIGITS ? { peakValue: peak.value.toString() } : {}),
      trajectory: this.samples.snapshot(),
    };
  }

  private jumpSize(): number {
    const half = 32 * Math.floor(this.bits / 64);
    return Math.max(32, Math.min(this.maxJumpBits, half, this.bits - 64));
  }

  private bigJump(): void {
    const k = this.jumpSize();
    const from = this.n;
    const fromLog2 = this.log2n;
    const stepsBefore = this.steps;
    const points: number[] = [];
    const marks: JumpMarks = { minBits: Math.max(64, k / 16), add: (j, c) => points.push(j, c) };
    const r = jump(BigInt.asUintN(k, from), k, marks);
    this.considerPeak({ log2: fromLog2 + r.peakOdd * LOG2_3 - r.peakStep, from, jumpSteps: r.peakStep, stepsBefore });
    for (let i = 0; i < points.length; i += 2) {
      const j = points[i]!;
      const c = points[i + 1]!;
      this.samples.add(stepsBefore + j + c, digitsFromLog2(fromLog2 + c * LOG2_3 - j));
    }
    this.n = pow3(r.odd) * (from >> BigInt(k)) + r.end;
    this.shortcutSteps += k;
    this.odd += r.odd;
    this.bits = bitLength(this.n);
    this.log2n = log2(this.n, this.bits);
    this.samples.add(this.steps, digitsFromLog2(this.log2n));
  }

  private considerPeak(candidate: PeakCandidate): void {
    const best = this.candidates[0]?.log2 ?? -Infinity;
    if (candidate.log2 > best + TIE_LOG2) {
      this.candidates = this.candidates.filter((c) => c.log2 >= candidate.log2 - TIE_LOG2);
      this.candidates.unshift(candidate);
    } else if (candidate.log2 >= best - TIE_LOG2) {
      this.candidates.push(candidate);
    }
  }

  /** The rest of the trajectory from below 2^96: a few hundred plain T-steps. */
  private runTail(): void {
    let x = this.n;
    for (;;) {
      while (x > DOUBLE_PHASE_LIMIT) {
        if ((x & 1n) === 1n) {
          x = (3n * x + 1n) >> 1n;
          this.odd++;
        } else {
          x >>= 1n;
        }
        this.shortcutSteps++;
        this.noteTailValue(x);
      }
      // Doubles while y ≤ 2^51, so that 3y + 1 < 2^53 stays exact; back to bigints above.
      let y = Number(x);
      while (y !== 1 && y <= DOUBLE_PHASE_LIMIT_NUMBER) {
        if (y % 2 === 1) {
          y = (3 * y + 1) / 2;
          this.odd++;
        } else {
          y /= 2;
        }
        this.shortcutSteps++;
        this.noteTailValue(y);
      }
      if (y === 1) break;
      x = BigInt(y);
    }
    this.n = 1n;
    this.bits = 1;
    this.log2n = 0;
    this.samples.finish(this.steps, 1);
  }

  private noteTailValue(value: bigint | number): void {
    const big = BigInt(value);
    if (this.tailPeak === undefined || big > this.tailPeak.value) this.tailPeak = { value: big, steps: this.steps };
    this.samples.add(this.steps, String(value).length);
  }

  /** max(n0, 2·max T^j) and the ordinary step where it appears (see the header). */
  private exactPeak(): { value: bigint; steps: number } {
    let best = this.tailPeak;
    for (const candidate of this.candidates) {
      const { value, odd } = applySteps(candidate.from, candidate.jumpSteps);
      if (best === undefined || value > best.value) {
        best = { value, steps: candidate.stepsBefore + candidate.jumpSteps + odd };
      }
    }
    if (best === undefined || 2n * best.value <= this.start) return { value: this.start, steps: 0 };
    // The larger value 2·T^j is the 3n+1 one step before T^j.
    return { value: 2n * best.value, steps: best.steps - 1 };
  }
}

/**
 * Runs to the end synchronously (no progress, no cancellation). Takes a bigint only: validate user input
 * with readStart or parseStart first.
 * @throws {InvalidArgumentError} `start` is below 1
 * @example
 * collatzSync(27n).peakValue; // '9232'
 */
export function collatzSync(start: bigint, options: Pick<CollatzOptions, 'maxSamples' | 'maxJumpBits'> = {}): CollatzResult {
  const run = new CollatzRun(start, options);
  run.advance();
  return run.result();
}

/**
 * The trajectory of `input` (bigint, decimal string or `{ file }`), in slices of `sliceMs`
 * with an event-loop turn between them, so progress is reported and `signal` can stop it
 * (CancelledError).
 * @throws {InvalidArgumentError} the start is zero or negative
 * @throws {InvalidNumberError} a string or file is not an integer
 * @throws {StorageError} a `{ file }` input cannot be opened or read
 * @throws {CancelledError} `options.signal` was aborted
 * @example
 * const r = await collatz('27', { signal: AbortSignal.timeout(60_000) });
 * r.steps; // 111
 */
export async function collatz(input: CollatzInput, options: CollatzOptions = {}): Promise<CollatzResult> {
  const start = await readStart(input);
  const run = new CollatzRun(start, options);
  const sliceMs = options.sliceMs ?? 50;
  for (;;) {
    if (options.signal?.aborted) throw new CancelledError('collatz');
    run.advance(performance.now() + sliceMs);
    const progress = run.progress();
    options.onProgress?.(progress.steps, progress.estimatedTotal, progress);
    if (run.finished) break;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return run.result();
}
