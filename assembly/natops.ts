/**
 * The WebAssembly side of kernel/nat.ts's linear passes on base-10^4 limbs (u16, least significant first): the
 * residue modulo the check prime that verifies every product and every wrapped difference (kernel/nat.ts
 * `modLimbs`). Compiled into the same module as fft.ts (`npm run build`), on the same imported shared memory, with
 * the same rules: byte addresses come from TypeScript, no static data.
 *
 * Why a second residue beside assembly/fft.ts's `residue` (a Horner chain, ~1.3–3 ns a limb on this machine): a
 * Newton division or square root checks about 15 numbers of the result's length, ~10% of its time at 10^6 digits.
 * Here the limbs are dotted with a table of powers instead, in SIMD with no reduction per limb:
 *
 *   x = Σ_b S_b·W^b,  S_b = Σ_{j<K} x_{bK+j}·w_j,  w_j = B^j mod p,  W = B^K mod p  (B = 10^4, K = TABLE_LIMBS).
 *
 * Exactness (p <= 2^26): each term x_i·w_j < 10^4·2^26 is an integer, and S_b < K·10^4·2^26 = 2^8·10^4·2^26
 * < 6.9·10^14 < 2^53, so every partial sum of a block is an exact integer in a double, whatever the order of the
 * additions (the four accumulators' lanes are partial sums of the same terms). The chain r ← (r·W + (S_b mod p)) mod p
 * runs once per block from the top block down: r·W < 2^52, plus S_b mod p < 2^26, below 2^53. `reduce` takes x mod p
 * for an integer 0 <= x < 2^52 + 2^26: the computed x·(1/p) is within 2.3·2^−53 relative of x/p < 2^53, so off by
 * less than 1.2 and its floor q by at most two, which the four conditional steps correct; q·p <= x + 2p < 2^53 is
 * exact, and so is x − q·p.
 */

const B: f64 = 10000;
/** Limbs per block (the table's length). */
const TABLE_LIMBS: i32 = 256;

// @ts-ignore: decorator
@inline function reduce(x: f64, p: f64, inv: f64): f64 {
  let r = x - Math.floor(x * inv) * p;
  r = r < 0 ? r + p : r;
  r = r >= p ? r - p : r;
  r = r < 0 ? r + p : r;
  return r >= p ? r - p : r;
}

/** Bytes of scratch `residueDot` needs (its table of powers). */
export function residueDotScratch(): i32 {
  return TABLE_LIMBS << 3;
}

/**
 * The n limbs at x (u16, base 10^4) modulo a prime p <= 2^26, by block dot products with a table of B^j mod p
 * written at `table` (residueDotScratch() bytes, 16-byte aligned). The header proves every step exact.
 */
export function residueDot(x: usize, n: i32, p: f64, table: usize): f64 {
  residueTable(p, table);
  return residueDotWith(x, n, p, table);
}

/**
 * Writes residueDot's table of B^j mod p (j < TABLE_LIMBS) at `table` (residueDotScratch() bytes, 16-byte aligned),
 * for residueDotWith: the table takes ~2 µs to build, as long as 6000 limbs of the dot products.
 */
export function residueTable(p: f64, table: usize): void {
  const inv = 1 / p;
  let w: f64 = 1;
  for (let j: i32 = 0; j < TABLE_LIMBS; j++) {
    store<f64>(table + (<usize>j << 3), w);
    w = reduce(w * B, p, inv);
  }
}

