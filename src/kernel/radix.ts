/**
 * kernel/radix — BigInt → decimal limbs for BigInts of thousands of digits (pi's series leaves, apps/pi/series.ts):
 * compiled pieces joined by the kernel's products.
 *
 * Why. `natFromBigInt` (nat.ts) goes through V8's `BigInt#toString(10)`, which is quadratic in Node 20 (V8 11 is
 * built without its divide-and-conquer conversion) and divides word by word: measured CPU time per digit 7 ns at
 * 250 digits, 24 ns at 1,000, ~30 at 2,500, ~70 at 14,000, ~100 at 28,000. V8's BigInt division is as slow, so a
 * divide-and-conquer by powers of ten on BigInt gains nothing (measured: equal to toString at 3,500–14,000 digits
 * for every base size tried). The hexadecimal text, on the other hand, is linear (~1 ns a digit).
 *
 * How. x's hexadecimal text is staged in the wasm memory and cut into pieces of PIECE_BITS bits from the low end.
 *   - A piece becomes decimal limbs compiled (assembly/radix.ts `radixPieces`, all pieces of a call together):
 *     Σ w_i·dec(2^(14i)) over its 14-bit words, with a table of the powers, eight limb products per SIMD
 *     instruction and no carry chain; quadratic, but ~8–12 ns a digit at 2,500–4,900 digits, a third of
 *     toString's, and since the table is swept row by row (assembly/radix.ts) about two thirds of that.
 *   - Pieces are joined in decimal, dec(hi·2^k + lo) = dec(hi)·dec(2^k) + dec(lo), along a balanced tree (the low
 *     ⌊c/2⌋ of c pieces split off), each join one kernel product by a constant power dec(2^(PIECE_BITS·j)), computed
 *     once and kept for the process.
 *
 * Choice of PIECE_BITS. The joins are kernel products of 600–2,000 limbs, which cost 50–130 µs each today, so fewer
 * and longer pieces pay until the quadratic piece catches up. CPU ms to convert a 512-term leaf's P, Q, T (6,500 +
 * 13,800 + 13,800 digits, 10^7-decimal series; loaded 2-core machine, toString 2.0–2.6 ms in the same runs):
 * 8192 bits 2.0–2.7, 12288 → 1.43–1.45, 16384 → 1.52–1.64, 20480 → 1.83, 32768 → 2.08. pi's leaves now convert
 * halves of 256 terms (apps/pi/series.ts): Q and T of ~24,400 bits at 10^7 decimals, ~27,800 at 10^8, two 16384-bit
 * pieces and one join (three and two with 12288); pi 10^7 on one thread with 128-term halves (one piece each): 8.4,
 * 8.6, 9.7 s of CPU against 8.5, 8.7, 9.3 s with 12288, alternating. A piece costs what its own words cost, not the
 * table's size: the table only holds ~2.7 MiB of the thread's wasm memory for good (allocated on the first
 * conversion).
 */
import { ArithmeticCheckError } from '../errors.js';
import { natMul } from './mul.js';
import { NAT_ZERO, type Nat, natAdd, natFromBigInt, natFromLimbs } from './nat.js';
import { u8View, u16View, u32View, wasm, wasmAlloc, wasmFree } from './wasmheap.js';

/** Bits of a piece (~4,900 digits; see the header). A multiple of 4: pieces are cut from the hexadecimal text. */
const PIECE_BITS = 16384;
/** Below 2^1024 (~300 digits) toString is as cheap as the copies in and out of the wasm memory. */
const COMPILED_MIN = 1n << 1024n;

/**
 * Bits per word of a piece (see assembly/radix.ts: a word and a limb must both fit a signed 16-bit lane, and six
 * rows of dot products must add up below 2^31 in an i32 lane: 6·2·(2^14 − 1)·(10^4 − 1) < 2^31).
 */
const WORD_BITS = 14;
/** Word pairs of the largest piece. */
const MAX_PAIRS = Math.ceil(Math.ceil(PIECE_BITS / WORD_BITS) / 2);

/** Hexadecimal digits per piece. */
const PIECE_HEX = PIECE_BITS / 4;

/** Table rows: MAX_PAIRS rounded up to whole groups of six (assembly/radix.ts radixPieces reads six at a time). */
const TABLE_ROWS = Math.ceil(MAX_PAIRS / 6) * 6;

/** Pieces converted by one compiled call (their scratch: ~30 KB each). */
const BATCH = 16;

