/**
 * kernel/fftcore — the complex FFT engine of every product: lengths M = 2^k, 3·2^k and 5·2^k, radix-3 or radix-5 top stage,
 * radix-4 stages with per-size half-period twiddle tables, in-cache radix-4 leaves, and the real-to-complex
 * pointwise step (untangle, multiply, optional second product added, re-tangle). The butterflies run compiled, as
 * WebAssembly SIMD (assembly/fft.ts: one f64x2 = one complex point, interleaved re/im); this module keeps what is
 * decided once per transform: the tables, the split of each step among the threads, and the proven error bound
 * `mixedBound`.
 *
 * Threads. From PARALLEL_MIN points each transform runs as a few steps shared among the N threads of threads.ts:
 * the top stage (for M = 3P or 5P the radix-3 or radix-5 stage) cut by butterfly index, further radix-4 stages over
 * all blocks cut the same way until the blocks can be dealt out evenly (a multiple of N, or at least 4N), then the
 * independent sub-blocks, one a chunk (splitPlan). The pointwise step is cut into runs of pairs of equal count.
 * Each step is cut into chunks that the threads claim (threads.ts runShares; stepChunks: 4 a thread), so a thread
 * that starts late or runs slower leaves its chunks to the others. Every element goes through the same operations
 * in the same order as in the one-thread code, so results are bit for bit the same for any N and any claiming, and
 * the bound holds.
 * A product (productAt) fuses the steps between the forward's top stages and the inverse's: after the top stages
 * the blocks are independent until the inverse's, and the pointwise step pairs positions only within a unit of at
 * most two blocks (fusedUnits), so one step whose chunks are the units runs each unit's forward leaves, pointwise
 * pairs and inverse leaves on the thread that claimed it, in its cache; the inverse's last stage can run with the
 * unpacking (deferLast): a product with one new operand, unpacked, takes three synchronised steps where the
 * separate calls and the unpacking took six.

 * Orderings. The forward transform (decimation in frequency) takes natural order and leaves bit-reversed order; for
 * M = 3P (5P) it first does one radix-3 (radix-5) stage, so block b ∈ {0,1,2} ({0,…,4}) of length P holds X[3k1 + b] (X[5k1 + b]) with k1 in
 * bit-reversed order. The inverse (decimation in time, conjugate twiddles, unscaled) undoes exactly that.
 *
 * Twiddles. Every table entry is cos/sin(2πt/n) computed by `cosSin` from the exact integer t reduced to an
 * angle in [0, π/4] (error analysis there: |ω' − ω| < 3.7ε <= β = 4ε), computed by the compiled kernel into the
 * wasm memory (the large tables: cosTable, scaledCopy; the small ones through cosSin). Radix-4 stages of size n read the half-period cosine table H_n (n/2 + 1 doubles; cos = H[min(t, n − t)],
 * sin = H[|t − n/4|]); the radix-3 and radix-5 stages read H_M, kept as a quarter period (M/4 + 1 doubles; for
 * t > M/4, H_M[t] = −H_M[M/2 − t], exactly the value the half-period table held: halfTable, tableLength). Twiddles needed in scattered order (the pointwise step) come
 * from a two-level product w^t = W_hi[t >> 10]·W_lo[t & 1023] of two small accurate tables: error
 * < 2β + √5ε < 10.3ε =: β2. The compiled butterflies round every product and sum once (wasm has no fused
 * multiply-add), exactly as the error analysis of `mixedBound` assumes.
 */

import { activeThreads, joinBackground, jobCapacity, runShares, stepChunks, warmThreads, type Job } from './threads.js';
import { f64View, u32View, wasm, wasmAlloc, wasmFree, type KernelExports } from './wasmheap.js';

const EPS = 2 ** -53;
const BETA = 4 * EPS;
/** Error of a twiddle built as the product of two table twiddles (2β + √5ε, rounded up). */
const BETA2 = 10.3 * EPS;
/**
 * Relative error of the real-to-complex pointwise step (untangle, multiply, re-tangle; mixedBound argues it): per
 * term of a sum of two products α + 4γ with α = (√5 + 2)ε, γ = (β2 + 2ε)/4 + (3 + 2√5)ε/2 + ε/2, = 33.5ε, rounded
 * up to a whole ε (the terms of second order in ε are ~10^-14 of that margin).
 */
const POINTWISE = Math.ceil(((Math.sqrt(5) + 2) * EPS + 4 * ((BETA2 + 2 * EPS) / 4 + ((3 + 2 * Math.sqrt(5)) / 2) * EPS + EPS / 2)) / EPS) * EPS;
const LO_BITS = 10;
const LO = 1 << LO_BITS;

/**
 * cos and sin of 2πt/n for integers 0 <= t < n, 4 | n, into out[o], out[o+1] (compiled: assembly/fft.ts `trig`).
 * The symmetries θ → 2π − θ, π − θ, π/2 − θ are applied on the exact integer t (n/2, n/4 exact), leaving an angle
 * a = π·(2t/n) <= π/4. 2t/n rounds once (exact for n a power of two), the product with fl(π) (relative error
 * 0.39ε) once: relative error < 2.4ε, absolute < (π/4)·2.4ε < 1.9ε. cos and sin of a are fdlibm's kernels
 * (__kernel_cos, __kernel_sin: the operations V8's Math.cos and Math.sin run for |a| <= π/4, so the tables hold the
 * same bits as when they were built with Math.cos/sin in JavaScript; fft.test.ts compares whole tables), which err
 * < 1 ulp <= ε on values < 1, so |cos' − cos| < sin(π/4)·1.9ε + ε < 2.4ε, |sin' − sin| < 2.9ε, |ω' − ω| < 3.7ε <= β.
 */
export function cosSin(t: number, n: number, out: Float64Array, o: number): void {
  const k = wasm();
  out[o] = k.trig(t, n, 0);
  out[o + 1] = k.trig(t, n, 1);
}

// ---------------------------------------------------------------- lengths

/**
 * Smallest supported length >= x among 2^k, 3·2^k and 5·2^k (the power of two at least 8 for the mixed ones, so
 * that the tables' 4 | n holds and the blocks have a leaf). With three families a length is at most 1.25× what is
 * needed (two: 1.5×); at pi 10^7 the merges' 3·2^k transforms were ~78% full, their 5·2^(k−1) ones are ~94%.
 */
export function transformLength(x: number): number {
  let p = 4;
  while (p < x) p *= 2;
  const m5 = (5 * p) / 8, m3 = (3 * p) / 4;
  if (m5 >= x && m5 >= 40) return m5;
  return m3 >= x && m3 >= 24 ? m3 : p;
}

/** The radix of the top stage of a transform of M points: 3 for 3·2^k, 5 for 5·2^k, 1 for a power of two. */
export function topRadix(M: number): 1 | 3 | 5 {
  return M % 3 === 0 ? 3 : M % 5 === 0 ? 5 : 1;
}

/** A mixed length: 3·2^k or 5·2^k (a radix-3 or radix-5 top stage over power-of-two blocks). */
export function isMixed(M: number): boolean {
  return topRadix(M) !== 1;
}

