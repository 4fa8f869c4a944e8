/**
 * kernel/div — exact division with remainder: schoolbook (Knuth's Algorithm D) for small quotients or small
 * divisors, Newton reciprocal (O(M(n))) above; both end in exact q and r.
 *
 * Newton: the reciprocal X ≈ B^2k / D (B = 10^4, D = the top k limbs of the divisor) is built by
 * X' = X + X·(B^2k − D·X)/B^2k with the precision doubling at each level (Brent & Zimmermann, "Modern
 * Computer Arithmetic", §3.4.1), so its cost is a small multiple of M(k). The quotient estimate
 * q ≈ (top of a)·X is off by a few units at most; the final correction computes r = a − q·b exactly and
 * repairs q by a few subtractions of b, or a division of the excess when it is larger (`settle`), so q and r are
 * exact whatever the estimate's accuracy.
 *
 * Every product goes through a Multiplier (multiplier.ts, the planner bound to a memory budget), so a division
 * honours the budget it is given: products whose transforms would not fit are split (planner.ts).
 *
 * Two threads: the reciprocal's products are too short to split (fftcore.ts PARALLEL_MIN), so the second thread
 * would idle through them. The operands known in advance — every Newton level's D (the top limbs of the divisor),
 * the divisor itself (the remainders' operand) and the top of a (the first estimate's) — are packed and transformed
 * on it meanwhile (Prefetches, threads.ts background steps), each group taking its spectrum only with the plan it
 * makes itself (TransformGroup.adopt): the same plans, the same products, the same digits for any thread count; only
 * which thread made a spectrum, and when, changes. Every bound below is therefore unchanged: a prefetched spectrum
 * has natSpectrum's values and norm (the same compiled pack and forward transform; background.test), and every
 * product still checks the proven bound with the norms its packing measured. Memory: a prefetched spectrum is held
 * from its start to its group. What can be held at once — the next levels' D (each half the length of the one
 * above), b and the top of a (one spectrum each of the final step's length) beside a level's group (three spectra
 * of at most half that length) — stays below the final step's two groups of chunk products, the division's peak;
 * and a group that would not fit the budget gets no prefetch (Multiplier.prefetchPlan is the group's own planning).
 */

import { DivideByZeroError } from '../errors.js';
import {
  BASE, NAT_ONE, NAT_ZERO, Nat, cmpLimbs, natAdd, natCompare, natDivSmall, natFromLimbs, natShiftLimbs,
  natSub,
  LIMB_FACTOR_LIMIT, natToNumber, natFromNumber, natHighView, natShiftAddLimbs,
} from './nat.js';
import { KERNEL_MULTIPLIER, type Multiplier, type TransformGroup } from './multiplier.js';
import { natSpectrumBegin, type PendingSpectrum, type SpectrumPlan } from './spectra.js';
import { activeThreads, backgroundBusy } from './threads.js';

/** Below `m.newtonDivThreshold` limbs in min(quotient, divisor) schoolbook division is used (the default lives with
 * the Multiplier, which carries it per computation). */
export { NEWTON_DIV_THRESHOLD } from './multiplier.js';
/** Reciprocal levels at or below this many limbs are computed by schoolbook division. */
const INV_BASE_LIMBS = 48;

/**
 * floor(a / b) and a mod b, every product within the budget of `m` (default: the whole memory budget).
 * @throws DivideByZeroError for b = 0; ArithmeticCheckError if a product fails its residue check.
 * @example natDivMod(natFromNumber(17), natFromNumber(5))  // { q: 3, r: 2 } as Nats
 */
export function natDivMod(a: Nat, b: Nat, m: Multiplier = KERNEL_MULTIPLIER): { q: Nat; r: Nat } {
  const nb = b.limbs.length;
  if (nb === 0) throw new DivideByZeroError('natDivMod');
  if (natCompare(a, b) < 0) return { q: NAT_ZERO, r: a };
  const small = natToNumber(b);
  if (small !== undefined && small <= LIMB_FACTOR_LIMIT) {
    const { q, r } = natDivSmall(a, small);
    return { q, r: natFromNumber(r) };
  }
  const qlen = a.limbs.length - nb + 1;
  if (Math.min(qlen, nb) <= m.newtonDivThreshold) return schoolbookDivMod(a, b);
  return newtonDivMod(a, b, m);
}

