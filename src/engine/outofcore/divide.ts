/**
 * outofcore/divide — floor division of operands beyond the memory budget by a Newton reciprocal on digit files
 * (docs/ARCHITECTURE.md §4). Every big step is an engine product (in memory or out of core, as the planner says),
 * a prefix copy (truncation: no arithmetic) or one streaming pass (add, subtract, append zeros).
 *
 * Notation: b = |divisor| has n digits, a = |dividend| has L ≥ n, the quotient has qlen = L − n + 1 digits.
 *
 * 1. Reciprocal. For D of exactly p digits, X_p ≈ 10^(2p)/D with |1 − D·X_p/10^(2p)| ≤ 10^(3−p) (claim R(p)).
 *    - Levels small enough for a quarter of the budget (BUDGET_SHARES.outOfCoreInMemory) are exact, in memory:
 *      X = floor(10^(2p)/D) by the kernel's division, so the error is < 1 unit of X ≥ 10^p: R(p) holds.
 *    - Level p from h = ⌈p/2⌉ + 4 (so 2h ≥ p + 8): Dh = the top h digits of D, Xh from R(h), Y = Xh·10^(p−h),
 *      T = D·Xh, E = T − 10^(p+h), E1 = floor(|E|/10^(h−2)), C = floor(Xh·E1/10^(h+2)), X = Y ∓ C (− when E > 0).
 *      Why: x = D·Y/10^(2p) = (1 + ε_h)·D/(Dh·10^(p−h)) and 0 ≤ D/(Dh·10^(p−h)) − 1 < 10^(1−h), so
 *      |1 − x| ≤ 10^(3−h) + 10^(1−h) + 10^(4−2h) < 1.02·10^(3−h). The exact step Y + Y(1 − x) = Y + Xh·(−E)/10^(2h)
 *      has 1 − D·X/10^(2p) = (1 − x)² < 1.05·10^(6−2h) ≤ 1.05·10^(−p−2). Truncating E drops less than
 *      Xh·10^(h−2)/10^(2h) < 0.11 units (Xh < 1.01·10^(h+1)) and the floor of C one more, so X is within 1.11 units
 *      of the exact step, i.e. D·X/10^(2p) within 1.11·10^(−p) (D < 10^p). Total < 1.2·10^(−p) ≤ 10^(3−p): R(p).
 *    Cost per level: D·Xh (p × p/2 digits) and Xh·E1 (p/2 × p/2), i.e. ≈ 1.25·M(p) with M(p) one p × p product;
 *    the levels halve, so the reciprocal to p digits costs ≈ 2.5·M(p) (less: the low levels run in memory).
 *
 * 2. Quotient in chunks of c digits (classical long division in base 10^c, Karp & Markstein's use of one reciprocal
 *    for every chunk), with k = c + 5 reciprocal digits: D = the top k digits of b (or b·10^(k−n) when n < k,
 *    exact) and X = X_k, so with η = 1 − X·b/10^(k+n), |η| ≤ 1.2·10^(−k) + 1/D < 1.2·10^(1−k) = 1.2·10^(−c−4).
 *    Chunk j: W = R·10^c + the next c digits of a (R < b the running remainder; the first W is the top n − 1 + c
 *    digits), so W < b·10^c. With t = max(0, n − 2) and Wt = floor(W/10^t), the estimate
 *    q̃ = floor(Wt·X / 10^(k+n−t)) is floor(y) for y = (Wt·10^t/b)(1 − η), and |y − W/b| < 10^t/b + 10^c·|η|
 *    < 0.1 + 0.0002 (b ≥ 10^(n−1); for n < 2, t = 0 and the first term is 0).
 *    Hence q̃ ∈ {Q − 1, Q, Q + 1} for the true chunk Q = floor(W/b): the remainder R = W − q̃·b (a product and one
 *    streaming subtraction) needs at most one streaming ±b correction (a second one would be a fault: it throws
 *    ArithmeticCheckError rather than return a wrong digit).
 *    The chunk count m is the one decision of this module (`quotientChunkCount`): in product units M(x, y) ∝ x + y,
 *    m chunks cost 5·qlen/m (the reciprocal of qlen/m digits) + 3·qlen + m·n (m estimates of c × c digits and m
 *    remainders c × n), smallest at m = √(5·qlen/n): 2 for a 2N/N division, ≈ 3.75·M(N) in all
 *    (reciprocal ≈ 1.25, estimates 2·0.5, remainders 2·0.75) against ≈ 4.5·M(N) for one chunk. Chunks are at least
 *    MIN_CHUNK_DIGITS long, so that a short divisor does not make thousands of small steps.
 *
 * Signs: |a| = qm·|b| + rm is computed on magnitudes; floor semantics with signs (Python's) are applied at the end.
 * Memory: whatever the products route to, plus O(chunk) streaming buffers; the in-memory reciprocal levels plan
 * within BUDGET_SHARES.outOfCoreInMemory. Disk: the intermediates live as staged files in the log folder and are
 * freed as soon as they are used, on success, failure and cancellation alike.
 */