/** Points of the compiled in-cache leaf (assembly/fft.ts LEAF). */
let leafPoints = 0;
function leaf(): number {
  if (leafPoints === 0) leafPoints = wasm().leafSize();
  return leafPoints;
}

// ---------------------------------------------------------------- tables in wasm memory

/** Address of H_n (n/2 + 1 doubles) by n, for powers of two and for mixed lengths 3P and 5P. */
const halfTables = new Map<number, number>();
/** Two-level tables (lo: 1024 complex, hi: n/1024 + 1 complex) by order n. */
const twoLevelTables = new Map<number, { lo: number; hi: number }>();
/** Vector tables of leaf sizes (see assembly/fft.ts dif4V) by n. */
const vectorTables = new Map<number, number>();
/** The directory: 64 u32 slots, slot log2(n) = address of H_n, slot 32 + log2(n) = vector table of n. */
let directory = 0;

function ensureDirectory(): Uint32Array {
  if (directory === 0) {
    directory = wasmAlloc(4 * 64);
    u32View(directory, 64).fill(0);
  }
  return u32View(directory, 64);
}

/**
 * The twiddles of a radix-4 stage of size n as ready vectors: per butterfly j, w^2j, w^j, w^3j, each as (c, c) and
 * (s, −s) with c, s the H_n values the stage would read (so the vector butterflies compute the same bits).
 */
function vectorTable(n: number): void {
  if (vectorTables.has(n)) return;
  const H = f64View(halfTable(n), n / 2 + 1).slice();
  const ptr = wasmAlloc(96 * (n / 4));
  fillVectorTable(f64View(ptr, 12 * (n / 4)), H, n);
  vectorTables.set(n, ptr);
  ensureDirectory()[32 + Math.log2(n)] = ptr;
}

/**
 * The table builders' loops (this one, halfTable's and twoLevel's) are functions of their own, called once per
 * table: a loop long enough for V8 to compile it while it runs (on-stack replacement) then leaves nothing after it
 * that had not run yet, where such a statement in the builder threw that compile away (a deopt for want of type
 * feedback, then another compile). Per pi 10^7 run that was halfTable 6–9 compiles, vectorTable 3–5, twoLevel 4.
 */
function fillVectorTable(v: Float64Array, H: Float64Array, n: number): void {
  const q = n / 4;
  for (let j = 0; j < q; j++) {
    const o = 12 * j;
    putTwiddle(v, o, H[2 * j]!, H[Math.abs(2 * j - q)]!);
    putTwiddle(v, o + 4, H[j]!, H[q - j]!);
    putTwiddle(v, o + 8, H[Math.min(3 * j, n - 3 * j)]!, H[Math.abs(3 * j - q)]!);
  }
}

/** One twiddle of a vector table: (c, c) and (s, −s) at v[o]. */
function putTwiddle(v: Float64Array, o: number, c: number, s: number): void {
  v[o] = c;
  v[o + 1] = c;
  v[o + 2] = s;
  v[o + 3] = -s;
}

/** Order of the largest cached twiddle table (the out-of-core engine drops tables larger than it needs). */
export let cosN = 0;

/**
 * Doubles the table of n holds: H_n[0 .. n/2] for a power of two (the radix-4 stages read the whole half period),
 * H_n[0 .. n/4] for a mixed length (the radix-3 and radix-5 stages read it through assembly/fft.ts `cosQ`, which
 * takes H_n[t] = −H_n[n/2 − t] for t > n/4: a quarter period, half the memory of the largest table of a product).
 */
function tableLength(n: number): number {
  return (isMixed(n) ? n / 4 : n / 2) + 1;
}

/**
 * The address of H_n (H_n[t] = cos(2πt/n), 4 | n; tableLength(n) doubles) in the wasm memory, built on first use.
 * H_n, from a cached H_m with n | m when there is one: H_n[t] = H_m[(m/n)·t] bit for bit, because cosSin's
 * reductions scale with (t, n) → (st, sn) and fl(2st/sn) = fl(2t/n) (the same rational, correctly rounded once).
 * So only the largest table of a product costs trigonometric calls.
 */
function halfTable(n: number): number {
  let ptr = halfTables.get(n);
  if (ptr !== undefined) return ptr;
  cosN = Math.max(cosN, n);
  const len = tableLength(n);
  ptr = wasmAlloc(8 * len);
  const m = sourceOrder(n);
  if (m > 0) copyScaled(ptr, len, halfTables.get(m)!, m, m / n);
  else trigTable(ptr, n);
  halfTables.set(n, ptr);
  if (!isMixed(n)) ensureDirectory()[Math.log2(n)] = ptr;
  return ptr;
}

/** The smallest order m of a cached table with n | m (H_n's values are read out of it: halfTable), 0 if none. */
function sourceOrder(n: number): number {
  let best = 0;
  for (const m of halfTables.keys()) if (m % n === 0 && (best === 0 || m < best)) best = m;
  return best;
}

/**
 * h[t] = H_m[s·t] for every t of h (`len` doubles at `h`), from the table of m (H_m[u] = −H_m[m/2 − u] above a quarter period's end, as cosQ reads it), compiled
 * (assembly/fft.ts scaledCopy): ~1 ms for the 1.4·10^6 entries of the tables a 3·2^21-point transform reads out of
 * H_M, where the JavaScript loop over halfEntry took ~18 ms in a fresh process.
 */
function copyScaled(h: number, len: number, from: number, m: number, s: number): void {
  wasm().scaledCopy(h, len, from, m, tableLength(m) - 1, s);
}

/**
 * H_n by trig (compiled: assembly/fft.ts cosTable, ~5.5 ns an entry; Math.cos from JavaScript took ~30 ns in a fresh
 * process, 46 ms for the 1.6·10^6 entries of H_M at M = 3·2^21). H[n/2 − t] = −H[t] bit for bit: trig reduces
 * n/2 − t (t < n/4) to t with the cosine's sign flipped. A mixed length keeps only t <= n/4 (copyScaled and cosQ
 * apply that negation when they read).
 */
function trigTable(h: number, n: number): void {
  const q = n / 4;
  wasm().cosTable(h, n, 0, q + 1);
  if (!isMixed(n)) mirrorHalf(f64View(h, n / 2 + 1), q);
}

/** h[2q − t] = −h[t] for t < q (the second quarter of a half-period table). */
function mirrorHalf(h: Float64Array, q: number): void {
  for (let t = 0; t < q; t++) h[2 * q - t] = -h[t]!;
}

/** w^t = e^{-2πit/n}: lo holds (cos, −sin) of t < 1024, hi of multiples of 1024 (complex, interleaved). */
export function twoLevel(n: number): { lo: number; hi: number } {
  let t = twoLevelTables.get(n);
  if (t) return t;
  const lo = new Float64Array(2 * LO);
  const hi = new Float64Array(2 * (Math.ceil(n / LO) + 1));
  conjugateTwiddles(lo, 1, n);
  conjugateTwiddles(hi, LO, n);
  const loPtr = wasmAlloc(8 * lo.length);
  const hiPtr = wasmAlloc(8 * hi.length);
  f64View(loPtr, lo.length).set(lo);
  f64View(hiPtr, hi.length).set(hi);
  t = { lo: loPtr, hi: hiPtr };
  twoLevelTables.set(n, t);
  return t;
}

