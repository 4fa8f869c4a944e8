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
 *   - A piece becomes decimal limbs compiled (assembly/radix.ts `radixPiece`): Σ w_i·dec(2^(15i)) over its 15-bit
 *     words, with a table of the powers, eight limb products per SIMD instruction and no carry chain; quadratic,
 *     but ~8–12 ns a digit at 2,500–4,900 digits, a third of toString's.
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
import { type Nat, natAdd, natFromBigInt, natFromLimbs } from './nat.js';
import { u8View, u16View, u32View, wasm, wasmAlloc, wasmFree } from './wasmheap.js';

/** Bits of a piece (~4,900 digits; see the header). A multiple of 4: pieces are cut from the hexadecimal text. */
const PIECE_BITS = 16384;
/** Below 2^1024 (~300 digits) toString is as cheap as the copies in and out of the wasm memory. */
const COMPILED_MIN = 1n << 1024n;

/** Bits per word of a piece (see assembly/radix.ts: a word and a limb must both fit a signed 16-bit lane). */
const WORD_BITS = 15;
/** Word pairs of the largest piece. */
const MAX_PAIRS = Math.ceil(Math.ceil(PIECE_BITS / WORD_BITS) / 2);

/** Hexadecimal digits per piece. */
const PIECE_HEX = PIECE_BITS / 4;

/** The conversion table and scratch in this thread's wasm memory: allocated once, kept for the process. */
interface Table {
  /** Row p of the table at data + p·stride (see assembly/radix.ts). */
  readonly data: number;
  readonly stride: number;
  /** i32[MAX_PAIRS]: each row's length in vectors of four limbs. */
  readonly lens: number;
  /** v128[MAX_PAIRS]: the piece's word pairs, splatted. */
  readonly splats: number;
  /** u16 limbs of the largest piece. */
  readonly out: number;
}

let table: Table | undefined;

/**
 * Row p holds, per limb n, dec(2^(30p))[n] | dec(2^(30p+15))[n] << 16, and is as long as dec(2^(30(p+1))) in whole
 * vectors (zeros beyond, up to the common stride), so the rows of pairs 0..P−1 cover every value below 2^(30P).
 */
function tableOf(): Table {
  if (table) return table;
  const words = 2 * MAX_PAIRS + 1;
  const powers: Uint16Array[] = [Uint16Array.of(1)];
  for (let i = 1; i < words; i++) {
    const prev = powers[i - 1]!;
    const next = new Uint16Array(prev.length + 2);
    let carry = 0;
    for (let n = 0; n < prev.length; n++) {
      const v = prev[n]! * 32768 + carry;
      carry = Math.floor(v / 10000);
      next[n] = v - carry * 10000;
    }
    let len = prev.length;
    for (; carry > 0; carry = Math.floor(carry / 10000)) next[len++] = carry % 10000;
    powers.push(next.subarray(0, len));
  }
  const lensHost = new Int32Array(MAX_PAIRS);
  for (let p = 0; p < MAX_PAIRS; p++) lensHost[p] = Math.ceil(powers[2 * p + 2]!.length / 4);
  const cellsPerRow = lensHost[MAX_PAIRS - 1]! * 4;
  const data = wasmAlloc(MAX_PAIRS * cellsPerRow * 4);
  const lens = wasmAlloc(MAX_PAIRS * 4);
  const splats = wasmAlloc(MAX_PAIRS * 16);
  const out = wasmAlloc(cellsPerRow * 2);
  const cells = u32View(data, MAX_PAIRS * cellsPerRow);
  for (let p = 0; p < MAX_PAIRS; p++) {
    const even = powers[2 * p]!, odd = powers[2 * p + 1]!;
    for (let n = 0; n < cellsPerRow; n++) cells[p * cellsPerRow + n] = (even[n] ?? 0) | ((odd[n] ?? 0) << 16);
  }
  u32View(lens, MAX_PAIRS).set(lensHost);
  table = { data, stride: cellsPerRow * 4, lens, splats, out };
  return table;
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

/** dec of the hex digits [first, first + count) staged at `hex` in the wasm memory (one piece), compiled. */
function piece(t: Table, hex: number, first: number, count: number): Nat {
  const limbs = wasm().radixPiece(hex, first, count, t.splats, t.data, t.stride, t.lens, t.out);
  if (limbs < 0) throw new ArithmeticCheckError('natFromBigIntSplit: the compiled conversion of a piece failed');
  return natFromLimbs(u16View(t.out, limbs).slice());
}

/**
 * dec of the pieces [lo, hi) of the n hex digits at `hex` (piece i: the digits n − PIECE_HEX·(i+1) .. n − PIECE_HEX·i,
 * the top one shorter): the low ⌊c/2⌋ of the c pieces split off, so the join tree is balanced and each join
 * multiplies by a power of its own size.
 */
function join(t: Table, hex: number, n: number, lo: number, hi: number): Nat {
  if (hi - lo === 1) {
    const first = Math.max(0, n - PIECE_HEX * (lo + 1));
    return piece(t, hex, first, n - PIECE_HEX * lo - first);
  }
  const mid = lo + Math.floor((hi - lo) / 2);
  return natAdd(natMul(join(t, hex, n, mid, hi), powerOfTwo(mid - lo)), join(t, hex, n, lo, mid));
}

/**
 * The natural x (a non-negative BigInt) as decimal limbs; the same value as `natFromBigInt(x)`, in subquadratic
 * time for large x (see the header).
 * @throws InvalidArgumentError for a negative x.
 * @throws ArithmeticCheckError when one of the joining products fails its residue check (a fault).
 * @example
 * natToBigInt(natFromBigIntSplit(3n ** 20000n)) === 3n ** 20000n; // true
 */
export function natFromBigIntSplit(x: bigint): Nat {
  if (x < COMPILED_MIN) return natFromBigInt(x);
  const text = x.toString(16);
  const t = tableOf();
  const hex = wasmAlloc(text.length);
  try {
    const staged = u8View(hex, text.length);
    Buffer.from(staged.buffer, staged.byteOffset, text.length).write(text, 'latin1');
    return join(t, hex, text.length, 0, Math.ceil(text.length / PIECE_HEX));
  } finally {
    wasmFree(hex);
  }
}
