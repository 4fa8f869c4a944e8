/**
 * The WebAssembly SIMD side of the FFT kernel (AssemblyScript; compiled by `npm run build` with asconfig.json into
 * dist/src/kernel/wasm/fft.wasm). See src/kernel/fftcore.ts for the algorithm, the orderings and the error bound:
 * this file is the exact counterpart of what fftcore.ts describes, nothing is decided here.
 *
 * Memory. The module imports one shared memory; TypeScript (kernel/wasmheap.ts) owns every byte of it and passes
 * byte addresses. No static data, no allocator, no strings: each thread instantiates this module on the same
 * memory, and instantiation must write nothing into it.
 *
 * Layout. A complex vector is interleaved (re, im) doubles: one v128 = one complex point, f64x2 lanes (re, im).
 * A packed real sequence x_q (balanced digits) is therefore just the doubles x_0, x_1, x_2, … in order.
 *
 * Twiddles. Radix-4, radix-3 and radix-5 stages of size n read the half-period cosine table H_n (n/2 + 1 doubles,
 * H_n[t] = cos(2πt/n), computed here by `trig`, `cosTable` and `scaledCopy` at fftcore.ts's request), located through the table directory `dir`
 * (dir + 4·log2(n) holds the address of H_n). cos(2πt/n) = H[min(t, n − t)], sin(2πt/n) = H[|t − n/4|]. The
 * radix-3 and radix-5 stages' H_M (the largest table) is kept as a quarter period, M/4 + 1 doubles, and read
 * through `cosQ`.
 * In-cache leaf stages (n <= LEAF) read the same values laid out as ready vectors (dir + 128 + 4·log2(n): the
 * vector table of n, see dif4V), which saves the index arithmetic and the splats in the innermost loops.
 *
 * Bit-for-bit rules that keep fftcore's error analysis valid: every complex product is computed as
 * (xr·c − xi·s', xr·s' + xi·c) with one rounding per product and per sum (wasm has no fused multiply-add), and
 * the butterflies are those of fftcore's header.
 */

// ------------------------------------------------------------------ helpers

/** (+1, −1): multiplying by it is exact (it flips the sign of the high lane). */
// @ts-ignore: decorator
@inline function pm(): v128 {
  return f64x2(1.0, -1.0);
}

// @ts-ignore: decorator
@inline function swap(x: v128): v128 {
  return v128.shuffle<f64>(x, x, 1, 0);
}

/** x·w for a twiddle w = c + i·s' held as the vectors cc = (c, c) and ss = (−s', s'): (xr·c − xi·s', xi·c + xr·s'). */
// @ts-ignore: decorator
@inline function cmul(x: v128, cc: v128, ss: v128): v128 {
  return f64x2.add(f64x2.mul(x, cc), f64x2.mul(swap(x), ss));
}

/** x·conj(w) for the same vectors. */
// @ts-ignore: decorator
@inline function cmulConj(x: v128, cc: v128, ss: v128): v128 {
  return f64x2.sub(f64x2.mul(x, cc), f64x2.mul(swap(x), ss));
}

/** x·(c − i·s): a forward twiddle e^{−iθ} with c = cos θ, s = sin θ. */
// @ts-ignore: decorator
@inline function cmulF(x: v128, c: f64, s: f64): v128 {
  return cmul(x, f64x2.splat(c), f64x2.mul(f64x2.splat(s), pm()));
}

/** x·(c + i·s): the conjugate (inverse) twiddle. */
// @ts-ignore: decorator
@inline function cmulB(x: v128, c: f64, s: f64): v128 {
  return cmulConj(x, f64x2.splat(c), f64x2.mul(f64x2.splat(s), pm()));
}

// @ts-ignore: decorator
@inline function tab(H: usize, t: i32): f64 {
  return load<f64>(H + (<usize>t << 3));
}

// @ts-ignore: decorator
@inline function dirH(dir: usize, n: i32): usize {
  return <usize>load<u32>(dir + (<usize>ctz(n) << 2));
}

// @ts-ignore: decorator
@inline function iabs(x: i32): i32 {
  return x < 0 ? -x : x;
}

/** Complex points of the in-cache leaf (256 KiB: fits the L2 cache; measured faster than 1024, 4096 or 65536). */
const LEAF: i32 = 16384;
const H3: f64 = 0.8660254037844386; // √3/2 rounded (fl(√3/2)); fftcore's radix-3 analysis charges its rounding

// ------------------------------------------------------------------ radix-4 stages

/**
 * One DIF radix-4 butterfly on a, b, c, d at p0 + {0,1,2,3}·qb: X0 = (a+c)+(b+d), X1 = ((a+c)−(b+d))·w1,
 * X2 = ((a−c)−i(b−d))·w2, X3 = ((a−c)+i(b−d))·w3 (each twiddle as cmul's two vectors). Two radix-2 levels with the
 * twiddles merged; ·(−i) is a lane swap and a sign flip, exact.
 */
// @ts-ignore: decorator
@inline function difButterfly(p0: usize, qb: usize, c1: v128, s1: v128, c2: v128, s2: v128, c3: v128, s3: v128): void {
  const p1 = p0 + qb, p2 = p1 + qb, p3 = p2 + qb;
  const a = v128.load(p0), b = v128.load(p1), c = v128.load(p2), d = v128.load(p3);
  const s0 = f64x2.add(a, c), d0 = f64x2.sub(a, c), sb = f64x2.add(b, d), d1 = f64x2.sub(b, d);
  v128.store(p0, f64x2.add(s0, sb));
  v128.store(p1, cmul(f64x2.sub(s0, sb), c1, s1));
  const t = f64x2.mul(swap(d1), pm()); // −i·(b−d) = (d1i, −d1r)
  v128.store(p2, cmul(f64x2.add(d0, t), c2, s2));
  v128.store(p3, cmul(f64x2.sub(d0, t), c3, s3));
}

/** The inverse of difButterfly up to the factor 4 (conjugate twiddles, DIT direction). */
// @ts-ignore: decorator
@inline function ditButterfly(p0: usize, qb: usize, c1: v128, s1: v128, c2: v128, s2: v128, c3: v128, s3: v128): void {
  const p1 = p0 + qb, p2 = p1 + qb, p3 = p2 + qb;
  const u1 = cmulConj(v128.load(p1), c1, s1);
  const u2 = cmulConj(v128.load(p2), c2, s2);
  const u3 = cmulConj(v128.load(p3), c3, s3);
  const y0 = v128.load(p0);
  const A = f64x2.add(y0, u1), B = f64x2.sub(y0, u1), S = f64x2.add(u2, u3), D = f64x2.sub(u2, u3);
  v128.store(p0, f64x2.add(A, S));
  v128.store(p2, f64x2.sub(A, S));
  const t = f64x2.mul(swap(D), pm()); // (Di, −Dr) = −i·D
  v128.store(p1, f64x2.sub(B, t)); // B + i·D
  v128.store(p3, f64x2.add(B, t)); // B − i·D
}

/** (c, c) and (s, −s) of the twiddle e^{−2πit/n} read from H_n (t < 3n/4): cmul's vectors for a forward twiddle. */
// @ts-ignore: decorator
@inline function twc(H: usize, n: i32, t: i32): v128 {
  return f64x2.splat(tab(H, min(t, n - t)));
}

// @ts-ignore: decorator
@inline function tws(H: usize, n: i32, t: i32): v128 {
  return f64x2.mul(f64x2.splat(tab(H, iabs(t - (n >> 2)))), pm());
}

/**
 * DIF radix-4 stage on block `base` of n points, butterflies j in [j0, j1) (a, b, c, d = x[j + {0,1,2,3}·n/4]):
 * difButterfly with w1 = w^2j, w2 = w^j, w3 = w^3j, w = e^{−2πi/n}.
 */
export function dif4(base: usize, n: i32, H: usize, j0: i32, j1: i32): void {
  const qb = <usize>(n >> 2) << 4;
  for (let j = j0; j < j1; j++) {
    difButterfly(base + (<usize>j << 4), qb, twc(H, n, 2 * j), tws(H, n, 2 * j), twc(H, n, j), tws(H, n, j), twc(H, n, 3 * j), tws(H, n, 3 * j));
  }
}

/** Inverse of dif4 up to the factor 4 (conjugate twiddles, DIT direction). */
export function dit4(base: usize, n: i32, H: usize, j0: i32, j1: i32): void {
  const qb = <usize>(n >> 2) << 4;
  for (let j = j0; j < j1; j++) {
    ditButterfly(base + (<usize>j << 4), qb, twc(H, n, 2 * j), tws(H, n, 2 * j), twc(H, n, j), tws(H, n, j), twc(H, n, 3 * j), tws(H, n, 3 * j));
  }
}

/** Twiddle-free radix-4 butterflies on consecutive groups of 4 points. */
function dif4Small(off: usize, n: i32): void {
  const end = off + (<usize>n << 4);
  for (let p0 = off; p0 < end; p0 += 64) {
    const a = v128.load(p0), b = v128.load(p0, 16), c = v128.load(p0, 32), d = v128.load(p0, 48);
    const s0 = f64x2.add(a, c), d0 = f64x2.sub(a, c), s1 = f64x2.add(b, d), d1 = f64x2.sub(b, d);
    const t = f64x2.mul(swap(d1), pm());
    v128.store(p0, f64x2.add(s0, s1));
    v128.store(p0, f64x2.sub(s0, s1), 16);
    v128.store(p0, f64x2.add(d0, t), 32);
    v128.store(p0, f64x2.sub(d0, t), 48);
  }
}

function dit4Small(off: usize, n: i32): void {
  const end = off + (<usize>n << 4);
  for (let p0 = off; p0 < end; p0 += 64) {
    const y0 = v128.load(p0), u1 = v128.load(p0, 16), u2 = v128.load(p0, 32), u3 = v128.load(p0, 48);
    const A = f64x2.add(y0, u1), B = f64x2.sub(y0, u1), S = f64x2.add(u2, u3), D = f64x2.sub(u2, u3);
    const t = f64x2.mul(swap(D), pm());
    v128.store(p0, f64x2.add(A, S));
    v128.store(p0, f64x2.sub(A, S), 32);
    v128.store(p0, f64x2.sub(B, t), 16);
    v128.store(p0, f64x2.add(B, t), 48);
  }
}

function radix2Pairs(off: usize, n: i32): void {
  const end = off + (<usize>n << 4);
  for (let p = off; p < end; p += 32) {
    const u = v128.load(p), v = v128.load(p, 16);
    v128.store(p, f64x2.add(u, v));
    v128.store(p, f64x2.sub(u, v), 16);
  }
}

// @ts-ignore: decorator
@inline function dirV(dir: usize, n: i32): usize {
  return <usize>load<u32>(dir + 128 + (<usize>ctz(n) << 2));
}

/**
 * dif4 with the twiddles of size n read from its vector table V (leaf sizes only): per butterfly j, 96 bytes at
 * V + 96j hold w^2j, w^j, w^3j as (c, c), (s, −s) pairs, the values of H_n. Same results bit for bit as dif4.
 */
