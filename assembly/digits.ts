/**
 * The WebAssembly SIMD side of decimal conversion: ASCII digits ↔ base-10^4 limbs (kernel/nat.ts `natFromDigits`,
 * `natToDigits` call these for long numbers). Compiled into the same module as fft.ts (`npm run build`), on the same
 * imported shared memory, with the same rules: byte addresses come from TypeScript (kernel/wasmheap.ts), no static
 * data, nothing written at instantiation.
 *
 * Both directions are a fixed regrouping (a limb is exactly 4 decimal digits), never a radix conversion, so every
 * lane is independent: 32 digits (8 limbs) per step one way, 16 digits (4 limbs) the other, and the few digits
 * that do not fill a vector are done one limb at a time at the end.
 */

/**
 * Parses the n >= 1 ASCII bytes at src (most significant first) into ceil(n/4) little-endian limbs at dst (u16):
 * limb k holds the digits [n − 4k − 4, n − 4k), the top limb the first n mod 4 (or 4) digits. Leading zeros are
 * kept (the caller trims zero limbs). Returns 1 when every byte is '0'..'9', else 0 (dst is then undefined and the
 * caller locates the bad byte).
 *
 * Vector step on 16 bytes b (digits d = b − '0', four whole limbs): d_even·10 + d_odd by one byte shift-add and one
 * pairwise widening add (eight values <= 99), then one i32 dot product with (100, 1) gives the four limbs (<= 9999)
 * in the order the digits come, i.e. reversed: they are stored with their lanes mirrored.
 */
export function digitsToLimbs(src: usize, n: i32, dst: usize): i32 {
  const r = n & 3;
  const G = (n - r) >> 2; // whole 4-digit groups after the r leading digits
  const g = src + <usize>r; // group j occupies g + 4j .. g + 4j + 4, and is limb G − 1 − j
  const zero = i8x16.splat(48);
  const nine = i8x16.splat(9);
  const even = i16x8.splat(0x00ff);
  const hundredOne = i16x8(100, 1, 100, 1, 100, 1, 100, 1);
  let bad = i8x16.splat(0);
  let j = 0;
  for (; j + 8 <= G; j += 8) {
    const p = g + (<usize>j << 2);
    const d0 = i8x16.sub(v128.load(p), zero);
    const d1 = i8x16.sub(v128.load(p, 16), zero);
    bad = v128.or(bad, v128.or(i8x16.gt_u(d0, nine), i8x16.gt_u(d1, nine)));
    // Even bytes (the tens of each pair) times 10 = ·8 + ·2; a byte <= 9 gives <= 90, no lane overflows.
    const e0 = v128.and(d0, even), e1 = v128.and(d1, even);
    const m0 = i8x16.add(v128.andnot(d0, even), i8x16.add(i8x16.shl(e0, 3), i8x16.shl(e0, 1)));
    const m1 = i8x16.add(v128.andnot(d1, even), i8x16.add(i8x16.shl(e1, 3), i8x16.shl(e1, 1)));
    const q0 = i32x4.dot_i16x8_s(i16x8.extadd_pairwise_i8x16_u(m0), hundredOne);
    const q1 = i32x4.dot_i16x8_s(i16x8.extadd_pairwise_i8x16_u(m1), hundredOne);
    const w = i16x8.narrow_i32x4_u(q0, q1); // groups j .. j+7 = limbs G−1−j down to G−8−j
    v128.store(dst + (<usize>(G - 8 - j) << 1), i8x16.shuffle(w, w, 14, 15, 12, 13, 10, 11, 8, 9, 6, 7, 4, 5, 2, 3, 0, 1));
  }
  let ok: i32 = v128.any_true(bad) ? 0 : 1;
  for (; j < G; j++) {
    const p = g + (<usize>j << 2);
    const a = <i32>load<u8>(p) - 48, b = <i32>load<u8>(p, 1) - 48, c = <i32>load<u8>(p, 2) - 48, e = <i32>load<u8>(p, 3) - 48;
    if (<u32>a > 9 || <u32>b > 9 || <u32>c > 9 || <u32>e > 9) ok = 0;
    store<u16>(dst + (<usize>(G - 1 - j) << 1), <u16>(a * 1000 + b * 100 + c * 10 + e));
  }
  if (r > 0) {
    let v = 0;
    for (let i = 0; i < r; i++) {
      const x = <i32>load<u8>(src + <usize>i) - 48;
      if (<u32>x > 9) ok = 0;
      v = v * 10 + x;
    }
    store<u16>(dst + (<usize>G << 1), <u16>v);
  }
  return ok;
}