/** floor(a / b) (see natDivMod). */
export function natDiv(a: Nat, b: Nat, m: Multiplier = KERNEL_MULTIPLIER): Nat {
  return natDivMod(a, b, m).q;
}

// ---------------------------------------------------------------- schoolbook (Knuth D)

/**
 * Knuth, TAOCP vol. 2, §4.3.1, Algorithm D in base 10^4 on float limbs (all intermediates < 10^8·2, exact).
 * Requires b to have at least 2 limbs and a >= b.
 */
export function schoolbookDivMod(a: Nat, b: Nat): { q: Nat; r: Nat } {
  const n = b.limbs.length;
  const m = a.limbs.length - n;
  // Normalize so the divisor's top limb is >= B/2 (the qhat estimate is then at most 2 too large).
  const f = Math.floor(BASE / (b.limbs[n - 1] + 1));
  const v = new Float64Array(n);
  const u = new Float64Array(m + n + 1);
  scaleInto(b.limbs, f, v);
  scaleInto(a.limbs, f, u);
  const q = new Uint16Array(m + 1);
  const v1 = v[n - 1], v2 = v[n - 2];
  for (let j = m; j >= 0; j--) {
    const num = u[j + n] * BASE + u[j + n - 1];
    let qhat = Math.floor(num / v1);
    let rhat = num - qhat * v1;
    while (qhat >= BASE || qhat * v2 > rhat * BASE + u[j + n - 2]) {
      qhat--;
      rhat += v1;
      if (rhat >= BASE) break;
    }
    if (qhat === 0) continue;
    let carry = 0, borrow = 0;
    for (let i = 0; i < n; i++) {
      const p = qhat * v[i] + carry;
      carry = Math.floor(p / BASE);
      const t = u[j + i] - (p - carry * BASE) - borrow;
      borrow = t < 0 ? 1 : 0;
      u[j + i] = t + borrow * BASE;
    }
    const top = u[j + n] - carry - borrow;
    if (top < 0) {
      qhat--;
      let c = 0;
      for (let i = 0; i < n; i++) {
        const s = u[j + i] + v[i] + c;
        c = s >= BASE ? 1 : 0;
        u[j + i] = s - c * BASE;
      }
      u[j + n] = top + c;
    } else {
      u[j + n] = top;
    }
    q[j] = qhat;
  }
  const rl = new Uint16Array(n);
  for (let i = 0; i < n; i++) rl[i] = u[i];
  const r = f === 1 ? natFromLimbs(rl) : natDivSmall(natFromLimbs(rl), f).q;
  return { q: natFromLimbs(q), r };
}

function scaleInto(src: Uint16Array, f: number, out: Float64Array): void {
  let carry = 0;
  for (let i = 0; i < src.length; i++) {
    const p = src[i] * f + carry;
    carry = Math.floor(p / BASE);
    out[i] = p - carry * BASE;
  }
  if (carry) out[src.length] = carry;
}

// ---------------------------------------------------------------- Newton

/**
 * X ≈ floor(B^2n / D) for D with exactly n limbs (top limb non-zero), |error| a few units.
 * With h = floor(n/2)+1 and Xh ≈ B^2h/Dh (Dh = top h limbs of D), Y = Xh·B^(n−h) ≈ B^2n/D and one Newton step
 * X = Y + Xh·E/B^2h with E = B^(n+h) − D·Xh. E is truncated by B^(h−2) (changes the step by < 1/B).
 *
 * D·Xh is a wrapped product (natMulSpectraWrapped): with D = Dh·B^(n−h) + Dl and Xh = B^2h/Dh + e (|e| a few
 * units, Dh >= B^(h−1)), D·Xh − B^(n+h) = e·Dh·B^(n−h) + Dl·Xh, of magnitude < few·B^n + B^(n−h)·B^(h+1) < B^(n+2).
 * So D·Xh mod (B^k − 1) with k >= n + 3 determines it (TransformGroup.difference): a transform for n + 3 limbs
 * instead of the 1.5·n of the full product, and Xh's transform serves both products of the step (transform reuse).
 */