function dif4V(base: usize, n: i32, V: usize): void {
  const q = n >> 2;
  const qb = <usize>q << 4;
  for (let j = 0; j < q; j++) {
    const w = V + <usize>j * 96;
    difButterfly(base + (<usize>j << 4), qb, v128.load(w), v128.load(w, 16), v128.load(w, 32), v128.load(w, 48), v128.load(w, 64), v128.load(w, 80));
  }
}

function dit4V(base: usize, n: i32, V: usize): void {
  const q = n >> 2;
  const qb = <usize>q << 4;
  for (let j = 0; j < q; j++) {
    const w = V + <usize>j * 96;
    ditButterfly(base + (<usize>j << 4), qb, v128.load(w), v128.load(w, 16), v128.load(w, 32), v128.load(w, 48), v128.load(w, 64), v128.load(w, 80));
  }
}

/** In-cache DIF of n <= LEAF points (a power of two): radix-4 stages, a final radix-2 one if log2 n is odd. */
function difLeaf(off: usize, n: i32, dir: usize): void {
  let s = n;
  const end = off + (<usize>n << 4);
  for (; s >= 8; s >>= 2) {
    const V = dirV(dir, s);
    const sb = <usize>s << 4;
    for (let b = off; b < end; b += sb) dif4V(b, s, V);
  }
  if (s == 4) dif4Small(off, n);
  else if (s == 2) radix2Pairs(off, n);
}

function ditLeaf(off: usize, n: i32, dir: usize): void {
  let s: i32;
  if ((ctz(n) & 1) == 1) {
    radix2Pairs(off, n);
    s = 8;
  } else {
    if (n >= 4) dit4Small(off, n);
    s = 16;
  }
  const end = off + (<usize>n << 4);
  for (; s <= n; s <<= 2) {
    const V = dirV(dir, s);
    const sb = <usize>s << 4;
    for (let b = off; b < end; b += sb) dit4V(b, s, V);
  }
}

/** DIF of the power-of-two block at off (n points): radix-4 stages depth-first until blocks fit the leaf. */
export function difPow2(off: usize, n: i32, dir: usize): void {
  if (n <= LEAF) {
    difLeaf(off, n, dir);
    return;
  }
  const q = n >> 2;
  dif4(off, n, dirH(dir, n), 0, q);
  const qb = <usize>q << 4;
  for (let k: usize = 0; k < 4; k++) difPow2(off + k * qb, q, dir);
}

export function ditPow2(off: usize, n: i32, dir: usize): void {
  if (n <= LEAF) {
    ditLeaf(off, n, dir);
    return;
  }
  const q = n >> 2;
  const qb = <usize>q << 4;
  for (let k: usize = 0; k < 4; k++) ditPow2(off + k * qb, q, dir);
  dit4(off, n, dirH(dir, n), 0, q);
}

/** Blocks k0 <= k < k1 of n points each, from base (a thread's share of independent sub-blocks). */
export function difBlocks(base: usize, n: i32, k0: i32, k1: i32, dir: usize): void {
  for (let k = k0; k < k1; k++) difPow2(base + ((<usize>k * <usize>n) << 4), n, dir);
}

export function ditBlocks(base: usize, n: i32, k0: i32, k1: i32, dir: usize): void {
  for (let k = k0; k < k1; k++) ditPow2(base + ((<usize>k * <usize>n) << 4), n, dir);
}

/** The radix-4 stage over n points for butterflies [j0, j1), H_n from the directory. */
export function dif4Stage(base: usize, n: i32, j0: i32, j1: i32, dir: usize): void {
  dif4(base, n, dirH(dir, n), j0, j1);
}

export function dit4Stage(base: usize, n: i32, j0: i32, j1: i32, dir: usize): void {
  dit4(base, n, dirH(dir, n), j0, j1);
}

// ------------------------------------------------------------------ radix 3

/**
 * H_M[t] = cos(2πt/M) for 0 <= t <= M/2, from the quarter-period table of a mixed length M (H_M[0 .. M/4], fftcore.ts
 * halfTable): H_M[t] = −H_M[M/2 − t] for t > M/4. Bit for bit the value the half-period table held there (its upper
 * half was built as exactly that negation); the index is clamped first, so only the table is ever read.
 */
// @ts-ignore: decorator
@inline function cosQ(HM: usize, M: i32, t: i32): f64 {
  const q = M >> 2;
  const upper = t > q;
  const v = tab(HM, upper ? (M >> 1) - t : t);
  return select<f64>(-v, v, upper);
}

/**
 * DIF radix-3 stage for M = 3P, butterflies [j0, j1): a, b, c = x[j + {0,1,2}·P], Y0 = a+b+c,
 * Y1 = (a − (b+c)/2 − i(√3/2)(b−c))·w^j, Y2 = (a − (b+c)/2 + i(√3/2)(b−c))·w^2j, w = e^{−2πi/M}.
 * Points from `filled` on are zero and never read (the memory may hold anything there).
 */
function dif3(base: usize, P: i32, HM: usize, j0: i32, j1: i32, filled: i32): void {
  const M = 3 * P, q = M >> 2;
  const Pb = <usize>P << 4;
  const zero = f64x2.splat(0.0);
  const h3 = f64x2.mul(f64x2.splat(H3), pm()); // (H3, −H3)
  for (let j = j0; j < j1; j++) {
    const p0 = base + (<usize>j << 4), p1 = p0 + Pb, p2 = p1 + Pb;
    const a = j < filled ? v128.load(p0) : zero;
    const b = j + P < filled ? v128.load(p1) : zero;
    const c = j + 2 * P < filled ? v128.load(p2) : zero;
    const s = f64x2.add(b, c), d = f64x2.sub(b, c);
    v128.store(p0, f64x2.add(a, s));
    const m = f64x2.sub(a, f64x2.mul(f64x2.splat(0.5), s));
    const e = f64x2.mul(swap(d), h3); // −i·(√3/2)·d = (H3·di, −H3·dr)
    const j2 = 2 * j;
    v128.store(p1, cmulF(f64x2.add(m, e), cosQ(HM, M, j), cosQ(HM, M, iabs(j - q))));
    v128.store(p2, cmulF(f64x2.sub(m, e), cosQ(HM, M, min(j2, M - j2)), cosQ(HM, M, iabs(j2 - q))));
  }
}

/** Inverse of dif3 up to the factor 3. */
function dit3(base: usize, P: i32, HM: usize, j0: i32, j1: i32): void {
  const M = 3 * P, q = M >> 2;
  const Pb = <usize>P << 4;
  const h3 = f64x2.mul(f64x2.splat(H3), pm());
  for (let j = j0; j < j1; j++) {
    const p0 = base + (<usize>j << 4), p1 = p0 + Pb, p2 = p1 + Pb;
    const j2 = 2 * j;
    const u = cmulB(v128.load(p1), cosQ(HM, M, j), cosQ(HM, M, iabs(j - q)));
    const v = cmulB(v128.load(p2), cosQ(HM, M, min(j2, M - j2)), cosQ(HM, M, iabs(j2 - q)));
    const a = v128.load(p0);
    const s = f64x2.add(u, v), d = f64x2.sub(u, v);
    v128.store(p0, f64x2.add(a, s));
    const m = f64x2.sub(a, f64x2.mul(f64x2.splat(0.5), s));
    const e = f64x2.mul(swap(d), h3); // (H3·di, −H3·dr) = −i·(√3/2)·d
    v128.store(p1, f64x2.sub(m, e)); // m + i·(√3/2)·d
    v128.store(p2, f64x2.add(m, e));
  }
}

/**
 * The radix-3 stage over butterflies [j0, j1) (a thread's share). Not fused with the next radix-4 stage: a chunk of
 * both touches 12 rows a power of two apart, which conflict in the caches; measured, the fused pass was slower.
 */
export function dif3Stage(base: usize, P: i32, j0: i32, j1: i32, filled: i32, HM: usize): void {
  dif3(base, P, HM, j0, j1, filled);
}

export function dit3Stage(base: usize, P: i32, j0: i32, j1: i32, HM: usize): void {
  dit3(base, P, HM, j0, j1);
}

// ------------------------------------------------------------------ radix 5

// cos and sin of 2π/5 and 4π/5, correctly rounded (within ε relative; fftcore's radix-5 analysis charges it).
const C51: f64 = 0.30901699437494742410229341718282; // (√5 − 1)/4
const C52: f64 = -0.80901699437494742410229341718282; // −(√5 + 1)/4
const S51: f64 = 0.95105651629515357211643933337938; // √(10 + 2√5)/4
const S52: f64 = 0.58778525229247312916870595463907; // √(10 − 2√5)/4

/** cos(2πt/M) and sin(2πt/M) for 0 <= t < M from H_M (cos(2πt/M) = H[min(t, M − t)], sin = cos of t − M/4). */
// @ts-ignore: decorator
@inline function cosM(HM: usize, M: i32, t: i32): f64 {
  return cosQ(HM, M, min(t, M - t));
}

// @ts-ignore: decorator
@inline function sinM(HM: usize, M: i32, t: i32): f64 {
  const s = iabs(t - (M >> 2));
  return cosQ(HM, M, min(s, M - s));
}

/**
 * DIF radix-5 stage for M = 5P, butterflies [j0, j1): x_m = x[j + m·P] (m < 5), s1 = x1 + x4, d1 = x1 − x4,
 * s2 = x2 + x3, d2 = x2 − x3, Y0 = (x0 + s1) + s2, m1 = (x0 + C51·s1) + C52·s2, m2 = (x0 + C52·s1) + C51·s2,
 * e1 = −i·(S51·d1 + S52·d2), e2 = −i·(S52·d1 − S51·d2); Y1 = m1 + e1, Y4 = m1 − e1, Y2 = m2 + e2, Y3 = m2 − e2,
 * each Y_k (k >= 1) then times w^{kj}, w = e^{−2πi/M}. Points from `filled` on are zero and never read.
 */
function dif5(base: usize, P: i32, HM: usize, j0: i32, j1: i32, filled: i32): void {
  const M = 5 * P;
  const Pb = <usize>P << 4;
  const zero = f64x2.splat(0.0);
  const c1 = f64x2.splat(C51), c2 = f64x2.splat(C52);
  const s1v = f64x2.mul(f64x2.splat(S51), pm()), s2v = f64x2.mul(f64x2.splat(S52), pm()); // (S, −S)
  for (let j = j0; j < j1; j++) {
    const p0 = base + (<usize>j << 4), p1 = p0 + Pb, p2 = p1 + Pb, p3 = p2 + Pb, p4 = p3 + Pb;
    const a = j < filled ? v128.load(p0) : zero;
    const b = j + P < filled ? v128.load(p1) : zero;
    const c = j + 2 * P < filled ? v128.load(p2) : zero;
    const d = j + 3 * P < filled ? v128.load(p3) : zero;
    const e = j + 4 * P < filled ? v128.load(p4) : zero;
    const s1 = f64x2.add(b, e), d1 = f64x2.sub(b, e), s2 = f64x2.add(c, d), d2 = f64x2.sub(c, d);
    v128.store(p0, f64x2.add(f64x2.add(a, s1), s2));
    const m1 = f64x2.add(f64x2.add(a, f64x2.mul(c1, s1)), f64x2.mul(c2, s2));
    const m2 = f64x2.add(f64x2.add(a, f64x2.mul(c2, s1)), f64x2.mul(c1, s2));
    const sd1 = swap(d1), sd2 = swap(d2); // −i·S·d = (S·di, −S·dr) = swap(d)·(S, −S)
    const e1 = f64x2.add(f64x2.mul(sd1, s1v), f64x2.mul(sd2, s2v));
    const e2 = f64x2.sub(f64x2.mul(sd1, s2v), f64x2.mul(sd2, s1v));
    const j2 = 2 * j, j3 = 3 * j, j4 = 4 * j;
    v128.store(p1, cmulF(f64x2.add(m1, e1), cosM(HM, M, j), sinM(HM, M, j)));
    v128.store(p2, cmulF(f64x2.add(m2, e2), cosM(HM, M, j2), sinM(HM, M, j2)));
    v128.store(p3, cmulF(f64x2.sub(m2, e2), cosM(HM, M, j3), sinM(HM, M, j3)));
    v128.store(p4, cmulF(f64x2.sub(m1, e1), cosM(HM, M, j4), sinM(HM, M, j4)));
  }
}

