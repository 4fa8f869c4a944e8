/**
 * outofcore/divide — floor division of operands beyond the memory budget, by long division in
 * quotient chunks of h digits (h from the budget), each chunk an in-memory estimate corrected on disk.
 *
 * Step j (classical long division, Knuth 4.3.1 with base 10^h): W = R·10^c + the next c digits of |a|
 * (R < |b| is the running remainder, so W/|b| < 10^c); the chunk q̃ = floor(W_top / B_top) from the
 * leading c + 3 digits of |b| and the matching prefix of W. With s dropped digits,
 * W/B ∈ (W_top/(B_top+1), (W_top+1)/B_top) and W_top/B_top < 10^c + 1, B_top ≥ 10^{c+2}, so the true
 * chunk is q̃ − 1, q̃ or q̃ + 1; R = W − q̃·|b| (an out-of-core product when large) and at most a couple
 * of streaming ±|b| corrections fix it. Cost: (qlen/h) products of h × n digits — quadratic in
 * qlen/h, which is small for operands a few times the budget; Newton's reciprocal on out-of-core
 * products would be O(M(n)) but needs a reciprocal of n digits on disk and is left for later.
 * Memory: the h-digit in-memory estimate plus whatever the product routes to.
 */
import { getConfig } from '../../config.js';
import {
  QUOTIENT_CHUNK_BYTES_PER_DIGIT, natDivMod, natFromDigits, natMul, natToDigits, natIsZero, planProduct, type Nat,
} from '../../kernel/index.js';
import type { StreamNumber } from '../../number.js';
import { readAllDigits } from '../../storage/index.js';
import { progressReporter, throwIfCancelled, withOperands, type OperationOptions } from '../context.js';
import { addSigned, compareMagnitudes, copyWithSign } from '../linear.js';
import { writeDigitsResult, writeResult } from '../result.js';
import { mulOutOfCore } from './product.js';

/** Quotient digits per step: the in-memory estimate divides ~2h+3 by h+3 digits. */
export function quotientChunkDigits(budget: number): number {
  return Math.max(1000, Math.floor(budget / QUOTIENT_CHUNK_BYTES_PER_DIGIT));
}

/** |x|·|y| in memory unless the planner puts it out of core. */
async function product(x: StreamNumber, y: StreamNumber, options: OperationOptions): Promise<StreamNumber> {
  if (planProduct(x.digitCount, y.digitCount, { operands: 'files' }).method === 'outOfCore') {
    return mulOutOfCore(x, y, false, options);
  }
  const [a, b] = await Promise.all([readAllDigits(x.info), readAllDigits(y.info)]);
  return writeDigitsResult(false, natToDigits(natMul(natFromDigits(a), natFromDigits(b))));
}

async function prefix(x: StreamNumber, digits: number): Promise<Nat> {
  const reader = await x.openReader();
  try {
    return natFromDigits(await reader.read(0, Math.min(digits, x.digitCount)));
  } finally {
    await reader.close();
  }
}

/** R·10^c + digits [from, from + c) of a, canonical. */
async function bringDown(r: StreamNumber | undefined, a: StreamNumber, from: number, c: number): Promise<StreamNumber> {
  const chunk = getConfig().chunkSize;
  return writeResult(async (file) => {
    let count = 0;
    const put = async (bytes: Uint8Array): Promise<void> => {
      let i = 0;
      if (count === 0) while (i < bytes.length && bytes[i] === 48) i++;
      if (i < bytes.length) {
        await file.append(bytes.subarray(i));
        count += bytes.length - i;
      }
    };
    if (r && !r.isZero) for await (const part of r.stream(chunk)) await put(part);
    const reader = await a.openReader();
    try {
      for (let p = from; p < from + c; p += chunk) await put(await reader.read(p, Math.min(chunk, from + c - p)));
    } finally {
      await reader.close();
    }
    if (count === 0) await file.append(Buffer.from('0'));
    return { negative: false, digitCount: Math.max(count, 1), isZero: count === 0 };
  });
}

/** Replaces `*slot` by `next`, freeing the old value. */
function swap(old: StreamNumber, next: StreamNumber): StreamNumber {
  old.free();
  return next;
}

/**
 * Floor quotient and remainder (Python semantics) of x by y, |x| ≥ |y| > 0, out of core.
 */