export function reciprocalApprox(D: Nat, n: number, m: Multiplier = KERNEL_MULTIPLIER): Nat {
  return reciprocalSteps(D, n, m, false);
}

/**
 * reciprocalApprox; with `high`, each step's correction Xh·E/B^(h+2) is TransformGroup.mulHigh's (one unit more or
 * less, the product's digits below B^(h+2) never unpacked, no residue check): for natDivMod only, whose result is
 * exact and checked whatever X is (quotientChunk). One more unit in the correction moves X by at most one unit, and
 * the next level does not inherit it: the error after a Newton step is quadratic in the error before it
 * (e²·D/B^2n < e²/B^(n−1) at the next precision), plus that level's own truncations.
 */
function reciprocalSteps(D: Nat, n: number, m: Multiplier, high: boolean, pre?: Prefetches): Nat {
  // The precisions, top down: n_0 = n, n_(i+1) = floor(n_i / 2) + 1 until the schoolbook base; level i works with
  // D_i, the top n_i limbs of D (D has exactly n limbs).
  const sizes = [n];
  for (let s = n; s > INV_BASE_LIMBS; ) sizes.push((s = (s >> 1) + 1));
  const Ds = sizes.map((s) => natHighView(D, n - s));
  const last = sizes.length - 1;
  // Every level's D is known now: their transforms are wanted first, in the order the levels need them.
  const own = pre === undefined;
  const queue = pre ?? new Prefetches();
  for (let i = last - 1; i >= 0; i--) queue.first(Ds[i]!, () => levelPlan(Ds[i]!, sizes[i]!, sizes[i + 1]!, m));
  try {
    queue.pump();
    let X = schoolbookDivMod(natShiftLimbs(NAT_ONE, 2 * sizes[last]!), Ds[last]!).q;
    for (let i = last - 1; i >= 0; i--) {
      const Di = Ds[i]!;
      // Its results (E, the correction) stay in the wasm memory until newtonStep closes it (Multiplier.group `held`).
      const g = m.group([[[X, { size: sizes[i]! - sizes[i + 1]! + 4, like: X }]]], { products: [[Di, X]], limbs: sizes[i]! + 3 }, 3, true);
      g.adopt(Di, queue.take(Di));
      // A free thread takes the next wanted transform while this level's products run, split levels included (a
      // worker on a background transform is only a late worker for their split steps). Tried and measured worse:
      // starting one only beside unsplit levels and up to twice their length, which at 4·10^6 digits leaves the
      // 2^18 level's D and the 2^19 transforms of b and the top of a to the caller (same-process A/B, 2 threads,
      // quiet minute, 21 rounds: division 56.6 ms wall without the limits, 58.4 with them).
      queue.pump();
      X = newtonStep(Di, sizes[i]!, X, sizes[i + 1]!, g, high, () => queue.pump());
    }
    return X;
  } finally {
    if (own) queue.cancel();
  }
}

/**
 * Transforms a computation will need, of operands it already holds, made one at a time on the idle thread
 * (spectra.ts natSpectrumBegin, with Multiplier.prefetchPlan's plan) whenever the caller `pump`s and no background
 * step is running: those wanted `first` (the
 * reciprocal's levels, in the order they come), then the others (the division's remainders and first estimate).
 * The caller `take`s each for the group that uses it (TransformGroup.adopt), and `cancel`s the rest.
 */
class Prefetches {
  private readonly head: Wanted[] = [];
  private readonly tail: Wanted[] = [];
  private readonly started = new Map<Nat, PendingSpectrum>();

  first(x: Nat, plan: () => SpectrumPlan | undefined): void {
    this.head.push({ x, plan });
  }

  then(x: Nat, plan: () => SpectrumPlan | undefined): void {
    this.tail.push({ x, plan });
  }

