/**
 * linear — operations whose cost is one pass over the digits: compare, add, subtract, negate,
 * multiply or divide by a small number. They stream both files in chunks of
 * `getConfig().chunkSize` digits, so memory is O(chunk) whatever the operands' size.
 *
 * Digits stay ASCII bytes end to end ('0' = 48): a digit-pair sum is `a + b - 96 + carry`, and
 * the carry is extracted without a branch: for s in 0..19, `(s + 6) >> 4` is 1 exactly when
 * s > 9. Borrow: for d in -10..9, `(d >> 31) & 1` is 1 exactly when d < 0.
 *
 * Results produced least significant digit first (add, sub, small multiply) are written back
 * to front into a file whose length is fixed in advance: exactly for addition (a short
 * forward scan decides the final carry), an upper bound for subtraction and small
 * multiplication, where leftover leading zeros are squeezed out by one `moveDown` (which moves
 * only the surviving digits, so it is cheap unless the leading digits cancel unusually).
 *
 * Every pass reads and writes its chunks through buffers borrowed for the pass (storage/chunkpool.ts), never a fresh
 * buffer per chunk: dead chunks stayed resident until V8's external-memory limit, tens of MiB beside an operation's
 * own memory (docs/ARCHITECTURE.md §5, "Streaming passes"). A chunk read into a borrowed buffer is used before the
 * next is read, and each write is awaited before its buffer is filled again.
 */
import { getConfig } from '../config.js';
import { InvalidArgumentError } from '../errors.js';
import type { StreamNumber } from '../number.js';
import { DigitReader, readBackward, readForward, withChunkBuffers, type AtomicFile } from '../storage/index.js';
import { ensureResultFits, progressReporter, throwIfCancelled, type OperationOptions } from './context.js';
import { MINUS, writeResult, writeDigitsResult, type ResultShape } from './result.js';

const ZERO = 48;

/**
 * Largest multiplier or divisor the one-pass streaming routines take: a digit times it plus the carry stays
 * below 2^31 (int32 arithmetic). The kernel's LIMB_FACTOR_LIMIT (2^26) is a different bound, for limbs in doubles.
 */
export const STREAMING_FACTOR_LIMIT = 100_000_000;

/** Compares |a| and |b|; `firstDifference` is the digit index where equal-length operands first differ. */
export async function compareMagnitudes(
  a: StreamNumber,
  b: StreamNumber,
  options: OperationOptions = {},
): Promise<{ order: -1 | 0 | 1; firstDifference: number }> {
  if (a.digitCount !== b.digitCount) return { order: a.digitCount < b.digitCount ? -1 : 1, firstDifference: 0 };
  const report = progressReporter(options, a.digitCount);
  const chunk = getConfig().chunkSize;
  return withChunkBuffers(2, chunk, async ([intoA, intoB]) => {
    const left = readForward(a.info, chunk, 0, a.digitCount, intoA);
    const right = readForward(b.info, chunk, 0, b.digitCount, intoB);
    let offset = 0;
    try {
      for (;;) {
        throwIfCancelled(options, 'compare');
        const [x, y] = await Promise.all([left.next(), right.next()]);
        if (x.done || y.done) return { order: 0, firstDifference: a.digitCount };
        const order = Buffer.compare(x.value, y.value);
        if (order !== 0) {
          let i = 0;
          while (x.value[i] === y.value[i]) i++;
          return { order: order < 0 ? -1 : 1, firstDifference: offset + i };
        }
        offset += x.value.length;
        report(offset);
      }
    } finally {
      await Promise.all([left.return(undefined), right.return(undefined)]);
    }
  });
}

/** Signed comparison: -1, 0 or 1. */
export async function compareNumbers(a: StreamNumber, b: StreamNumber, options: OperationOptions = {}): Promise<-1 | 0 | 1> {
  if (a.sign !== b.sign) return a.sign < b.sign ? -1 : 1;
  if (a.sign === 0) return 0;
  const { order } = await compareMagnitudes(a, b, options);
  return (a.sign < 0 ? -order : order) as -1 | 0 | 1;
}

/**
 * Whether |a| + |b| carries out of the top digit. Reads aligned digit pairs from the most
 * significant end: a pair summing to 9 passes a carry through, anything else decides. Usually
 * settles within the first block; all-9 runs cost one forward pass.
 */
