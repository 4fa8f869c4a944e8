/**
 * kernel/nat — the natural-number representation and its linear-time operations.
 *
 * A `Nat` holds little-endian limbs in base 10^4 in a Uint16Array (0.5 byte per decimal digit),
 * normalized: no most-significant zero limb, zero is the empty array. Base 10^4 was chosen because
 * (a) the limb product 10^8 and sums of up to ~9·10^7 of them are exact in a double, so schoolbook
 * and Karatsuba run on plain float arithmetic, (b) it is directly an FFT limb size (see fft.ts),
 * and (c) decimal conversion is a fixed 4-digit regrouping, no radix conversion.
 *
 * Callers must treat a Nat as immutable and must not depend on `limbs` (kernel-internal).
 */

import { ArithmeticCheckError, DivideByZeroError, InvalidArgumentError, InvalidNumberError } from '../errors.js';
import { alignLike, residueTableFor, u16View, u8View, wasm, wasmAlloc, wasmAllocLike, wasmFree, wasmShared } from './wasmheap.js';

/** Radix of one limb. */
export const BASE = 10000;
/** Decimal digits per limb. */
export const LIMB_DIGITS = 4;

/** An immutable natural number (>= 0). */
export class Nat {
  /** @internal little-endian base-10^4 limbs, top limb non-zero; zero is empty. */
  readonly limbs: Uint16Array;
  /** @internal use natFromLimbs / the nat* constructors. */
  constructor(limbs: Uint16Array) {
    this.limbs = limbs;
  }
  /** Number of limbs (internal size measure). */
  get size(): number {
    return this.limbs.length;
  }
  toString(): string {
    return Buffer.from(natToDigits(this).buffer).toString('latin1');
  }
}

const EMPTY = new Uint16Array(0);
export const NAT_ZERO = new Nat(EMPTY);
export const NAT_ONE = new Nat(Uint16Array.of(1));

/** @internal wraps limbs[0..len) after trimming most-significant zero limbs (no copy). */
export function natFromLimbs(limbs: Uint16Array, len = limbs.length): Nat {
  while (len > 0 && limbs[len - 1] === 0) len--;
  if (len === 0) return NAT_ZERO;
  return new Nat(len === limbs.length ? limbs : limbs.subarray(0, len));
}

// ---------------------------------------------------------------- conversions

// Long numbers convert in the compiled kernel (assembly/digits.ts, SIMD: ~10× the JS loops below), through a
// staging block of the wasm memory of at most STAGE_DIGITS digits and their limbs: chunk by chunk, so converting
// a number never grows the wasm memory (which never shrinks) by more than ~STAGE_DIGITS·1.5 bytes, and the
// digits go straight between the caller's buffer and the limbs. Short ones stay in JS: below WASM_DIGITS_MIN the
// copies in and out would cost more than the loops.

/** Digits from which a conversion runs compiled. */
export const WASM_DIGITS_MIN = 2048;
/** Digits per staged chunk (a multiple of 32, so every chunk but the most significant is whole vector steps). */
const STAGE_DIGITS = 1 << 20;

/** InvalidNumberError for the first non-digit in ascii[from..) (one exists), reported at its offset plus `base`. */
function badDigit(ascii: Uint8Array, from: number, base = 0): InvalidNumberError {
  let i = from;
  while (ascii[i]! >= 48 && ascii[i]! <= 57) i++;
  return new InvalidNumberError('digits', base + i, `byte ${ascii[i]} is not a decimal digit`);
}

/**
 * Parses ASCII decimal digits ascii[start..end), most significant first, leading zeros allowed.
 * Linear time: each limb is assembled from 4 bytes. Throws InvalidNumberError on a non-digit byte
 * or an empty range.
 */
export function natFromDigits(ascii: Uint8Array, start = 0, end = ascii.length): Nat {
  if (start < 0 || end > ascii.length || start > end) {
    throw new InvalidArgumentError(`natFromDigits: bad range [${start}, ${end}) of ${ascii.length} bytes`);
  }
  if (start === end) throw new InvalidNumberError('digits', start, 'no digits');
  const first = start;
  // Zeros are digits: skipping them before validating the rest finds the same first bad byte.
  while (start < end - 1 && ascii[start] === 48) start++;
  const limbs = new Uint16Array(Math.ceil((end - start) / LIMB_DIGITS));
  if (!digitsIntoLimbs(ascii, start, end, limbs, 0)) throw badDigit(ascii, first);
  return natFromLimbs(limbs);
}

/**
 * The Nat of `count` >= 1 decimal digits that `read` supplies a piece at a time: read(from, length, into) fills
 * `into` with digits [from, from + length) (counted from the most significant) and returns them. Pieces of
 * `pieceDigits` (a multiple of 4) are asked for from the least significant end, each converted straight into its
 * limbs: the decimal text is never in memory whole (for loading a file; one buffer of pieceDigits bytes).
 * @throws InvalidNumberError on a non-digit byte (offset counted from the first digit).
 * @throws InvalidArgumentError for a count that is not an integer >= 1, or a pieceDigits not a multiple of 4.
 * @example await natFromDigitReader(3, async (f, n, into) => { into.set(Buffer.from('123').subarray(f, f + n)); return into.subarray(0, n); })
 */