import { getConfig } from '../../config.js';
import { ArithmeticCheckError } from '../../errors.js';
import { Multiplier, NAT_ONE, budgetFor, natDivMod, natShiftDecimal, planProduct } from '../../kernel/index.js';
import type { StreamNumber } from '../../number.js';
import { readForward, withChunkBuffers, type AtomicFile } from '../../storage/index.js';
import { ensureResultFits, progressReporter, throwIfCancelled, withOperands, type OperationOptions } from '../context.js';
import { addSigned, compareMagnitudes, copyWithSign, shiftDecimal, truncateDecimal } from '../linear.js';
import { loadNat } from '../load.js';
import { writeDigitsResult, writeNatResult, writeResult } from '../result.js';
import { productScratchBytes } from './multiply.js';
import { mulInMemory, mulOutOfCore, plannedOutOfCore } from './product.js';

/** Reciprocal digits beyond a quotient chunk's (k = c + GUARD_DIGITS; the header's bound needs at least 5). */
const GUARD_DIGITS = 5;
/** A Newton level of p digits starts from ⌈p/2⌉ + NEWTON_OVERLAP digits (the header's bound needs 2h ≥ p + 8). */
const NEWTON_OVERLAP = 4;
/** Reciprocal levels of at most this many digits always run in memory (below it a file step costs more than it saves). */
const IN_MEMORY_LEVEL_DIGITS = 2000;
/** Quotient chunks are at least this long (each chunk costs a dozen staged files whatever its size). */
export const MIN_CHUNK_DIGITS = 1_000_000;

/** Test knobs: `chunks` forces the quotient chunk count (tests exercise several chunks on small operands). */
export interface DivideTuning {
  readonly chunks?: number;
}

/**
 * How many quotient chunks share one reciprocal: √(5·qlen/n) rounded (the header's cost model), at least 1, and no
 * more than chunks of MIN_CHUNK_DIGITS allow.
 * @example quotientChunkCount(4e8, 4e8) // 2
 */
export function quotientChunkCount(qlen: number, n: number): number {
  const best = Math.max(1, Math.round(Math.sqrt((5 * qlen) / n)));
  return Math.max(1, Math.min(best, Math.floor(qlen / MIN_CHUNK_DIGITS)));
}

/**
 * Whether a Newton level of p digits (the reciprocal's 2p/p division here, the root of a 2p-digit radicand in
 * engine/sqrt.ts) runs in memory, with the kernel, within BUDGET_SHARES.outOfCoreInMemory: the one rule for both.
 */
export function levelInMemory(p: number): boolean {
  if (p <= IN_MEMORY_LEVEL_DIGITS) return true;
  return planProduct(2 * p, 2 * p, { operands: 'files', budget: budgetFor('outOfCoreInMemory') }).method !== 'outOfCore';
}

