/**
 * kernel/planner — the one place where the method of a product is chosen, per size and memory budget:
 *
 *   schoolbook → Karatsuba → FFT → transform reuse → budget split → out of core.
 *
 * - Schoolbook and Karatsuba (compiled, assembly/small.ts) below the FFT, the FFT from FFT_THRESHOLD limbs in the
 *   smaller operand, or from half that when the operands are unbalanced enough (`usesFft`; crossovers below).
 * - Transform reuse: a square transforms its operand once (fft.ts), and a group of products that share operands
 *   (pi's merge T1·Q2 + P1·T2, Q1·Q2) transforms each operand once and adds products before one inverse transform
 *   (sums.ts, in the wasm memory), when the spectra alive at once fit the budget (`planSharedTransforms`).
 * - Budget split: while the FFT's working bytes exceed the budget, the product is cut in Karatsuba halves
 *   (x = x1·10^h + x0: three half-size products whose transforms need about half the memory each, for ~1.5× the
 *   time; mul.ts executes it), down to MIN_SPLIT_DIGITS.
 * - Operands that live in files (the engine) are split once at most, when the halves' products, the operands and the
 *   result fit the budget (`splitFitsFiles`: cheaper than out of core, which transforms twice the points).
 * - The engine's product of two files ('streamed' operands) is one FFT whenever its transforms and their tables fit
 *   the budget: digitproduct.ts reads the operands straight into the transform buffers and writes the product out of
 *   them, holding nothing else (`digitProductWorkingBytes`). Otherwise it is planned as 'files' operands are.
 * - Out of core: for operands that live in files, when even one split does not fit the budget, or its halves need a
 *   transform longer than the kernel's FFT_MAX_LENGTH, the plan says so and the engine runs its
 *   out-of-core product (engine/outofcore; `planOutOfCore` picks the block convolution or the 2-D transform); the
 *   kernel never holds such data. In-memory operands whose FFT would be too long are split instead.
 *
 * Decisions only: the kernel executes in-memory plans (mul.ts for single products, multiplier.ts for groups), the
 * engine executes the out-of-core one. Data flows engine/apps → kernel, so this module imports nothing above it.
 * The shares of the budget and the bytes per digit come from budget.ts (docs/ARCHITECTURE.md, §5 Memory budget).
 * The shape follows apfloat's convolution builders, which pick the strategy per size in one class.
 */
import { InvalidArgumentError } from '../errors.js';
import { LIMB_BYTES_PER_DIGIT, budgetFor, loadedHeldBytes, splitHeldBytes } from './budget.js';
import { digitProductWorkingBytes } from './digitproduct.js';
import { fftFits, fftWorkingBytes, spectraHeapBytes } from './fft.js';
import { LIMB_DIGITS } from './nat.js';

/**
 * Crossovers, measured with bench/mul-small.ts on Node 20 x64 (µs of CPU per product of two n-limb operands, best
 * of 9 batches, shared 2-core machine at load 5–8; compiled schoolbook and Karatsuba of assembly/small.ts):
 *   limbs             96   128   160   192   256   320   384   448
 *   schoolbook       6.6   6.4   8.6  10.0  15.2  21.3  28.9  37.6
 *   Karatsuba (96)   5.2   6.9   9.1   9.8  13.9  18.2  24.3  29.4
 *   FFT              7.0  22.6  26.4  17.6  17.9  21.6  23.0  28.4
 * Unbalanced: 256 × 1000 limbs Karatsuba 43, FFT 27; 100 × 2000 schoolbook 42, FFT 46. (The JS schoolbook these
 * replaced: 20 at 128 limbs, 150 at 100 × 2000.) So Karatsuba from 160 limbs, the FFT from 352, or from 176 when
 * the product of the lengths reaches 352² (the small methods' work grows with it, the FFT's with the sum).
 * These are the defaults; a caller (a test, a benchmark) overrides them per call through PlanOptions / MulOptions /
 * MultiplierOptions, never by mutating module state (docs/ARCHITECTURE.md, "Configuration and per-call knobs").
 */