export async function natFromDigitReader(
  count: number,
  read: (from: number, length: number, into: Uint8Array) => Promise<Uint8Array>,
  pieceDigits = STAGE_DIGITS,
): Promise<Nat> {
  if (!Number.isSafeInteger(count) || count < 1) throw new InvalidArgumentError(`natFromDigitReader: ${count} digits`);
  if (!Number.isSafeInteger(pieceDigits) || pieceDigits < LIMB_DIGITS || pieceDigits % LIMB_DIGITS !== 0) {
    throw new InvalidArgumentError(`natFromDigitReader: a piece of ${pieceDigits} digits is not a positive multiple of 4`);
  }
  const limbs = new Uint16Array(Math.ceil(count / LIMB_DIGITS));
  const into = new Uint8Array(Math.min(count, pieceDigits));
  for (let e = count, o = 0; e > 0; e -= pieceDigits, o += pieceDigits / LIMB_DIGITS) {
    const b = Math.max(0, e - pieceDigits);
    const piece = await read(b, e - b, into);
    if (piece.length !== e - b) throw new InvalidArgumentError(`natFromDigitReader: asked for ${e - b} digits at ${b}, got ${piece.length}`);
    if (!digitsIntoLimbs(piece, 0, piece.length, limbs, o)) throw badDigit(piece, 0, b);
  }
  return natFromLimbs(limbs);
}

/**
 * Converts ascii[start..end) (n >= 1 digits) into limbs[o .. o + ceil(n/4)); false if a byte is not a digit (the
 * limbs are then undefined). Compiled from WASM_DIGITS_MIN digits, in STAGE_DIGITS chunks taken from the least
 * significant end, so every chunk but the last (most significant) is whole limbs and chunk c starts at limb
 * o + c·STAGE_DIGITS/4.
 */
function digitsIntoLimbs(ascii: Uint8Array, start: number, end: number, limbs: Uint16Array, o: number): boolean {
  const n = end - start;
  if (n >= WASM_DIGITS_MIN) {
    const chunk = Math.min(n, STAGE_DIGITS);
    const src = wasmAlloc(chunk);
    const dst = wasmAlloc(2 * Math.ceil(chunk / LIMB_DIGITS));
    try {
      const k = wasm();
      for (let e = end; e > start; e -= STAGE_DIGITS, o += STAGE_DIGITS / LIMB_DIGITS) {
        const b = Math.max(start, e - STAGE_DIGITS);
        u8View(src, e - b).set(ascii.subarray(b, e));
        if (!k.digitsToLimbs(src, e - b, dst)) return false;
        limbs.set(u16View(dst, Math.ceil((e - b) / LIMB_DIGITS)), o);
      }
    } finally {
      wasmFree(src);
      wasmFree(dst);
    }
    return true;
  }
  // Branch-free validation: (c - 48) >>> 0 > 9 for any non-digit; OR-ing the excess shows any bad byte.
  let bad = 0;
  for (let i = start; i < end; i++) bad |= ((ascii[i]! - 48) >>> 0) > 9 ? 1 : 0;
  if (bad) return false;
  let p = end;
  let k = o;
  for (; p - 4 >= start; p -= 4) {
    limbs[k++] = (ascii[p - 4]! - 48) * 1000 + (ascii[p - 3]! - 48) * 100 + (ascii[p - 2]! - 48) * 10 + (ascii[p - 1]! - 48);
  }
  if (p > start) {
    let v = 0;
    for (let i = start; i < p; i++) v = v * 10 + (ascii[i]! - 48);
    limbs[k] = v;
  }
  return true;
}

/** Number of decimal digits of a (1 for zero). */
export function natDigitCount(a: Nat): number {
  const l = a.limbs;
  const n = l.length;
  if (n === 0) return 1;
  const top = l[n - 1];
  return (n - 1) * LIMB_DIGITS + (top >= 1000 ? 4 : top >= 100 ? 3 : top >= 10 ? 2 : 1);
}

/** Canonical ASCII decimal of a ("0" for zero). Linear time, writes bytes directly. */
export function natToDigits(a: Nat): Uint8Array {
  const l = a.limbs;
  const n = l.length;
  if (n === 0) return Uint8Array.of(48);
  const total = natDigitCount(a);
  const out = new Uint8Array(total);
  writeFullLimbs(l.subarray(0, n - 1), out, total);
  writeTopLimb(l[n - 1]!, out, total - LIMB_DIGITS * (n - 1));
  return out;
}

/**
 * The canonical decimal digits of a ("0" for zero), most significant first, in successive pieces of at most
 * `pieceDigits` digits (rounded down to whole limbs, at least one), each written into one of two buffers used in
 * turn: a piece stays valid until the generator is resumed twice, so a writer can have one piece in flight while the
 * next is converted. The whole decimal text is never in memory at once (for writing a long result to a file).
 * @throws InvalidArgumentError for a pieceDigits that is not an integer >= 4.
 * @example [...natDigitPieces(natFromNumber(123456789), 4)].map((p) => Buffer.from(p).toString()) // ['1', '2345', '6789']
 */