/** residueDot with the table residueTable(p, table) wrote (kept between calls: kernel/fft.ts residueAt). */
export function residueDotWith(x: usize, n: i32, p: f64, table: usize): f64 {
  const inv = 1 / p;
  // w = B^K mod p, from the table's last entry.
  const w = reduce(load<f64>(table + (<usize>(TABLE_LIMBS - 1) << 3)) * B, p, inv);
  const blocks = (n + TABLE_LIMBS - 1) / TABLE_LIMBS;
  let r: f64 = 0;
  for (let b = blocks - 1; b >= 0; b--) {
    const start = b * TABLE_LIMBS;
    const len = n - start < TABLE_LIMBS ? n - start : TABLE_LIMBS;
    const src = x + (<usize>start << 1);
    let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
    let j: i32 = 0;
    for (; j + 8 <= len; j += 8) {
      const v = v128.load(src + (<usize>j << 1));
      const lo = i32x4.extend_low_i16x8_u(v);
      const hi = i32x4.extend_high_i16x8_u(v);
      const t = table + (<usize>j << 3);
      a0 = f64x2.add(a0, f64x2.mul(f64x2.convert_low_i32x4_s(lo), v128.load(t)));
      a1 = f64x2.add(a1, f64x2.mul(f64x2.convert_low_i32x4_s(i32x4.shuffle(lo, lo, 2, 3, 0, 1)), v128.load(t, 16)));
      a2 = f64x2.add(a2, f64x2.mul(f64x2.convert_low_i32x4_s(hi), v128.load(t, 32)));
      a3 = f64x2.add(a3, f64x2.mul(f64x2.convert_low_i32x4_s(i32x4.shuffle(hi, hi, 2, 3, 0, 1)), v128.load(t, 48)));
    }
    const s2 = f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3));
    let s = f64x2.extract_lane(s2, 0) + f64x2.extract_lane(s2, 1);
    for (; j < len; j++) s += <f64>load<u16>(src + (<usize>j << 1)) * load<f64>(table + (<usize>j << 3));
    r = reduce(r * w + reduce(s, p, inv), p, inv);
  }
  return r;
}

const BI: i32 = 10000;

/**
 * z[0, zlen) ± s[0, slen) in place (slen <= zlen; `subtract` 1 for −, 0 for +), the carry or borrow propagated up
 * to zlen: returns what leaves the top (0 or 1). Branch-free limb steps (select, no data-dependent branch: a
 * mispredicted carry costs more than the step). kernel/nat.ts natShiftAddLimbs: Newton's X·B^k ± correction.
 */
export function addOrSubInPlace(z: usize, zlen: i32, s: usize, slen: i32, subtract: i32): i32 {
  let c: i32 = 0;
  let i: i32 = 0;
  // Eight limbs at a time, the carries by lookahead (no chain from limb to limb): with v the lanes' sums (or
  // differences), a lane generates a carry when v >= B (a borrow when v < 0) and passes an incoming one on when
  // v = B − 1 (v = 0). Taking X = G | P and Y = G as 8-bit numbers of those lanes, the carries into the lanes are the
  // bits of (X + Y + c) ^ X ^ Y: a bit of G sets both x and y (generate), of P only x (propagate), of neither none
  // (kill), as in a binary addition; bit 8 of the sum is the carry out of the block.
  const lanes = i16x8(1, 2, 4, 8, 16, 32, 64, 128);
  const zero = i16x8.splat(0), base = i16x8.splat(<i16>BI), top = i16x8.splat(<i16>(BI - 1));
  if (subtract == 0) {
    for (; i + 8 <= slen; i += 8) {
      const v = i16x8.add(v128.load(z + (<usize>i << 1)), v128.load(s + (<usize>i << 1))); // in [0, 2B − 2]
      const G = i16x8.bitmask(i16x8.gt_s(v, top)), P = i16x8.bitmask(i16x8.eq(v, top));
      const X = G | P, sum = X + G + c;
      c = (sum >> 8) & 1;
      const into = i16x8.ne(v128.and(i16x8.splat(<i16>((sum ^ X ^ G) & 0xff)), lanes), zero); // −1 where one comes in
      const w = i16x8.sub(v, into);
      v128.store(z + (<usize>i << 1), i16x8.sub(w, v128.and(i16x8.gt_s(w, top), base)));
    }
  } else {
    for (; i + 8 <= slen; i += 8) {
      const v = i16x8.sub(v128.load(z + (<usize>i << 1)), v128.load(s + (<usize>i << 1))); // in [1 − B, B − 1]
      const G = i16x8.bitmask(i16x8.lt_s(v, zero)), P = i16x8.bitmask(i16x8.eq(v, zero));
      const X = G | P, sum = X + G + c;
      c = (sum >> 8) & 1;
      const into = i16x8.ne(v128.and(i16x8.splat(<i16>((sum ^ X ^ G) & 0xff)), lanes), zero);
      const w = i16x8.add(v, into);
      v128.store(z + (<usize>i << 1), i16x8.add(w, v128.and(i16x8.lt_s(w, zero), base)));
    }
  }
  if (subtract == 0) {
    for (; i < slen; i++) {
      const v = <i32>load<u16>(z + (<usize>i << 1)) + <i32>load<u16>(s + (<usize>i << 1)) + c;
      c = <i32>(v >= BI);
      store<u16>(z + (<usize>i << 1), <u16>select<i32>(v - BI, v, c));
    }
    for (; c != 0 && i < zlen; i++) {
      const v = <i32>load<u16>(z + (<usize>i << 1)) + 1;
      c = <i32>(v >= BI);
      store<u16>(z + (<usize>i << 1), <u16>select<i32>(v - BI, v, c));
    }
  } else {
    for (; i < slen; i++) {
      const v = <i32>load<u16>(z + (<usize>i << 1)) - <i32>load<u16>(s + (<usize>i << 1)) - c;
      c = <i32>(v < 0);
      store<u16>(z + (<usize>i << 1), <u16>select<i32>(v + BI, v, c));
    }
    for (; c != 0 && i < zlen; i++) {
      const v = <i32>load<u16>(z + (<usize>i << 1)) - 1;
      c = <i32>(v < 0);
      store<u16>(z + (<usize>i << 1), <u16>select<i32>(v + BI, v, c));
    }
  }
  return c;
}