  /**
   * Starts the next wanted transform when the background is free (threads.ts runInBackground: the caller's own
   * steps never wait for it, a worker running it is only a late worker for them). Wanted transforms whose group
   * would multiply one by one are dropped.
   */
  pump(): void {
    if (activeThreads() === 1) return; // (no thread to overlap: natSpectrumBegin would start nothing)
    while (!backgroundBusy()) {
      const w = this.head.shift() ?? this.tail.shift();
      if (w === undefined) return;
      const plan = w.plan();
      const p = plan === undefined ? undefined : natSpectrumBegin(w.x, plan);
      if (p !== undefined) {
        this.started.set(w.x, p);
        return;
      }
    }
  }

  /** x's started transform (the caller owns it now), or undefined; x is no longer wanted. */
  take(x: Nat): PendingSpectrum | undefined {
    for (const list of [this.head, this.tail]) {
      const i = list.findIndex((w) => w.x === x);
      if (i >= 0) list.splice(i, 1);
    }
    const p = this.started.get(x);
    this.started.delete(x);
    return p;
  }

  /** Frees every started transform not taken, and wants nothing more. */
  cancel(): void {
    this.head.length = 0;
    this.tail.length = 0;
    for (const p of this.started.values()) p.cancel();
    this.started.clear();
  }
}

/** A transform Prefetches may start: its operand and the plan of the group that will use it. */
interface Wanted {
  readonly x: Nat;
  readonly plan: () => SpectrumPlan | undefined;
}

/**
 * The plan of the group reciprocalSteps makes for level n (the level below at h limbs), for D's prefetch, made
 * with X_h's stand-in: X_h ≈ B^2h/D_h has h + 1 limbs (B^h < X_h <= B^(h+1)), and its digits' norm is taken as
 * D's. A wrong guess only costs the prefetch (the group keeps its own plan: TransformGroup.adopt).
 */
function levelPlan(D: Nat, n: number, h: number, m: Multiplier): SpectrumPlan | undefined {
  const Xh = { size: h + 1, like: D };
  return m.prefetchPlan([[[Xh, { size: n - h + 4, like: D }]]], { products: [[D, Xh]], limbs: n + 3 }, 3);
}

/**
 * One Newton step of reciprocalSteps on its group g (closed here): X = Y ± Xh·E/B^(h+2) from Xh ≈ B^2h/Dh;
 * `between` runs between its two products.
 */
function newtonStep(D: Nat, n: number, Xh: Nat, h: number, g: TransformGroup, high: boolean, between: () => void): Nat {
  try {
    // E = B^(n+h) − D·Xh, of which only floor(|E| / B^(h−2)) is used (with `high`, within one unit: its product's
    // digits below are never unpacked, TransformGroup.differenceHigh; that moves the correction by less than
    // Xh/B^(h+2) < 1/B).
    const diff = high ? g.differenceHigh({ power: n + h }, D, Xh, n + 2, h - 2) : g.difference({ power: n + h }, D, Xh, n + 2);
    g.release(D);
    between();
    const E = high ? diff.magnitude : natHighView(diff.magnitude, h - 2);
    const corr = high ? g.mulHigh(Xh, E, h + 2) : natHighView(g.mul(Xh, E), h + 2);
    // Y = Xh·B^(n−h) ± corr (a correction larger than Y, never seen, leaves Y), laid out in a new array before the
    // group closes: E and corr are held in its wasm memory (reciprocalSteps' `held` group) and die with it.
    const X = natShiftAddLimbs(Xh, n - h, corr, diff.negative);
    return X.limbs.length === 0 ? natShiftLimbs(Xh, n - h) : X;
  } finally {
    g.close();
  }
}

/** Quotients of at least this many limbs are computed in two chunks from one reciprocal of half their length. */
export const CHUNKED_DIV_LIMBS = 480;