export function* natDigitPieces(a: Nat, pieceDigits = STAGE_DIGITS): Generator<Uint8Array, void, void> {
  if (!Number.isSafeInteger(pieceDigits) || pieceDigits < LIMB_DIGITS) {
    throw new InvalidArgumentError(`natDigitPieces: piece of ${pieceDigits} digits is not an integer >= 4`);
  }
  const l = a.limbs;
  const n = l.length;
  if (n === 0) {
    yield Uint8Array.of(48);
    return;
  }
  const per = Math.floor(pieceDigits / LIMB_DIGITS);
  const total = natDigitCount(a);
  const buffers = [new Uint8Array(Math.min(total, LIMB_DIGITS * per)), new Uint8Array(Math.min(total, LIMB_DIGITS * per))];
  // The top limb (1–4 digits) goes first, in a piece of its own: every later piece is `per` whole limbs, the
  // first of them (the most significant) holding the remainder (n − 1) mod per.
  const top = total - LIMB_DIGITS * (n - 1);
  writeTopLimb(l[n - 1]!, buffers[0]!, top);
  yield buffers[0]!.subarray(0, top);
  let turn = 1;
  for (let hi = n - 1; hi > 0; turn ^= 1) {
    const lo = Math.max(0, hi - (((hi - 1) % per) + 1));
    const bytes = LIMB_DIGITS * (hi - lo);
    writeFullLimbs(l.subarray(lo, hi), buffers[turn]!, bytes);
    yield buffers[turn]!.subarray(0, bytes);
    hi = lo;
  }
}

/** The top limb v's digits without leading zeros, ending at out[end) (which its digit count fills from 0). */
function writeTopLimb(v: number, out: Uint8Array, end: number): void {
  let p = end;
  do {
    const d = v % 10;
    out[--p] = 48 + d;
    v = (v - d) / 10;
  } while (p > 0);
}

/** Writes every limb of `limbs` as exactly 4 digits, least significant limb last, ending at out[end). */
function writeFullLimbs(limbs: Uint16Array, out: Uint8Array, end: number): void {
  const m = limbs.length;
  if (LIMB_DIGITS * m >= WASM_DIGITS_MIN) {
    limbsToDigitsCompiled(limbs, out, end);
    return;
  }
  let p = end;
  for (let i = 0; i < m; i++) {
    let v = limbs[i]!;
    const d0 = v % 10;
    v = (v - d0) / 10;
    const d1 = v % 10;
    v = (v - d1) / 10;
    const d2 = v % 10;
    out[p - 1] = 48 + d0;
    out[p - 2] = 48 + d1;
    out[p - 3] = 48 + d2;
    out[p - 4] = 48 + (v - d2) / 10;
    p -= 4;
  }
}

/**
 * writeFullLimbs compiled: chunks of STAGE_DIGITS/4 limbs from the bottom (chunk c's digits end at
 * end − c·STAGE_DIGITS).
 */
function limbsToDigitsCompiled(limbs: Uint16Array, out: Uint8Array, end: number): void {
  const m = limbs.length;
  const per = STAGE_DIGITS / LIMB_DIGITS;
  const chunk = Math.min(m, per);
  const src = wasmAlloc(2 * chunk);
  const dst = wasmAlloc(LIMB_DIGITS * chunk);
  try {
    const k = wasm();
    for (let i = 0; i < m; i += per) {
      const c = Math.min(per, m - i);
      u16View(src, c).set(limbs.subarray(i, i + c));
      k.limbsToDigits(src, c, dst);
      const e = end - LIMB_DIGITS * i;
      out.set(u8View(dst, LIMB_DIGITS * c), e - LIMB_DIGITS * c);
    }
  } finally {
    wasmFree(src);
    wasmFree(dst);
  }
}

const TEN_POW = [1, 10, 100, 1000, 10000];

/** a from a safe integer >= 0. */
export function natFromNumber(x: number): Nat {
  if (!Number.isSafeInteger(x) || x < 0) throw new InvalidArgumentError(`natFromNumber: ${x} is not a safe integer >= 0`);
  const limbs = new Uint16Array(4);
  let k = 0;
  while (x > 0) {
    const q = Math.floor(x / BASE);
    limbs[k++] = x - q * BASE;
    x = q;
  }
  return natFromLimbs(limbs, k);
}

/** a as a number if it is < 2^53, else undefined. */
export function natToNumber(a: Nat): number | undefined {
  const l = a.limbs;
  if (l.length > 4) return undefined;
  let v = 0;
  for (let i = l.length - 1; i >= 0; i--) v = v * BASE + l[i];
  return Number.isSafeInteger(v) ? v : undefined;
}

export function natFromBigInt(x: bigint): Nat {
  if (x < 0n) throw new InvalidArgumentError('natFromBigInt: negative value');
  return natFromDigits(Buffer.from(x.toString(), 'latin1'));
}