/**
 * The squared Euclidean norm of the balanced base-10^d digits (1 <= d <= 4) of the n limbs at x, as packing writes
 * them (kernel/fft.ts `balancedNormSq` is the same walk in TypeScript): kernel/spectra.ts plans its products with it.
 * Every digit v satisfies |v| <= 10^d/2, so v² <= 2.5·10^7 and the i64 sum is exact for any n < 2^31.
 */
export function balancedNormSq(x: usize, n: i32, d: i32): f64 {
  const Bd: i32 = d == 4 ? 10000 : d == 3 ? 1000 : d == 2 ? 100 : 10;
  const half: i32 = Bd >> 1;
  let carry: i32 = 0;
  let sumsq: i64 = 0;
  if (d == 4) {
    for (let i: i32 = 0; i < n; i++) {
      let v = <i32>load<u16>(x + (<usize>i << 1)) + carry;
      carry = <i32>(v >= half);
      v -= carry * Bd;
      sumsq += <i64>(v * v);
    }
    return <f64>(sumsq + carry);
  }
  // acc < 10^4·accPow <= 10^4·10^(d−1)·... stays below 10^(d+4) <= 10^7: i32 arithmetic.
  let acc: i32 = 0;
  let accPow: i32 = 1;
  for (let i: i32 = 0; i < n; i++) {
    acc += <i32>load<u16>(x + (<usize>i << 1)) * accPow;
    accPow *= BI;
    while (accPow >= Bd) {
      const hi = acc / Bd;
      let v = acc - hi * Bd + carry;
      acc = hi;
      accPow /= Bd;
      carry = <i32>(v >= half);
      v -= carry * Bd;
      sumsq += <i64>(v * v);
    }
  }
  if (accPow > 1) {
    let v = acc + carry;
    carry = <i32>(v >= half);
    v -= carry * Bd;
    sumsq += <i64>(v * v);
  }
  return <f64>(sumsq + carry);
}

/**
 * floor(x / 2) of the n limbs at x into z (n limbs; z may be x), returns x mod 2. B = 10^4 is even, so the
 * remainder a limb hands down is its own parity: z_i = (x_i >> 1) + 5000·(x_{i+1} & 1), no chain from limb to limb,
 * eight limbs at a time (x_i >> 1 <= 4999, plus 5000 <= 9999: a u16). kernel/nat.ts natDivSmall by 2 (Newton's
 * square-root corrections).
 */
export function halveLimbs(x: usize, n: i32, z: usize): i32 {
  if (n == 0) return 0;
  const low = <i32>load<u16>(x) & 1;
  const one = i16x8.splat(1), half = i16x8.splat(5000);
  let i: i32 = 0;
  // Limb i + 8 is read for every block, so the vector loop stops one block before the last limb.
  for (; i + 9 <= n; i += 8) {
    const v = v128.load(x + (<usize>i << 1));
    const up = v128.load(x + (<usize>i << 1) + 2);
    v128.store(z + (<usize>i << 1), i16x8.add(i16x8.shr_u(v, 1), i16x8.mul(v128.and(up, one), half)));
  }
  for (; i < n - 1; i++) {
    const v = <i32>load<u16>(x + (<usize>i << 1));
    store<u16>(z + (<usize>i << 1), <u16>((v >> 1) + 5000 * (<i32>load<u16>(x + (<usize>i << 1) + 2) & 1)));
  }
  store<u16>(z + (<usize>(n - 1) << 1), <u16>(<i32>load<u16>(x + (<usize>(n - 1) << 1)) >> 1));
  return low;
}