/** out[2i], out[2i + 1] = (cos, −sin) of 2π·(i·step mod n)/n for every i the array holds (twoLevel). */
function conjugateTwiddles(out: Float64Array, step: number, n: number): void {
  for (let i = 0; 2 * i < out.length; i++) {
    cosSin((i * step) % n, n, out, 2 * i);
    out[2 * i + 1] = -out[2 * i + 1]!;
  }
}

/** Power-of-two sizes whose H_n the transform of a power-of-two block of n points reads. */
function pow2Sizes(n: number): number[] {
  const out: number[] = [];
  while (n > leaf()) {
    out.push(n);
    n /= 4;
  }
  for (; n >= 8; n /= 4) out.push(n);
  return out;
}

/**
 * Lengths whose tables are built, with what transformTables returned (tables are only added until
 * releaseCoreTables frees them all): a Newton step transforms dozens of times at a few lengths.
 */
const readyTables = new Map<number, { dir: number; HM: number }>();

/** The tables a transform of M points reads: the directory (H_n of its power-of-two sizes) and H_M if mixed. */
function transformTables(M: number): { dir: number; HM: number } {
  const ready = readyTables.get(M);
  if (ready !== undefined) return ready;
  const P = M / topRadix(M);
  const HM = isMixed(M) ? halfTable(M) : 0; // first: the smaller tables are read out of the largest
  for (const n of pow2Sizes(P)) {
    halfTable(n);
    if (n <= leaf()) vectorTable(n);
  }
  ensureDirectory();
  const tables = { dir: directory, HM };
  readyTables.set(M, tables);
  return tables;
}

/**
 * The table directory a power-of-two transform of M points reads (assembly/fft.ts `forward`, `inverse`), its tables
 * built: what the outer level of the out-of-core 2-D transform passes to the compiled column pass (transform.ts).
 */
export function powerOfTwoTables(M: number): number {
  if (isMixed(M) || M < 8 || (M & (M - 1)) !== 0) throw new Error(`powerOfTwoTables: ${M} is not a power of two >= 8`);
  return transformTables(M).dir;
}

/**
 * Gets a product of transform length M ready: starts the worker threads (they boot meanwhile) and builds the
 * tables its transforms and pointwise step read.
 */
export function prepareTransforms(M: number): void {
  if (splits(M)) warmThreads();
  transformTables(M);
  if (isMixed(M)) twoLevel((2 * M) / topRadix(M));
  twoLevel(2 * M);
}

/** Frees every cached table (their wasm memory is reused by later allocations; it never shrinks). */
export function releaseCoreTables(): void {
  joinBackground(); // a background transform reads them
  for (const ptr of halfTables.values()) wasmFree(ptr);
  for (const ptr of vectorTables.values()) wasmFree(ptr);
  vectorTables.clear();
  for (const t of twoLevelTables.values()) {
    wasmFree(t.lo);
    wasmFree(t.hi);
  }
  halfTables.clear();
  twoLevelTables.clear();
  cosN = 0;
  if (directory !== 0) wasmFree(directory);
  directory = 0;
  readyTables.clear();
}

/**
 * Bytes of the tables a product of transform length M reads: an upper bound on what prepareTransforms(M) allocates on
 * an empty cache, counted block by block as built: the directory (64 u32); H_M when M is mixed (M/4 + 1 doubles);
 * H_n (n/2 + 1 doubles) for each n of pow2Sizes(P), P = M/3 or M/5 or M, i.e. n = P, P/4, P/16, …: the radix-4
 * stages divide the block length by 4, so only that parity of exponent is ever built; the vector tables of the
 * leaf-sized n (96·n/4 bytes each, n = leaf, leaf/4, …: 32·leaf in all, bounded by 48·leaf); two two-level tables,
 * of orders 2M and 2M/radix (each 1024 + 2M/1024 + 1 complex, the first the larger); and the allocator's rounding
 * of every block to 64 bytes (at most 64 bytes a block, 40 blocks counted; pow2Sizes has 13 entries at 2^26).
 * Tables cached by other lengths are not counted, as heapBytesFor does not count what an earlier operation left in
 * the heap: the same product gets the same plan in any process (a caller that runs a chain of lengths beside its
 * budget frees them, releaseFftCaches). This used to count every power of two from 8 to P (both parities): 162.3 MiB
 * at M = 3·2^23, where 139.9 MiB were allocated (Q's measurement); with H_M a quarter period, 91.9 MiB are
 * allocated and 93.0 counted (src/kernel/tables.test.ts).
 */
export function coreTableBytes(M: number): number {
  const P = M / topRadix(M);
  let bytes = 256 + 2 * (16 * LO + 16 * (Math.ceil((2 * M) / LO) + 1)) + 48 * leaf();
  for (const n of pow2Sizes(P)) bytes += 8 * tableLength(n);
  if (isMixed(M)) bytes += 8 * tableLength(M);
  return bytes + 64 * 40;
}

// ---------------------------------------------------------------- transforms