/**
 * A copy of a's limbs that can be transferred to another thread (postMessage transfer list): numbers cross threads
 * as limbs, with no decimal conversion. natImportLimbs takes it back.
 */
export function natExportLimbs(a: Nat): Uint16Array {
  return a.limbs.slice();
}

/** The Nat of limbs made by natExportLimbs (in any thread), checked: a limb >= 10^4 is an internal fault. */
export function natImportLimbs(limbs: Uint16Array): Nat {
  let bad = 0;
  for (let i = 0; i < limbs.length; i++) bad |= limbs[i]! >= BASE ? 1 : 0;
  if (bad) throw new ArithmeticCheckError('natImportLimbs: a limb is not below 10^4');
  return natFromLimbs(limbs);
}

export function natToBigInt(a: Nat): bigint {
  return BigInt(Buffer.from(natToDigits(a).buffer).toString('latin1'));
}

// ---------------------------------------------------------------- comparisons

export function natIsZero(a: Nat): boolean {
  return a.limbs.length === 0;
}

/** @internal compares limb arrays of normalized lengths. */
export function cmpLimbs(a: Uint16Array, la: number, b: Uint16Array, lb: number): -1 | 0 | 1 {
  if (la !== lb) return la < lb ? -1 : 1;
  for (let i = la - 1; i >= 0; i--) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

export function natCompare(a: Nat, b: Nat): -1 | 0 | 1 {
  return cmpLimbs(a.limbs, a.limbs.length, b.limbs, b.limbs.length);
}

// ---------------------------------------------------------------- add / sub

export function natAdd(a: Nat, b: Nat): Nat {
  let x = a.limbs;
  let y = b.limbs;
  if (x.length < y.length) [x, y] = [y, x];
  const lx = x.length;
  if (y.length >= WASM_ADD_MIN) return addOrSubCompiled(x, y, false);
  // x copied (a memcpy), then y added in place: the carry loop runs over y's limbs and stops where its carry dies
  // (addLimbsAt), not over all of x.
  const out = new Uint16Array(lx + 1);
  out.set(x);
  addLimbsAt(out, 0, lx + 1, y, 0, y.length);
  return natFromLimbs(out);
}

/**
 * @internal out[at, end) += src[from, to) + carryIn in place (to − from <= end − at), the carry propagated up to
 * `end` and stopped there: returns the carry out of `end` (0 or 1). Branch-free carries (see natAdd). The one loop
 * behind the in-place sums of the kernel: the budget split's assembly (mul.ts), the folds modulo B^k − 1
 * (spectra.ts), Newton's X + correction (natShiftAddLimbs).
 */
export function addLimbsAt(out: Uint16Array, at: number, end: number, src: Uint16Array, from: number, to: number, carryIn = 0): number {
  let c = carryIn;
  let i = at;
  for (let j = from; j < to; i++, j++) {
    const v = out[i]! + src[j]! + c;
    c = carryOf(v);
    out[i] = v - (-c & BASE);
  }
  for (; c !== 0 && i < end; i++) {
    const v = out[i]! + 1;
    c = carryOf(v);
    out[i] = v - (-c & BASE);
  }
  return c;
}

/** @internal out[at, end) −= src[from, to) + borrowIn in place, as addLimbsAt: returns the borrow out of `end` (0 or 1). */
export function subLimbsAt(out: Uint16Array, at: number, end: number, src: Uint16Array, from: number, to: number, borrowIn = 0): number {
  let b = borrowIn;
  let i = at;
  for (let j = from; j < to; i++, j++) {
    const v = out[i]! - src[j]! - b;
    b = borrowOf(v);
    out[i] = v + (-b & BASE);
  }
  for (; b !== 0 && i < end; i++) {
    const v = out[i]! - 1;
    b = borrowOf(v);
    out[i] = v + (-b & BASE);
  }
  return b;
}

/** a - b; throws InvalidArgumentError if a < b. */
export function natSub(a: Nat, b: Nat): Nat {
  if (natCompare(a, b) < 0) throw new InvalidArgumentError('natSub: subtrahend is larger than minuend');
  const x = a.limbs;
  const y = b.limbs;
  if (y.length >= WASM_ADD_MIN) return addOrSubCompiled(x, y, true);
  // As natAdd: a copy, then the borrow loop over y's limbs only.
  const out = x.slice();
  subLimbsAt(out, 0, out.length, y, 0, y.length);
  return natFromLimbs(out);
}

/**
 * Limbs of the shorter operand from which natAdd and natSub (and natShiftAddLimbs' difference below limb k) run
 * compiled (assembly/natops.ts addOrSubInPlace, SIMD with carry lookahead): the JS loops take 6–10 ns a limb on
 * Node 20 x64, the compiled pass with its copies in and out ~1 ns, and the wasm block's allocation and views
 * cost about what 500–1000 limbs of the JS loop do (measured: the compiled natSub is 2× faster from 1000 limbs, 5× from 4000).
 */
const WASM_ADD_MIN = 1024;

/**
 * x + y or x − y (x >= y when subtracting; y no longer than x) compiled: x and y are copied into the wasm memory,
 * y added to or subtracted from x in place there with the carry (borrow) run on to x's end, the sum copied out.
 */
function addOrSubCompiled(x: Uint16Array, y: Uint16Array, subtract: boolean): Nat {
  const lx = x.length, ly = y.length, lz = subtract ? lx : lx + 1;
  // z on 8 bytes (x's copy in and the sum's copy out, to a fresh array, run word by word only at matched alignments
  // mod 8: wasmheap.ts wasmAllocLike), y at its own alignment.
  const buf = wasmAlloc(2 * (lz + ly) + 16);
  try {
    const z = u16View(buf, lz);
    z.set(x);
    if (!subtract) z[lx] = 0;
    const s = alignLike(buf + 2 * lz, y.byteOffset);
    u16View(s, ly).set(y);
    if (wasm().addOrSubInPlace(buf, lz, s, ly, subtract ? 1 : 0) !== 0) {
      throw new ArithmeticCheckError(subtract ? 'internal: natSub went negative' : 'internal: natAdd overflowed its spare limb');
    }
    return natFromLimbs(u16View(buf, lz).slice());
  } finally {
    wasmFree(buf);
  }
}

/**
 * @internal 1 when a limb sum v (0 ≤ v < 2·BASE) carries, else 0, without a branch: BASE − 1 − v is negative
 * exactly then, and its sign bit is the carry.
 */
export function carryOf(v: number): number {
  return (BASE - 1 - v) >>> 31;
}

/** @internal 1 when a limb difference v (−BASE ≤ v < BASE) borrows, else 0, without a branch (its sign bit). */
export function borrowOf(v: number): number {
  return v >>> 31;
}

// ---------------------------------------------------------------- small operands

/** Largest small multiplier/divisor accepted: 2^26 keeps every intermediate below 2^53 exactly. */
export const LIMB_FACTOR_LIMIT = 2 ** 26;

function checkSmall(m: number, what: string): void {
  if (!Number.isSafeInteger(m) || m < 0 || m > LIMB_FACTOR_LIMIT) {
    throw new InvalidArgumentError(`${what}: ${m} is not an integer in [0, 2^26]`);
  }
}

/** a·m for an integer 0 <= m <= 2^26 (limb·m + carry < 10^4·2^26 + 2^26 < 2^53). */
export function natMulSmall(a: Nat, m: number): Nat {
  checkSmall(m, 'natMulSmall');
  const x = a.limbs;
  const n = x.length;
  if (m === 0 || n === 0) return NAT_ZERO;
  const out = new Uint16Array(n + 3);
  let carry = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i] * m + carry;
    carry = Math.floor(v / BASE);
    out[i] = v - carry * BASE;
  }
  let i = n;
  while (carry > 0) {
    const c2 = Math.floor(carry / BASE);
    out[i++] = carry - c2 * BASE;
    carry = c2;
  }
  return natFromLimbs(out, i);
}

