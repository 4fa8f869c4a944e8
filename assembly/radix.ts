/**
 * The WebAssembly SIMD side of binary → decimal conversion (kernel/radix.ts): one piece of at most a few thousand
 * bits, given as 15-bit words, becomes base-10^4 limbs. Compiled into the same module as fft.ts (`npm run build`),
 * on the same imported shared memory, with the same rules: byte addresses come from TypeScript, no static data.
 *
 * Method: x = Σ_i w_i·2^(15i) with 0 ≤ w_i < 2^15, so dec(x) = Σ_i w_i·dec(2^(15i)), where the decimal limbs of
 * every 2^(15i) are a table made once by TypeScript. That is a sum of products with no carry chain, so it runs four
 * output limbs per vector: the table is stored by pairs of words (row p holds, per limb n, the i16 pair
 * (dec(2^(30p))[n], dec(2^(30p+15))[n]) as one i32 lane), and one i32x4.dot_i16x8_s with the splatted word pair
 * (w_2p, w_2p+1) adds the two words' contributions to four consecutive limbs. A quadratic method, but 8 limb
 * products per instruction and no dependence between them, where V8's BigInt#toString divides word by word.
 *
 * Bounds: a limb < 10^4 and a word < 2^15 are both below 2^15, so each dot lane is < 2·(2^15 − 1)·(10^4 − 1)
 * = 655,274,466 and three of them add to < 2^31: three row pairs are summed in i32 lanes, then widened into i64
 * lanes (each output limb's sum is < #words·2^15·10^4 < 2^63). The carries run once at the end, per limb.
 */

/** Adds `carry` to the four limb sums (lo, hi), stores the four limbs mod 10^4 at o and returns the carry out. */
// @ts-ignore: decorator
@inline function settle(lo: v128, hi: v128, carry: i64, o: usize): i64 {
  let v = i64x2.extract_lane(lo, 0) + carry;
  carry = v / 10000;
  store<u16>(o, <u16>(v - carry * 10000));
  v = i64x2.extract_lane(lo, 1) + carry;
  carry = v / 10000;
  store<u16>(o, <u16>(v - carry * 10000), 2);
  v = i64x2.extract_lane(hi, 0) + carry;
  carry = v / 10000;
  store<u16>(o, <u16>(v - carry * 10000), 4);
  v = i64x2.extract_lane(hi, 1) + carry;
  carry = v / 10000;
  store<u16>(o, <u16>(v - carry * 10000), 6);
  return carry;
}

/**
 * Converts the hexadecimal digits hex[first .. first + count) (ASCII '0'–'9', 'a'–'f', most significant first;
 * count ≤ 30·P_max/4) to base-10^4 limbs at out (u16, little-endian, leading zeros included) and returns how many
 * limbs it wrote (lens[P − 1]·4 for the P word pairs the digits fill), or −1 if a byte is not a hexadecimal digit
 * or a carry were left over (the table did not cover the value: an internal fault, never expected).
 *
 * The table: row p (at table + p·stride bytes) holds, per limb n, dec(2^(30p))[n] | dec(2^(30p+15))[n] << 16 as i32
 * lanes, zeros beyond; lens[p] (i32) is the length in vectors of four limbs that covers dec(2^(30(p+1))),
 * non-decreasing in p. splats: scratch of P v128 (the word pairs, each splatted to four lanes).
 */