export async function divmodOutOfCore(
  x: StreamNumber,
  y: StreamNumber,
  signsDiffer: boolean,
  options: OperationOptions,
  operation: string,
): Promise<[StreamNumber, StreamNumber]> {
  const L = x.digitCount;
  const n = y.digitCount;
  const qlen = L - n + 1;
  const h = quotientChunkDigits(getConfig().memoryBudget);
  const steps = Math.ceil(qlen / h);
  const report = progressReporter(options, steps);
  const b = await copyWithSign(y, false, options); // |y|, so sums and differences are magnitudes
  let r: StreamNumber | undefined;
  try {
    let position = n - 1; // digits of |x| consumed
    const quotient = await writeResult(async (file) => {
      let written = 0;
      for (let step = 0; step < steps; step++) {
        throwIfCancelled(options, operation);
        const c = step === 0 ? qlen - (steps - 1) * h : h;
        const head = step === 0 ? await bringDown(undefined, x, 0, n - 1 + c) : await bringDown(r, x, position, c);
        position += c;
        r?.free();
        r = head;
        const q = await estimateChunk(r, b, c);
        let qNumber = await writeDigitsResult(false, natToDigits(q));
        try {
          if (!natIsZero(q)) {
            const qb = await product(qNumber, b, options);
            try {
              r = swap(r, await addSigned(r, qb, true, options));
            } finally {
              qb.free();
            }
          }
          // At most a couple of corrections (the estimate is within one of the true chunk).
          while (r.isNegative) {
            r = swap(r, await addSigned(r, b, false, options));
            qNumber = swap(qNumber, await addOne(qNumber, true, options));
          }
          while ((await compareMagnitudes(r, b)).order >= 0) {
            r = swap(r, await addSigned(r, b, true, options));
            qNumber = swap(qNumber, await addOne(qNumber, false, options));
          }
          written = await appendChunk(file, qNumber, c, written);
        } finally {
          qNumber.free();
        }
        report(step + 1);
      }
      if (written === 0) await file.append(Buffer.from('0'));
      return { negative: false, digitCount: Math.max(written, 1), isZero: written === 0 };
    });
    const remainder = r!;
    r = undefined;
    if (!signsDiffer || remainder.isZero) {
      const q = signsDiffer && !quotient.isZero ? swap(quotient, await copyWithSign(quotient, true, options)) : quotient;
      const rem = y.isNegative && !remainder.isZero ? swap(remainder, await copyWithSign(remainder, true, options)) : remainder;
      return [q, rem];
    }
    // Signs differ, remainder ≠ 0: q = −(qm + 1), r = sign(y)·(|y| − rm).
    const q1 = await addOne(quotient, false, options);
    quotient.free();
    const q = swap(q1, await copyWithSign(q1, true, options));
    const rm = await addSigned(b, remainder, true, options);
    remainder.free();
    return [q, y.isNegative ? swap(rm, await copyWithSign(rm, true, options)) : rm];
  } finally {
    r?.free();
    b.free();
  }
}

/** x + 1 (or x − 1 when `minus`), through a literal that lives only for the call. */
function addOne(x: StreamNumber, minus: boolean, options: OperationOptions): Promise<StreamNumber> {
  return withOperands([1], ([one]) => addSigned(x, one!, minus, options));
}

/** q̃ = floor(W_top / B_top) on the leading c + 3 digits of B (exact when B is that short). */
async function estimateChunk(w: StreamNumber, b: StreamNumber, c: number): Promise<Nat> {
  const keep = c + 3;
  const dropped = Math.max(0, b.digitCount - keep);
  if (w.digitCount <= dropped) return natFromDigits(Buffer.from('0'));
  const wTop = await prefix(w, w.digitCount - dropped);
  const bTop = await prefix(b, b.digitCount - dropped);
  return natDivMod(wTop, bTop).q;
}

/** Appends chunk q (< 10^c) as c digits, zero-padded, except that the quotient never starts with a zero. */
async function appendChunk(file: import('../../storage/index.js').AtomicFile, q: StreamNumber, c: number, written: number): Promise<number> {
  if (q.isZero) {
    if (written > 0) await file.append(Buffer.alloc(c, 48));
    return written > 0 ? written + c : 0;
  }
  if (written > 0 && q.digitCount < c) await file.append(Buffer.alloc(c - q.digitCount, 48));
  const chunk = getConfig().chunkSize;
  for await (const part of q.stream(chunk)) await file.append(part);
  return written > 0 ? written + c : q.digitCount;
}