/** Limbs from which natDivSmall halves compiled. */
const WASM_HALVE_MIN = 256;

/** floor(a / d) and a mod d for an integer 1 <= d <= 2^26 (r·10^4 + limb < 2^40, exact). */
export function natDivSmall(a: Nat, d: number): { q: Nat; r: number } {
  checkSmall(d, 'natDivSmall');
  if (d === 0) throw new DivideByZeroError('natDivSmall');
  const x = a.limbs;
  const n = x.length;
  let r = 0;
  if (d === 2) {
    // Halving (Newton's square-root corrections): compiled from WASM_HALVE_MIN limbs (assembly/natops.ts
    // halveLimbs, one SIMD pass in place; measured on Node 20 x64: ~1.5 µs whatever the length up to 3000 limbs,
    // against 5–15 ns a limb for this JS loop), else r·B + limb < 2·B fits an int, so a shift instead of a division.
    if (n >= WASM_HALVE_MIN) {
      // x in at its alignment, the half out of an 8-byte address (wasmheap.ts wasmAllocLike).
      const ptr = wasmAllocLike(2 * n, x.byteOffset);
      const q = wasmAlloc(2 * n);
      try {
        u16View(ptr, n).set(x);
        const half = wasm().halveLimbs(ptr, n, q);
        return { q: natFromLimbs(u16View(q, n).slice()), r: half };
      } finally {
        wasmFree(q);
        wasmFree(ptr);
      }
    }
    const out = new Uint16Array(n);
    for (let i = n - 1; i >= 0; i--) {
      const v = r * BASE + x[i];
      out[i] = v >>> 1;
      r = v & 1;
    }
    return { q: natFromLimbs(out), r };
  }
  const out = new Uint16Array(n);
  for (let i = n - 1; i >= 0; i--) {
    const v = r * BASE + x[i];
    const q = Math.floor(v / d);
    out[i] = q;
    r = v - q * d;
  }
  return { q: natFromLimbs(out), r };
}