/**
 * Transforms (and their pointwise, packing and unpacking steps) from this many complex points use the threads: split
 * among them, or on two threads side by side when two are independent (a product's two new operands: forwardEachAt);
 * shorter ones run on the calling thread.
 * The rule is a cost one. A split step or a side-by-side one costs a hand-over: waking a sleeping worker took
 * 30–100 µs here, so steps that follow each other keep the workers polling (threads.ts SPIN_MICROS, `linger`), which
 * costs CPU while they wait. Measured (2 threads of a 2-core machine): a forward and inverse transform of 2^16 points
 * split ran 1.24× faster than on one thread with sleeping workers and 1.77× with polling ones, for 5% more CPU; at
 * 2^15 1.19× for 39% more. In Newton's division at 10^6 digits (transforms of 2^13–2^17 points) splitting from 2^16
 * instead of 2^18 cut the 2-thread wall time by ~15% (medians of 31–61 interleaved rounds on a quiet machine: the
 * wall ratio to the n×n product 3.2–3.3 → 2.7–3.1) for ~10% more CPU; below 2^16, side by side or split, the
 * square root's many short products (2^13–2^15) gained no wall time for 10–25% more CPU. The first split, at 2^15
 * (until 8c2f278), cost ~20% CPU with sleeping workers.
 * 2^17, not 2^16: in a same-process A/B of the two (31 interleaved rounds, quiet machine, 2 threads) the square root
 * at 10^6 digits cost 2.07× the product's CPU from 2^16 and 1.96× from 2^17 (its bar is 2), at the same wall time
 * (2.7–2.9× the product's); the division's ratios (2.7 CPU, 3.0–3.1 wall) and everything at 4·10^6 digits moved by
 * less than the noise.
 * With claimed chunks (threads.ts) 2^16 gains wall time, at about the CPU cost: three same-process A/Bs of 2^16
 * against 2^17 at 10^6 digits (31–41 rounds, 2 threads, load 0.7–3.2) gave the square root −4 to −12% median wall
 * (best round −15 to −21% in two of them) for 0–5% more CPU, the division −5 to −9% for 2–3.5% more CPU; 2^15 cost
 * the root 19% more CPU and no wall time. Still 2^17: the root's CPU ratio sits at its bar (1.95 → 2.04 in the
 * quietest A/B) while its wall ratio stays above its own (2.3–2.9) either way, so 2^16 would trade a met target for
 * none. Once the root's own costs fell (the same session's later main) the split's share grew: 2^16 then cost the
 * root 18% more CPU for 6% less median wall (41 rounds, load 1.4; the division +6% CPU, the same wall).
 * With the fused product step (productAt: three synchronised steps a group product instead of six, each unit of
 * blocks in one thread's cache) the trade is the same: same-process A/Bs at 10^6 digits, 2 threads, load ~1
 * (mostly the A/B's own two threads), 21–41 rounds: 2^16 gave the root −10%, −10% and 0% median wall for +11%, +11%
 * and +17% CPU, the division −4% to +2% wall for +4% to +10% CPU; 2^15 cost the root +13% to +36% CPU for no wall
 * time, 2^14 +43%. A step profile of the root at 2^16 shows where: of its ~16 ms on 2 threads 4.3 are split steps
 * (caller 3.3 ms of work, worker 3.2, caller waiting 0.8, worker polling 0.45), the other ~11.5 run on one thread
 * (the products below 2^16 and the work between products); so even free splitting could not bring the root's
 * wall time near half.
 * Retried with the machine quiet (2026-12-07, own process each, 2 threads, medians of 200): a product of 2^16 points
 * (250000 × 250000 digits) split took 2.82 ms wall and 4.40 ms CPU against 3.12 and 3.13 unsplit (1.1× for 1.4×
 * the CPU); of its 2.3 ms (instrumented) 1.1 ms are its four split steps (the caller ran 5.7 of the top stage's 8
 * chunks, 1.3 of the fused step's 3 units: the worker joins each step late) and 1.2 ms the caller's own work
 * (packing, residue checks, unpacking). 2^15: no wall time for +50% CPU. Same-process A/Bs of 2^16 against 2^17
 * (21 rounds, 5 ms between operations): the root at 10^6 digits 15.3 → 15.3 ms wall for 16.9 → 19.8 ms CPU, the
 * division 16.6 → 17.3 ms wall; at 4·10^6 digits both within 1%. Workers that nap instead of sleeping between steps
 * (threads.ts SPIN_MICROS) did not change this.
 */
export const PARALLEL_MIN = 1 << 17;

/** Whether the steps of a transform of M points are split among the threads (PARALLEL_MIN). */
export function splits(M: number): boolean {
  return M >= PARALLEL_MIN;
}

/** Splits [0, n) into `parts` contiguous ranges (the first ones one longer). */
function ranges(n: number, parts: number): [number, number][] {
  const out: [number, number][] = [];
  for (let t = 0, a = 0; t < parts; t++) {
    const b = a + Math.floor(n / parts) + (t < n % parts ? 1 : 0);
    out.push([a, b]);
    a = b;
  }
  return out;
}

/** How the split transform of M points is cut: the stages shared by butterfly index, then the block dealing. */
interface SplitPlan {
  /** Radix-4 stages over all blocks: block size n and block count before each. */
  stages: { n: number; count: number }[];
  /** The blocks run whole at the end, one a chunk: size and count. */
  blockSize: number;
  blocks: number;
}

/**
 * Shared stages run until the blocks can be dealt out evenly (a multiple of N of them) or there are at least 4N
 * (uneven by at most one block in four): every shared stage is a step of its own (a wake-up of the workers, ~30–100 µs
 * of CPU on a loaded machine) and one more pass over the whole transform outside the cache, while a block dealt out
 * whole runs its remaining stages depth-first, in the cache. With N = 2 a power-of-two length shares one stage, not
 * two (2^17 points: 3 steps → 2, and about a third less CPU over the single-thread transform).
 */
function splitPlan(M: number, threads: number): SplitPlan {
  let n = M / topRadix(M);
  let count = topRadix(M);
  const stages: { n: number; count: number }[] = [];
  while (n > leaf() && (count < threads || (count % threads !== 0 && count < 4 * threads))) {
    stages.push({ n, count });
    n /= 4;
    count *= 4;
  }
  return { stages, blockSize: n, blocks: count };
}

/** Threads a transform of M points is shared among. */
function useThreads(M: number): number {
  return splits(M) ? activeThreads() : 1;
}

/**
 * Forward DIF transform of the M complex points at `ptr` (natural in, block/bit-reversed out) of an input whose
 * points from `filled` on are zero: they need not be zero in memory (a mixed length never reads them, a power of two
 * clears them first).
 */
export function forwardAt(ptr: number, M: number, filled = M): void {
  const k = wasm();
  const { dir, HM } = transformTables(M);
  const T = useThreads(M);
  if (T === 1) {
    k.forward(ptr, M, filled, HM, dir);
    return;
  }
  if (isMixed(M)) {
    const P = M / topRadix(M);
    const stage = topRadix(M) === 5 ? 'dif5Stage' : 'dif3Stage';
    runShares(k, ranges(P, stepChunks(T)).map(([j0, j1]): Job[] => [[stage, ptr, P, j0, j1, filled, HM]]), true);
  } else if (filled < M) {
    f64View(ptr + 16 * filled, 2 * (M - filled)).fill(0);
  }
  const plan = splitPlan(M, T);
  for (const { n, count } of plan.stages) stageShares(k, ptr, n, count, T, 'dif4Stage', dir);
  runShares(k, ranges(plan.blocks, plan.blocks).map(([b0, b1]): Job[] => [['difBlocks', ptr, plan.blockSize, b0, b1, dir]]), true);
}

/**
 * Forward transforms of several independent inputs of M points ({ ptr, filled } as forwardAt's), each whole on one
 * thread, as one step: each input a chunk, claimed by whichever thread is free (threads.ts runShares). Each
 * transform is the one-thread one (the compiled `forward`), so the bits are forwardAt's whatever the thread count.
 * For two operands of one product on two threads this beats splitting each transform: one step instead of two or
 * three per transform, and each thread's half stays in its own cache. `linger`: a step follows at once (runShares'),
 * by default when the transforms split (their product's pointwise step is shared too).
 */
export function forwardEachAt(inputs: ReadonlyArray<{ readonly ptr: number; readonly filled: number }>, M: number, linger = splits(M)): void {
  const k = wasm();
  const { dir, HM } = transformTables(M);
  if (inputs.length === 1 || activeThreads() === 1) {
    for (const { ptr, filled } of inputs) k.forward(ptr, M, filled, HM, dir);
    return;
  }
  // One chunk an input: claimed by whichever thread is free (threads.ts runShares). The next step (a product's
  // pointwise step) is shared too when it splits.
  runShares(k, inputs.map(({ ptr, filled }): Job[] => [['forward', ptr, M, filled, HM, dir]]), linger);
}