/**
 * a / b with qlen = la − lb + 1 quotient limbs.
 *
 * One chunk (qlen < CHUNKED_DIV_LIMBS): k = qlen + 2 limbs of precision suffice for an estimate within a few units,
 * q ≈ floor(floor(a/B^(lb−2)) · X / B^(k+2)) with X ≈ B^2k / (b·B^(k−lb)) (quotientChunk).
 *
 * Two chunks (Karp & Markstein's use of a half-precision reciprocal; classical long division in base B^c with
 * c = ⌈qlen/2⌉): one reciprocal X of h = c + 3 limbs serves both quotient halves. With a = A1·B^c + A0:
 * (q1, R1) = A1 / b (q1 < B^(qlen−c) ≤ B^c), then (q0, r) = (R1·B^c + A0) / b (R1 < b, so q0 < B^c), and
 * q = q1·B^c + q0. Each chunk's estimate has c limbs against X's c + 3, so it is within a few units as above, and
 * `settle` makes it exact. For a 2n/n division that is a reciprocal of n/2 limbs (≈ 2.5·M(n/2)), two products
 * M(n/2) for the estimates and two n/2 × n products for the remainders: ≈ 3.75·M(n) instead of
 * 2.5·M(n) + 2·M(n) = 4.5·M(n) with one full-precision reciprocal. On transform groups (docs/ARCHITECTURE.md,
 * "Newton steps on transform groups") X's transform serves both estimates, b's both remainders, and the remainders
 * and the reciprocal's D·X are wrapped products as long as what is unknown of them: ≈ 2.5·M(n). When q fits the
 * remainders' transform (2n/n), only the final remainder a − q·b is exact: the high chunk's R1 is a high wrapped
 * difference that only feeds the low chunk's estimate (twoChunksOneRemainder).
 */
function newtonDivMod(a: Nat, b: Nat, m: Multiplier): { q: Nat; r: Nat } {
  const qlen = a.limbs.length - b.limbs.length + 1;
  const lb = b.limbs.length;
  let result: { q: Nat; r: Nat };
  if (qlen < CHUNKED_DIV_LIMBS) {
    const k = qlen + 2;
    const X = reciprocalOf(b, k, m, true);
    // liveSpectra 4: each group's three, and the other group's kept operand (X or b).
    const estimates = m.group([[[X, { size: qlen + 1, like: X }]]], undefined, 4);
    const corrections = m.group([], { products: [[b, { size: qlen + 1, like: b }]], limbs: lb + 3 }, 4);
    try {
      result = quotientChunk(a, b, X, k, estimates, corrections, m);
    } finally {
      estimates.close();
      corrections.close();
    }
  } else {
    const c = Math.ceil(qlen / 2);
    const h = c + 3;
    // One remainder (twoChunksOneRemainder) when q fits the remainders' transform (2n/n and the like).
    const one = qlen + 1 <= lb + 3;
    const remainders = { products: [[b, { size: one ? qlen + 1 : c, like: b }]] as const, limbs: lb + 3 };
    // The operands known before the reciprocal is, transformed on the idle thread while it is built (coarse
    // parallelism: the reciprocal's products are too short to split): after the reciprocal's own levels, b for the
    // remainders and the high chunk's estimate operand (the top of a), each group taking its spectrum only with the
    // plan it makes itself (Prefetches, TransformGroup.adopt).
    const top1 = natHighView(a, c + lb - 2);
    const pre = new Prefetches();
    pre.then(b, () => m.prefetchPlan([], remainders, 4));
    if (one) pre.then(top1, () => m.prefetchPlan([[[{ size: h + 1, like: b }, { size: c + 2, like: b }]]], undefined, 4));
    try {
      const X = reciprocalOf(b, h, m, true, pre);
      // X serves both estimates and b both corrections: each is transformed once (liveSpectra: X or b, the other
      // operand, the output, and the other group's kept operand).
      const estimates = m.group([[[X, { size: c + 2, like: X }]]], undefined, 4);
      estimates.adopt(top1, pre.take(top1));
      const corrections = m.group([], remainders, 4);
      corrections.adopt(b, pre.take(b));
      try {
        const single = one ? twoChunksOneRemainder(a, b, X, c, estimates, corrections, m, top1) : undefined;
        if (single !== undefined) result = single;
        else {
          const high = quotientChunk(natHighView(a, c), b, X, h, estimates, corrections, m);
          const low = quotientChunk(aboveLimbs(high.r, a, c), b, X, h, estimates, corrections, m);
          result = { q: aboveLimbs(high.q, low.q, c), r: low.r };
        }
      } finally {
        estimates.close();
        corrections.close();
      }
    } finally {
      pre.cancel();
    }
  }
  return result;
}