/** Inverse of dif5 up to the factor 5: conjugate twiddles first, then the butterfly with conjugate roots. */
function dit5(base: usize, P: i32, HM: usize, j0: i32, j1: i32): void {
  const M = 5 * P;
  const Pb = <usize>P << 4;
  const c1 = f64x2.splat(C51), c2 = f64x2.splat(C52);
  const s1v = f64x2.mul(f64x2.splat(S51), pm()), s2v = f64x2.mul(f64x2.splat(S52), pm());
  for (let j = j0; j < j1; j++) {
    const p0 = base + (<usize>j << 4), p1 = p0 + Pb, p2 = p1 + Pb, p3 = p2 + Pb, p4 = p3 + Pb;
    const j2 = 2 * j, j3 = 3 * j, j4 = 4 * j;
    const b = cmulB(v128.load(p1), cosM(HM, M, j), sinM(HM, M, j));
    const c = cmulB(v128.load(p2), cosM(HM, M, j2), sinM(HM, M, j2));
    const d = cmulB(v128.load(p3), cosM(HM, M, j3), sinM(HM, M, j3));
    const e = cmulB(v128.load(p4), cosM(HM, M, j4), sinM(HM, M, j4));
    const a = v128.load(p0);
    const s1 = f64x2.add(b, e), d1 = f64x2.sub(b, e), s2 = f64x2.add(c, d), d2 = f64x2.sub(c, d);
    v128.store(p0, f64x2.add(f64x2.add(a, s1), s2));
    const m1 = f64x2.add(f64x2.add(a, f64x2.mul(c1, s1)), f64x2.mul(c2, s2));
    const m2 = f64x2.add(f64x2.add(a, f64x2.mul(c2, s1)), f64x2.mul(c1, s2));
    const sd1 = swap(d1), sd2 = swap(d2);
    const e1 = f64x2.add(f64x2.mul(sd1, s1v), f64x2.mul(sd2, s2v)); // −i·(S51·d1 + S52·d2)
    const e2 = f64x2.sub(f64x2.mul(sd1, s2v), f64x2.mul(sd2, s1v)); // −i·(S52·d1 − S51·d2)
    v128.store(p1, f64x2.sub(m1, e1)); // conjugate roots: +i where dif5 has −i
    v128.store(p4, f64x2.add(m1, e1));
    v128.store(p2, f64x2.sub(m2, e2));
    v128.store(p3, f64x2.add(m2, e2));
  }
}

/** The radix-5 stage over butterflies [j0, j1) (a thread's share), like dif3Stage. */
export function dif5Stage(base: usize, P: i32, j0: i32, j1: i32, filled: i32, HM: usize): void {
  dif5(base, P, HM, j0, j1, filled);
}

export function dit5Stage(base: usize, P: i32, j0: i32, j1: i32, HM: usize): void {
  dit5(base, P, HM, j0, j1);
}

/** Whole forward transform of M points on one thread (natural order in, block/bit-reversed out). */
export function forward(base: usize, M: i32, filled: i32, HM: usize, dir: usize): void {
  if (M % 5 == 0) {
    const P = M / 5;
    dif5(base, P, HM, 0, P, filled);
    difBlocks(base, P, 0, 5, dir);
    return;
  }
  if (M % 3 != 0) {
    if (filled < M) memory.fill(base + (<usize>filled << 4), 0, <usize>(M - filled) << 4);
    difPow2(base, M, dir);
    return;
  }
  const P = M / 3;
  dif3(base, P, HM, 0, P, filled);
  difBlocks(base, P, 0, 3, dir);
}

/** Whole inverse transform (unscaled: M times the inverse DFT). */
export function inverse(base: usize, M: i32, HM: usize, dir: usize): void {
  if (M % 5 == 0) {
    const P = M / 5;
    ditBlocks(base, P, 0, 5, dir);
    dit5(base, P, HM, 0, P);
    return;
  }
  if (M % 3 != 0) {
    ditPow2(base, M, dir);
    return;
  }
  const P = M / 3;
  ditBlocks(base, P, 0, 3, dir);
  dit3(base, P, HM, 0, P);
}

// ------------------------------------------------------------------ pointwise step

/** (−1, +1): multiplying by it is exact. */
// @ts-ignore: decorator
@inline function np(): v128 {
  return f64x2(-1.0, 1.0);
}

/** a·b of two complex vectors: (ar·br − ai·bi, ai·br + ar·bi). */
// @ts-ignore: decorator
@inline function cmulVec(a: v128, b: v128): v128 {
  return cmul(a, v128.shuffle<f64>(b, b, 0, 0), f64x2.mul(v128.shuffle<f64>(b, b, 1, 1), np()));
}

/** E = (X + conj X')/2 of a pair, X at one point, X' (Xm) at its partner. */
// @ts-ignore: decorator
@inline function evenPart(X: v128, Xm: v128): v128 {
  return f64x2.mul(f64x2.splat(0.5), f64x2.add(X, f64x2.mul(Xm, pm())));
}

/** w·O, O = (X − conj X')/(2i) = (0.5·(xi + mi), −0.5·(xr − mr)), w given as cmul's vectors. */
// @ts-ignore: decorator
@inline function oddPart(X: v128, Xm: v128, cc: v128, ss: v128): v128 {
  return cmul(f64x2.mul(swap(f64x2.sub(X, f64x2.mul(Xm, pm()))), f64x2(0.5, -0.5)), cc, ss);
}

/**
 * Re-tangling of a product pair: C1, C2 (untangled values Ĉ(k), Ĉ(k + M)) become the packed spectrum at p, p2:
 * with S = C1 + C2 and DC = (C1 − C2)·conj(w), out[p] = (S + i·DC)/2 = (sr − dci, si + dcr)/2 and
 * out[p2] = (conj(S) + conj(i·DC)·(−1))/2 = (sr + dci, dcr − si)/2.
 */
// @ts-ignore: decorator
@inline function retangleStore(out: usize, pb: usize, p2b: usize, C1: v128, C2: v128, cc: v128, ss: v128): void {
  const S = f64x2.add(C1, C2);
  const U = swap(cmulConj(f64x2.sub(C1, C2), cc, ss)); // (dci, dcr)
  v128.store(out + pb, f64x2.mul(f64x2.splat(0.5), f64x2.sub(S, f64x2.mul(U, pm()))));
  v128.store(out + p2b, f64x2.mul(f64x2.splat(0.5), f64x2.add(f64x2.mul(S, pm()), U)));
}

/**
 * The packed product's twiddle t = (1 + w^2k)/4 as cmul's vectors (cc, ss), w^2k = e^{−2πi·2k/2n} read from the
 * two-level table of order 2n (lo, hi) at index 2k < 2n: fl(1 + re) rounds once, the imaginary lane and the
 * scaling by 1/4 are exact.
 */
// @ts-ignore: decorator
@inline function halfTwiddle(lo: usize, hi: usize, k: i32): v128 {
  const k2 = k << 1;
  const W = cmulVec(v128.load(lo + (<usize>(k2 & 1023) << 4)), v128.load(hi + (<usize>(k2 >> 10) << 4)));
  return f64x2.mul(f64x2.add(W, f64x2(1.0, 0.0)), f64x2.splat(0.25));
}

/**
 * One pair: out ← retangle(Σ untangle(A_t)·untangle(B_t)) at complex points p, p2 (indices), computed directly
 * on the packed spectra (fftcore's pointwiseAt has the identity and mixedBound its error): with D = X − conj X',
 * out[p] = Σ X_A·X_B − t·Σ D_A·D_B and out[p2] = Σ X'_A·X'_B − conj(t·Σ D_A·D_B), t = (1 + w^2k)/4.
 * A2 = 0: one product; B = A: a square.
 */
// @ts-ignore: decorator
@inline function pairStep(out: usize, A1: usize, B1: usize, A2: usize, B2: usize, p: i32, p2: i32, lo: usize, hi: usize, k: i32): void {
  const t = halfTwiddle(lo, hi, k);
  const pb = <usize>p << 4, p2b = <usize>p2 << 4;
  const X = v128.load(A1 + pb), Xm = v128.load(A1 + p2b);
  const D = f64x2.sub(X, f64x2.mul(Xm, pm()));
  let P1: v128, P2: v128, Q: v128;
  if (B1 != A1) {
    const Y = v128.load(B1 + pb), Ym = v128.load(B1 + p2b);
    P1 = cmulVec(X, Y);
    P2 = cmulVec(Xm, Ym);
    Q = cmulVec(D, f64x2.sub(Y, f64x2.mul(Ym, pm())));
  } else {
    P1 = cmulVec(X, X);
    P2 = cmulVec(Xm, Xm);
    Q = cmulVec(D, D);
  }
  if (A2 != 0) {
    const X2 = v128.load(A2 + pb), Xm2 = v128.load(A2 + p2b);
    const D2 = f64x2.sub(X2, f64x2.mul(Xm2, pm()));
    if (B2 != A2) {
      const Y2 = v128.load(B2 + pb), Ym2 = v128.load(B2 + p2b);
      P1 = f64x2.add(P1, cmulVec(X2, Y2));
      P2 = f64x2.add(P2, cmulVec(Xm2, Ym2));
      Q = f64x2.add(Q, cmulVec(D2, f64x2.sub(Y2, f64x2.mul(Ym2, pm()))));
    } else {
      P1 = f64x2.add(P1, cmulVec(X2, X2));
      P2 = f64x2.add(P2, cmulVec(Xm2, Xm2));
      Q = f64x2.add(Q, cmulVec(D2, D2));
    }
  }
  const R = cmulVec(Q, t);
  v128.store(out + pb, f64x2.sub(P1, R));
  if (p2 != p) v128.store(out + p2b, f64x2.sub(P2, f64x2.mul(R, pm())));
}

/** Real parts (lanes 0) of a and b as one vector. */
// @ts-ignore: decorator
@inline function reOf(a: v128, b: v128): v128 {
  return v128.shuffle<f64>(a, b, 0, 2);
}