/**
 * A product's pointwise step and inverse transform as one chunk for one thread (out ← inverse(Σ A_t·B_t), as
 * pointwiseAt then inverseAt run it on one thread: the same calls in the same order, so the same bits), for
 * products run side by side, each whole on its own thread (kernel/multiplier.ts TransformGroup.together).
 */
export function productJobs(out: number, terms: ReadonlyArray<SpectrumTerm>, M: number): Job[] {
  const { dir, HM } = transformTables(M);
  return [...pointwiseShares(out, terms, M, 1)[0]!, ['inverse', out, M, HM, dir]];
}

/**
 * The one-thread forward transform of M points at `ptr` as a kernel call (forwardAt's, with its tables built here),
 * for a step the caller publishes itself: a background transform (spectra.ts natSpectrumBegin). Its points from
 * `filled` on must be zero or not read (forwardAt's contract).
 */
export function forwardJob(ptr: number, M: number, filled: number): Job {
  const { dir, HM } = transformTables(M);
  return ['forward', ptr, M, filled, HM, dir];
}

/** Inverse DIT transform of the M points at ptr (unscaled: M times the inverse DFT), in the mirror order. */
export function inverseAt(ptr: number, M: number): void {
  const k = wasm();
  const { dir, HM } = transformTables(M);
  const T = useThreads(M);
  if (T === 1) {
    k.inverse(ptr, M, HM, dir);
    return;
  }
  const plan = splitPlan(M, T);
  runShares(k, ranges(plan.blocks, plan.blocks).map(([b0, b1]): Job[] => [['ditBlocks', ptr, plan.blockSize, b0, b1, dir]]), true);
  for (const { n, count } of [...plan.stages].reverse()) stageShares(k, ptr, n, count, T, 'dit4Stage', dir);
  if (isMixed(M)) {
    const P = M / topRadix(M);
    const stage = topRadix(M) === 5 ? 'dit5Stage' : 'dit3Stage';
    runShares(k, ranges(P, stepChunks(T)).map(([j0, j1]): Job[] => [[stage, ptr, P, j0, j1, HM]]), true);
  }
}

/** One radix-4 stage over `count` consecutive blocks of n points, its butterfly range cut into the step's chunks. */
function stageShares(k: KernelExports, ptr: number, n: number, count: number, T: number, fn: 'dif4Stage' | 'dit4Stage', dir: number): void {
  runShares(k, ranges(n / 4, stepChunks(T)).map(([j0, j1]): Job[] => Array.from({ length: count }, (_, b): Job => [fn, ptr + 16 * n * b, n, j0, j1, dir])), true);
}

// ---------------------------------------------------------------- pointwise step

/** A product term of the pointwise step: addresses of two packed spectra (the same address: a square). */
export type SpectrumTerm = readonly [number, number];

/**
 * out ← retangle(Σ_t untangle(A_t)·untangle(B_t)) for one or two products of packed spectra at the given addresses
 * (B_t = A_t: a square). For a position pair (p, p2) holding X = X[k] and X' = X[M − k] of a packed real sequence of
 * length 2M and w = e^{-2πik/2M}: E = (X + conj X')/2, O = (X − conj X')/(2i), Â(k) = E + wO, Â(k+M) = E − wO; the
 * product spectrum C is packed back by the inverse of these formulas (transform.ts `tangle` runs the two halves).
 * out may alias the first operand.
 *
 * Computed without untangling (assembly/fft.ts pairStep): with D = X − conj X' (so E = (X + conj X')/2, −2iO = D)
 * and t = (1 + w²)/4, the packed product is
 *   out[p] = X_A·X_B − t·D_A·D_B,   out[p2] = X'_A·X'_B − conj(t·D_A·D_B)
 * (expand C(k) = Â(k)B̂(k), C(k+M) = Â(k+M)B̂(k+M) in E and O and retangle: (C(k) + C(k+M))/2 = E_A E_B + w²O_A O_B,
 * i·conj(w)(C(k) − C(k+M))/2 = i(E_A O_B + O_A E_B); with E = (X + conj X')/2 and O = (X − conj X')/(2i) their sum is
 * X_A X_B − ((1 + w²)/4)·D_A D_B; the partner's w'² = conj(w²) and D' = −conj D give out[p2]). Three complex
 * products and one by t per pair (a sum of two products: six and one) instead of the untangling's two twiddle
 * products per operand and the re-tangling's one; w² is read from the same two-level table (index 2k).
 * Positions 0 and 1 pair with themselves: there t = 1/2 and t = 0 exactly (w² = ±1 from exact table entries), and
 * the formula gives out[p] = X_A X_B − t·D_A D_B at once, the two real values Â(0)B̂(0), Â(M)B̂(M) (point 0) and
 * Â(M/2)B̂(M/2) (point 1).
 *
 * Pairs: a bit-reversed power-of-two block of n points pairs position j in [2^m, 2^{m+1}) with 3·2^m − 1 − j
 * (twiddle index n/2^{m+1} + rev(j − 2^m), table of order 2n), positions 0 and 1 with themselves. For M = 3P,
 * block 0 is such a block (order 2P) and position j of block 1 holds X[3·rev(j) + 1], whose partner
 * X[M − 3·rev(j) − 1] = X[3·rev(P − 1 − j) + 2] sits at position P − 1 − j of block 2 (order 2M). For M = 5P the
 * same holds with blocks (1, 4) and (2, 3): X[5·rev(j) + b] pairs with X[5·rev(P − 1 − j) + 5 − b].
 */
export function pointwiseAt(out: number, terms: ReadonlyArray<SpectrumTerm>, M: number): void {
  const k = wasm();
  const [A1, B1] = terms[0]!;
  const [A2, B2] = terms.length > 1 ? terms[1]! : [0, 0];
  const T = splits(M) ? activeThreads() : 1;
  const R = topRadix(M);
  const P = M / R;
  if (T === 1) {
    // The same calls as the one share below, made directly (no job lists: small products run thousands of these).
    const { lo, hi } = twoLevel(2 * P);
    k.pwSelf(out, A1, B1, A2, B2, 0, P, lo, hi);
    for (let base = 2; base < P; base <<= 1) k.pwLevel(out, A1, B1, A2, B2, 0, P, lo, hi, base, 0, base >> 1);
    if (R > 1) {
      const top = twoLevel(2 * M);
      for (let b = 1; 2 * b < R; b++) k.pwBlocks(out, A1, B1, A2, B2, P, top.lo, top.hi, 0, P, R, b);
    }
    return;
  }
  runShares(k, pointwiseShares(out, terms, M, stepChunks(T)), true);
}