/** The conversion table in this thread's wasm memory: allocated once, kept for the process. */
interface Table {
  /** Row p of the table at data + p·stride (see assembly/radix.ts). */
  readonly data: number;
  readonly stride: number;
  /** i32[TABLE_ROWS]: each row's length in vectors of four limbs. */
  readonly lens: number;
  /** Vectors of four limbs of the longest row (every piece's block count is at most this). */
  readonly blocks: number;
}

let table: Table | undefined;

/**
 * Row p holds, per limb n, dec(2^(28p))[n] | dec(2^(28p+14))[n] << 16, and is as long as dec(2^(28(p+1))) in whole
 * vectors (zeros beyond, up to the common stride), so the rows of pairs 0..P−1 cover every value below 2^(28P).
 */
function tableOf(): Table {
  if (table) return table;
  const powers = wordPowers(2 * MAX_PAIRS + 1);
  // Rows beyond MAX_PAIRS (padding to a whole group) are zero and as long as the last one.
  const lensHost = new Int32Array(TABLE_ROWS);
  for (let p = 0; p < TABLE_ROWS; p++) lensHost[p] = Math.ceil(powers[2 * Math.min(p, MAX_PAIRS - 1) + 2]!.length / 4);
  const blocks = lensHost[MAX_PAIRS - 1]!;
  const cellsPerRow = blocks * 4;
  const data = wasmAlloc(TABLE_ROWS * cellsPerRow * 4);
  const lens = wasmAlloc(TABLE_ROWS * 4);
  fillRows(u32View(data, TABLE_ROWS * cellsPerRow), powers, cellsPerRow);
  u32View(lens, TABLE_ROWS).set(lensHost);
  table = { data, stride: cellsPerRow * 4, lens, blocks };
  return table;
}

/**
 * dec(2^(14i)) for i < words. This loop and fillRows's run once per thread, long enough for V8 to compile them
 * mid-loop (on-stack replacement): each in a function of its own, whose code after the loop is a return, so that
 * compile is not thrown away on the first statement after the loop that had not run yet.
 */
function wordPowers(words: number): Uint16Array[] {
  const powers: Uint16Array[] = [Uint16Array.of(1)];
  for (let i = 1; i < words; i++) {
    const prev = powers[i - 1]!;
    const next = new Uint16Array(prev.length + 2);
    let carry = 0;
    for (let n = 0; n < prev.length; n++) {
      const v = prev[n]! * (1 << WORD_BITS) + carry;
      carry = Math.floor(v / 10000);
      next[n] = v - carry * 10000;
    }
    let len = prev.length;
    for (; carry > 0; carry = Math.floor(carry / 10000)) next[len++] = carry % 10000;
    powers.push(next.subarray(0, len));
  }
  return powers;
}

/** The table's cells (see tableOf): row p, limb n holds dec(2^(28p))[n] | dec(2^(28p+14))[n] << 16. */
function fillRows(cells: Uint32Array, powers: readonly Uint16Array[], cellsPerRow: number): void {
  cells.fill(0);
  for (let p = 0; p < MAX_PAIRS; p++) {
    const even = powers[2 * p]!, odd = powers[2 * p + 1]!;
    for (let n = 0; n < cellsPerRow; n++) cells[p * cellsPerRow + n] = (even[n] ?? 0) | ((odd[n] ?? 0) << 16);
  }
}

/** dec(2^(PIECE_BITS·j)) by j: constants, computed on first use (each from two smaller ones) and kept. */
const powers = new Map<number, Nat>();

function powerOfTwo(j: number): Nat {
  let p = powers.get(j);
  if (p === undefined) {
    p = j === 1 ? natFromBigInt(1n << BigInt(PIECE_BITS)) : natMul(powerOfTwo(j >> 1), powerOfTwo(j - (j >> 1)));
    powers.set(j, p);
  }
  return p;
}

/** A piece to convert: hex digits [first, first + count) of a text staged at `hex` (one number's piece). */
interface Piece {
  readonly hex: number;
  readonly first: number;
  readonly count: number;
}