/** Imaginary parts (lanes 1) of a and b as one vector. */
// @ts-ignore: decorator
@inline function imOf(a: v128, b: v128): v128 {
  return v128.shuffle<f64>(a, b, 1, 3);
}

/**
 * Two pairs at once, one per lane (real parts in one vector, imaginary parts in another: a complex product is four
 * products and two sums, no shuffles): pair 0 is (p, p2) with twiddle index k, pair 1 is (p + 1, p2 − 1), whose
 * index is k + n/2 in the table of order 2n (for pwLevel rev(i + 1) = rev(i) + n/2, i even; for pwBlocks
 * R·rev(j + 1) = R·rev(j) + RP/2), so its w² is −w² of pair 0 and its t = (1 − w²)/4. Stores pair 0 if
 * mask & 1, pair 1 if mask & 2: a lane's results depend on its own inputs only, so a pair gets the same bits
 * whether its neighbour is stored, skipped or being overwritten by another thread.
 * The arithmetic is pairStep's: each real and imaginary part of a complex product is fl(fl(a·b) ∓ fl(c·d)).
 */
// @ts-ignore: decorator
@inline function pairStep2(out: usize, A1: usize, B1: usize, A2: usize, B2: usize, p: i32, p2: i32, lo: usize, hi: usize, k: i32, mask: i32): void {
  const k2 = k << 1;
  const W = cmulVec(v128.load(lo + (<usize>(k2 & 1023) << 4)), v128.load(hi + (<usize>(k2 >> 10) << 4)));
  const q = f64x2.splat(0.25);
  const tr = f64x2.mul(f64x2.add(f64x2.splat(1.0), f64x2.mul(v128.shuffle<f64>(W, W, 0, 0), pm())), q); // (1 ± Wr)/4
  const ti = f64x2.mul(v128.shuffle<f64>(W, W, 1, 1), f64x2(0.25, -0.25)); // ±Wi/4
  const pb = <usize>p << 4, p2b = <usize>p2 << 4;
  let a0 = v128.load(A1 + pb), a1 = v128.load(A1 + pb, 16), m0 = v128.load(A1 + p2b), m1 = v128.load(A1 + p2b - 16);
  let Xr = reOf(a0, a1), Xi = imOf(a0, a1), Mr = reOf(m0, m1), Mi = imOf(m0, m1);
  let Dr = f64x2.sub(Xr, Mr), Di = f64x2.add(Xi, Mi); // D = X − conj X'
  let P1r: v128, P1i: v128, P2r: v128, P2i: v128, Qr: v128, Qi: v128;
  if (B1 != A1) {
    const b0 = v128.load(B1 + pb), b1 = v128.load(B1 + pb, 16), n0 = v128.load(B1 + p2b), n1 = v128.load(B1 + p2b - 16);
    const Yr = reOf(b0, b1), Yi = imOf(b0, b1), Nr = reOf(n0, n1), Ni = imOf(n0, n1);
    const Er = f64x2.sub(Yr, Nr), Ei = f64x2.add(Yi, Ni);
    P1r = f64x2.sub(f64x2.mul(Xr, Yr), f64x2.mul(Xi, Yi));
    P1i = f64x2.add(f64x2.mul(Xi, Yr), f64x2.mul(Xr, Yi));
    P2r = f64x2.sub(f64x2.mul(Mr, Nr), f64x2.mul(Mi, Ni));
    P2i = f64x2.add(f64x2.mul(Mi, Nr), f64x2.mul(Mr, Ni));
    Qr = f64x2.sub(f64x2.mul(Dr, Er), f64x2.mul(Di, Ei));
    Qi = f64x2.add(f64x2.mul(Di, Er), f64x2.mul(Dr, Ei));
  } else {
    P1r = f64x2.sub(f64x2.mul(Xr, Xr), f64x2.mul(Xi, Xi));
    P1i = f64x2.mul(Xi, Xr);
    P1i = f64x2.add(P1i, P1i);
    P2r = f64x2.sub(f64x2.mul(Mr, Mr), f64x2.mul(Mi, Mi));
    P2i = f64x2.mul(Mi, Mr);
    P2i = f64x2.add(P2i, P2i);
    Qr = f64x2.sub(f64x2.mul(Dr, Dr), f64x2.mul(Di, Di));
    Qi = f64x2.mul(Di, Dr);
    Qi = f64x2.add(Qi, Qi);
  }
  if (A2 != 0) {
    a0 = v128.load(A2 + pb); a1 = v128.load(A2 + pb, 16); m0 = v128.load(A2 + p2b); m1 = v128.load(A2 + p2b - 16);
    Xr = reOf(a0, a1); Xi = imOf(a0, a1); Mr = reOf(m0, m1); Mi = imOf(m0, m1);
    Dr = f64x2.sub(Xr, Mr); Di = f64x2.add(Xi, Mi);
    if (B2 != A2) {
      const b0 = v128.load(B2 + pb), b1 = v128.load(B2 + pb, 16), n0 = v128.load(B2 + p2b), n1 = v128.load(B2 + p2b - 16);
      const Yr = reOf(b0, b1), Yi = imOf(b0, b1), Nr = reOf(n0, n1), Ni = imOf(n0, n1);
      const Er = f64x2.sub(Yr, Nr), Ei = f64x2.add(Yi, Ni);
      P1r = f64x2.add(P1r, f64x2.sub(f64x2.mul(Xr, Yr), f64x2.mul(Xi, Yi)));
      P1i = f64x2.add(P1i, f64x2.add(f64x2.mul(Xi, Yr), f64x2.mul(Xr, Yi)));
      P2r = f64x2.add(P2r, f64x2.sub(f64x2.mul(Mr, Nr), f64x2.mul(Mi, Ni)));
      P2i = f64x2.add(P2i, f64x2.add(f64x2.mul(Mi, Nr), f64x2.mul(Mr, Ni)));
      Qr = f64x2.add(Qr, f64x2.sub(f64x2.mul(Dr, Er), f64x2.mul(Di, Ei)));
      Qi = f64x2.add(Qi, f64x2.add(f64x2.mul(Di, Er), f64x2.mul(Dr, Ei)));
    } else {
      P1r = f64x2.add(P1r, f64x2.sub(f64x2.mul(Xr, Xr), f64x2.mul(Xi, Xi)));
      const u = f64x2.mul(Xi, Xr);
      P1i = f64x2.add(P1i, f64x2.add(u, u));
      P2r = f64x2.add(P2r, f64x2.sub(f64x2.mul(Mr, Mr), f64x2.mul(Mi, Mi)));
      const v = f64x2.mul(Mi, Mr);
      P2i = f64x2.add(P2i, f64x2.add(v, v));
      Qr = f64x2.add(Qr, f64x2.sub(f64x2.mul(Dr, Dr), f64x2.mul(Di, Di)));
      const w = f64x2.mul(Di, Dr);
      Qi = f64x2.add(Qi, f64x2.add(w, w));
    }
  }
  const Rr = f64x2.sub(f64x2.mul(tr, Qr), f64x2.mul(ti, Qi)), Ri = f64x2.add(f64x2.mul(ti, Qr), f64x2.mul(tr, Qi));
  const Or = f64x2.sub(P1r, Rr), Oi = f64x2.sub(P1i, Ri); // X_A X_B − t·Q
  const Sr = f64x2.sub(P2r, Rr), Si = f64x2.add(P2i, Ri); // X'_A X'_B − conj(t·Q)
  if (mask & 1) {
    v128.store(out + pb, reOf(Or, Oi));
    v128.store(out + p2b, reOf(Sr, Si));
  }
  if (mask & 2) {
    v128.store(out + pb + 16, imOf(Or, Oi));
    v128.store(out + p2b - 16, imOf(Sr, Si));
  }
}

/**
 * rev(i + 1) from r = rev(i), both reversed as log2(n)-bit words (n a power of two): i → i + 1 flips the trailing
 * ones of i and the zero above them, the L = ctz(i + 1) + 1 low bits, so the reversed word flips its L high bits.
 * Branch-free: the loop that walks the bits mispredicted about once a pair of the pointwise step.
 */
// @ts-ignore: decorator
@inline function revNext(r: i32, i: i32, n: i32): i32 {
  const top = n - 1;
  return r ^ (top ^ (top >>> (ctz(i + 1) + 1)));
}

/** i with its log2(n) bits reversed. */
function bitReverse(i: i32, n: i32): i32 {
  let r = 0;
  for (let bit = 1, rbit = n >> 1; bit < n; bit <<= 1, rbit >>= 1) if (i & bit) r |= rbit;
  return r;
}

/** Points 0 and 1 of a bit-reversed power-of-two block at complex index off (n points), which pair with themselves. */
export function pwSelf(out: usize, A1: usize, B1: usize, A2: usize, B2: usize, off: i32, n: i32, lo: usize, hi: usize): void {
  pairStep(out, A1, B1, A2, B2, off, off, lo, hi, 0);
  pairStep(out, A1, B1, A2, B2, off + 1, off + 1, lo, hi, n >> 1);
}

/**
 * Level `base` (a power of two, 2 <= base < n) of a bit-reversed block at complex index off of n points:
 * point j = base + i pairs with 3·base − 1 − j, twiddle index n/(2·base) + rev(i); pairs i in [i0, i1).
 */
export function pwLevel(out: usize, A1: usize, B1: usize, A2: usize, B2: usize, off: i32, n: i32, lo: usize, hi: usize, base: i32, i0: i32, i1: i32): void {
  const revBase = n / (2 * base);
  const half = n >> 1;
  let i = i0 & ~1;
  let r = bitReverse(i, n);
  for (; i < i1; i += 2) {
    const j = base + i;
    pairStep2(out, A1, B1, A2, B2, off + j, off + 3 * base - 1 - j, lo, hi, revBase + r, <i32>(i >= i0) | (<i32>(i + 1 < i1) << 1));
    r = revNext(r ^ half, i + 1, n); // rev(i + 1) = rev(i) + n/2 (i even), then rev(i + 2)
  }
}

/**
 * Blocks b and R − b of a length-RP spectrum (R = 3 or 5, 1 <= b < R/2): position j of block b holds
 * X[R·rev(j) + b], whose partner X[RP − R·rev(j) − b] = X[R·rev(P − 1 − j) + R − b] sits at position P − 1 − j of
 * block R − b; so point bP + j pairs with (R − b + 1)P − 1 − j, twiddle index R·rev(j) + b.
 */
export function pwBlocks(out: usize, A1: usize, B1: usize, A2: usize, B2: usize, P: i32, lo: usize, hi: usize, j0: i32, j1: i32, R: i32, b: i32): void {
  const half = P >> 1;
  let j = j0 & ~1;
  let r = bitReverse(j, P);
  const first = b * P, last = (R - b + 1) * P - 1;
  for (; j < j1; j += 2) {
    pairStep2(out, A1, B1, A2, B2, first + j, last - j, lo, hi, R * r + b, <i32>(j >= j0) | (<i32>(j + 1 < j1) << 1));
    r = revNext(r ^ half, j + 1, P);
  }
}

// ------------------------------------------------------------------ block spectra (kernel/transform.ts)