/** pointwiseAt's work as T chunks of pairs of equal count (T = 1: its one-thread calls, in their order). */
function pointwiseShares(out: number, terms: ReadonlyArray<SpectrumTerm>, M: number, T: number): Job[][] {
  const [A1, B1] = terms[0]!;
  const [A2, B2] = terms.length > 1 ? terms[1]! : [0, 0];
  const head = [out, A1, B1, A2, B2] as const;
  const R = topRadix(M);
  const P = M / R;
  // Segments of pairs: [kind, first, count, …parameters].
  type Segment = { count: number; job: (i0: number, i1: number) => Job };
  const segments: Segment[] = [];
  const block = (n: number): void => {
    const { lo, hi } = twoLevel(2 * n);
    for (let base = 2; base < n; base <<= 1) {
      segments.push({ count: base >> 1, job: (i0, i1) => ['pwLevel', ...head, 0, n, lo, hi, base, i0, i1] });
    }
  };
  const selfTables = twoLevel(2 * P);
  block(P);
  if (R > 1) {
    const { lo, hi } = twoLevel(2 * M);
    // Blocks b and R − b pair up: (1, 2) for R = 3; (1, 4) and (2, 3) for R = 5.
    for (let b = 1; 2 * b < R; b++) segments.push({ count: P, job: (j0, j1) => ['pwBlocks', ...head, P, lo, hi, j0, j1, R, b] });
  }
  const total = segments.reduce((s, g) => s + g.count, 0);
  const shares: Job[][] = Array.from({ length: T }, () => []);
  shares[0]!.push(['pwSelf', ...head, 0, P, selfTables.lo, selfTables.hi]);
  const cuts = ranges(total, T);
  let first = 0;
  for (const g of segments) {
    for (let t = 0; t < T; t++) {
      const [a, b] = cuts[t]!;
      const i0 = Math.max(a, first) - first, i1 = Math.min(b, first + g.count) - first;
      if (i0 < i1) shares[t]!.push(g.job(i0, i1));
    }
    first += g.count;
  }
  return shares;
}

// ---------------------------------------------------------------- the fused product step

/** An input whose forward transform productAt finishes: its address and filled points (as forwardAt's). */
export interface FreshInput {
  readonly ptr: number;
  readonly filled: number;
}

/**
 * How productAt cuts a product of M points among T threads: the shared top stages (the radix-3 or radix-5 stage of a
 * mixed length, then `stages`, each a step over all blocks cut by butterfly index), and then the blocks of
 * `blockSize` points grouped into `units`, the sets of blocks that the pointwise step's pairs never leave (largest
 * first, so the last ones claimed are the short ones).
 */
export interface FusedPlan {
  stages: { n: number; count: number }[];
  blockSize: number;
  units: number[][];
}

/** Shared stages stop at blocks of at least this many points (a block's work must stay far above a claim). */
const FUSED_MIN_BLOCK = 1024;

/**
 * The units of blocks closed under the pointwise pairing (pointwiseAt's comment: position j in [2^m, 2^{m+1}) of a
 * bit-reversed power-of-two block of P points pairs with 3·2^m − 1 − j; position j of block b of a mixed length with
 * P − 1 − j of block R − b), for R top blocks of P points each cut into `per` (a power of 4) blocks of n = P/per:
 * in top block 0, block 0 (positions [0, n): points 0 and 1 and the levels below n), block 1 (the level n, which
 * pairs with itself) and, for 2^e < per, blocks k in [2^e, 1.5·2^e) with 3·2^e − 1 − k (level 2^e·n: positions kn + i
 * and (3·2^e − k)n − 1 − i); block k of top block b (0 < b < R − b) with block per − 1 − k of top block R − b.
 */
function fusedUnits(R: number, per: number): number[][] {
  const pairs: number[][] = [];
  const singles: number[][] = [[0]];
  if (per >= 2) singles.push([1]);
  for (let e = 2; e < per; e *= 2) for (let k = e; k < (3 * e) / 2; k++) pairs.push([k, 3 * e - 1 - k]);
  for (let b = 1; b < R - b; b++) for (let k = 0; k < per; k++) pairs.push([b * per + k, (R - b) * per + per - 1 - k]);
  return [...pairs, ...singles];
}

/**
 * Shared stages run until the units number at least 1.5·T (with T = 2: a power of two shares one stage, 3 units of
 * 1, 1 and 2 blocks; 3P two, 7 units; 5P none, 3 units of 1, 2 and 2 blocks) or the blocks would fall under
 * FUSED_MIN_BLOCK. A block at or below the leaf size is cut by the same radix-4 stages its leaf would run first
 * (assembly/fft.ts difLeaf reads the vector table of H_n, the same values dif4 reads), so the bits are the leaf's.
 */
function fusedPlan(M: number, T: number): FusedPlan {
  const R = topRadix(M);
  const P = M / R;
  let n = P;
  const stages: { n: number; count: number }[] = [];
  while (n / 4 >= FUSED_MIN_BLOCK && 2 * fusedUnits(R, P / n).length < 3 * T) {
    stages.push({ n, count: (R * P) / n });
    n /= 4;
  }
  return { stages, blockSize: n, units: fusedUnits(R, P / n) };
}

/**
 * The pointwise step's calls for the pairs whose positions lie in `unit`'s blocks (fusedUnits), in
 * pointwiseAt's order for each pair: the same per-pair arithmetic, so the same bits (a pair's lane depends on its own
 * inputs only, assembly/fft.ts pairStep2).
 */
function unitPointwise(out: number, terms: ReadonlyArray<SpectrumTerm>, M: number, n: number, unit: readonly number[]): Job[] {
  const [A1, B1] = terms[0]!;
  const [A2, B2] = terms.length > 1 ? terms[1]! : [0, 0];
  const R = topRadix(M);
  const P = M / R;
  const per = P / n;
  const g = unit[0]!;
  const b = Math.floor(g / per), k = g % per;
  if (b > 0) {
    const { lo, hi } = twoLevel(2 * M);
    return [['pwBlocks', out, A1, B1, A2, B2, P, lo, hi, k * n, (k + 1) * n, R, b]];
  }
  const { lo, hi } = twoLevel(2 * P);
  if (k === 0) {
    const jobs: Job[] = [['pwSelf', out, A1, B1, A2, B2, 0, P, lo, hi]];
    for (let base = 2; base < n; base <<= 1) jobs.push(['pwLevel', out, A1, B1, A2, B2, 0, P, lo, hi, base, 0, base >> 1]);
    return jobs;
  }
  // Block 1 is the level n, its pairs i in [0, n/2); block k >= 2 holds pairs [kn − base, kn − base + n) of level base.
  if (k === 1) return [['pwLevel', out, A1, B1, A2, B2, 0, P, lo, hi, n, 0, n >> 1]];
  const base = n * 2 ** Math.floor(Math.log2(k));
  return [['pwLevel', out, A1, B1, A2, B2, 0, P, lo, hi, base, k * n - base, k * n - base + n]];
}

/**
 * Forward transforms that beginForwards took as far as their leaves: productAt finishes them (their blocks' leaves
 * fused with the pointwise step), with the plan they were begun with.
 */
export interface BegunForwards {
  readonly ptrs: readonly number[];
  readonly M: number;
  readonly plan: FusedPlan;
}