export function radixPiece(hex: usize, first: i32, count: i32, splats: usize, table: usize, stride: i32, lens: usize, out: usize): i32 {
  // 15-bit words from the least significant hex digit up, two per pair, each pair splatted once.
  let buffer: u32 = 0, bits = 0, words = 0, pair: u32 = 0, bad: u32 = 0;
  for (let i = first + count - 1; i >= first; i--) {
    const c = <u32>load<u8>(hex + <usize>i);
    const d = c <= 57 ? c - 48 : c - 87;
    bad |= d > 15 ? 1 : 0;
    buffer |= d << bits;
    bits += 4;
    if (bits >= 15) {
      const w = buffer & 0x7fff;
      buffer >>= 15;
      bits -= 15;
      if (words & 1) v128.store(splats + (<usize>(words >> 1) << 4), i32x4.splat(pair | (w << 16)));
      else pair = w;
      words++;
    }
  }
  if (buffer != 0) {
    if (words & 1) v128.store(splats + (<usize>(words >> 1) << 4), i32x4.splat(pair | (buffer << 16)));
    else pair = buffer;
    words++;
  }
  if (words & 1) v128.store(splats + (<usize>(words >> 1) << 4), i32x4.splat(pair));
  if (bad) return -1;
  const P = (words + 1) >> 1;
  if (P == 0) return 0;
  const nb = load<i32>(lens + (<usize>(P - 1) << 2));
  const step = <usize>stride;
  let carry: i64 = 0;
  let p0 = 0;
  let b = 0;
  // Two output blocks at a time: each splatted pair is loaded once for both. Rows are zero beyond their length (up
  // to the common stride), so block b + 1 may start at block b's first row.
  for (; b + 2 <= nb; b += 2) {
    // Rows shorter than block b hold only zeros there (their values are below 10^(4·4b)).
    while (load<i32>(lens + (<usize>p0 << 2)) <= b) p0++;
    let row = table + <usize>p0 * step + (<usize>b << 4);
    let w = splats + (<usize>p0 << 4);
    let lo0 = i64x2.splat(0), hi0 = i64x2.splat(0), lo1 = i64x2.splat(0), hi1 = i64x2.splat(0);
    let p = p0;
    for (; p + 3 <= P; p += 3) {
      const s0 = v128.load(w), s1 = v128.load(w, 16), s2 = v128.load(w, 32);
      let a = i32x4.dot_i16x8_s(v128.load(row), s0);
      let c = i32x4.dot_i16x8_s(v128.load(row, 16), s0);
      a = i32x4.add(a, i32x4.dot_i16x8_s(v128.load(row + step), s1));
      c = i32x4.add(c, i32x4.dot_i16x8_s(v128.load(row + step, 16), s1));
      a = i32x4.add(a, i32x4.dot_i16x8_s(v128.load(row + 2 * step), s2));
      c = i32x4.add(c, i32x4.dot_i16x8_s(v128.load(row + 2 * step, 16), s2));
      lo0 = i64x2.add(lo0, i64x2.extend_low_i32x4_s(a));
      hi0 = i64x2.add(hi0, i64x2.extend_high_i32x4_s(a));
      lo1 = i64x2.add(lo1, i64x2.extend_low_i32x4_s(c));
      hi1 = i64x2.add(hi1, i64x2.extend_high_i32x4_s(c));
      row += 3 * step;
      w += 48;
    }
    for (; p < P; p++) {
      const s0 = v128.load(w);
      const a = i32x4.dot_i16x8_s(v128.load(row), s0);
      const c = i32x4.dot_i16x8_s(v128.load(row, 16), s0);
      lo0 = i64x2.add(lo0, i64x2.extend_low_i32x4_s(a));
      hi0 = i64x2.add(hi0, i64x2.extend_high_i32x4_s(a));
      lo1 = i64x2.add(lo1, i64x2.extend_low_i32x4_s(c));
      hi1 = i64x2.add(hi1, i64x2.extend_high_i32x4_s(c));
      row += step;
      w += 16;
    }
    carry = settle(lo0, hi0, carry, out + (<usize>b << 3));
    carry = settle(lo1, hi1, carry, out + (<usize>(b + 1) << 3));
  }
  if (b < nb) {
    while (load<i32>(lens + (<usize>p0 << 2)) <= b) p0++;
    let row = table + <usize>p0 * step + (<usize>b << 4);
    let w = splats + (<usize>p0 << 4);
    let lo = i64x2.splat(0), hi = i64x2.splat(0);
    for (let p = p0; p < P; p++) {
      const a = i32x4.dot_i16x8_s(v128.load(row), v128.load(w));
      lo = i64x2.add(lo, i64x2.extend_low_i32x4_s(a));
      hi = i64x2.add(hi, i64x2.extend_high_i32x4_s(a));
      row += step;
      w += 16;
    }
    carry = settle(lo, hi, carry, out + (<usize>b << 3));
  }
  return carry == 0 ? nb << 2 : -1;
}