/**
 * The two-chunk division (newtonDivMod) with one exact remainder instead of two, for qlen + 1 <= lb + 3 (h = c + 3,
 * t = lb − 2 − c >= 0). The low chunk's estimate needs only top2 = floor(W2 / B^(lb−2)) = floor(R1 / B^t) of
 * W2 = R1·B^c + A0 (A0 < B^c <= B^(lb−2)), R1 = W1 − q1·b: a high wrapped difference gives R1's sign and
 * floor(|R1| / B^t) within one unit (TransformGroup.differenceHigh; |R1| < 3b < B^(lb+1), quotientChunk's bound),
 * without R1's low limbs, their residue, its settling or W2. Then q = q1·B^c + q0 and r = a − q·b, the one exact,
 * checked remainder (a/b = q1·B^c + W2/b, so a − q·b = W2 − q0·b), settled.
 *
 * Bound (|W2 − q0·b| < 3b, so the remainder's wrap holds it and settle subtracts): when R1 >= 0 (sign positive),
 * top2 is within one of floor(W2/B^(lb−2)) and R1 < 3b + B^t, so W2 < 4b·B^c and top2 < 4·B^(h−1) + 1: estimateChunk's
 * argument gives |v − W2/b| < 4/B and top2·|e|/B^(h+2) < 4|e|/B^3, the top's unit moves the product by
 * X/B^(h+2) < 1/B, and the high product's floor by at most one more: |q0 − W2/b| < 2 + 6/B + 4|e|/B^3 < 3. When the
 * magnitude is 0 (either sign), |R1| < 2·B^t, |W2| < 3·B^(lb−2) < 3b/B and q0 = 0. A negative R1 below −B^t, or a
 * top2 longer than the estimates' plan (R1 >= b·B^... , an estimate far off): undefined, the caller divides with two
 * remainders.
 * @internal exported for tests.
 */
export function twoChunksOneRemainder(
  a: Nat, b: Nat, X: Nat, c: number, estimates: TransformGroup, corrections: TransformGroup, m: Multiplier,
  top1 = natHighView(a, c + b.limbs.length - 2),
): { q: Nat; r: Nat } | undefined {
  const lb = b.limbs.length, h = c + 3, t = lb - 2 - c;
  const W1 = natHighView(a, c);
  if (natCompare(W1, b) < 0) return undefined;
  const q1 = estimateChunk(W1, b, X, h, estimates, true, top1);
  const R1 = corrections.differenceHigh(W1, q1, b, lb + 1, t);
  corrections.release(q1);
  const top2 = R1.magnitude;
  if ((R1.negative && top2.size > 0) || top2.size > c + 2) return undefined;
  const q0 = top2.size === 0 ? NAT_ZERO : estimates.mulHigh(top2, X, h + 2);
  estimates.release(top2);
  const q = natShiftAddLimbs(q1, c, q0);
  const d = corrections.difference(a, q, b, lb + 1);
  corrections.release(q);
  return settle(q, d.negative, d.magnitude, b, m);
}

/**
 * q with |q − a/b| < 1 + 2·10^−4: floor(a/b), or one more or less when a/b lies that close to an integer (an
 * approximate quotient for callers that carry guard digits, such as pi: kernel/div.ts's header). It is the
 * two-chunk Newton division without the second chunk's remainder: the high chunk (q1, R1) = floor(a/B^c) / b is
 * exact (its remainder R1 < b is formed and settled), the low chunk is only estimated, q0 ≈ (R1·B^c + A0)/b
 * (estimateChunk: error < 1 + 1/B + |e|/B^3 for a reciprocal X of error e, and reciprocalApprox's X is within a
 * few units, far below the B^3 this needs), and a/b = q1·B^c + (R1·B^c + A0)/b exactly, so q = q1·B^c + q0 is as
 * close to a/b as q0 is to its chunk. Cost on transform groups ≈ 6.5 transforms of M(n)'s length for 2n/n
 * (reciprocal 2.5, estimates 2.5, one remainder 1.5) against natDivMod's 7.5. Quotients below CHUNKED_DIV_LIMBS
 * limbs, or small divisors, are exact (natDivMod: cheap there).
 * @throws DivideByZeroError for b = 0; ArithmeticCheckError if a product fails its residue check.
 * @example natDivApprox(natFromNumber(17), natFromNumber(5))  // 3 (exact at this size)
 */