export const KARATSUBA_THRESHOLD = 160;
/** From this many limbs in the smaller operand, the FFT is used (default; see `usesFft` for unbalanced operands). */
export const FFT_THRESHOLD = 352;

/**
 * Whether a product of la × lb limbs goes to the FFT with this FFT threshold t: the smaller operand has at least t
 * limbs, or at least t/2 and the lengths' product reaches t² (an unbalanced product: see the crossovers above).
 */
export function usesFft(la: number, lb: number, t: number): boolean {
  const small = Math.min(la, lb);
  return small >= t || (2 * small >= t && small * Math.max(la, lb) >= t * t);
}

/**
 * The FFT threshold of a group of products that share transforms (sums.ts, spectra.ts: each operand transformed
 * once, sums added before one inverse): half the single product's, because each transform serves more than one
 * product (pi's merge: 7 transforms for 4 products). Measured, pi's merge shape at 300 limbs: shared transforms 58 µs,
 * four compiled small products 71 µs.
 */
export function sharedFftThreshold(fftThreshold = FFT_THRESHOLD): number {
  return Math.max(4, Math.ceil(fftThreshold / 2));
}

/** Per-call crossovers (limbs of the smaller operand); unset means the defaults above. */
export interface MulThresholds {
  /** From this many limbs Karatsuba replaces schoolbook (at least 2). */
  readonly karatsubaThreshold?: number;
  /** From this many limbs the FFT is used (at least 4). */
  readonly fftThreshold?: number;
}

/** The effective crossovers of `t` (defaults filled in, clamped to the smallest sizes the methods handle). */
export function resolveThresholds(t: MulThresholds = {}): { karatsuba: number; fft: number } {
  return {
    karatsuba: Math.max(2, t.karatsubaThreshold ?? KARATSUBA_THRESHOLD),
    fft: Math.max(4, t.fftThreshold ?? FFT_THRESHOLD),
  };
}

/**
 * Products whose smaller operand has fewer digits are never split: their FFT needs well under a MiB (the smallest
 * budget MATHSTREAM_MEMORY accepts), and a split that small would only multiply the overheads.
 */
export const MIN_SPLIT_DIGITS = 4096;

export type ProductMethod = 'schoolbook' | 'karatsuba' | 'fft' | 'split' | 'outOfCore';

/**
 * Where the operands are: in memory as limbs (the kernel's callers); in files the engine loads as limbs ('files': the
 * in-memory division and power, the budget split); or in files whose product the engine streams through one FFT
 * ('streamed': engine/outofcore/product.ts mulInMemory → digitproduct.ts, for a plan of method 'fft').
 */
export type OperandHome = 'memory' | 'files' | 'streamed';

export interface PlanOptions extends MulThresholds {
  /** One operand squared (the FFT transforms it once). */
  readonly square?: boolean;
  /** Bytes the product may use; default: the whole budget (BUDGET_SHARES.inMemory). */
  readonly budget?: number;
  /**
   * Default 'memory'. For 'files' the operands loaded as limbs and the result's writing count against the budget too
   * (budget.ts loadedHeldBytes, or splitHeldBytes for a split); for
   * 'streamed' an FFT counts only digitproduct.ts's working set (its transforms, tables and staging).
   */
  readonly operands?: OperandHome;
}

export interface ProductPlan {
  readonly method: ProductMethod;
  readonly aDigits: number;
  readonly bDigits: number;
  readonly square: boolean;
  /** The budget the plan was made for. */
  readonly budget: number;
  /** Peak bytes of the in-memory product (FFT or small path), operands held in memory included for 'files'. */
  readonly workingBytes: number;
  /**
   * For 'split': the low part's digits h (a multiple of the 4-digit limb, so the cut is a copy) of the larger
   * operand, x = x1·10^h + x0; the smaller one is cut at the same place when it is longer than h. 0 otherwise.
   */
  readonly splitDigits: number;
}

function limbsOf(digits: number): number {
  return Math.ceil(Math.max(1, digits) / LIMB_DIGITS);
}