/**
 * acc += weight · a ⊙ b for untangled block spectra of `size` points (kernel/transform.ts multiplyAccumulateAt):
 * point 0 holds the two real values Â(0), Â(size), multiplied componentwise as (weight·x)·y; points p >= 1 multiply
 * as complex numbers, re = xr·yr − xi·yi and im = xi·yr + xr·yi, each product and sum rounded once in that order
 * (negating xi·yi is exact, and a sum of two doubles is the same in either order), then times weight and added:
 * the bits of the scalar expressions weight·(xr·yr − xi·yi) and weight·(xr·yi + xi·yr).
 */
export function mulAccumulate(acc: usize, a: usize, b: usize, size: i32, weight: f64): void {
  store<f64>(acc, load<f64>(acc) + weight * load<f64>(a) * load<f64>(b));
  store<f64>(acc, load<f64>(acc, 8) + weight * load<f64>(a, 8) * load<f64>(b, 8), 8);
  const w = f64x2.splat(weight);
  const flip = f64x2(-1.0, 1.0);
  for (let o: usize = 16; o < (<usize>size << 4); o += 16) {
    const x = v128.load(a + o), y = v128.load(b + o);
    const p1 = f64x2.mul(x, f64x2.splat(f64x2.extract_lane(y, 0))); // (xr·yr, xi·yr)
    const p2 = f64x2.mul(swap(x), f64x2.splat(f64x2.extract_lane(y, 1))); // (xi·yi, xr·yi)
    const t = f64x2.add(p1, f64x2.mul(p2, flip));
    v128.store(acc + o, f64x2.add(v128.load(acc + o), f64x2.mul(w, t)));
  }
}

/**
 * Untangles (inv = 0) or re-tangles (inv = 1) the bit-reversed spectrum at x of a packed real sequence of 2·size
 * points (kernel/transform.ts has the formulas): point 0 carries the two real values Â(0), Â(size); point 1
 * Â(size/2), whose partner is its conjugate; point j in [base, 3·base/2) pairs with 3·base − 1 − j, twiddle
 * w^k = e^{−2πik/2size}, k = size/(2·base) + rev(j − base), from the two-level table of order 2·size (lo, hi: see
 * pairStep; bit-reversed k would make a one-level table a cache miss per pair).
 */
export function tangle(x: usize, size: i32, lo: usize, hi: usize, inv: i32): void {
  const x0r = load<f64>(x), x0i = load<f64>(x, 8);
  if (inv) {
    store<f64>(x, 0.5 * (x0r + x0i));
    store<f64>(x, 0.5 * (x0r - x0i), 8);
  } else {
    store<f64>(x, x0r + x0i);
    store<f64>(x, x0r - x0i, 8);
  }
  store<f64>(x + 16, -load<f64>(x + 16, 8), 8);
  for (let base = 2; base < size; base <<= 1) {
    const revBase = size / (2 * base);
    let r = 0;
    const halfBase = base >> 1;
    for (let i = 0; i < halfBase; i++) {
      const j = base + i;
      const k = revBase + r;
      const W = cmulVec(v128.load(lo + (<usize>(k & 1023) << 4)), v128.load(hi + (<usize>(k >> 10) << 4)));
      const cc = v128.shuffle<f64>(W, W, 0, 0), ss = f64x2.mul(v128.shuffle<f64>(W, W, 1, 1), np());
      const pb = <usize>j << 4, p2b = <usize>(3 * base - 1 - j) << 4;
      const X = v128.load(x + pb), Xm = v128.load(x + p2b);
      if (inv) {
        retangleStore(x, pb, p2b, X, Xm, cc, ss);
      } else {
        const E = evenPart(X, Xm), T = oddPart(X, Xm, cc, ss);
        v128.store(x + pb, f64x2.add(E, T));
        v128.store(x + p2b, f64x2.sub(E, T));
      }
      r = revNext(r, i, size);
    }
  }
}

// ------------------------------------------------------------------ twiddle tables

/**
 * cos x for 0 <= x <= π/4 (high word <= 0x3FE921FB): fdlibm's __kernel_cos(x, 0), the operations V8's Math.cos
 * runs for such x (its src/base/ieee754.cc is fdlibm's; src/kernel/fft.test.ts checks whole tables bit for bit
 * against Math.cos). Error < 1 ulp (fdlibm: the polynomial's remez error is below 2^-58, and for x > 0.3 the
 * subtraction of qx is exact). Every operation rounds once (no fused multiply-add in wasm), as in V8's build.
 */
// @ts-ignore: decorator
@inline function kernelCos(x: f64): f64 {
  const ix = <u32>(reinterpret<u64>(x) >> 32) & 0x7fffffff;
  if (ix < 0x3e400000) return 1.0; // x < 2^-27: cos x rounds to 1
  const z = x * x;
  const r = z * (4.16666666666666019037e-02 + z * (-1.38888888888741095749e-03 + z * (2.48015872894767294178e-05 +
    z * (-2.75573143513906633035e-07 + z * (2.08757232129817482790e-09 + z * -1.13596475577881948265e-11)))));
  if (ix < 0x3fd33333) return 1.0 - (0.5 * z - z * r); // x < 0.3
  // qx = x/4 with its low word cleared (0.28125 above 0.78125): 1 − qx and z/2 − qx are exact.
  const qx = ix > 0x3fe90000 ? 0.28125 : reinterpret<f64>(<u64>(ix - 0x00200000) << 32);
  return (1.0 - qx) - ((0.5 * z - qx) - z * r);
}

/** sin x for 0 <= x <= π/4: fdlibm's __kernel_sin(x, 0, 0), as V8's Math.sin for such x (kernelCos). */
// @ts-ignore: decorator
@inline function kernelSin(x: f64): f64 {
  const ix = <u32>(reinterpret<u64>(x) >> 32) & 0x7fffffff;
  if (ix < 0x3e400000) return x; // x < 2^-27: sin x rounds to x
  const z = x * x;
  const v = z * x;
  const r = 8.33333333332248946124e-03 + z * (-1.98412698298579493134e-04 + z * (2.75573137070700676789e-06 +
    z * (-2.50507602534068634195e-08 + z * 1.58969099521155010221e-10)));
  return x + v * (-1.66666666666666324348e-01 + z * r);
}

/**
 * cos (sine != 0: sin) of 2πt/n for integers 0 <= t < n, 4 | n (both below 2^53): src/kernel/fftcore.ts `cosSin`
 * (its header has the error analysis). The symmetries are applied on the exact integer t, leaving
 * a = fl(π)·fl(2t/n) <= π/4, where kernelCos and kernelSin hold.
 */
export function trig(t: f64, n: f64, sine: i32): f64 {
  let sinSign: f64 = 1.0;
  let cosSign: f64 = 1.0;
  let swap = false;
  if (2 * t > n) {
    t = n - t;
    sinSign = -1.0;
  }
  if (4 * t > n) {
    t = n / 2 - t;
    cosSign = -1.0;
  }
  if (8 * t > n) {
    t = n / 4 - t;
    swap = true;
  }
  const a = Math.PI * ((2 * t) / n);
  return sine ? sinSign * (swap ? kernelCos(a) : kernelSin(a)) : cosSign * (swap ? kernelSin(a) : kernelCos(a));
}

/**
 * H[t] = cos(2πt/n) (trig) for t in [t0, t1), H the doubles at h: fftcore.ts `trigTable` (tables of millions of
 * entries; Math.cos from JavaScript cost ~30 ns an entry, 46 ms of the 1.6·10^7-digit file product).
 */
export function cosTable(h: usize, n: f64, t0: i32, t1: i32): void {
  for (let t = t0; t < t1; t++) store<f64>(h + (<usize>t << 3), trig(<f64>t, n, 0));
}

/**
 * h[t] = H_m[s·t] for t in [0, len), from the table of m at `from` holding H_m[0 .. q] (q = m/4 for a mixed m, a
 * quarter period, m/2 otherwise): above q, H_m[u] = −H_m[m/2 − u] (cosQ). fftcore.ts `copyScaled`.
 */
export function scaledCopy(h: usize, len: i32, from: usize, m: i32, q: i32, s: i32): void {
  const half = m >> 1;
  for (let t = 0, u = 0; t < len; t++, u += s) {
    const upper = u > q;
    const v = load<f64>(from + (<usize>(upper ? half - u : u) << 3));
    store<f64>(h + (<usize>t << 3), upper ? -v : v);
  }
}

// ------------------------------------------------------------------ packing

/** Complex points of the in-cache leaf (TypeScript builds the twiddle tables the leaves read from it). */
export function leafSize(): i32 {
  return LEAF;
}

/**
 * Writes the n base-10^4 limbs at src (u16) as balanced base-10^d digits (|digit| <= 10^d/2), digit q as the
 * double at dst + 8q, then zeros up to an even count (a whole complex point). Stores the squared norm of the
 * digits at res and their count at res + 8 (memory, not a return value: a worker may run it).
 */