export function natDivApprox(a: Nat, b: Nat, m: Multiplier = KERNEL_MULTIPLIER): Nat {
  const lb = b.limbs.length;
  if (lb === 0) throw new DivideByZeroError('natDivApprox');
  const qlen = a.limbs.length - lb + 1;
  if (qlen < CHUNKED_DIV_LIMBS || Math.min(qlen, lb) <= m.newtonDivThreshold) return natDivMod(a, b, m).q;
  const c = Math.ceil(qlen / 2);
  const h = c + 3;
  // As in natDivMod: b and the top of a are transformed on the idle thread while the reciprocal is built.
  const top1 = natHighView(a, c + lb - 2);
  const remainders = { products: [[b, { size: c, like: b }]] as const, limbs: lb + 3 };
  const pre = new Prefetches();
  pre.then(b, () => m.prefetchPlan([], remainders, 4));
  pre.then(top1, () => m.prefetchPlan([[[{ size: h + 1, like: b }, { size: c + 2, like: b }]]], undefined, 4));
  try {
    const X = reciprocalOf(b, h, m, false, pre);
    const estimates = m.group([[[X, { size: c + 2, like: X }]]], undefined, 4);
    estimates.adopt(top1, pre.take(top1));
    try {
      let high;
      const corrections = m.group([], remainders, 4);
      corrections.adopt(b, pre.take(b));
      try {
        // The high chunk is exact whatever its estimate (quotientChunk): its product may be a high one.
        high = quotientChunk(natHighView(a, c), b, X, h, estimates, corrections, m, top1);
      } finally {
        corrections.close();
      }
      const W = aboveLimbs(high.r, a, c);
      // q0 may reach B^c (a/b just below an integer multiple of B^c): added with its carry, not placed.
      const low = natCompare(W, b) < 0 ? NAT_ZERO : estimateChunk(W, b, X, h, estimates, false);
      return natShiftAddLimbs(high.q, c, low);
    } finally {
      estimates.close();
    }
  } finally {
    pre.cancel();
  }
}

/** hi·B^c + (lo mod B^c) in one allocation (the two parts do not overlap: no carries, no temporaries). */
function aboveLimbs(hi: Nat, lo: Nat, c: number): Nat {
  const out = new Uint16Array(c + hi.limbs.length);
  out.set(lo.limbs.subarray(0, Math.min(c, lo.limbs.length)));
  out.set(hi.limbs, c);
  return natFromLimbs(out);
}

/** X ≈ B^2k / (b's top k limbs, or b·B^(k−lb) when it is shorter). */
function reciprocalOf(b: Nat, k: number, m: Multiplier, high = false, pre?: Prefetches): Nat {
  const lb = b.limbs.length;
  return reciprocalSteps(lb >= k ? natHighView(b, lb - k) : natShiftLimbs(b, k - lb), k, m, high, pre);
}

/**
 * q = floor(top·X / B^(k+2)), top = floor(W / B^(lb−2)), for b <= W < b·B^(k−3) and X = reciprocalOf(b, k) =
 * B^2k/D + e (D = b's top k limbs, D·B^(lb−k) <= b < (D + 1)·B^(lb−k), or D = b·B^(k−lb) exactly when lb < k):
 * |q − W/b| < 1 + 1/B + |e|/B^3 (natDivApprox's bound). Proof: with v = top·B^(k−2)/D, the bounds
 * top·B^(lb−2) <= W < (top + 1)·B^(lb−2) and D·B^(lb−k) <= b < (D + 1)·B^(lb−k) give
 * top·B^(k−2)/(D + 1) < W/b < (top + 1)·B^(k−2)/D, i.e. −B^(k−2)/D < v − W/b < top·B^(k−2)/(D·(D + 1)); D >= B^(k−1)
 * and top < B^(k−1) (from W < b·B^(k−3)) put both sides within 1/B. The product top·X/B^(k+2) differs from v by
 * top·|e|/B^(k+2) < |e|/B^3, and the floor by less than one. With `high` the product is TransformGroup.mulHigh's,
 * floor(top·X/B^(k+2)) or one unit more or less: |q − W/b| < 2 + 1/B + |e|/B^3.
 */