/**
 * Peak working bytes (excluding the operands) of the in-memory product of operands of these digit counts by the
 * method their sizes call for. FFT: two packed complex buffers of M points (32·M bytes; M = the product's digit
 * count divided by 2d, d the FFT digit size, rounded up to 2^k or 3·2^k), the cached twiddle tables and the
 * result: 5–8 bytes per product digit with d = 4 and 7–11 with d = 3, computed for worst-case (all-extreme)
 * digits. Small paths (mul.ts smallLimbs): the doubles of both operands and the columns, Karatsuba's temporaries
 * (24 doubles per limb of the smaller operand), the operands' and the product's limbs, and the result.
 */
export function mulWorkingBytes(aDigits: number, bDigits: number, fftThreshold = FFT_THRESHOLD): number {
  const la = limbsOf(aDigits), lb = limbsOf(bDigits);
  if (usesFft(la, lb, Math.max(4, fftThreshold))) return fftWorkingBytes(la, lb) + 2 * (la + lb);
  return 16 * (la + lb) + 192 * Math.min(la, lb) + 512 + 6 * (la + lb);
}

/**
 * The method for a product of operands of `aDigits` and `bDigits` digits (see the header for the order).
 * @throws InvalidArgumentError for a negative, non-finite digit count or a non-positive budget.
 * @example
 *   planProduct(1e6, 1e6).method                              // 'fft'
 *   planProduct(1e6, 1e6, { budget: 4 << 20 }).method         // 'split'
 *   planProduct(1e6, 1e6, { budget: 16 << 20, operands: 'files' }).method  // 'split'
 *   planProduct(1e6, 1e6, { budget: 4 << 20, operands: 'files' }).method   // 'outOfCore'
 */
export function planProduct(aDigits: number, bDigits: number, options: PlanOptions = {}): ProductPlan {
  if (!(Number.isFinite(aDigits) && Number.isFinite(bDigits) && aDigits >= 0 && bDigits >= 0)) {
    throw new InvalidArgumentError(`planProduct: digit counts must be finite and >= 0, got ${aDigits} and ${bDigits}`);
  }
  const budget = options.budget ?? budgetFor('inMemory');
  if (!(budget > 0)) throw new InvalidArgumentError(`planProduct: the budget must be positive, got ${budget}`);
  const square = options.square ?? false;
  const streamed = options.operands === 'streamed';
  const files = streamed || options.operands === 'files';
  const small = Math.min(limbsOf(aDigits), limbsOf(bDigits));
  const th = resolveThresholds(options);
  const loaded = mulWorkingBytes(aDigits, bDigits, th.fft) + (files ? loadedHeldBytes(aDigits, bDigits) : 0);
  const plan = (method: ProductMethod, splitDigits = 0, working = loaded): ProductPlan => ({
    method, aDigits, bDigits, square, budget, workingBytes: working, splitDigits,
  });
  if (!usesFft(limbsOf(aDigits), limbsOf(bDigits), th.fft)) return plan(small < th.karatsuba ? 'schoolbook' : 'karatsuba');
  // Never one FFT longer than the kernel's FFT_MAX_LENGTH (a wasm32 memory), whatever the budget.
  const fits = fftFits(limbsOf(aDigits), limbsOf(bDigits));
  // A streamed product's FFT is digitproduct.ts's (the engine runs every 'fft' plan of streamed operands there), never
  // the loaded one: its count is what the budget bounds. (Below 2^20 digits the two counts differ by a few KiB,
  // the loaded one's text and limbs against the streamed one's pieces; above, the streamed one is far smaller.)
  if (streamed) {
    const working = digitProductWorkingBytes(aDigits, bDigits, square);
    if (working <= budget && fits) return plan('fft', 0, working);
  } else if (loaded <= budget && fits) return plan('fft');
  if (files) return splitFitsFiles(aDigits, bDigits, budget, th.fft) ? plan('split', splitDigitsOf(aDigits, bDigits)) : plan('outOfCore');
  if (fits && Math.min(aDigits, bDigits) < MIN_SPLIT_DIGITS) return plan('fft');
  return plan('split', splitDigitsOf(aDigits, bDigits));
}