/**
 * Runs the forward transforms of `inputs` (M points each, as forwardAt's) as far as productAt leaves them to its
 * fused step: when the transforms split (T > 1 threads), their shared top stages (fusedPlan), one step a stage for
 * all inputs, and returns what is left (pass it to productAt with the product that reads them first; until then the
 * spectra are not finished); on one thread the whole transforms, and null.
 */
export function beginForwards(inputs: ReadonlyArray<FreshInput>, M: number): BegunForwards | null {
  const k = wasm();
  const { dir, HM } = transformTables(M);
  const T = useThreads(M);
  if (T === 1 || inputs.length === 0) {
    for (const { ptr, filled } of inputs) k.forward(ptr, M, filled, HM, dir);
    return null;
  }
  const plan = fusedPlan(M, T);
  const R = topRadix(M);
  const P = M / R;
  if (R > 1) {
    const stage = R === 5 ? 'dif5Stage' : 'dif3Stage';
    runShares(k, ranges(P, stepChunks(T)).map(([j0, j1]): Job[] => inputs.map(({ ptr, filled }): Job => [stage, ptr, P, j0, j1, filled, HM])), true);
  } else {
    // A power of two reads its tail: zeroed compiled (a JS fill on the shared memory stores element by element).
    for (const { ptr, filled } of inputs) if (filled < M) k.zeroLimbs(ptr + 16 * filled, 8 * (M - filled));
  }
  for (const { n, count } of plan.stages) {
    // All inputs in one step while the step table holds them (threads.ts jobCapacity), else one step an input.
    const together = inputs.length * count * stepChunks(T) <= jobCapacity(T);
    for (const group of together ? [inputs] : inputs.map((f) => [f])) {
      runShares(k, ranges(n / 4, stepChunks(T)).map(([j0, j1]): Job[] =>
        group.flatMap(({ ptr }) => Array.from({ length: count }, (_, b): Job => ['dif4Stage', ptr + 16 * n * b, n, j0, j1, dir]))), true);
    }
  }
  return { ptrs: inputs.map((f) => f.ptr), M, plan };
}

/**
 * out ← inverseAt(pointwiseAt(terms)) (out may alias the first operand), after finishing the forward transforms of
 * the `fresh` inputs (forwardAt's) and those `begun` (beginForwards); an input in no term is just transformed.
 * The same bits as those calls for any thread count: split among T threads it runs as few steps as it can, each
 * element through the same operations in the same order: the forward's shared top stages of the fresh inputs
 * (beginForwards), then one step whose chunks are the units of blocks (fusedPlan), each running its blocks' forward
 * leaves of every fresh and begun input, the pointwise pairs of those blocks and the inverse leaves of out's blocks,
 * in the cache of the thread that claimed it; then the inverse's shared top stages. Split as forwardAt,
 * pointwiseAt and inverseAt are, a product with one fresh input took five synchronised steps (forward stage,
 * forward blocks, pointwise, inverse blocks, inverse stage), and each thread's blocks moved between the caches at
 * each; fused it takes three. `deferLast`: the inverse's last stage is left to the unpacking of `out` (takeLastStage,
 * fft.ts unpackRuns), which must come next; returns whether it was left (never on one thread).
 */
export function productAt(
  out: number, terms: ReadonlyArray<SpectrumTerm>, M: number, fresh: ReadonlyArray<FreshInput> = [], begun: ReadonlyArray<BegunForwards> = [],
  deferLast = false,
): boolean {
  const k = wasm();
  const { dir, HM } = transformTables(M);
  const T = useThreads(M);
  const inputs = fresh.filter((f, i) => fresh.findIndex((g) => g.ptr === f.ptr) === i);
  const started = inputs.length > 0 ? beginForwards(inputs, M) : null;
  const plan = started?.plan ?? (T > 1 ? fusedPlan(M, T) : null);
  const leaves: number[] = started ? [...started.ptrs] : [];
  for (const b of begun) {
    if (b.M !== M) throw new Error(`productAt: a forward transform begun at ${b.M} points finished at ${M}`);
    if (plan !== null && b.plan.blockSize === plan.blockSize) leaves.push(...b.ptrs);
    else for (const ptr of b.ptrs) k.difBlocks(ptr, b.plan.blockSize, 0, M / b.plan.blockSize, dir); // (the thread count changed)
  }
  if (plan === null) {
    pointwiseAt(out, terms, M);
    k.inverse(out, M, HM, dir);
    return false;
  }
  const n = plan.blockSize;
  runShares(k, plan.units.map((unit): Job[] => [
    ...leaves.flatMap((ptr) => unit.map((g): Job => ['difBlocks', ptr, n, g, g + 1, dir])),
    ...unitPointwise(out, terms, M, n, unit),
    ...unit.map((g): Job => ['ditBlocks', out, n, g, g + 1, dir]),
  ]), true);
  const R = topRadix(M);
  const P = M / R;
  // The inverse's last stage: the radix-3 or radix-5 one, else the first shared radix-4 stage (n = M, one block).
  const last: LastStage | null = R > 1
    ? { out, M, threads: T, pieces: R, butterflies: P, job: (j0, j1) => [R === 5 ? 'dit5Stage' : 'dit3Stage', out, P, j0, j1, HM] }
    : plan.stages.length > 0 ? { out, M, threads: T, pieces: 4, butterflies: M / 4, job: (j0, j1) => ['dit4Stage', out, M, j0, j1, dir] } : null;
  const stages = [...plan.stages].reverse();
  if (R === 1 && last !== null) stages.pop();
  for (const { n: size, count } of stages) {
    runShares(k, ranges(size / 4, stepChunks(T)).map(([j0, j1]): Job[] => Array.from({ length: count }, (_, b): Job => ['dit4Stage', out + 16 * size * b, size, j0, j1, dir])), true);
  }
  if (last === null) return false;
  if (deferLast) {
    if (pendingLast !== null) throw new Error('productAt: an earlier product\'s last inverse stage is still pending');
    pendingLast = last;
    return true;
  }
  runShares(k, ranges(last.butterflies, stepChunks(T)).map(([j0, j1]): Job[] => [last.job(j0, j1)]), true);
  return false;
}

/**
 * The inverse transform's last stage (butterflies [0, butterflies), each of which writes its index plus
 * 0, 1, …, pieces − 1 times `butterflies`: the stage's job(j0, j1) runs [j0, j1)), which productAt left to the
 * unpacking of its output (deferLast): fft.ts unpackRuns runs each chunk of it with the digit runs it wrote, in the
 * same claimed chunk, one synchronised step fewer a product.
 */
export interface LastStage {
  readonly out: number;
  readonly M: number;
  readonly threads: number;
  readonly pieces: number;
  readonly butterflies: number;
  job(j0: number, j1: number): Job;
}

/** The last stage productAt deferred and no unpacking has taken yet (at most one: it is taken right after). */
let pendingLast: LastStage | null = null;

/**
 * The last inverse stage productAt deferred for the output at `src` (M points), now owned by the caller, who must
 * run it before reading the output; null when none is pending.
 * @throws Error when one is pending for another output (an internal fault: it would be lost).
 */