async function additionCarriesOut(long: StreamNumber, short: StreamNumber): Promise<boolean> {
  const la = long.digitCount;
  const offset = la - short.digitCount; // digit i of `long` pairs with digit i - offset of `short`
  const [ra, rb] = await Promise.all([DigitReader.open(long.info), DigitReader.open(short.info)]);
  try {
    let block = 4096;
    for (let start = 0; start < la; start += block, block = Math.min(block * 4, getConfig().chunkSize)) {
      const end = Math.min(la, start + block);
      const top = await ra.read(start, end - start);
      const bStart = Math.max(0, start - offset);
      const bottom = end > offset ? await rb.read(bStart, end - Math.max(start, offset)) : new Uint8Array(0);
      for (let i = start; i < end; i++) {
        const s = top[i - start]! - ZERO + (i >= offset ? bottom[i - Math.max(start, offset)]! - ZERO : 0);
        if (s !== 9) return s > 9;
      }
    }
    return false;
  } finally {
    await Promise.all([ra.close(), rb.close()]);
  }
}

/**
 * Writes |long| ± |short| (sign `negative`) back to front. For subtraction |long| > |short|
 * is required. `skipTop` leading digits are known to be zero in a difference (the operands'
 * common prefix) and are neither computed nor written.
 */
async function writeLinear(
  file: AtomicFile,
  long: StreamNumber,
  short: StreamNumber,
  subtract: boolean,
  negative: boolean,
  skipTop: number,
  options: OperationOptions,
): Promise<ResultShape> {
  const operation = subtract ? 'sub' : 'add';
  const la = long.digitCount;
  const carryOut = !subtract && (await additionCarriesOut(long, short));
  const sign = negative ? 1 : 0;
  const reserved = la - skipTop + (carryOut ? 1 : 0); // digits the file has room for
  if (negative) await file.writeAt(0, MINUS);
  await file.truncate(sign + reserved);
  const chunk = getConfig().chunkSize;
  const report = progressReporter(options, la);
  await withChunkBuffers(3, chunk, async ([intoLong, intoShort, outBuffer]) => {
    const longChunks = readBackward(long.info, chunk, intoLong);
    const shortChunks = readBackward(short.info, chunk, intoShort);
    let carry = 0;
    let done = 0; // low digits written so far
    try {
      for await (const a of longChunks) {
        throwIfCancelled(options, operation);
        const next = await shortChunks.next();
        const b = next.done ? EMPTY : next.value;
        // Drop digits of the common prefix (they are zero in the difference).
        const keep = Math.min(a.length, la - skipTop - done);
        if (keep <= 0) break;
        const out = outBuffer!.subarray(0, keep);
        const aBase = a.length - keep;
        carry = subtract ? subtractChunk(a, aBase, b, out, carry) : addChunk(a, aBase, b, out, carry);
        done += keep;
        await file.writeAt(sign + reserved - done, out);
        report(done);
      }
    } finally {
      await Promise.all([longChunks.return(undefined), shortChunks.return(undefined)]);
    }
  });
  if (carryOut) await file.writeAt(sign, ONE);
  if (!subtract) return { negative, digitCount: reserved, isZero: false };
  return squeezeLeadingZeros(file, sign, reserved, negative);
}

const EMPTY = new Uint8Array(0);
const ONE = Buffer.from('1');

/** out[i] = a[aBase + i] + b-aligned digit + carry, from the right; returns the carry out. */
function addChunk(a: Uint8Array, aBase: number, b: Uint8Array, out: Uint8Array, carry: number): number {
  const n = out.length;
  const shift = a.length - b.length; // a[j] pairs with b[j - shift]
  for (let i = n - 1; i >= 0; i--) {
    const j = aBase + i;
    const bj = j - shift;
    const s = a[j]! + (bj >= 0 ? b[bj]! : ZERO) - 2 * ZERO + carry;
    carry = (s + 6) >> 4;
    out[i] = s - 10 * carry + ZERO;
  }
  return carry;
}

/** out[i] = a-digit − b-digit − borrow, from the right; returns the borrow out. */
function subtractChunk(a: Uint8Array, aBase: number, b: Uint8Array, out: Uint8Array, borrow: number): number {
  const n = out.length;
  const shift = a.length - b.length;
  for (let i = n - 1; i >= 0; i--) {
    const j = aBase + i;
    const bj = j - shift;
    const d = a[j]! - (bj >= 0 ? b[bj]! : ZERO) - borrow;
    borrow = (d >> 31) & 1;
    out[i] = d + 10 * borrow + ZERO;
  }
  return borrow;
}