/** The precisions of the reciprocal's levels, top first (the last one runs in memory). */
export function newtonLevels(p: number): number[] {
  const levels = [p];
  while (!levelInMemory(levels[levels.length - 1]!)) levels.push(Math.ceil(levels[levels.length - 1]! / 2) + NEWTON_OVERLAP);
  return levels;
}

/**
 * What the steps of one division share: the inner operations' options (the caller's signal only) and progress, in
 * phases 'reciprocal' (the Newton levels, weighted by their digits) and 'quotient' (the chunks).
 */
interface Work {
  readonly inner: OperationOptions;
  readonly operation: string;
  advance(units: number, phase: DividePhase): void;
}

/** The phases a division reports to `onProgress`. */
export type DividePhase = 'reciprocal' | 'quotient';

/** Staged intermediates of one step, freed together (`add` returns its argument). */
export class Held {
  private readonly numbers: StreamNumber[] = [];
  add(x: StreamNumber): StreamNumber {
    this.numbers.push(x);
    return x;
  }
  free(): void {
    for (const x of this.numbers.splice(0)) x.free();
  }
}

/** |x|·|y|, in memory or out of core as the planner says. */
function magnitudeProduct(x: StreamNumber, y: StreamNumber, options: OperationOptions): Promise<StreamNumber> {
  if (x.isZero || y.isZero) return writeDigitsResult(false, Buffer.from('0'));
  return plannedOutOfCore(x.digitCount, y.digitCount) ? mulOutOfCore(x, y, false, options) : mulInMemory(x, y, false, options);
}

/** 10^k as a file (one streaming pass). */
function powerOfTen(k: number, options: OperationOptions): Promise<StreamNumber> {
  return withOperands([1], ([one]) => shiftDecimal(one!, k, options));
}

/** X with |1 − D·X/10^(2p)| ≤ 10^(3−p) for D of exactly p digits (the header's claim R(p)). */
async function reciprocal(D: StreamNumber, work: Work): Promise<StreamNumber> {
  const p = D.digitCount;
  throwIfCancelled(work.inner, work.operation);
  if (levelInMemory(p)) {
    const kernel = new Multiplier({ budget: budgetFor('outOfCoreInMemory') });
    const X = natDivMod(natShiftDecimal(NAT_ONE, 2 * p), await loadNat(D), kernel).q;
    const result = await writeNatResult(false, X);
    work.advance(p, 'reciprocal');
    return result;
  }
  const h = Math.ceil(p / 2) + NEWTON_OVERLAP;
  const held = new Held();
  try {
    const Dh = held.add(await truncateDecimal(D, p - h, work.inner));
    const Xh = held.add(await reciprocal(Dh, work));
    const T = held.add(await magnitudeProduct(D, Xh, work.inner));
    const P = held.add(await powerOfTen(p + h, work.inner));
    const E = held.add(await addSigned(T, P, true, work.inner));
    const E1 = held.add(await truncateDecimal(E, h - 2, work.inner));
    const XhE1 = held.add(await magnitudeProduct(Xh, E1, work.inner));
    const C = held.add(await truncateDecimal(XhE1, h + 2, work.inner));
    const Y = held.add(await shiftDecimal(Xh, p - h, work.inner));
    // T < 10^(p+h): Xh was short, X = Y + C; T > 10^(p+h): X = Y − C (C < Y: the correction is ~10^(3−h) of Y).
    const X = await addSigned(Y, C, E.sign > 0, work.inner);
    work.advance(p, 'reciprocal');
    return X;
  } finally {
    held.free();
  }
}

/** Replaces `old` by `next`, freeing the old value. */
function swap(old: StreamNumber, next: StreamNumber): StreamNumber {
  old.free();
  return next;
}

