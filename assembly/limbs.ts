/**
 * The WebAssembly side of the kernel's linear passes on base-10^4 limbs (u16, least significant first) that run on
 * every Newton step of the division and the square root: the difference of a wrapped product with the number it
 * approximates, modulo B^k − 1 (kernel/spectra.ts natWrappedDifference). Compiled into the same module as fft.ts
 * (`npm run build`), on the same imported shared memory, with the same rules: byte addresses come from TypeScript,
 * no static data. Why compiled: the same loops in JS ran at 10–20 ns per limb on this machine (a typed-array loop
 * with carries), several times the transforms' share per limb at the sizes of issue 11; here they run at ~1 ns.
 */

import { addOrSubInPlace } from './natops';

const B: i32 = 10000;

// @ts-ignore: decorator
@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 1);
}

/**
 * z[0, k) −= m·s[0, n) (n <= k, 2 <= m < 2^26; m = 1 is natops.ts addOrSubInPlace's) in place: returns the borrow
 * out of the top (>= 0).
 */
function subScaledInto(z: usize, k: i32, s: usize, n: i32, m: i32): i64 {
  let b: i64 = 0;
  let i: i32 = 0;
  // v in (−m·B − b, B): floor(v / B) from the exact f64 quotient (|v| < 2^53; a correctly rounded quotient of
  // integers never lands on an integer it does not reach).
  for (; i < n; i++) {
    const v = <i64>load<u16>(at(z, i)) - <i64>m * <i64>load<u16>(at(s, i)) - b;
    const q = <i64>Math.floor(<f64>v / <f64>B);
    store<u16>(at(z, i), <u16>(v - q * B));
    b = -q;
  }
  for (; b != 0 && i < k; i++) {
    const v = <i64>load<u16>(at(z, i)) - b;
    const q = <i64>Math.floor(<f64>v / <f64>B);
    store<u16>(at(z, i), <u16>(v - q * B));
    b = -q;
  }
  return b;
}

/**
 * z = x − m·y − m·c0 modulo B^k − 1 (B = 10^4) as the signed integer of least magnitude in its class, for y of
 * ylen <= k limbs (any value below B^k: B^k − 1 ≡ 0 is folded like any other), any x (of xlen limbs: its k-limb
 * pieces are summed, B^k ≡ 1; or, when power >= 0, x = B^power with power < k, written here and never read),
 * 1 <= m < 2^26 and an integer c0 with |m·c0| < 2^52 (kernel/spectra.ts passes the carry a wrapped unpacking left
 * above its top limb, worth c0·B^k ≡ c0, so that y never has to be corrected first): z[0, k) receives the
 * magnitude. Returns 2·size + sign: sign 1 when the value is negative (its magnitude is B^k − 1 − z', limb by limb
 * 9999 − z'_i, no borrows), else 0; size the magnitude's limbs without its top zeros. B^k − 1 itself is 0.
 * x, y and z must not overlap.
 */
export function wrappedDifference(x: usize, xlen: i32, power: i32, y: usize, ylen: i32, m: i32, z: usize, k: i32, c0: f64): i32 {
  if (power >= 0) {
    memory.fill(z, 0, <usize>k << 1);
    store<u16>(at(z, power), 1);
    xlen = 0;
  } else {
    const first = xlen < k ? xlen : k;
    memory.copy(z, x, <usize>first << 1);
    if (first < k) memory.fill(at(z, first), 0, <usize>(k - first) << 1);
  }
  let c: i64 = -<i64>m * <i64>c0;
  // x's other pieces added, then m·y subtracted, each in place (natops.ts addOrSubInPlace: eight limbs at a time).
  for (let base = k; base < xlen; base += k) c += <i64>addOrSubInPlace(z, k, at(x, base), xlen - base < k ? xlen - base : k, 0);
  c -= m == 1 ? <i64>addOrSubInPlace(z, k, y, ylen, 1) : subScaledInto(z, k, y, ylen, m);
  // What left the top, c·B^k ≡ c, comes back at limb 0 until none is left: |c| < 2^52 + 2^27 shrinks by a factor
  // B^k at each round (|c| < 2^53: each floor(v / B) is exact, see subScaledInto), and the last round carries ±1.
  while (c != 0) {
    for (let i: i32 = 0; c != 0 && i < k; i++) {
      const v = <i64>load<u16>(at(z, i)) + c;
      const q = <i64>Math.floor(<f64>v / <f64>B);
      store<u16>(at(z, i), <u16>(v - q * B));
      c = q;
    }
  }
  let all = true;
  for (let i = k - 1; i >= 0 && all; i--) all = load<u16>(at(z, i)) == <u16>(B - 1);
  if (all) {
    memory.fill(z, 0, <usize>k << 1);
    return 0;
  }
  if (<i32>load<u16>(at(z, k - 1)) < B / 2) return significant(z, k) << 1;
  // 9999 − z_i, eight limbs at a time.
  const nines = i16x8.splat(<i16>(B - 1));
  let i: i32 = 0;
  for (; i + 8 <= k; i += 8) v128.store(at(z, i), i16x8.sub(nines, v128.load(at(z, i))));
  for (; i < k; i++) store<u16>(at(z, i), <u16>(B - 1 - <i32>load<u16>(at(z, i))));
  return (significant(z, k) << 1) | 1;
}

/** The limbs of z[0, k) without its top zeros (eight at a time while they are all zero). */
function significant(z: usize, k: i32): i32 {
  let n = k;
  while (n >= 8 && v128.any_true(v128.load(at(z, n - 8))) == 0) n -= 8;
  while (n > 0 && load<u16>(at(z, n - 1)) == 0) n--;
  return n;
}

/**
 * z[0, n) = 0 (kernel/spectra.ts's shifted minuends): one bulk fill, where a JS `fill` on a view of the shared
 * memory stores limb by limb (~1 ns a limb on Node 20 x64).
 */
export function zeroLimbs(z: usize, n: i32): void {
  memory.fill(z, 0, <usize>n << 1);
}