export function pack(src: usize, n: i32, d: i32, dst: usize, res: usize): void {
  let carry: i32 = 0;
  let q: i32 = 0;
  let sumsq: f64 = 0;
  if (d == 4) {
    // Eight limbs a vector. The balanced digit of limb i is v = limb + c_i less 10^4·c_(i+1), with the carry
    // c_(i+1) = [v >= 5000] = [limb >= 5000] or ([limb = 4999] and c_i). In a vector with no limb 4999 the carry
    // into each lane is the lane below's [limb >= 5000] (the vector's carry in for lane 0), known at once: no chain
    // from limb to limb. A vector holding a 4999 (where a carry would run on) takes the scalar steps, so every digit
    // is the sequential walk's. The squares are integers below 2^25 and their sum stays below 2^53 (at most 2^27
    // digits of a transform), so the sum is exact in any order: the norm is the same double as the walk's.
    const T4999 = i16x8.splat(4999);
    const M10000 = i16x8.splat(-10000);
    let acc = f64x2.splat(0);
    let i = 0;
    for (; i + 8 <= n; i += 8) {
      const L = v128.load(src + (<usize>i << 1));
      if (v128.any_true(i16x8.eq(L, T4999))) {
        for (let k = i; k < i + 8; k++) {
          let v = <i32>load<u16>(src + (<usize>k << 1)) + carry;
          carry = v >= 5000 ? 1 : 0;
          v -= carry * 10000;
          const f = <f64>v;
          sumsq += f * f;
          store<f64>(dst + (<usize>k << 3), f);
        }
        continue;
      }
      const G = i16x8.gt_s(L, T4999); // −1 where limb >= 5000: that lane carries out
      // Carries in, as −1/0: the vector's own carry in lane 0, then G's lanes 0..6.
      const C = v128.shuffle<i16>(i16x8.splat(<i16>-carry), G, 7, 8, 9, 10, 11, 12, 13, 14);
      const D = i16x8.add(i16x8.sub(L, C), v128.and(G, M10000)); // in [−5000, 5000]
      carry = i16x8.extract_lane_s(G, 7) & 1;
      const lo = i32x4.extend_low_i16x8_s(D), hi = i32x4.extend_high_i16x8_s(D);
      const o = dst + (<usize>i << 3);
      v128.store(o, f64x2.convert_low_i32x4_s(lo));
      v128.store(o, f64x2.convert_low_i32x4_s(i32x4.shuffle(lo, lo, 2, 3, 0, 1)), 16);
      v128.store(o, f64x2.convert_low_i32x4_s(hi), 32);
      v128.store(o, f64x2.convert_low_i32x4_s(i32x4.shuffle(hi, hi, 2, 3, 0, 1)), 48);
      const sq = i32x4.dot_i16x8_s(D, D); // pairs of squares, each sum <= 5·10^7
      acc = f64x2.add(acc, f64x2.add(f64x2.convert_low_i32x4_s(sq), f64x2.convert_low_i32x4_s(i32x4.shuffle(sq, sq, 2, 3, 0, 1))));
    }
    for (; i < n; i++) {
      let v = <i32>load<u16>(src + (<usize>i << 1)) + carry;
      carry = v >= 5000 ? 1 : 0;
      v -= carry * 10000;
      const f = <f64>v;
      sumsq += f * f;
      store<f64>(dst + (<usize>i << 3), f);
    }
    sumsq += f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
    q = n;
  } else if (d == 3) {
    // Three limbs (12 digits) give four base-1000 digits; division by constants compiles to multiplications.
    const n3 = n - (n % 3);
    for (let i = 0; i < n3; i += 3) {
      const s = src + (<usize>i << 1);
      const l0 = <i32>load<u16>(s), l1 = <i32>load<u16>(s, 2), l2 = <i32>load<u16>(s, 4);
      const t1 = l0 / 1000 + 10 * l1;
      const t2 = t1 / 1000 + 100 * l2;
      const o = dst + (<usize>q << 3);
      let v = l0 % 1000 + carry;
      carry = v >= 500 ? 1 : 0;
      v -= carry * 1000;
      let f = <f64>v;
      sumsq += f * f;
      store<f64>(o, f);
      v = t1 % 1000 + carry;
      carry = v >= 500 ? 1 : 0;
      v -= carry * 1000;
      f = <f64>v;
      sumsq += f * f;
      store<f64>(o, f, 8);
      v = t2 % 1000 + carry;
      carry = v >= 500 ? 1 : 0;
      v -= carry * 1000;
      f = <f64>v;
      sumsq += f * f;
      store<f64>(o, f, 16);
      v = t2 / 1000 + carry;
      carry = v >= 500 ? 1 : 0;
      v -= carry * 1000;
      f = <f64>v;
      sumsq += f * f;
      store<f64>(o, f, 24);
      q += 4;
    }
    // The last one or two limbs: 4 or 8 digits, two or three base-1000 digits.
    let acc = 0;
    let accDigits = 0;
    for (let i = n3; i < n; i++) {
      acc += <i32>load<u16>(src + (<usize>i << 1)) * (accDigits == 0 ? 1 : 10000);
      accDigits += 4;
    }
    while (accDigits > 0) {
      let v = acc % 1000 + carry;
      acc /= 1000;
      accDigits -= 3;
      carry = v >= 500 ? 1 : 0;
      v -= carry * 1000;
      const f = <f64>v;
      sumsq += f * f;
      store<f64>(dst + (<usize>q << 3), f);
      q++;
    }
  } else if (d == 5) {
    // Five limbs (20 digits) give four base-10^5 digits.
    const n5 = n - (n % 5);
    for (let i = 0; i < n5; i += 5) {
      const s = src + (<usize>i << 1);
      const l0 = <i32>load<u16>(s), l1 = <i32>load<u16>(s, 2), l2 = <i32>load<u16>(s, 4);
      const l3 = <i32>load<u16>(s, 6), l4 = <i32>load<u16>(s, 8);
      const o = dst + (<usize>q << 3);
      let v = l0 + 10000 * (l1 % 10) + carry;
      carry = v >= 50000 ? 1 : 0;
      v -= carry * 100000;
      let f = <f64>v;
      sumsq += f * f;
      store<f64>(o, f);
      v = l1 / 10 + 1000 * (l2 % 100) + carry;
      carry = v >= 50000 ? 1 : 0;
      v -= carry * 100000;
      f = <f64>v;
      sumsq += f * f;
      store<f64>(o, f, 8);
      v = l2 / 100 + 100 * (l3 % 1000) + carry;
      carry = v >= 50000 ? 1 : 0;
      v -= carry * 100000;
      f = <f64>v;
      sumsq += f * f;
      store<f64>(o, f, 16);
      v = l3 / 1000 + 10 * l4 + carry;
      carry = v >= 50000 ? 1 : 0;
      v -= carry * 100000;
      f = <f64>v;
      sumsq += f * f;
      store<f64>(o, f, 24);
      q += 4;
    }
    // The last one to four limbs: 4 to 16 digits, one to four base-10^5 digits.
    let acc: i64 = 0;
    let accDigits = 0;
    let scale: i64 = 1;
    for (let i = n5; i < n; i++) {
      acc += <i64>load<u16>(src + (<usize>i << 1)) * scale;
      scale *= 10000;
      accDigits += 4;
    }
    while (accDigits > 0) {
      let v = <i32>(acc % 100000) + carry;
      acc /= 100000;
      accDigits -= 5;
      carry = v >= 50000 ? 1 : 0;
      v -= carry * 100000;
      const f = <f64>v;
      sumsq += f * f;
      store<f64>(dst + (<usize>q << 3), f);
      q++;
    }
  } else {
    // d = 2 or 1: every limb gives 4/d digits.
    const B = d == 2 ? 100 : 10;
    const half = B >> 1;
    const per = 4 / d;
    for (let i = 0; i < n; i++) {
      let acc = <i32>load<u16>(src + (<usize>i << 1));
      for (let k = 0; k < per; k++) {
        const hi = acc / B;
        let v = acc - hi * B + carry;
        acc = hi;
        carry = v >= half ? 1 : 0;
        v -= carry * B;
        const f = <f64>v;
        sumsq += f * f;
        store<f64>(dst + (<usize>q << 3), f);
        q++;
      }
    }
  }
  if (carry != 0) {
    store<f64>(dst + (<usize>q << 3), <f64>carry);
    q++;
    sumsq += 1;
  }
  if (q & 1) store<f64>(dst + (<usize>q << 3), 0.0);
  store<f64>(res, sumsq);
  store<f64>(res, <f64>q, 8);
}

/** Squared norm of the balanced base-10^4 digits of n limbs (what pack(…, 4, …) returns), without writing them. */
export function normSq4(src: usize, n: i32): f64 {
  let carry: i32 = 0;
  let sumsq: f64 = 0;
  for (let i = 0; i < n; i++) {
    let v = <i32>load<u16>(src + (<usize>i << 1)) + carry;
    carry = v >= 5000 ? 1 : 0;
    v -= carry * 10000;
    const f = <f64>v;
    sumsq += f * f;
  }
  return sumsq + <f64>carry;
}

// ------------------------------------------------------------------ unpacking

/**
 * The integer carry chain of unpack's base 10^4 (measured 25% faster than a float floor and its correction on the
 * chain; an unsigned 64-bit division by a constant): the carry k is kept as C = k + BIAS_Q, and coefficient r plus
 * carry as r + C + BIAS_K = (r + k) + BIAS_Q·10^4 > 0, so that divided by 10^4 (unsigned) is floor((r + k)/10^4) +
 * BIAS_Q, the next C, and the remainder is the digit. Range: a product whose bound holds has |r| <= ||a||·||b|| <
 * 1/(2·mixedBound's factor) < 10^14, and |k| < |r|/9999, far below BIAS_Q·10^4 ≈ 1.1·10^16; all stays below 2^64.
 * (A faulty transform's huge or NaN outputs give wrong digits, not a trap: see MAGIC in unpack; the
 * rounding and residue checks refuse them.) Bases 10^3 and 10^5 run the same way (group3, group5, two chains: base
 * 10^3 3.1 → 2.5 ns a digit).
 */
const BIAS_Q: u64 = 1 << 40;
const BIAS_K: u64 = BIAS_Q * 9999;
/** The same bias for base 10^3's chain: r + C + BIAS_K3 = (r + k) + BIAS_Q·10^3 > 0 (|r| < 10^14 < BIAS_Q·10^3). */
const BIAS_K3: u64 = BIAS_Q * 999;
/** And base 10^5's: (r + k) + BIAS_Q·10^5 > 0, below 2^57. */
const BIAS_K5: u64 = BIAS_Q * 99999;
/** 1.5·2^52 and its bit pattern (unpack says how it rounds). */
const MAGIC_F: f64 = 6755399441055744.0;
const MAGIC_BITS: i64 = 0x4338000000000000;
/** Digits per chain from which unpack runs two carry chains at once (below, the join is not paid back). */
const UNPACK_PAIR_MIN: i32 = 512;

/** Largest rounding distance seen by unpack's run. */
let stepErr: v128 = f64x2.splat(0.0);
/** The same for group3 and group5 (a global so that the inlined helpers can update it). */
let err3: v128 = f64x2.splat(0.0);

/**
 * Adds the carry C (biased by BIAS_Q: k = C − BIAS_Q, |k| < 2^40) that a lower chain left at limb `from` into the
 * limbs [from, to) that the upper chain wrote from a zero carry; returns what is left above limb `to`, biased.
 */
function joinCarry(out: usize, from: i32, to: i32, c: u64): u64 {
  let k = <i64>(c - BIAS_Q);
  for (let i = from; k != 0 && i < to; i++) {
    const at = out + (<usize>i << 1);
    const v = <i64>load<u16>(at) + k + <i64>(BIAS_Q * 10000); // (limb + k) + BIAS_Q·10^4 > 0, as above
    const hi = <i64>(<u64>v / 10000);
    store<u16>(at, <u16>(v - hi * 10000));
    k = hi - <i64>BIAS_Q;
  }
  return <u64>(k + <i64>BIAS_Q);
}

/**
 * Base 10^3, integer chain: the four digits at s (scaled by sc, rounded by MAGIC) plus the biased carry c make
 * three base-10^4 limbs at `to` (g0 + 1000·g1 + 10^6·g2 + 10^9·g3 = the limbs of digits 0–3, 4–7, 8–11); returns
 * the new biased carry; err3 takes the max of the rounding distances.
 */
// @ts-ignore: decorator
@inline function group3(s: usize, sc: v128, c: u64, to: usize): u64 {
  const MAGIC = f64x2.splat(MAGIC_F);
  const OFF = i64x2.splat(MAGIC_BITS - <i64>BIAS_K3);
  const X01 = f64x2.mul(v128.load(s), sc), X23 = f64x2.mul(v128.load(s, 16), sc);
  const Y01 = f64x2.add(X01, MAGIC), Y23 = f64x2.add(X23, MAGIC);
  err3 = f64x2.max(err3, f64x2.max(f64x2.abs(f64x2.sub(X01, f64x2.sub(Y01, MAGIC))), f64x2.abs(f64x2.sub(X23, f64x2.sub(Y23, MAGIC)))));
  const V01 = i64x2.sub(Y01, OFF), V23 = i64x2.sub(Y23, OFF);
  let v = <u64>i64x2.extract_lane(V01, 0) + c;
  c = v / 1000;
  const g0 = <i32>(v - c * 1000);
  v = <u64>i64x2.extract_lane(V01, 1) + c;
  c = v / 1000;
  const g1 = <i32>(v - c * 1000);
  v = <u64>i64x2.extract_lane(V23, 0) + c;
  c = v / 1000;
  const g2 = <i32>(v - c * 1000);
  v = <u64>i64x2.extract_lane(V23, 1) + c;
  c = v / 1000;
  const g3 = <i32>(v - c * 1000);
  store<u16>(to, <u16>(g0 + 1000 * (g1 % 10)));
  store<u16>(to, <u16>(g1 / 10 + 100 * (g2 % 100)), 2);
  store<u16>(to, <u16>(g2 / 100 + 10 * g3), 4);
  return c;
}