/** dec of every piece, compiled, BATCH at a time (each group of table rows read once per batch). */
function convertPieces(t: Table, pieces: readonly Piece[]): Nat[] {
  const k = wasm();
  const pairsCap = TABLE_ROWS;
  const descBytes = 32 * BATCH, splatBytes = 16 * pairsCap * BATCH, accBytes = 32 * t.blocks * BATCH;
  const scratch = wasmAlloc(descBytes + splatBytes + accBytes + 8 * t.blocks * BATCH);
  const desc = scratch, splats = desc + descBytes, acc = splats + splatBytes, outs = acc + accBytes;
  const result: Nat[] = [];
  try {
    for (let b0 = 0; b0 < pieces.length; b0 += BATCH) {
      const count = Math.min(BATCH, pieces.length - b0);
      const d = u32View(desc, 8 * count);
      for (let j = 0; j < count; j++) {
        const p = pieces[b0 + j]!;
        d[8 * j] = p.hex;
        d[8 * j + 1] = p.first;
        d[8 * j + 2] = p.count;
        d[8 * j + 3] = outs + 8 * t.blocks * j;
      }
      if (k.radixPieces(desc, count, splats, pairsCap, acc, t.blocks, t.data, t.stride, t.lens) !== 0) {
        throw new ArithmeticCheckError('natFromBigIntSplit: the compiled conversion of a piece failed');
      }
      const done = u32View(desc, 8 * count); // a fresh view: the call may have grown the memory
      for (let j = 0; j < count; j++) result.push(natFromLimbs(u16View(outs + 8 * t.blocks * j, done[8 * j + 6]!).slice()));
    }
    return result;
  } finally {
    wasmFree(scratch);
  }
}

/**
 * dec of the pieces [lo, hi) of one number (its piece lo + i: its hex digits n − PIECE_HEX·(i+1) .. n − PIECE_HEX·i,
 * the top one shorter; `dec[lo + i]` converted): the low ⌊c/2⌋ of the c pieces split off, so the join tree is balanced and
 * each join multiplies by a power of its own size.
 */
function join(dec: readonly Nat[], lo: number, hi: number): Nat {
  if (hi - lo === 1) return dec[lo]!;
  const mid = lo + Math.floor((hi - lo) / 2);
  return natAdd(natMul(join(dec, mid, hi), powerOfTwo(mid - lo)), join(dec, lo, mid));
}

/**
 * The naturals xs (non-negative BigInts) as decimal limbs, each the same value as `natFromBigInt(x)`, in
 * subquadratic time for large ones (see the header). Converting several numbers in one call (pi's leaf: P, Q and T
 * of both halves) reads the compiled conversion's table once for all their pieces.
 * @throws InvalidArgumentError for a negative value.
 * @throws ArithmeticCheckError when one of the joining products fails its residue check (a fault).
 * @example
 * natsFromBigIntSplit([3n ** 20000n, 7n]).map(natToBigInt); // [3n ** 20000n, 7n]
 */
export function natsFromBigIntSplit(xs: readonly bigint[]): Nat[] {
  const result: Nat[] = [];
  const texts: string[] = [];
  let bytes = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    const small = x < COMPILED_MIN;
    result.push(small ? natFromBigInt(x) : NAT_ZERO);
    texts.push(small ? '' : x.toString(16));
    bytes += texts[i]!.length;
  }
  if (bytes === 0) return result;
  const t = tableOf();
  const hex = wasmAlloc(bytes);
  try {
    const pieces: Piece[] = [];
    const firstPiece: number[] = [];
    let at = hex;
    for (let n = 0; n < texts.length; n++) {
      const text = texts[n]!;
      const staged = u8View(at, text.length);
      Buffer.from(staged.buffer, staged.byteOffset, text.length).write(text, 'latin1');
      firstPiece.push(pieces.length);
      for (let i = 0; PIECE_HEX * i < text.length; i++) {
        const first = Math.max(0, text.length - PIECE_HEX * (i + 1));
        pieces.push({ hex: at, first, count: text.length - PIECE_HEX * i - first });
      }
      at += text.length;
    }
    const dec = convertPieces(t, pieces);
    for (let n = 0; n < texts.length; n++) {
      const count = Math.ceil(texts[n]!.length / PIECE_HEX);
      if (count > 0) result[n] = join(dec, firstPiece[n]!, firstPiece[n]! + count);
    }
    return result;
  } finally {
    wasmFree(hex);
  }
}

/**
 * The natural x (a non-negative BigInt) as decimal limbs: `natsFromBigIntSplit([x])[0]`.
 * @throws InvalidArgumentError for a negative x.
 * @throws ArithmeticCheckError when one of the joining products fails its residue check (a fault).
 * @example
 * natToBigInt(natFromBigIntSplit(3n ** 20000n)) === 3n ** 20000n; // true
 */
export function natFromBigIntSplit(x: bigint): Nat {
  return natsFromBigIntSplit([x])[0]!;
}