function estimateChunk(
  W: Nat, b: Nat, X: Nat, k: number, estimates: TransformGroup, high: boolean, top = natHighView(W, b.limbs.length - 2),
): Nat {
  const q = high ? estimates.mulHigh(top, X, k + 2) : natHighView(estimates.mul(top, X), k + 2);
  estimates.release(top);
  return q;
}

/**
 * Exact (q, r) = W / b for W < b·B^(k−3), from X = reciprocalOf(b, k): the estimate (estimateChunk, a high product
 * of the `estimates` group), then the exact remainder W − q·b from a wrapped product of the
 * `corrections` group, and `settle`. The estimate is within 2 + 1/B + |e|/B^3 of W/b, so |W − q·b| < 3·b < B^(lb+1)
 * (b < B^lb), which q·b modulo B^k' − 1 (k' >= lb + 3) and W modulo the same determine (TransformGroup.difference,
 * which checks the difference modulo its prime and forms the whole product when the bound fails). So (q, r) is
 * exact whatever the estimate: the estimate's accuracy is only speed.
 */
function quotientChunk(
  W: Nat, b: Nat, X: Nat, k: number, estimates: TransformGroup, corrections: TransformGroup, m: Multiplier,
  top = natHighView(W, b.limbs.length - 2),
): { q: Nat; r: Nat } {
  if (natCompare(W, b) < 0) return { q: NAT_ZERO, r: W };
  const q = estimateChunk(W, b, X, k, estimates, true, top);
  const diff = corrections.difference(W, q, b, b.limbs.length + 1);
  corrections.release(q);
  return settle(q, diff.negative, diff.magnitude, b, m);
}

/**
 * Exact (q, r) from an estimate q and its remainder ±e = a − q·b (`negative`: q·b > a). An estimate off by at most
 * SETTLE_STEPS units (quotientChunk's are within 3) is settled by as many subtractions or comparisons with multiples
 * of b: a = q·b − e with (j − 1)·b < e <= j·b gives q − j and r = j·b − e in [0, b); a = q·b + e with
 * j·b <= e < (j + 1)·b gives q + j and r = e − j·b. A larger e (a faulty estimate) is divided by b.
 * @internal exported for tests.
 */
export function settle(q: Nat, negative: boolean, e: Nat, b: Nat, m: Multiplier = KERNEL_MULTIPLIER): { q: Nat; r: Nat } {
  if (negative) {
    if (e.limbs.length === 0) return { q, r: NAT_ZERO };
    let jb = b;
    for (let j = 1; j <= SETTLE_STEPS; j++, jb = natAdd(jb, b)) {
      if (natCompare(e, jb) <= 0) return { q: natSub(q, natFromNumber(j)), r: natSub(jb, e) };
    }
    const { q: dq, r: rr } = natDivMod(e, b, m);
    if (rr.limbs.length === 0) return { q: natSub(q, dq), r: NAT_ZERO };
    return { q: natSub(q, natAdd(dq, NAT_ONE)), r: natSub(b, rr) };
  }
  let r = e;
  for (let j = 0; j <= SETTLE_STEPS; j++, r = natSub(r, b)) {
    if (cmpLimbs(r.limbs, r.limbs.length, b.limbs, b.limbs.length) < 0) return { q: j === 0 ? q : natAdd(q, natFromNumber(j)), r };
  }
  const { q: dq, r: rr } = natDivMod(r, b, m);
  return { q: natAdd(q, natAdd(dq, natFromNumber(SETTLE_STEPS + 1))), r: rr };
}

/** Units of error in an estimate that settle takes by subtraction (beyond, it divides). */
const SETTLE_STEPS = 3;
