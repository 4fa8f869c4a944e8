/**
 * The WebAssembly side of the kernel's small products (kernel/mul.ts, below the FFT threshold that planner.ts
 * sets): schoolbook and Karatsuba on base-10^4 limbs held as doubles, then one carry pass into u16 limbs. Compiled
 * into the same module as fft.ts (`npm run build`), on the same imported shared memory, with the same rules: byte
 * addresses come from TypeScript, no static data.
 *
 * Why compiled: the same loops in JS cost 3–4 ns per limb product (a 1234 × 3-limb product of pi's binary → decimal
 * joins took ~70 µs with its checks); here four rows run per f64x2 step, ~0.2 ns per limb product.
 *
 * Exactness: every limb product is < 10^8 and every sum is an integer below 2^53, so no double ever rounds.
 * Karatsuba's coefficients are not carried between levels: at depth t a limb is a sum of at most 2^t limbs
 * (< 2^t·10^4) and a block has at most ceil(L/2^t) limbs, so a column of the schoolbook leaf is below
 * L·2^t·10^8, and the differences z1 − z0 − z2 are exact integers of the same size. The caller keeps that
 * below 2^53 (kernel/mul.ts smallLimbs).
 */

// @ts-ignore: decorator
@inline function f(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

// @ts-ignore: decorator
@inline function addF(p: usize, i: i32, v: f64): void {
  const q = p + (<usize>i << 3);
  store<f64>(q, load<f64>(q) + v);
}

/**
 * out[i + j] += x[i]·y[j] for i < lx, j < ly (doubles; out not overlapping x or y). Four rows of x per pass over
 * y: column i + j gets x0·y[j] + x1·y[j−1] + x2·y[j−2] + x3·y[j−3] in one load and store, two columns per f64x2
 * step. x should be the shorter operand (the passes run along y).
 */
function schoolbookAcc(x: usize, lx: i32, y: usize, ly: i32, out: usize): void {
  let i = 0;
  for (; i + 4 <= lx; i += 4) {
    const x0 = f(x, i), x1 = f(x, i + 1), x2 = f(x, i + 2), x3 = f(x, i + 3);
    const o = out + (<usize>i << 3);
    // Columns j < 3 and j >= ly have fewer than four terms.
    for (let j = 0; j < min(3, ly + 3); j++) {
      let s = 0.0;
      if (j < ly) s += x0 * f(y, j);
      if (j >= 1 && j - 1 < ly) s += x1 * f(y, j - 1);
      if (j >= 2 && j - 2 < ly) s += x2 * f(y, j - 2);
      addF(o, j, s);
    }
    const v0 = f64x2.splat(x0), v1 = f64x2.splat(x1), v2 = f64x2.splat(x2), v3 = f64x2.splat(x3);
    let j = 3;
    for (; j + 2 <= ly; j += 2) {
      const yp = y + (<usize>j << 3);
      const s = f64x2.add(
        f64x2.add(f64x2.mul(v0, v128.load(yp)), f64x2.mul(v1, v128.load(yp - 8))),
        f64x2.add(f64x2.mul(v2, v128.load(yp - 16)), f64x2.mul(v3, v128.load(yp - 24))),
      );
      const op = o + (<usize>j << 3);
      v128.store(op, f64x2.add(v128.load(op), s));
    }
    for (j = max(j, 3); j < ly + 3; j++) {
      let s = 0.0;
      if (j < ly) s += x0 * f(y, j);
      if (j - 1 < ly) s += x1 * f(y, j - 1);
      if (j - 2 < ly) s += x2 * f(y, j - 2);
      s += x3 * f(y, j - 3);
      addF(o, j, s);
    }
  }
  for (; i < lx; i++) {
    const v = f(x, i);
    const o = out + (<usize>i << 3);
    for (let j = 0; j < ly; j++) addF(o, j, v * f(y, j));
  }
}

/**
 * out[0 ..) += a·b (doubles, la and lb limbs, coefficients uncarried), Karatsuba above `kt` limbs:
 * a·b = z2·B^2m + (z1 − z0 − z2)·B^m + z0, z1 = (a0 + a1)(b0 + b1); unbalanced operands are cut into pieces of the
 * shorter length. `scratch` holds 24·min(la, lb) + 64 doubles: a split level takes 6m + la1 + lb1 <= 8m with
 * m = ceil(la/2) < lb (so 8m < 8·lb + 8) and passes the rest to children whose shorter operand is m < lb, a
 * geometric sum below 3·8·(lb + 1); unbalanced operands recurse on pieces no longer than the shorter one.
 */
function karatsubaAcc(a: usize, la: i32, b: usize, lb: i32, out: usize, scratch: usize, kt: i32): void {
  if (la < lb) {
    karatsubaAcc(b, lb, a, la, out, scratch, kt);
    return;
  }
  if (lb < kt) {
    schoolbookAcc(b, lb, a, la, out);
    return;
  }
  if (2 * lb <= la) {
    for (let off = 0; off < la; off += lb) {
      karatsubaAcc(a + (<usize>off << 3), min(lb, la - off), b, lb, out + (<usize>off << 3), scratch, kt);
    }
    return;
  }
  const m = (la + 1) >> 1;
  if (lb <= m) {
    karatsubaAcc(a, m, b, lb, out, scratch, kt);
    karatsubaAcc(a + (<usize>m << 3), la - m, b, lb, out + (<usize>m << 3), scratch, kt);
    return;
  }
  const la1 = la - m, lb1 = lb - m;
  const z0 = scratch, z2 = z0 + (<usize>(2 * m) << 3), z1 = z2 + (<usize>(la1 + lb1) << 3);
  const sa = z1 + (<usize>(2 * m) << 3), sb = sa + (<usize>m << 3), rest = sb + (<usize>m << 3);
  memory.fill(z0, 0, <usize>(4 * m + la1 + lb1) << 3);
  karatsubaAcc(a, m, b, m, z0, rest, kt);
  karatsubaAcc(a + (<usize>m << 3), la1, b + (<usize>m << 3), lb1, z2, rest, kt);
  for (let i = 0; i < m; i++) store<f64>(sa + (<usize>i << 3), f(a, i) + (i < la1 ? f(a, m + i) : 0.0));
  for (let i = 0; i < m; i++) store<f64>(sb + (<usize>i << 3), f(b, i) + (i < lb1 ? f(b, m + i) : 0.0));
  karatsubaAcc(sa, m, sb, m, z1, rest, kt);
  for (let i = 0; i < 2 * m; i++) {
    addF(out, i, f(z0, i));
    addF(out, m + i, f(z1, i) - f(z0, i));
  }
  for (let i = 0; i < la1 + lb1; i++) {
    addF(out, 2 * m + i, f(z2, i));
    addF(out, m + i, -f(z2, i));
  }
}

/**
 * The product of the u16 limbs x (lx) and y (ly), both >= 1 limb, into out (lx + ly u16 limbs): Karatsuba from
 * kt limbs (a kt above the shorter length: schoolbook), then carries. `work`: 2·(lx + ly) doubles, plus
 * Karatsuba's scratch (24·min(lx, ly) + 64 doubles) when it runs.
 * Returns 0, or −1 if a carry is left above the top limb (an internal fault, never expected).
 */
export function mulSmall(x: usize, lx: i32, y: usize, ly: i32, out: usize, work: usize, kt: i32): i32 {
  const n = lx + ly;
  const xf = work, yf = xf + (<usize>lx << 3), acc = yf + (<usize>ly << 3), scratch = acc + (<usize>n << 3);
  for (let i = 0; i < lx; i++) store<f64>(xf + (<usize>i << 3), <f64>load<u16>(x + (<usize>i << 1)));
  for (let i = 0; i < ly; i++) store<f64>(yf + (<usize>i << 3), <f64>load<u16>(y + (<usize>i << 1)));
  memory.fill(acc, 0, <usize>n << 3);
  karatsubaAcc(xf, lx, yf, ly, acc, scratch, kt);
  let carry: i64 = 0;
  for (let i = 0; i < n; i++) {
    const v = <i64>f(acc, i) + carry;
    carry = v / 10000;
    store<u16>(out + (<usize>i << 1), <u16>(v - carry * 10000));
  }
  return carry == 0 ? 0 : -1;
}