/** Finds leading zeros in the digits at [start, start + length) and moves the rest down. */
async function squeezeLeadingZeros(file: AtomicFile, start: number, length: number, negative: boolean): Promise<ResultShape> {
  let zeros = 0;
  const probe = Buffer.allocUnsafe(Math.min(1 << 16, length));
  scan: while (zeros < length - 1) {
    const part = await file.readAt(start + zeros, probe.subarray(0, Math.min(probe.length, length - 1 - zeros)));
    for (let i = 0; i < part.length; i++) {
      if (part[i] !== ZERO) break scan;
      zeros++;
    }
    if (part.length === 0) break;
  }
  const digitCount = length - zeros;
  const isZero = digitCount === 1 && (await file.readAt(start + zeros, Buffer.alloc(1)))[0] === ZERO;
  if (zeros > 0) {
    const to = isZero ? 0 : start;
    await file.moveDown(start + zeros, digitCount, to);
  }
  return { negative: negative && !isZero, digitCount, isZero };
}

/**
 * a + b with signs (or a − b when `negateB`): equal signs add magnitudes, different signs
 * subtract the smaller magnitude from the larger and take the larger one's sign.
 */
export async function addSigned(a: StreamNumber, b: StreamNumber, negateB: boolean, options: OperationOptions): Promise<StreamNumber> {
  const bSign = negateB ? -b.sign : b.sign;
  ensureResultFits(negateB ? 'sub' : 'add', Math.max(a.digitCount, b.digitCount) + 1);
  if (b.sign === 0) return copyWithSign(a, a.isNegative, options);
  if (a.sign === 0) return copyWithSign(b, bSign < 0, options);
  if (a.sign === bSign) {
    const [long, short] = a.digitCount >= b.digitCount ? [a, b] : [b, a];
    return writeResult((file) => writeLinear(file, long, short, false, a.sign < 0, 0, options));
  }
  const { order, firstDifference } = await compareMagnitudes(a, b, options);
  if (order === 0) return writeDigitsResult(false, Buffer.from('0'));
  const [long, short, negative] = order > 0 ? [a, b, a.sign < 0] : [b, a, bSign < 0];
  return writeResult((file) => writeLinear(file, long, short, true, negative, firstDifference, options));
}

/** |x| with the given sign, as a new staged file (neg, abs, and adding zero). */
export async function copyWithSign(x: StreamNumber, negative: boolean, options: OperationOptions): Promise<StreamNumber> {
  const isNegative = negative && !x.isZero;
  ensureResultFits('copy', x.digitCount);
  const report = progressReporter(options, x.digitCount);
  return writeResult(async (file) => {
    if (isNegative) await file.append(MINUS);
    let done = 0;
    const size = getConfig().chunkSize;
    await withChunkBuffers(1, size, async ([into]) => {
      for await (const chunk of readForward(x.info, size, 0, x.digitCount, into)) {
        throwIfCancelled(options, 'copy');
        await file.append(chunk);
        done += chunk.length;
        report(done);
      }
    });
    return { negative: isNegative, digitCount: x.digitCount, isZero: x.isZero };
  });
}

function checkSmall(value: number, operation: string): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > STREAMING_FACTOR_LIMIT) {
    throw new InvalidArgumentError(`${operation}: small operand must be an integer in [0, ${STREAMING_FACTOR_LIMIT}], got ${value}`);
  }
}

/**
 * |x| · m for 0 <= m <= STREAMING_FACTOR_LIMIT, one backward pass. The room reserved is digits(x) +
 * digits(m); leading zeros left over are squeezed out.
 */
