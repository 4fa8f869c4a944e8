/**
 * The WebAssembly SIMD side of binary → decimal conversion (kernel/radix.ts): pieces of at most a few thousand
 * bits, given as hexadecimal text read as 14-bit words, become base-10^4 limbs. Compiled into the same module as fft.ts (`npm run build`),
 * on the same imported shared memory, with the same rules: byte addresses come from TypeScript, no static data.
 *
 * Method: x = Σ_i w_i·2^(14i) with 0 ≤ w_i < 2^14, so dec(x) = Σ_i w_i·dec(2^(14i)), where the decimal limbs of
 * every 2^(14i) are a table made once by TypeScript. That is a sum of products with no carry chain, so it runs four
 * output limbs per vector: the table is stored by pairs of words (row p holds, per limb n, the i16 pair
 * (dec(2^(28p))[n], dec(2^(28p+14))[n]) as one i32 lane), and one i32x4.dot_i16x8_s with the splatted word pair
 * (w_2p, w_2p+1) adds the two words' contributions to four consecutive limbs. A quadratic method, but 8 limb
 * products per instruction and no dependence between them, where V8's BigInt#toString divides word by word.
 *
 * Bounds: a limb < 10^4 and a word < 2^14 are both below 2^15 (signed 16-bit lanes), so each dot lane is
 * < 2·(2^14 − 1)·(10^4 − 1) = 327,627,234 and six of them add to 1,965,763,404 < 2^31: six row pairs are summed in
 * i32 lanes, then widened into i64 lanes (each output limb's sum is < #words·2^14·10^4 < 2^63). The carries run
 * once at the end, per limb.
 *
 * Loop order: six table rows at a time, each swept along its limbs for every piece of the call, the sums kept per
 * piece in memory. The first version walked the table down its rows for each block of limbs (a ~5 KB stride
 * through a ~2.7 MB table, beyond the L2 cache, for every piece) and took ~1.5× the time: measured on pi 10^7
 * leaves (P, Q, T of both halves, 10,000–27,000 bits) 820–880 µs against 540–550 per leaf.
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
 * The 14-bit words of the hexadecimal digits hex[first .. first + count) (ASCII '0'–'9', 'a'–'f', most
 * significant first), from the least significant up, splatted by pairs (w_2p | w_2p+1 << 16 in four i32 lanes) at
 * sp; returns the pair count P, or −1 for a byte that is not a hexadecimal digit.
 */
function splatWords(hex: usize, first: i32, count: i32, sp: usize): i32 {
  let buffer: u32 = 0, bits = 0, words = 0, pair: u32 = 0, bad: u32 = 0;
  for (let i = first + count - 1; i >= first; i--) {
    const c = <u32>load<u8>(hex + <usize>i);
    const h = c <= 57 ? c - 48 : c - 87;
    bad |= h > 15 ? 1 : 0;
    buffer |= h << bits;
    bits += 4;
    if (bits >= 14) {
      const w = buffer & 0x3fff;
      buffer >>= 14;
      bits -= 14;
      if (words & 1) v128.store(sp + (<usize>(words >> 1) << 4), i32x4.splat(pair | (w << 16)));
      else pair = w;
      words++;
    }
  }
  if (buffer != 0) {
    if (words & 1) v128.store(sp + (<usize>(words >> 1) << 4), i32x4.splat(pair | (buffer << 16)));
    else pair = buffer;
    words++;
  }
  if (words & 1) v128.store(sp + (<usize>(words >> 1) << 4), i32x4.splat(pair));
  return bad ? -1 : (words + 1) >> 1;
}

/**
 * Converts pieces (kernel/radix.ts `natsFromBigIntSplit`): Σ_p (w_2p, w_2p+1)·row p over each piece's pairs, each
 * group of six table rows read from memory once for all the pieces of the call, then from the cache.
 *
 * The table: row p (at table + p·stride bytes) holds, per limb n, dec(2^(28p))[n] | dec(2^(28p+14))[n] << 16 as i32
 * lanes, zeros beyond; lens[p] (i32) is the length in vectors of four limbs that covers dec(2^(28(p+1))),
 * non-decreasing in p, so rows of pairs 0..P−1 cover every value below 2^(28P).
 * The table and lens must hold a whole number of groups of six rows (zero rows and repeated lens at the end).
 * `desc`: per piece eight i32: hex address, first, count (the digits), out address (u16 limbs), then three slots
 * this function fills: the pair count P, the block count nb = lens[P − 1] and the limb count written (4·nb).
 * `splats`: per piece `pairsCap` v128, pairsCap a multiple of 6 covering every piece's pairs; `acc`: per piece
 * `blocksCap`·32 bytes (two i64x2 per block of four limbs), blocksCap >= every nb. Returns 0, or −1 for a byte
 * that is not a hexadecimal digit or a carry left over (an internal fault).
 * Bounds: the header's (six rows of dot products per i32 lane, then i64 sums).
 */