/**
 * @internal floor(x/2) and x mod 2, written over x's own limbs: for a temporary that its caller alone holds (a product
 * just formed), so that halving it allocates nothing (sqrt.ts's Q0 and δ). x must not be used afterwards except
 * through the result, which is a view of the same array. Compiled from WASM_HALVE_MIN limbs, as natDivSmall.
 */
export function natHalveOwned(x: Nat): { q: Nat; r: number } {
  const l = x.limbs;
  const n = l.length;
  if (n === 0) return { q: x, r: 0 };
  let r = 0;
  const at = wasmAddress(l);
  if (at >= 0 && n >= WASM_HALVE_MIN) {
    r = wasm().halveLimbs(at, n, at); // limbs held in the wasm memory (multiplier.ts TransformGroup `held`): in place
  } else if (n >= WASM_HALVE_MIN) {
    const ptr = wasmAllocLike(2 * n, l.byteOffset); // in and out at l's alignment (wasmheap.ts wasmAllocLike)
    try {
      const view = u16View(ptr, n);
      view.set(l);
      r = wasm().halveLimbs(ptr, n, ptr);
      l.set(view);
    } finally {
      wasmFree(ptr);
    }
  } else {
    for (let i = n - 1; i >= 0; i--) {
      const v = r * BASE + l[i]!;
      l[i] = v >>> 1;
      r = v & 1;
    }
  }
  return { q: natFromLimbs(l), r };
}

/** a mod p for an integer 1 <= p <= 2^26. */
export function natModSmall(a: Nat, p: number): number {
  checkSmall(p, 'natModSmall');
  if (p === 0) throw new DivideByZeroError('natModSmall');
  return modLimbs(a.limbs, a.limbs.length, p);
}

/**
 * @internal Horner evaluation of limbs mod p, p <= 2^26: r < p so r·10^4 + limb < 2^40 is exact and the
 * quotient estimate floor(v·(1/p)) is off by at most one, fixed by the two conditional adjustments.
 * From WASM_LIMBS_MIN limbs it runs compiled (assembly/natops.ts `residueDot`, SIMD dot products with a table of
 * powers of 10^4 mod p, ~0.3 ns a limb against ~1.5 for a Horner chain),
 * staged like the conversions, chunk by chunk from the top: r ← r·(10^4)^c + (chunk mod p), c the chunk's limbs.
 */
export function modLimbs(x: Uint16Array, n: number, p: number): number {
  if (n >= WASM_LIMBS_MIN && p <= 2 ** 26) return modLimbsCompiled(x, n, p);
  const inv = 1 / p;
  let r = 0;
  let i = n - 1;
  // Two limbs per step while r·10^8 + 10^8 < 2^53 (p <= 2^26 gives < 6.8·10^15): half the dependent steps.
  if (p <= 2 ** 26) {
    for (; i >= 1; i -= 2) {
      const v = r * 1e8 + (x[i] * BASE + x[i - 1]);
      r = v - Math.floor(v * inv) * p;
      r = r < 0 ? r + p : r;
      r = r >= p ? r - p : r;
    }
  }
  for (; i >= 0; i--) {
    const v = r * BASE + x[i];
    r = v - Math.floor(v * inv) * p;
    r = r < 0 ? r + p : r;
    r = r >= p ? r - p : r;
  }
  return r;
}

/**
 * Limbs from which modLimbs runs compiled: with the table of powers kept per prime (wasmheap.ts residueTableFor) the
 * copy and the dot products beat the Horner chain from ~512 limbs (Node 20 x64: 1.2 against 1.4 µs at 512, 1.5
 * against 2.6 at 1024, 3.0 against 10.5 at 4096).
 */
const WASM_LIMBS_MIN = 512;

/**
 * @internal The address of limbs that are a view of the wasm memory (a TransformGroup's held results, multiplier.ts),
 * so that compiled passes read and write them in place; −1 for a JS array (and for a view made before the memory last
 * grew: its buffer is the old one, and the caller copies as for a JS array).
 */
export function wasmAddress(x: Uint16Array): number {
  return x.buffer === wasmShared().memory.buffer ? x.byteOffset : -1;
}

/** @internal b^e mod p for p <= 2^26 (every product < 2^52: exact in a double, % exact). */
export function powMod(b: number, e: number, p: number): number {
  let r = 1;
  for (b %= p; e > 0; e = Math.floor(e / 2)) {
    if (e % 2 === 1) r = (r * b) % p;
    b = (b * b) % p;
  }
  return r;
}

function modLimbsCompiled(x: Uint16Array, n: number, p: number): number {
  const per = STAGE_DIGITS / LIMB_DIGITS;
  const k = wasm();
  const at = wasmAddress(x);
  if (at >= 0) return k.residueDotWith(at, n, p, residueTableFor(p)); // held in the wasm memory: read where they are
  const staged = 2 * Math.min(n, per);
  const buf = wasmAlloc(staged + 8);
  try {
    const table = residueTableFor(p);
    let r = 0;
    // Chunks [e − c, e) from the top: the top one takes n mod per limbs (or per), every one below it per. Each is
    // staged at its own alignment mod 8 (a word-by-word copy: wasmheap.ts wasmAllocLike).
    const topLen = n % per || per;
    for (let e = n, c = topLen; e > 0; e -= c, c = per) {
      const at = alignLike(buf, x.byteOffset + 2 * (e - c));
      u16View(at, c).set(x.subarray(e - c, e));
      r = ((r * powMod(BASE, c, p)) % p + k.residueDotWith(at, c, p, table)) % p;
    }
    return r;
  } finally {
    wasmFree(buf);
  }
}