export async function mulSmall(x: StreamNumber, m: number, negative: boolean, options: OperationOptions): Promise<StreamNumber> {
  checkSmall(m, 'mul');
  if (m === 0 || x.isZero) return writeDigitsResult(false, Buffer.from('0'));
  const extra = String(m).length;
  ensureResultFits('mul', x.digitCount + extra);
  const report = progressReporter(options, x.digitCount);
  return writeResult(async (file) => {
    const sign = negative ? 1 : 0;
    const reserved = x.digitCount + extra;
    if (negative) await file.writeAt(0, MINUS);
    await file.truncate(sign + reserved);
    let carry = 0;
    let done = 0;
    const size = getConfig().chunkSize;
    await withChunkBuffers(2, size, async ([into, outBuffer]) => {
        for await (const a of readBackward(x.info, size, into)) {
          throwIfCancelled(options, 'mul');
          const out = outBuffer!.subarray(0, a.length);
          for (let i = a.length - 1; i >= 0; i--) {
            const t = (a[i]! - ZERO) * m + carry; // < 10·STREAMING_FACTOR_LIMIT < 2^31
            carry = (t / 10) | 0;
            out[i] = t - carry * 10 + ZERO;
          }
          done += a.length;
          await file.writeAt(sign + reserved - done, out);
          report(done);
        }
    });
    const top = Buffer.from(String(carry).padStart(extra, '0'));
    await file.writeAt(sign, top);
    return squeezeLeadingZeros(file, sign, reserved, negative);
  });
}

/**
 * floor(|x| / d) and |x| mod d for 1 <= d <= STREAMING_FACTOR_LIMIT: schoolbook long division, one forward
 * pass, quotient written as it is produced (leading zeros skipped), remainder returned.
 */
export async function divSmallMagnitude(
  x: StreamNumber,
  d: number,
  negative: boolean,
  options: OperationOptions,
): Promise<{ quotient: StreamNumber; remainder: number }> {
  checkSmall(d, 'div');
  ensureResultFits('div', x.digitCount);
  let remainder = 0;
  const report = progressReporter(options, x.digitCount);
  const quotient = await writeResult(async (file) => {
    let started = false;
    let written = 0;
    let done = 0;
    const size = getConfig().chunkSize;
    await withChunkBuffers(2, size, async ([into, outBuffer]) => {
      for await (const a of readForward(x.info, size, 0, x.digitCount, into)) {
        throwIfCancelled(options, 'div');
        const out = outBuffer!;
        let n = 0;
        for (let i = 0; i < a.length; i++) {
          const t = remainder * 10 + a[i]! - ZERO; // < 10·d < 2^31
          const q = (t / d) | 0;
          remainder = t - q * d;
          if (q !== 0 || started) {
            if (!started && negative) await file.append(MINUS);
            started = true;
            out[n++] = q + ZERO;
          }
        }
        if (n > 0) await file.append(out.subarray(0, n));
        written += n;
        done += a.length;
        report(done);
      }
    });
    if (!started) {
      await file.append(Buffer.from('0'));
      return { negative: false, digitCount: 1, isZero: true };
    }
    return { negative, digitCount: written, isZero: false };
  });
  return { quotient, remainder };
}

/** floor(|x| / 10^k) with x's sign dropped: the leading digitCount − k digits (0 when none). */
export async function truncateDecimal(x: StreamNumber, k: number, options: OperationOptions): Promise<StreamNumber> {
  const keep = x.digitCount - k;
  if (keep <= 0 || x.isZero) return writeDigitsResult(false, Buffer.from('0'));
  ensureResultFits('truncate', keep);
  const size = getConfig().chunkSize;
  return writeResult((file) =>
    withChunkBuffers(1, size, async ([into]) => {
      for await (const chunk of readForward(x.info, size, 0, keep, into)) {
        throwIfCancelled(options, 'truncate');
        await file.append(chunk);
      }
      return { negative: false, digitCount: keep, isZero: false };
    }),
  );
}

/** |x| · 10^k: the digits of |x| followed by k zeros. */
export async function shiftDecimal(x: StreamNumber, k: number, options: OperationOptions): Promise<StreamNumber> {
  if (x.isZero || k === 0) return copyWithSign(x, false, options);
  ensureResultFits('shift', x.digitCount + k);
  const size = getConfig().chunkSize;
  return writeResult((file) =>
    withChunkBuffers(1, size, async ([into]) => {
      for await (const chunk of readForward(x.info, size, 0, x.digitCount, into)) {
        throwIfCancelled(options, 'shift');
        await file.append(chunk);
      }
      const zeros = into!.fill(ZERO, 0, Math.min(k, size)).subarray(0, Math.min(k, size));
      for (let done = 0; done < k; done += zeros.length) await file.append(zeros.subarray(0, Math.min(zeros.length, k - done)));
      return { negative: false, digitCount: x.digitCount + k, isZero: false };
    }),
  );
}