/** R·10^c + digits [from, from + c) of a, canonical; through one pooled chunk buffer (storage/chunkpool.ts). */
async function bringDown(r: StreamNumber | undefined, a: StreamNumber, from: number, c: number): Promise<StreamNumber> {
  const chunk = getConfig().chunkSize;
  return writeResult((file) => withChunkBuffers(1, chunk, async ([into]) => {
    let count = 0;
    const put = async (bytes: Uint8Array): Promise<void> => {
      let i = 0;
      if (count === 0) while (i < bytes.length && bytes[i] === 48) i++;
      if (i < bytes.length) {
        await file.append(bytes.subarray(i));
        count += bytes.length - i;
      }
    };
    if (r && !r.isZero) for await (const part of readForward(r.info, chunk, 0, r.digitCount, into)) await put(part);
    const reader = await a.openReader();
    try {
      for (let p = from; p < from + c; p += chunk) await put(await reader.read(p, Math.min(chunk, from + c - p), into));
    } finally {
      await reader.close();
    }
    if (count === 0) await file.append(Buffer.from('0'));
    return { negative: false, digitCount: Math.max(count, 1), isZero: count === 0 };
  }));
}

/**
 * Floor quotient and remainder (Python semantics) of x by y, |x| ≥ |y| > 0, out of core: the header's method.
 * @throws {ResultTooLargeError} quotient, remainder and intermediates cannot fit the free disk
 * @throws {CancelledError} `options.signal` was aborted (checked between steps; nothing is left behind)
 * @throws {ArithmeticCheckError} a chunk estimate was off by more than the proven one unit (a fault)
 * @example const [q, r] = await divmodOutOfCore(x, y, false, {}, 'divmod');
 */
export async function divmodOutOfCore(
  x: StreamNumber,
  y: StreamNumber,
  signsDiffer: boolean,
  options: OperationOptions,
  operation: string,
  tuning: DivideTuning = {},
): Promise<[StreamNumber, StreamNumber]> {
  const L = x.digitCount;
  const n = y.digitCount;
  const qlen = L - n + 1;
  const c = Math.ceil(qlen / Math.min(qlen, tuning.chunks ?? quotientChunkCount(qlen, n)));
  const steps = Math.ceil(qlen / c);
  const k = c + GUARD_DIGITS;
  const t = Math.max(0, n - 2);
  // Quotient and remainder, plus the intermediates alive at once (|b|, X, W, q̃, q̃·b and the new remainder: less
  // than 3L + 3k digits) and the scratch of the largest product, the chunk's q̃·b, when it runs out of core.
  const largest = plannedOutOfCore(c + 1, n) ? productScratchBytes(c + 1, n) : 0;
  ensureResultFits(operation, qlen + n, 3 * L + 3 * k + largest);
  const levels = newtonLevels(k);
  const total = levels.reduce((s, p) => s + p, 0) + steps * (2 * c + n);
  const report = progressReporter(options, total);
  let done = 0;
  const work: Work = {
    inner: { signal: options.signal },
    operation,
    advance: (units, phase) => report((done += units), phase),
  };
  const inner = work.inner;
  const b = await copyWithSign(y, false, inner); // |y|, so sums and differences are magnitudes
  let X: StreamNumber | undefined;
  let r: StreamNumber | undefined;
  try {
    const D = n >= k ? await truncateDecimal(b, n - k, inner) : await shiftDecimal(b, k - n, inner);
    try {
      X = await reciprocal(D, work);
    } finally {
      D.free();
    }
    const reciprocalX = X;
    let position = n - 1; // digits of |x| consumed
    const quotient = await writeResult(async (file) => {
      let written = 0;
      for (let step = 0; step < steps; step++) {
        throwIfCancelled(options, operation);
        const width = step === 0 ? qlen - (steps - 1) * c : c;
        const W = step === 0 ? await bringDown(undefined, x, 0, n - 1 + width) : await bringDown(r, x, position, width);
        position += width;
        r?.free();
        r = W;
        let q = await estimateChunk(W, reciprocalX, t, k + n - t, inner);
        try {
          if (!q.isZero) {
            const qb = await magnitudeProduct(q, b, inner);
            try {
              r = swap(r, await addSigned(r, qb, true, inner));
            } finally {
              qb.free();
            }
          }
          let corrections = 0;
          while (r.isNegative || (await compareMagnitudes(r, b)).order >= 0) {
            if (++corrections > 1) {
              throw new ArithmeticCheckError(`${operation}: a quotient chunk estimate was off by more than one (proven bound: one); a hardware or kernel fault`);
            }
            const low = r.isNegative;
            r = swap(r, await addSigned(r, b, !low, inner));
            q = swap(q, await addOne(q, low, inner));
          }
          written = await appendChunk(file, q, width, written);
        } finally {
          q.free();
        }
        work.advance(2 * c + n, 'quotient');
      }
      if (written === 0) await file.append(Buffer.from('0'));
      return { negative: false, digitCount: Math.max(written, 1), isZero: written === 0 };
    });
    const remainder = r!;
    r = undefined;
    if (!signsDiffer || remainder.isZero) {
      const q = signsDiffer && !quotient.isZero ? swap(quotient, await copyWithSign(quotient, true, inner)) : quotient;
      const rem = y.isNegative && !remainder.isZero ? swap(remainder, await copyWithSign(remainder, true, inner)) : remainder;
      return [q, rem];
    }
    // Signs differ, remainder ≠ 0: q = −(qm + 1), r = sign(y)·(|y| − rm).
    const q1 = await addOne(quotient, false, inner);
    quotient.free();
    const q = swap(q1, await copyWithSign(q1, true, inner));
    const rm = await addSigned(b, remainder, true, inner);
    remainder.free();
    return [q, y.isNegative ? swap(rm, await copyWithSign(rm, true, inner)) : rm];
  } finally {
    r?.free();
    X?.free();
    b.free();
  }
}