export function takeLastStage(src: number, M: number): LastStage | null {
  const s = pendingLast;
  if (s === null) return null;
  if (s.out !== src || s.M !== M) throw new Error(`takeLastStage: the pending last stage is of another output (${s.out}, ${s.M} points)`);
  pendingLast = null;
  return s;
}

/** Drops a deferred last stage nobody took: its output was not unpacked (a product's fallback path) and is not read. */
export function dropLastStage(): void {
  pendingLast = null;
}

// ---------------------------------------------------------------- error bound

/**
 * Proven bound on max |computed − exact| of a convolution of real length 2M through forwardAt, pointwiseAt and
 * inverseAt (and the final scaling by 1/M), for operand digit vectors whose Euclidean norms multiply to
 * `normProduct` (for a sum of products: the sum of the per-product norm products).
 *
 * Percival 2003, Thm 5.1 (Math. Comp. 72): a radix-2 convolution of length 2^n errs by less than
 * ||x||·||y||·((1+ε)^{3n}(1+ε√5)^{3n+1}(1+β)^{3n} − 1); the proof charges each level (a √2-scaled unitary map)
 * a relative error (1+ε)(1+ε√5)(1+β) and the pointwise product (1+ε√5). Our levels, per transform:
 *  - radix-4 stage = two radix-2 levels with one twiddle product fewer (cheaper than two levels); its ·(∓i) is a
 *    lane swap and a sign flip, exact;
 *  - radix-3 stage (√3-scaled unitary): first-order error of the butterfly < 5.7ε of its output norm (s = b+c,
 *    d = b−c, m = a − s/2, e = fl(√3/2)·d rounded; ||s||, ||d|| <= √2·||in||, ||m|| <= √1.5·||in||; fl(√3/2) is
 *    within ε/2 relative of √3/2), plus a twiddle product with a table twiddle (ε√5 + β): 11.9ε < two radix-2
 *    levels (2·(ε + ε√5 + β) = 14.5ε). So the radix-3 stage is charged as two levels, and 3·2^k like 2^(k+2);
 *  - radix-5 stage (√5-scaled unitary; assembly/fft.ts dif5: s1,2 = x1 ± x4, x2 ± x3 as d1,2, then
 *    m1 = (x0 + C51·s1) + C52·s2, m2 = (x0 + C52·s1) + C51·s2, n1 = S51·d1 + S52·d2, n2 = S52·d1 − S51·d2,
 *    Y0 = (x0 + s1) + s2, Y1,4 = m1 ∓ i·n1, Y2,3 = m2 ∓ i·n2). First-order error, in units of ε·||x||
 *    (||Y|| = √5·||x||): the four sums/differences (||(s, d)|| <= √2·||x||, mapped to Y by a map of norm
 *    √5/√2) √5; the eight products by constants (each constant within ε relative, so 2ε per product;
 *    C² + S² = 1 and Cauchy–Schwarz give |δm| + |δn| <= 2·√2·||(s, d)|| <= 4 per pair, entering two outputs)
 *    √(4·4²) = 8; the inner additions (|x0 + C51·s1| <= 1.091, |x0 + C52·s1| <= 1.520, |x0 + s1| <= 1.732,
 *    |m1| + |n1| <= ||(Y1, Y4)||, each entering two outputs) <= √2·||Y|| + 3.17 = 6.33; the outputs' own
 *    rounding √5. Together < 18.9ε·||x|| = 8.5ε of the output norm, plus a twiddle product (ε√5 + β): 14.8ε
 *    < three radix-2 levels (21.7ε). The inverse (dit5) untwiddles its inputs first and then runs the same
 *    butterfly with conjugate roots: the same charge. So 5·2^k is charged like 2^(k+3) (5·2^(k−1) like 3·2^k);
 *  - the final 1/M scaling (not a power of two for mixed lengths): one more (1+ε).
 * The real-to-complex step (pointwiseAt: untangle, multiply, re-tangle) is charged as one operation whose error is
 * relative to ||X||·||Y||, the norms of the packed spectra, as the pointwise product's is in Percival's proof (the
 * untangling and re-tangling are unitary on each pair of positions, so the exact packed product Z is the pointwise
 * product of the untangled spectra, whose norms are ||X|| and ||Y||, moved by a unitary map; its error propagation
 * is bilinear: (1 + e_X)(1 + e_Y)). Per pair (p, p2), with u = (|X_p|, |X_p2|), v the same of Y, x = |X_p|,
 * y = |Y_p|, first order in ε: D = fl(X − conj X') errs by ε|D| (one rounding a lane), |D| <= x + x' <= √2|u|;
 * every complex product errs by √5ε relative (Brent–Percival–Zimmermann, no fused multiply-add); t = fl(1 + w²)/4
 * with w² two-level (β2) errs by (β2 + 2ε)/4 < 3.1ε absolutely, |t| <= 1/2. So t·D_A D_B errs by
 * (3.08 + (2 + √5)/2 + √5/2)ε|D_A||D_B| = 6.31ε·|D_A||D_B|, X_A X_B by √5ε·xy, and the final subtraction rounds once
 * (ε(xy + |D_A||D_B|/2)): |δout[p]| <= α·xy + γ·(x + x')(y + y') with α = 3.24ε, γ = 6.81ε, the same at p2 with x',
 * y'. A sum of two products adds one rounding to the sum of the X_A X_B (α += ε) and one to that of the D_A D_B
 * (γ += ε/2): α = 4.24ε, γ = 7.31ε per term. Summed over the pairs, with (x + x')(y + y') <= 2|u||v| and
 * Σ_p |u_p||v_p| <= ||X||·||Y|| (Cauchy–Schwarz), Σ_p |u_p|²|v_p|² <= ||X||²||Y||²: ||δZ||_1 <= (α + 4γ)·||X||·||Y||
 * and ||δZ||_2 <= (α + 2√2γ)·||X||·||Y||, the same two norms in which the pointwise product √5ε|X_k||Y_k| is summed.
 * The self-paired points 0 and 1 (exact t = 1/2 and 0, D exact there) err by less than 11ε·xy. Charged:
 * POINTWISE = α + 4γ = 33.5ε → 34ε, below the untangling, product and re-tangling as separate levels
 * (3·(ε + √5ε + β2) + √5ε = 42.9ε).
 * A sum of two products: the spectra add before the inverse transform; Percival's bound is linear in the
 * pointwise-product norms, and ||X1·Y1 + X2·Y2|| <= ||X1·Y1|| + ||X2·Y2||, so the bounds add (normProduct summed).
 */
export function mixedBound(M: number, normProduct: number): number {
  const R = topRadix(M);
  const levels = R === 3 ? Math.log2(M / 3) + 2 : R === 5 ? Math.log2(M / 5) + 3 : Math.log2(M);
  const lvl = Math.log1p(EPS) + Math.log1p(EPS * Math.sqrt(5)) + Math.log1p(BETA);
  const e = 3 * levels * lvl + Math.log1p(POINTWISE) + Math.log1p(EPS);
  return normProduct * Math.expm1(e);
}