export function radixPieces(desc: usize, n: i32, splats: usize, pairsCap: i32, acc: usize, blocksCap: i32, table: usize, stride: i32, lens: usize): i32 {
  const step = <usize>stride;
  const sStride = <usize>pairsCap << 4, aStride = <usize>blocksCap << 5;
  let maxP = 0;
  for (let j = 0; j < n; j++) {
    const d = desc + (<usize>j << 5);
    const sp = splats + <usize>j * sStride;
    const P = splatWords(<usize>load<i32>(d), load<i32>(d, 4), load<i32>(d, 8), sp);
    if (P < 0) return -1;
    // Pairs up to the next multiple of six are zero (a group never reads past the piece's words).
    for (let q = P; q < ((P + 5) / 6) * 6; q++) v128.store(sp + (<usize>q << 4), i32x4.splat(0));
    const nb = P > 0 ? load<i32>(lens + (<usize>(P - 1) << 2)) : 0;
    store<i32>(d, P, 16);
    store<i32>(d, nb, 20);
    memory.fill(acc + <usize>j * aStride, 0, <usize>nb << 5);
    if (P > maxP) maxP = P;
  }
  // Rows p .. p + 5: the blocks below lens[p + 5] (lens is non-decreasing; rows are zero beyond their length).
  for (let p = 0; p < maxP; p += 6) {
    const rowsEnd = load<i32>(lens + (<usize>(p + 5) << 2));
    const r0 = table + <usize>p * step;
    for (let j = 0; j < n; j++) {
      const d = desc + (<usize>j << 5);
      if (load<i32>(d, 16) <= p) continue;
      const blocks = min(rowsEnd, load<i32>(d, 20));
      const w = splats + <usize>j * sStride + (<usize>p << 4);
      const s0 = v128.load(w), s1 = v128.load(w, 16), s2 = v128.load(w, 32);
      const s3 = v128.load(w, 48), s4 = v128.load(w, 64), s5 = v128.load(w, 80);
      const a0 = acc + <usize>j * aStride;
      for (let b = 0; b < blocks; b++) {
        const row = r0 + (<usize>b << 4);
        let a = i32x4.dot_i16x8_s(v128.load(row), s0);
        a = i32x4.add(a, i32x4.dot_i16x8_s(v128.load(row + step), s1));
        a = i32x4.add(a, i32x4.dot_i16x8_s(v128.load(row + 2 * step), s2));
        a = i32x4.add(a, i32x4.dot_i16x8_s(v128.load(row + 3 * step), s3));
        a = i32x4.add(a, i32x4.dot_i16x8_s(v128.load(row + 4 * step), s4));
        a = i32x4.add(a, i32x4.dot_i16x8_s(v128.load(row + 5 * step), s5));
        const q = a0 + (<usize>b << 5);
        v128.store(q, i64x2.add(v128.load(q), i64x2.extend_low_i32x4_s(a)));
        v128.store(q, i64x2.add(v128.load(q, 16), i64x2.extend_high_i32x4_s(a)), 16);
      }
    }
  }
  for (let j = 0; j < n; j++) {
    const d = desc + (<usize>j << 5);
    const nb = load<i32>(d, 20);
    const out = <usize>load<i32>(d, 12), a0 = acc + <usize>j * aStride;
    let carry: i64 = 0;
    for (let b = 0; b < nb; b++) carry = settle(v128.load(a0 + (<usize>b << 5)), v128.load(a0 + (<usize>b << 5), 16), carry, out + (<usize>b << 3));
    if (carry != 0) return -1;
    store<i32>(d, nb << 2, 24);
  }
  return 0;
}