/**
 * Base 10^5, as group3: four digits make five base-10^4 limbs (g0 + g1·10^5 + g2·10^10 + g3·10^15 as the limbs of
 * digits 0–3, 4–7, 8–11, 12–15, 16–19); returns the new biased carry.
 */
// @ts-ignore: decorator
@inline function group5(s: usize, sc: v128, c: u64, to: usize): u64 {
  const MAGIC = f64x2.splat(MAGIC_F);
  const OFF = i64x2.splat(MAGIC_BITS - <i64>BIAS_K5);
  const X01 = f64x2.mul(v128.load(s), sc), X23 = f64x2.mul(v128.load(s, 16), sc);
  const Y01 = f64x2.add(X01, MAGIC), Y23 = f64x2.add(X23, MAGIC);
  err3 = f64x2.max(err3, f64x2.max(f64x2.abs(f64x2.sub(X01, f64x2.sub(Y01, MAGIC))), f64x2.abs(f64x2.sub(X23, f64x2.sub(Y23, MAGIC)))));
  const V01 = i64x2.sub(Y01, OFF), V23 = i64x2.sub(Y23, OFF);
  let v = <u64>i64x2.extract_lane(V01, 0) + c;
  c = v / 100000;
  const g0 = <i32>(v - c * 100000);
  v = <u64>i64x2.extract_lane(V01, 1) + c;
  c = v / 100000;
  const g1 = <i32>(v - c * 100000);
  v = <u64>i64x2.extract_lane(V23, 0) + c;
  c = v / 100000;
  const g2 = <i32>(v - c * 100000);
  v = <u64>i64x2.extract_lane(V23, 1) + c;
  c = v / 100000;
  const g3 = <i32>(v - c * 100000);
  store<u16>(to, <u16>(g0 % 10000));
  store<u16>(to, <u16>(g0 / 10000 + 10 * (g1 % 1000)), 2);
  store<u16>(to, <u16>(g1 / 1000 + 100 * (g2 % 100)), 4);
  store<u16>(to, <u16>(g2 / 100 + 1000 * (g3 % 10)), 6);
  store<u16>(to, <u16>(g3 / 10), 8);
  return c;
}

/**
 * Rounds the packed product digits [q0, q1) at src (doubles, scaled by `scale` = 1/M), propagates carries in base
 * 10^d from a zero carry and regroups them into base-10^4 limbs written at out (u16) from limb 0. q0 must be a
 * multiple of 12 and, except for the last run, so must q1: then the run ends on a limb boundary with nothing
 * pending. The run's state goes to res: [limbs written, carry, pending acc, accPow, max rounding error].
 * A NaN or infinite digit makes the max rounding error NaN (f64.max propagates NaN).
 */
export function unpack(src: usize, scale: f64, q0: i32, q1: i32, d: i32, out: usize, res: usize): void {
  let carry: f64 = 0;
  let acc: f64 = 0;
  let accPow: f64 = 1;
  let o: i32 = 0;
  let q = q0;
  stepErr = f64x2.splat(0.0);
  if (d == 4) {
    const end = q1 - ((q1 - q0) % 2);
    const sc = f64x2.splat(scale);
    let err = f64x2.splat(0.0);
    let c: u64 = BIAS_Q; // the carry 0, biased (BIAS_Q says why)
    // Rounding by the magic constant 1.5·2^52: for |x| < 2^51, x + MAGIC rounds (once, to nearest even like
    // f64x2.nearest) to MAGIC + round(x), whose bit pattern is that of MAGIC plus round(x) as a two's complement
    // integer: the rounded coefficient and its integer form (plus BIAS_K) come out of one SIMD add and one SIMD
    // integer subtraction, no float-to-integer conversion per digit. A product whose bound holds has |x| < 10^14
    // (BIAS_Q), far below 2^51. Beyond (a faulty transform) the digits are wrong and the rounding distance or the
    // residue check refuses them, as with a saturating conversion; a NaN or infinity makes the distance NaN.
    const MAGIC = f64x2.splat(6755399441055744.0);
    const OFF = i64x2.splat(<i64>0x4338000000000000 - <i64>BIAS_K); // MAGIC's bits, less BIAS_K
    // Two carry chains at once (the chain's latency, not its work, bounds the loop): digits [q, mid) and [mid, end)
    // each from a zero carry, then the lower chain's carry is added into the upper chain's limbs (the same integer
    // Σ limbs·B^i + carry·B^n, and limbs in [0, B) make that representation unique: the same limbs as one chain).
    const half = ((end - q) >> 2) << 1;
    if (half >= UNPACK_PAIR_MIN) {
      const mid = q + half;
      const oMid = o + half;
      let c2: u64 = BIAS_Q;
      for (let q2 = mid; q < mid; q += 2, q2 += 2, o += 2) {
        const X = f64x2.mul(v128.load(src + (<usize>q << 3)), sc);
        const X2 = f64x2.mul(v128.load(src + (<usize>q2 << 3)), sc);
        const Y = f64x2.add(X, MAGIC), Y2 = f64x2.add(X2, MAGIC);
        const R = f64x2.sub(Y, MAGIC), R2 = f64x2.sub(Y2, MAGIC);
        err = f64x2.max(err, f64x2.max(f64x2.abs(f64x2.sub(X, R)), f64x2.abs(f64x2.sub(X2, R2))));
        const V = i64x2.sub(Y, OFF), V2 = i64x2.sub(Y2, OFF);
        const to = out + (<usize>o << 1);
        const to2 = out + (<usize>(o + half) << 1);
        let v = <u64>i64x2.extract_lane(V, 0) + c;
        let v2 = <u64>i64x2.extract_lane(V2, 0) + c2;
        c = v / 10000;
        c2 = v2 / 10000;
        store<u16>(to, <u16>(v - c * 10000));
        store<u16>(to2, <u16>(v2 - c2 * 10000));
        v = <u64>i64x2.extract_lane(V, 1) + c;
        v2 = <u64>i64x2.extract_lane(V2, 1) + c2;
        c = v / 10000;
        c2 = v2 / 10000;
        store<u16>(to, <u16>(v - c * 10000), 2);
        store<u16>(to2, <u16>(v2 - c2 * 10000), 2);
      }
      // The lower chain's carry k (|k| < 2^40) into limbs [oMid, oMid + half), what is left into the upper carry.
      let k = <i64>(c - BIAS_Q);
      for (let i = oMid; k != 0 && i < oMid + half; i++) {
        const at = out + (<usize>i << 1);
        const v = <i64>load<u16>(at) + k + <i64>(BIAS_Q * 10000); // (limb + k) + BIAS_Q·10^4 > 0, as above
        const hi = <i64>(<u64>v / 10000);
        store<u16>(at, <u16>(v - hi * 10000));
        k = hi - <i64>BIAS_Q;
      }
      c = <u64>(<i64>c2 + k);
      q = mid + half;
      o = oMid + half;
    }
    for (; q < end; q += 2, o += 2) {
      const X = f64x2.mul(v128.load(src + (<usize>q << 3)), sc);
      const Y = f64x2.add(X, MAGIC);
      const R = f64x2.sub(Y, MAGIC);
      err = f64x2.max(err, f64x2.abs(f64x2.sub(X, R)));
      const V = i64x2.sub(Y, OFF);
      const to = out + (<usize>o << 1);
      let v = <u64>i64x2.extract_lane(V, 0) + c;
      c = v / 10000;
      store<u16>(to, <u16>(v - c * 10000));
      v = <u64>i64x2.extract_lane(V, 1) + c;
      c = v / 10000;
      store<u16>(to, <u16>(v - c * 10000), 2);
    }
    carry = <f64>(<i64>(c - BIAS_Q));
    stepErr = err;
  } else if (d == 3 || d == 5) {
    const end = q1 - ((q1 - q0) % 4);
    const sc = f64x2.splat(scale);
    const lg = d == 3 ? 3 : 5; // limbs a group of four digits makes
    err3 = f64x2.splat(0.0);
    let c: u64 = BIAS_Q;
    // Two chains, as base 10^4's: [q, mid) and [mid, mid + half) with half a multiple of 4 digits (lg limbs), then
    // the lower chain's carry into the upper chain's limbs (digit mid starts limb lg·(mid − q)/4: (10^d)^half =
    // 10^(4·lg·half/4)).
    const half = ((end - q) >> 3) << 2;
    if (half >= UNPACK_PAIR_MIN) {
      const span = (lg * half) >> 2;
      const mid = q + half, oMid = o + span;
      let c2: u64 = BIAS_Q;
      if (d == 3) {
        for (let q2 = mid; q < mid; q += 4, q2 += 4, o += 3) {
          c = group3(src + (<usize>q << 3), sc, c, out + (<usize>o << 1));
          c2 = group3(src + (<usize>q2 << 3), sc, c2, out + (<usize>(o + span) << 1));
        }
      } else {
        for (let q2 = mid; q < mid; q += 4, q2 += 4, o += 5) {
          c = group5(src + (<usize>q << 3), sc, c, out + (<usize>o << 1));
          c2 = group5(src + (<usize>q2 << 3), sc, c2, out + (<usize>(o + span) << 1));
        }
      }
      c = c2 + joinCarry(out, oMid, oMid + span, c) - BIAS_Q;
      q = mid + half;
      o = oMid + span;
    }
    if (d == 3) for (; q < end; q += 4, o += 3) c = group3(src + (<usize>q << 3), sc, c, out + (<usize>o << 1));
    else for (; q < end; q += 4, o += 5) c = group5(src + (<usize>q << 3), sc, c, out + (<usize>o << 1));
    carry = <f64>(<i64>(c - BIAS_Q));
    stepErr = err3;
  }
  // f64x2.max propagates NaN like max: a NaN anywhere makes maxErr NaN.
  let maxErr = max(f64x2.extract_lane(stepErr, 0), f64x2.extract_lane(stepErr, 1));
  const B: f64 = d == 5 ? 1e5 : d == 4 ? 1e4 : d == 3 ? 1e3 : d == 2 ? 100 : 10;
  for (; q < q1; q++) {
    const x = load<f64>(src + (<usize>q << 3)) * scale;
    const r = nearest<f64>(x);
    maxErr = max(maxErr, abs(x - r));
    const v = r + carry;
    carry = Math.floor(v / B);
    let digit = v - carry * B;
    if (digit < 0) {
      digit += B;
      carry -= 1;
    } else if (digit >= B) {
      digit -= B;
      carry += 1;
    }
    if (d == 4) {
      store<u16>(out + (<usize>o << 1), <u16>(<i32>digit));
      o++;
    } else {
      acc += digit * accPow;
      accPow *= B;
      while (accPow >= 1e4) {
        const hi = Math.floor(acc / 1e4);
        store<u16>(out + (<usize>o << 1), <u16>(<i32>(acc - hi * 1e4)));
        o++;
        acc = hi;
        accPow /= 1e4;
      }
    }
  }
  store<f64>(res, <f64>o);
  store<f64>(res, carry, 8);
  store<f64>(res, acc, 16);
  store<f64>(res, accPow, 24);
  store<f64>(res, maxErr, 32);
}