// ---------------------------------------------------------------- decimal shifts

/**
 * @internal Where a result's n limbs come from: the kernel's products and wrapped differences (fft.ts unpackAt and
 * its kin: any content, the unpacking writes them all) and natShiftAddLimbs / natShiftAddTwo (which need them zeroed).
 * `jsLimbs`, the default everywhere, is a new array of the JS heap; a TransformGroup made with `held` (multiplier.ts)
 * and sqrt.ts's levels (refineStep) give blocks of the wasm memory instead, so that a Newton step's intermediate
 * numbers cost no fresh JS memory (zeroed and, for a few hundred kB, faulted in page by page: ~100 µs for 512 kB on
 * Node 20, against ~15 µs for copying them) and are read by its next products in place.
 */
export type LimbsAlloc = (n: number) => Uint16Array;

/** @internal LimbsAlloc's default: a new (zeroed) array of the JS heap. */
export const jsLimbs: LimbsAlloc = (n) => new Uint16Array(n);

/** @internal a·10^4k (limb shift). */
export function natShiftLimbs(a: Nat, k: number): Nat {
  const n = a.limbs.length;
  if (n === 0 || k === 0) return a;
  const out = new Uint16Array(n + k);
  out.set(a.limbs, k);
  return new Nat(out);
}

/** @internal floor(a / 10^4k). */
export function natTruncLimbs(a: Nat, k: number): Nat {
  const n = a.limbs.length;
  if (k >= n) return NAT_ZERO;
  if (k <= 0) return a;
  return new Nat(a.limbs.slice(k));
}

/**
 * @internal floor(a / 10^4k) as a view on a's limbs (no copy): for temporaries of one computation (Newton steps),
 * where a copy is a pass over the number; a kept result should use natTruncLimbs (a view keeps all of a alive).
 */
export function natHighView(a: Nat, k: number): Nat {
  const n = a.limbs.length;
  if (k >= n) return NAT_ZERO;
  if (k <= 0) return a;
  return new Nat(a.limbs.subarray(k));
}

/**
 * @internal hi·10^4k + lo, or hi·10^4k − lo when `subtract` (zero when lo is the larger), in one allocation.
 * Below limb k there is only lo: a sum copies it, and a difference takes B^k − (lo mod B^k) there — zeros below lo's
 * lowest non-zero limb, B − y there, 9999 − y above it up to limb k (a complement: no borrow chain) — and borrows one
 * from limb k (none when lo mod B^k = 0). Only lo's limbs from k on (Newton's X ± correction: a limb or two) are added
 * or subtracted with carries, which stop where lo ends but for runs of 9999 or 0. From WASM_ADD_MIN limbs of lo
 * above k, or of a difference's lo, lo goes in compiled instead (addInPlaceAt). `zeroed(n)` gives the result's n
 * limbs, all zero (default: a new JS array).
 */
export function natShiftAddLimbs(hi: Nat, k: number, lo: Nat, subtract = false, zeroed: LimbsAlloc = jsLimbs): Nat {
  const len = Math.max(hi.limbs.length + k, lo.limbs.length) + 1;
  const y = lo.limbs;
  const out = zeroed(len);
  placeLimbs(out, k, hi.limbs);
  // The top limb is spare: a sum never carries out of it.
  if (y.length - k >= WASM_ADD_MIN || (subtract && y.length >= WASM_ADD_MIN)) {
    return addInPlaceAt(out, 0, y, subtract) !== 0 && subtract ? NAT_ZERO : natFromLimbs(out);
  }
  const below = Math.min(k, y.length);
  if (!subtract) {
    out.set(y.subarray(0, below));
    if (y.length > k) addLimbsAt(out, k, len, y, k, y.length);
    return natFromLimbs(out);
  }
  let i = 0;
  while (i < below && y[i] === 0) i++;
  let borrow = 0;
  if (i < below) {
    out[i] = BASE - y[i]!;
    for (i++; i < below; i++) out[i] = BASE - 1 - y[i]!;
    out.fill(BASE - 1, below, k);
    borrow = 1;
  }
  return subLimbsAt(out, k, len, y, k, Math.max(k, y.length), borrow) !== 0 ? NAT_ZERO : natFromLimbs(out);
}

/**
 * @internal hi·10^4k ± a·10^4j ± b (`aSub`, `bSub`: subtract that term) in one allocation, the terms applied in this
 * order (zero when a step would go negative): Newton's s'·B^T ± (Q0·B^u ± δ) without forming Q0·B^u ± δ (sqrt.ts).
 * `zeroed` (as natShiftAddLimbs') gives the result's limbs.
 */
