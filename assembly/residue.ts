/**
 * The residue of decimal text modulo a prime p < 2^26: the check of every out-of-core product (engine/outofcore/
 * residue.ts, as y-cruncher does) reads every operand digit and every product digit once, over a billion digits for
 * 9^(9^9), where the TypeScript Horner loop (4 digits a step) cost ~10 % of the run's main thread. Compiled into the
 * same module as fft.ts (`npm run build`), on the same imported shared memory: byte addresses come from TypeScript.
 *
 * Method: 32 digits a step. Each 16-digit group becomes two 8-digit values with SIMD (digits → pairs → quads →
 * octets, by multiply-adds on ever wider lanes), the four octets of a step fold into u = value(32 digits) mod p off
 * the dependency chain, and the chain itself is one step r ← (r·c32 + u) mod p with c32 = 10^32 mod p. Exactness:
 * every intermediate is an integer below 2^53 (octet·c8 + octet < 10^8·2^26 + 10^8, r·c16 + u < 2^52 + 2^26), and
 * `reduce` computes x mod p for such x with a floating quotient that is off by at most one, then corrected.
 */

// @ts-ignore: decorator
@inline function reduce(x: f64, p: f64, inv: f64): f64 {
  let r = x - Math.floor(x * inv) * p;
  r = r < 0 ? r + p : r;
  return r >= p ? r - p : r;
}

/** The two 8-digit values of the 16 ASCII digits at a (most significant first), as f64 lanes [high, low]. */
// @ts-ignore: decorator
@inline function octets(a: usize): v128 {
  const v = i8x16.sub(v128.load(a), i8x16.splat(48));
  // Little-endian lanes: the lower byte of each i16 is the more significant digit of its pair.
  const p2 = i16x8.add(i16x8.mul(v128.and(v, i16x8.splat(0xff)), i16x8.splat(10)), i16x8.shr_u(v, 8));
  const p4 = i32x4.add(i32x4.mul(v128.and(p2, i32x4.splat(0xffff)), i32x4.splat(100)), i32x4.shr_u(p2, 16));
  const p8 = i64x2.add(i64x2.mul(v128.and(p4, i64x2.splat(0xffffffff)), i64x2.splat(10000)), i64x2.shr_u(p4, 32));
  // Each octet < 10^8 fits the low i32 of its i64 lane.
  return f64x2.convert_low_i32x4_s(i32x4.shuffle(p8, p8, 0, 2, 0, 2));
}

/**
 * (r0·10^n + the value of the n ASCII digits at src, most significant first) mod p, for a prime p < 2^26 and
 * 0 <= r0 < p: the running residue of text that arrives in pieces, most significant piece first.
 */
export function asciiResidue(src: usize, n: i32, p: f64, r0: f64): f64 {
  const inv = 1 / p;
  let r = r0;
  const head = n & 31;
  for (let i = 0; i < head; i++) r = reduce(r * 10 + <f64>(<i32>load<u8>(src + <usize>i) - 48), p, inv);
  const c8 = 1e8 % p;
  const c16 = reduce(c8 * c8, p, inv);
  const c32 = reduce(c16 * c16, p, inv);
  for (let i = head; i < n; i += 32) {
    const x = octets(src + <usize>i);
    const y = octets(src + <usize>i + 16);
    const hi = reduce(f64x2.extract_lane(x, 0) * c8 + f64x2.extract_lane(x, 1), p, inv);
    const lo = reduce(f64x2.extract_lane(y, 0) * c8 + f64x2.extract_lane(y, 1), p, inv);
    const u = reduce(hi * c16 + lo, p, inv);
    r = reduce(r * c32 + u, p, inv);
  }
  return r;
}