/** q̃ = floor(floor(W/10^t)·X / 10^shift), shift = k + n − t: within one of floor(W/b) (the header's step 2). */
async function estimateChunk(W: StreamNumber, X: StreamNumber, t: number, shift: number, options: OperationOptions): Promise<StreamNumber> {
  const top = await truncateDecimal(W, t, options);
  try {
    if (top.isZero) return await copyWithSign(top, false, options);
    const product = await magnitudeProduct(top, X, options);
    try {
      return await truncateDecimal(product, shift, options);
    } finally {
      product.free();
    }
  } finally {
    top.free();
  }
}

/** x + 1 (or x − 1 when `minus`), through a literal that lives only for the call. */
function addOne(x: StreamNumber, minus: boolean, options: OperationOptions): Promise<StreamNumber> {
  return withOperands([1], ([one]) => addSigned(x, one!, minus, options));
}

/**
 * Appends chunk q (< 10^c) as c digits, zero-padded, except that the quotient never starts with a zero; the padding
 * (up to c digits: a zero chunk) and q's digits go through one pooled chunk buffer.
 */
async function appendChunk(file: AtomicFile, q: StreamNumber, c: number, written: number): Promise<number> {
  const chunk = getConfig().chunkSize;
  const zeros = written === 0 ? 0 : q.isZero ? c : Math.max(0, c - q.digitCount);
  await withChunkBuffers(1, chunk, async ([into]) => {
    if (zeros > 0) {
      const pad = into!.fill(48);
      for (let done = 0; done < zeros; done += pad.length) await file.append(pad.subarray(0, Math.min(pad.length, zeros - done)));
    }
    if (!q.isZero) for await (const part of readForward(q.info, chunk, 0, q.digitCount, into)) await file.append(part);
  });
  if (q.isZero) return written > 0 ? written + c : 0;
  return written > 0 ? written + c : q.digitCount;
}