/**
 * Writes the n limbs at src (u16, each <= 9999) as 4n ASCII digits at dst, most significant first, each limb as
 * exactly 4 digits (leading zeros included: the caller writes the top limb itself, without them).
 *
 * Vector step on four limbs v (i32 lanes): v / 100 = (v·5243) >> 19 and x / 10 = (x·205) >> 11 are exact for
 * v < 10^4 and x < 100 (checked exhaustively over those ranges), giving the four digit planes; two narrowing steps
 * put them in one vector, which a byte shuffle reorders to the file's order (limb i+3's digits first).
 */
export function limbsToDigits(src: usize, n: i32, dst: usize): void {
  const zero = i8x16.splat(48);
  const c5243 = i32x4.splat(5243), c100 = i32x4.splat(100), c205 = i32x4.splat(205), c10 = i32x4.splat(10);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const w = v128.load(src + (<usize>i << 1));
    // Limbs i .. i+3 end at digit 4(n − i); the next four just before them.
    const lo = i32x4.extend_low_i16x8_u(w), hi = i32x4.extend_high_i16x8_u(w);
    const qlo = i32x4.shr_u(i32x4.mul(lo, c5243), 19), qhi = i32x4.shr_u(i32x4.mul(hi, c5243), 19);
    const rlo = i32x4.sub(lo, i32x4.mul(qlo, c100)), rhi = i32x4.sub(hi, i32x4.mul(qhi, c100));
    const alo = i32x4.shr_u(i32x4.mul(qlo, c205), 11), ahi = i32x4.shr_u(i32x4.mul(qhi, c205), 11);
    const clo = i32x4.shr_u(i32x4.mul(rlo, c205), 11), chi = i32x4.shr_u(i32x4.mul(rhi, c205), 11);
    const blo = i32x4.sub(qlo, i32x4.mul(alo, c10)), bhi = i32x4.sub(qhi, i32x4.mul(ahi, c10));
    const elo = i32x4.sub(rlo, i32x4.mul(clo, c10)), ehi = i32x4.sub(rhi, i32x4.mul(chi, c10));
    // Lanes: thousands of limbs 0..3, hundreds, tens, units (limb k of the four at lane 4t + k).
    const xlo = i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(alo, blo), i16x8.narrow_i32x4_u(clo, elo));
    const xhi = i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(ahi, bhi), i16x8.narrow_i32x4_u(chi, ehi));
    const end = dst + (<usize>(n - i) << 2);
    v128.store(end - 16, i8x16.add(i8x16.shuffle(xlo, xlo, 3, 7, 11, 15, 2, 6, 10, 14, 1, 5, 9, 13, 0, 4, 8, 12), zero));
    v128.store(end - 32, i8x16.add(i8x16.shuffle(xhi, xhi, 3, 7, 11, 15, 2, 6, 10, 14, 1, 5, 9, 13, 0, 4, 8, 12), zero));
  }
  for (; i < n; i++) {
    const v = <u32>load<u16>(src + (<usize>i << 1));
    const q = v / 100, r = v % 100;
    const p = dst + (<usize>(n - 1 - i) << 2);
    store<u8>(p, <u8>(48 + q / 10));
    store<u8>(p, <u8>(48 + q % 10), 1);
    store<u8>(p, <u8>(48 + r / 10), 2);
    store<u8>(p, <u8>(48 + r % 10), 3);
  }
}

/**
 * The first touch of every page that begins in [p, p + n): an atomic add of 0 to the word at each page-aligned
 * address, which leaves the memory as it was, also beside another thread writing the same bytes meanwhile (the add
 * reads and writes back in one indivisible step). Run on an idle worker (kernel/digitproduct.ts pretouch) on the
 * transform buffers while the main thread reads the operands into them: the first touch of a page is a page fault,
 * and on this 2-core VM faults cost ~3–5 ms a MiB (more than the transforms' own work on it at 10^7 digits), so
 * taken here that cost leaves the product's critical path. On pages already resident an add costs a cache miss.
 */
export function touchPages(p: usize, n: usize): void {
  const end = p + n;
  for (let a = (p + 4095) & ~(<usize>4095); a < end; a += 4096) atomic.add<u32>(a, 0);
}