/**
 * Whether file operands whose one FFT does not fit fit with one budget split (mul.ts splitProduct, cut at
 * `splitDigits`): its largest part product (the middle one, (x1+x0)(y1+y0), is one digit longer than a half), with
 * what the split holds beside it (budget.ts splitHeldBytes: operands, halves, sums and running sum as limbs). One split only: measured
 * at 6.4·10^7 × 6.4·10^7 digits, one split took 4.0 s of CPU (843 MiB peak at a 1 GiB budget) where one FFT took
 * 3.8 s (1.2 GiB) and the out-of-core 2-D transform 7.6 s (its zero-padded inner and outer levels transform twice
 * the points); every further level multiplies the transforms' work by about 1.5 again.
 */
function splitFitsFiles(aDigits: number, bDigits: number, budget: number, fftThreshold: number): boolean {
  const big = Math.max(aDigits, bDigits), small = Math.min(aDigits, bDigits);
  const h = splitDigitsOf(aDigits, bDigits);
  const partBig = Math.max(big - h, h) + 1;
  const partSmall = small <= h ? small : Math.max(small - h, h) + 1;
  if (!fftFits(limbsOf(partBig), limbsOf(partSmall))) return false;
  return mulWorkingBytes(partBig, partSmall, fftThreshold) + splitHeldBytes(aDigits, bDigits) <= budget;
}

/** Where a budget split cuts: half the larger operand, a multiple of the 4-digit limb (the cut is a copy). */
function splitDigitsOf(aDigits: number, bDigits: number): number {
  return Math.floor(Math.max(aDigits, bDigits) / 8) * 4;
}

/**
 * Transform reuse for a group of products: with complex transform length M, `liveSpectra` transformed operands and
 * outputs alive at once in the wasm memory (16·M bytes each, plus the twiddle tables: `spectraHeapBytes`) and
 * results of `resultDigits` digits in all, whether the group may share transforms within `budget`
 * (sums.ts natSumsOfProducts). Otherwise its products are planned one by one (planProduct).
 */
export function planSharedTransforms(M: number, liveSpectra: number, resultDigits: number, budget = budgetFor('inMemory')): boolean {
  return spectraHeapBytes(M, liveSpectra) + Math.ceil(resultDigits * LIMB_BYTES_PER_DIGIT) <= budget;
}

/** How an out-of-core product combines its blocks (engine/outofcore): see planOutOfCore. */
export type OutOfCoreMethod = 'blockConvolution' | 'transform2d';

/**
 * The out-of-core method for operands of `blocksA` and `blocksB` blocks (blocksB undefined: a square), counted at
 * the 2-D transform's inner block size (engine/outofcore/multiply.ts planFor: a large budget's huge blocks would keep
 * the block convolution where the 2-D transform with cache-sized blocks is faster).
 * The block convolution (engine/outofcore/multiply.ts) reads two cached block spectra per pair of blocks (n² reads
 * for n blocks, n(n+1)/2 pairs for a square); the 2-D transform (transform2d.ts) reads and writes every spectrum and
 * every product row a constant number of times (~4·(na + nb) block spectra of I/O, plus column transforms that cost
 * less than the row transforms). So the block convolution is kept while its pairs number at most 2·(na + nb):
 * products of up to 4 × 4 blocks, squares of up to 3 blocks, and any product whose smaller operand has 2 blocks
 * (its pairs grow linearly).
 * @example planOutOfCore(4, 4) // 'blockConvolution'
 * @example planOutOfCore(40, 40) // 'transform2d'
 */
export function planOutOfCore(blocksA: number, blocksB?: number): OutOfCoreMethod {
  const square = blocksB === undefined;
  const na = blocksA, nb = blocksB ?? blocksA;
  const pairs = square ? (na * (na + 1)) / 2 : na * nb;
  return pairs <= 2 * (na + (square ? 0 : nb)) ? 'blockConvolution' : 'transform2d';
}