export function natShiftAddTwo(
  hi: Nat, k: number, a: Nat, j: number, aSub: boolean, b: Nat, bSub: boolean, zeroed: LimbsAlloc = jsLimbs,
): Nat {
  const out = zeroed(Math.max(hi.limbs.length + k, a.limbs.length + j, b.limbs.length) + 1);
  placeLimbs(out, k, hi.limbs);
  if (addInPlaceAt(out, j, a.limbs, aSub) !== 0 && aSub) return NAT_ZERO;
  if (addInPlaceAt(out, 0, b.limbs, bSub) !== 0 && bSub) return NAT_ZERO;
  return natFromLimbs(out);
}

/**
 * out[k, k + x.length) = x, for out zero there (natShiftAddLimbs, natShiftAddTwo). Both in the wasm memory (sqrt.ts's
 * levels): compiled, as x added into the zeros (addInPlaceAt), since a JS copy between two views of the shared
 * memory is a relaxed one that goes byte by byte unless both sides have the same alignment mod 8 (here 2k bytes
 * apart: a 125k-limb copy took ~0.3 ms); otherwise TypedArray.set.
 */
function placeLimbs(out: Uint16Array, k: number, x: Uint16Array): void {
  if (x.length >= WASM_ADD_MIN && wasmAddress(out) >= 0 && wasmAddress(x) >= 0) addInPlaceAt(out, k, x, false);
  else out.set(x, k);
}

/**
 * out[at, out.length) ± y in place (y no longer than out from `at`), the carry (borrow) run on towards out's end:
 * returns what leaves it (0 or 1). From WASM_ADD_MIN limbs of y compiled (assembly/natops.ts addOrSubInPlace, ~1 ns a
 * limb against 5–12 for the JS loops): the limbs y overlaps go through the wasm memory and back, and the carry out of
 * them runs on in out (it stops at the first limb that is not 9999, or not 0: usually at once); shorter y by
 * addLimbsAt / subLimbsAt.
 */
function addInPlaceAt(out: Uint16Array, at: number, y: Uint16Array, subtract: boolean): number {
  const n = y.length;
  if (n < WASM_ADD_MIN) return subtract ? subLimbsAt(out, at, out.length, y, 0, n) : addLimbsAt(out, at, out.length, y, 0, n);
  const zo = wasmAddress(out), yo = wasmAddress(y);
  if (zo >= 0 && yo >= 0) {
    // Both in the wasm memory (sqrt.ts's levels below the top): in place, no copies.
    const c = wasm().addOrSubInPlace(zo + 2 * at, n, yo, n, subtract ? 1 : 0);
    return subtract ? subLimbsAt(out, at + n, out.length, y, 0, 0, c) : addLimbsAt(out, at + n, out.length, y, 0, 0, c);
  }
  // out's limbs [at, at + n) and y each at their arrays' alignment mod 8, so that the three copies run word by word
  // (wasmheap.ts wasmAllocLike).
  const buf = wasmAlloc(4 * n + 16);
  try {
    const zp = alignLike(buf, out.byteOffset + 2 * at);
    const yp = alignLike(zp + 2 * n, y.byteOffset);
    const z = u16View(zp, n);
    z.set(out.subarray(at, at + n));
    u16View(yp, n).set(y);
    const c = wasm().addOrSubInPlace(zp, n, yp, n, subtract ? 1 : 0);
    out.set(z, at);
    return subtract ? subLimbsAt(out, at + n, out.length, y, 0, 0, c) : addLimbsAt(out, at + n, out.length, y, 0, 0, c);
  } finally {
    wasmFree(buf);
  }
}

function checkCount(k: number, what: string): void {
  if (!Number.isSafeInteger(k) || k < 0) throw new InvalidArgumentError(`${what}: ${k} is not an integer >= 0`);
}

/** a·10^k. */
export function natShiftDecimal(a: Nat, k: number): Nat {
  checkCount(k, 'natShiftDecimal');
  const r = k % LIMB_DIGITS;
  return natShiftLimbs(r === 0 ? a : natMulSmall(a, TEN_POW[r]), (k - r) / LIMB_DIGITS);
}

/** floor(a / 10^k). */
export function natTruncDecimal(a: Nat, k: number): Nat {
  checkCount(k, 'natTruncDecimal');
  const r = k % LIMB_DIGITS;
  const t = natTruncLimbs(a, (k - r) / LIMB_DIGITS);
  return r === 0 ? t : natDivSmall(t, TEN_POW[r]).q;
}

/** a mod 10^k. */
export function natLowDigits(a: Nat, k: number): Nat {
  checkCount(k, 'natLowDigits');
  const r = k % LIMB_DIGITS;
  const q = (k - r) / LIMB_DIGITS;
  if (q >= a.limbs.length) return a;
  const out = a.limbs.slice(0, q + (r > 0 ? 1 : 0));
  if (r > 0) out[q] = out[q] % TEN_POW[r];
  return natFromLimbs(out);
}