// ------------------------------------------------------------------ residues

/** (x·y) mod p for 0 <= x, y < p <= 2^26: x·y < 2^52 is exact, the quotient estimate is fixed by one step. */
// @ts-ignore: decorator
@inline function mulMod(x: f64, y: f64, p: f64, inv: f64): f64 {
  const v = x * y;
  let r = v - Math.floor(v * inv) * p;
  r = r < 0 ? r + p : r;
  return r >= p ? r - p : r;
}

/** Horner evaluation of the limbs [i0, i1) at x (u16) mod p, two limbs per step (r·10^8 + 10^8 < 2^53). */
// @ts-ignore: decorator
@inline function hornerStep(r: f64, x: usize, i: i32, p: f64, inv: f64): f64 {
  const v = r * 1e8 + (<f64>load<u16>(x + (<usize>i << 1)) * 1e4 + <f64>load<u16>(x + (<usize>(i - 1) << 1)));
  let s = v - Math.floor(v * inv) * p;
  s = s < 0 ? s + p : s;
  return s >= p ? s - p : s;
}

/**
 * The n limbs at x (u16, base 10^4) modulo a prime p <= 2^26 (the product check of kernel/mul.ts, compiled).
 * Four segments are evaluated by Horner at once (each step waits on the previous one: four chains overlap in the
 * processor), then combined: r = Σ r_k·(10^4)^(k·len) mod p.
 */
export function residue(x: usize, n: i32, p: f64): f64 {
  const inv = 1 / p;
  const len = (n >> 3) << 1; // even segment length
  let r0: f64 = 0, r1: f64 = 0, r2: f64 = 0, r3: f64 = 0;
  // Segment k holds limbs [k·len, (k+1)·len); the top segment also takes the rest [4·len, n).
  let top: f64 = 0;
  let i = n - 1;
  for (; i >= 4 * len + 1; i -= 2) top = hornerStep(top, x, i, p, inv);
  for (; i >= 4 * len; i--) {
    const v = top * 1e4 + <f64>load<u16>(x + (<usize>i << 1));
    top = v - Math.floor(v * inv) * p;
    top = top < 0 ? top + p : top;
    top = top >= p ? top - p : top;
  }
  r3 = top;
  for (let j = len - 1; j >= 1; j -= 2) {
    r0 = hornerStep(r0, x, j, p, inv);
    r1 = hornerStep(r1, x, j + len, p, inv);
    r2 = hornerStep(r2, x, j + 2 * len, p, inv);
    r3 = hornerStep(r3, x, j + 3 * len, p, inv);
  }
  // w = (10^4)^len mod p by squaring.
  let w: f64 = 1, base: f64 = 1e4 % p;
  for (let e = len; e > 0; e >>= 1) {
    if (e & 1) w = mulMod(w, base, p, inv);
    base = mulMod(base, base, p, inv);
  }
  let r = r3;
  r = mulMod(r, w, p, inv) + r2;
  r = r >= p ? r - p : r;
  r = mulMod(r, w, p, inv) + r1;
  r = r >= p ? r - p : r;
  r = mulMod(r, w, p, inv) + r0;
  return r >= p ? r - p : r;
}

// ------------------------------------------------------------------ the outer level of the out-of-core 2-D transform

/** dst[i] ← src[i·stride] for i < n (complex points; src a column of a row-major chunk). */
// @ts-ignore: decorator
@inline function gatherColumn(dst: usize, src: usize, n: i32, stride: usize): void {
  for (let i: usize = 0; i < <usize>n; i++) v128.store(dst + (i << 4), v128.load(src + i * stride));
}

/** dst[i] ← (lane `lane` of src[i·stride], 0): one of the two real sequences the tangled point 0 carries. */
// @ts-ignore: decorator
@inline function gatherLane(dst: usize, src: usize, n: i32, stride: usize, lane: i32): void {
  const zero = f64x2.splat(0.0);
  for (let i: usize = 0; i < <usize>n; i++) {
    v128.store(dst + (i << 4), f64x2.replace_lane(zero, 0, load<f64>(src + i * stride + (<usize>lane << 3))));
  }
}

/** x[t] ← x[t]·y[t] for t < M (complex; y = x squares), one rounding per product and per sum. */
// @ts-ignore: decorator
@inline function multiplyPoints(x: usize, y: usize, M: i32): void {
  for (let t: usize = 0; t < <usize>M; t++) {
    v128.store(x + (t << 4), cmulVec(v128.load(x + (t << 4)), v128.load(y + (t << 4))));
  }
}

/**
 * The outer level of engine/outofcore/transform2d.ts for columns c0 <= c < c1 of a chunk of w columns: column c of
 * A (na rows, row-major, w complex points a row) and of B (nb rows; B = A squares) is zero-padded to M points,
 * transformed forward (the same DIF as `forward`, power-of-two M), multiplied pointwise, transformed back (unscaled),
 * and its first na + nb − 1 points are stored into column c of C (row-major, w points a row). X is the calling
 * thread's scratch: 2·M complex points. `special` = 1 when column 0 of the chunk is point 0 of the untangled inner
 * spectra, which carries two real values (Â(0), Â(size)) that multiply componentwise: each lane is then convolved as
 * a real sequence of its own (imaginary parts zero), and lane 0 of each result is kept.
 */
export function convolveColumns(A: usize, na: i32, B: usize, nb: i32, C: usize, w: i32, c0: i32, c1: i32, M: i32, X: usize, dir: usize, special: i32): void {
  const R = na + nb - 1;
  const Y = X + (<usize>M << 4);
  const stride = <usize>w << 4;
  const square = A == B;
  for (let c = c0; c < c1; c++) {
    const col = <usize>c << 4;
    if (special != 0 && c == 0) {
      for (let lane = 0; lane < 2; lane++) {
        gatherLane(X, A + col, na, stride, lane);
        forward(X, M, na, 0, dir);
        if (!square) {
          gatherLane(Y, B + col, nb, stride, lane);
          forward(Y, M, nb, 0, dir);
        }
        multiplyPoints(X, square ? X : Y, M);
        inverse(X, M, 0, dir);
        for (let j: usize = 0; j < <usize>R; j++) store<f64>(C + j * stride + col + (<usize>lane << 3), load<f64>(X + (j << 4)));
      }
      continue;
    }
    gatherColumn(X, A + col, na, stride);
    forward(X, M, na, 0, dir);
    if (!square) {
      gatherColumn(Y, B + col, nb, stride);
      forward(Y, M, nb, 0, dir);
    }
    multiplyPoints(X, square ? X : Y, M);
    inverse(X, M, 0, dir);
    for (let j: usize = 0; j < <usize>R; j++) v128.store(C + j * stride + col, v128.load(X + (j << 4)));
  }
}

/**
 * Pass 3 of engine/outofcore/transform2d.ts for one product row (`size` = s): x holds the row's 2·s coefficients
 * (times 1/scale) as doubles; pending the previous row's upper half, rounded, with its carry folded into point 0.
 * For q < s: round the low coefficient q and the high one q + s (each on its own), digit = low + pending[q] + carry
 * in base B = 10^d with the carry running up, pending[q] ← high; then the digit stream is multiplied by `mult`
 * (pow's folded base; 1 otherwise) with its own carry, and written as d ASCII digits a digit, most significant
 * first: text[0, s·d) holds the row's digits in file order. res: [0] ← largest rounding distance (NaN stays NaN),
 * [1] ← the carry out of the row, [2] the multiplier's carry in and out.
 */
export function settleRow(x: usize, size: i32, scale: f64, pending: usize, d: i32, mult: f64, text: usize, res: usize): void {
  const B: f64 = d == 4 ? 10000.0 : d == 3 ? 1000.0 : d == 2 ? 100.0 : 10.0;
  const hiOff = <usize>size << 3;
  let maxErr: f64 = 0.0;
  let carry: f64 = 0.0;
  let mc: f64 = load<f64>(res, 16);
  for (let q: usize = 0; q < <usize>size; q++) {
    const low = load<f64>(x + (q << 3)) * scale;
    const lowR = Math.floor(low + 0.5);
    const high = load<f64>(x + hiOff + (q << 3)) * scale;
    const highR = Math.floor(high + 0.5);
    const e = Math.max(Math.abs(low - lowR), Math.abs(high - highR));
    maxErr = e > maxErr || e != e ? e : maxErr; // NaN sticks
    const v = lowR + load<f64>(pending + (q << 3)) + carry;
    carry = Math.floor(v / B);
    store<f64>(pending + (q << 3), highR);
    let w = (v - carry * B) * mult + mc;
    mc = Math.floor(w / B);
    w -= mc * B;
    let u = <i32>w;
    let at = text + <usize>(size - <i32>q) * <usize>d - 1;
    for (let j = 0; j < d; j++, at--) {
      const r = u % 10;
      store<u8>(at, <u8>(48 + r));
      u = u / 10;
    }
  }
  store<f64>(res, maxErr);
  store<f64>(res, carry, 8);
  store<f64>(res, mc, 16);
}

/**
 * One block of an out-of-core operand (engine/outofcore/blocks.ts) as balanced base-10^d digits: text holds n ASCII
 * digits, most significant first; digit q (least significant first) is the value of the d characters ending n − q·d
 * characters from the end (the first group may be shorter), plus the running carry, balanced into [−10^d/2, 10^d/2).
 * Writes the ceil(n/d) digits to dst as doubles. res: [0] the carry in and out, [1] += the digits' squares.
 */
export function balanceBlock(text: usize, n: i32, d: i32, dst: usize, res: usize): void {
  const B: f64 = d == 4 ? 10000.0 : d == 3 ? 1000.0 : d == 2 ? 100.0 : 10.0;
  const half = B * 0.5;
  let carry = load<f64>(res);
  let sumsq: f64 = 0.0;
  let q: usize = 0;
  for (let hi = n; hi > 0; hi -= d, q++) {
    let v: f64 = 0.0;
    for (let i = max(0, hi - d); i < hi; i++) v = v * 10.0 + <f64>(<i32>load<u8>(text + <usize>i) - 48);
    v += carry;
    carry = v >= half ? 1.0 : 0.0;
    v -= carry * B;
    sumsq += v * v;
    store<f64>(dst + (q << 3), v);
  }
  store<f64>(res, carry);
  store<f64>(res, load<f64>(res, 8) + sumsq, 8);
}
