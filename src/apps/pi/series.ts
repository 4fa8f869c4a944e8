/**
 * series — the Chudnovsky series by binary splitting, on decimal limbs.
 *
 * Chudnovsky (1988):  1/pi = 12 / 640320^(3/2) · Σ_k (−1)^k (6k)! (A + Bk) / ((3k)! (k!)^3 640320^(3k)),
 * A = 13591409, B = 545140134. Writing p(k) = (6k−5)(2k−1)(6k−1), q(k) = k^3 · 640320^3 / 24
 * (p(0) = q(0) = 1), the k-th term of S = Σ t_k is t_k = (−1)^k (A + Bk) Π_{j≤k} p(j)/q(j), and
 * pi = 426880 · sqrt(10005) / S.
 *
 * Binary splitting (Haible & Papanikolaou, "Fast multiprecision evaluation of series of
 * rational numbers", 1998) on [a, b):
 *   P(a,b) = Π p(j),  Q(a,b) = Π q(j),  T(a,b) = Q(a,b) · Σ_{a≤k<b} t_k / Π_{j<a} (p(j)/q(j)),
 *   merged at m:  P = P1·P2,  Q = Q1·Q2,  T = T1·Q2 + P1·T2.
 * so S_n = T(0,n) / Q(0,n). T needs the left child's P; a node's own P is needed only if its
 * parent needs it or it is a left child, so the right spine from the root skips those products.
 *
 * Signs. T(a,b) has the sign (−1)^a of its first term: the terms alternate and each is at least
 * 10^14 times the next, so the first one dominates the rest. Every split point m is chosen with
 * m − a even, so T1 and T2 have the same sign and |T| = |T1|·Q2 + P1·|T2|: the limb levels keep
 * only magnitudes, and a merge is a sum of two products, never a subtraction.
 *
 * Small ranges (≤ LEAF_TERMS terms, numbers of up to ~14,000 digits) are done on BigInt and
 * handed to the kernel once (kernel/radix.ts: compiled pieces joined by kernel products, not BigInt#toString);
 * everything above is decimal limbs. The recursion is a generator
 * that yields after each large merge, so the async driver can report progress and honour an
 * AbortSignal, while the sync driver simply runs it to the end.
 */
import { type Nat, NAT_ZERO, natFromBigIntSplit } from '../../kernel/index.js';
import { ArithmeticCheckError } from '../../errors.js';
import { divFactors, dropCommonFactors, type Factors, mulFactors, termFactors } from './factors.js';
import { type MergeOperands, mergeProducts } from './products.js';

/** log10(640320^3 / 1728): each term adds this many correct digits. */
export const DIGITS_PER_TERM = 14.181647462725477;

const A = 13591409n;
const B = 545140134n;
const C3_OVER_24 = 10939058860032000n; // 640320^3 / 24

/**
 * Ranges of at most this many terms are leaves (`leaf`): computed on BigInt with their common factors dropped at
 * every merge of REDUCE_TERMS or more inside them, then converted. The size trades V8's BigInt products against
 * the kernel's and the conversion: with BigInt#toString (quadratic: ~30 ns a digit at 2,000 digits, ~100 at
 * 27,000) pi to 3·10^6 decimals on one thread took 4.17 s of CPU at 256 terms, 3.97 s at 512, 4.22 s at 1024.
 * With the compiled conversion (kernel/radix.ts) and each leaf's top merge in the kernel, pi to 10^7 on one thread,
 * leaf / BigInt halves, alternating runs on the loaded 2-core machine: 512/256 → 12.70, 11.70, 8.94, 9.17 s;
 * 256/128 → 12.08, 9.98, 8.68, 8.86 s (the halves' Q and T fit one compiled piece: no joining products);
 * 128/64 → 10.01, 9.85 s against 9.16, 9.18 (the kernel's products of ~400 limbs cost more than V8's); and
 * 1024/512 ≈ 512/256 (10.1–10.5 s). But at 3·10^7 decimals 512/256 wins: 38.44, 37.02 s against 40.56, 38.72 s
 * for 256/128 (alternating): the common factors dropped at the 512-term level (P ~8%, Q ~4% of every number
 * above) pay more as the merges above the leaves grow, so 512/256 for pi 10^8 and beyond. The common factors of the
 * leaves' halves are dropped in `leaf`; above the leaves they stay (a decimal exact division would cost about what
 * it saves).
 */
const LEAF_TERMS = 512;
/**
 * Leaves longer than this compute their two halves on BigInt and merge them in the kernel (`leaf`): the halves
 * convert in one or two compiled pieces each (kernel/radix.ts), where the whole leaf's Q and T would need three or
 * four pieces and kernel products to join them, and the top merge costs about the same in the kernel as on BigInt.
 * CPU time of a 512-term leaf of the 10^7-decimal series (best of 10 batches, loaded machine): all on BigInt
 * 3.7–3.9 ms, halves of 256 on BigInt 2.9–3.4 ms.
 */
const BIGINT_TERMS = 256;
/** Ranges of at least this many terms yield to the driver after merging (progress, abort). */
export const YIELD_TERMS = 1024;

/** P, Q, |T| of a range; mutable only so that `merge` can empty the children it takes over. */
export interface Split {
  /** P(a,b), or undefined when the caller does not need it. */
  p: Nat | undefined;
  q: Nat;
  /** |T(a,b)|; T(a,b) itself has the sign (−1)^a (see the header). */
  t: Nat;
}

/**
 * The split point of [a, b), b − a ≥ 3: near the middle with m − a even, so T(a,m) and T(m,b)
 * share their sign (see the header); both halves get at least one term.
 */
export function splitPoint(a: number, b: number): number {
  const half = (b - a) >>> 1;
  return a + (half % 2 === 0 ? half : half + 1);
}

/**
 * Number of terms n for which |pi_n / pi − 1| < 10^−(digits+1), pi_n = 426880 sqrt(10005) Q/T.
 *
 * Proof. With c_k = Π_{j≤k} p(j)/q(j), c_k/c_{k−1} = 24(6k−5)(2k−1)(6k−1)/(k^3 640320^3)
 * < 1728/640320^3 = 1/R since (6k−5)(2k−1)(6k−1) < 72k^3; so c_k < R^−k, log10 R = 14.1816...
 * The tail |S − S_n| ≤ Σ_{k≥n} c_k (A + Bk) ≤ 1.01 (A + Bn) R^−n, and S, S_n > 1.3·10^7, so
 * |S/S_n − 1| < 1.01 (A + Bn) R^−n / 1.3·10^7 < 10^12 R^−n for n < 2·10^10. Hence
 * n ≥ (digits + 13) / log10 R suffices; one more term covers the rounding of log10 R.
 * @example
 * termsFor(1000); // 73
 */
export function termsFor(digits: number): number {
  return Math.ceil((digits + 13) / DIGITS_PER_TERM) + 1;
}

/**
 * Ranges of at least this many terms drop the common factors of P1 and Q2 when merging inside a leaf (factors.ts).
 * Measured on 512-term leaves of the 10^7-decimal series (same process, 12 alternating batches): from 4, 8, 16 or
 * 64 terms up the leaf costs the same CPU time (best batch 2.47–2.64 ms), and its P, Q, T come out with
 * 6772, 6780, 6792, 6908 digits (P) and 14032, 14040, 14056, 14168 (Q, T): from 16 up, every merge above the
 * leaves works on numbers ~1% shorter than from 64; below 16 the lists cost what the last digits save.
 */
const REDUCE_TERMS = 16;

/**
 * A BigInt node: P, Q, T and the relevant primes' exponents in P and Q (factors.ts). One class with every field set
 * by its constructor, so V8 sees one shape at every use (a tuple destructured here was an array iterator loop and
 * deopted on "wrong map" when lists of two element kinds met).
 */
class BigNode {
  constructor(
    readonly p: bigint,
    readonly q: bigint,
    readonly t: bigint,
    readonly fp: Factors,
    readonly fq: Factors,
  ) {}
}

/** What `walk` reads besides its range: per term k ≥ first, the relevant primes of p(k) and q(k) (factors.ts). */
interface TermLists {
  readonly first: number;
  readonly p: readonly Factors[];
  readonly q: readonly Factors[];
}

/**
 * Binary splitting on BigInt for a small range, with the common factors of P1 and Q2 dropped at merges of
 * REDUCE_TERMS terms or more (factors.ts): P, Q and T all divided by the same g, which leaves every ratio the
 * parents use unchanged.
 */
function bigSplit(a: number, b: number, needP: boolean): BigNode {
  const first = Math.max(a, 1);
  const terms = first < b ? termFactors(first, b) : { p: [], q: [] };
  return walk(a, b, needP, { first, p: terms.p, q: terms.q });
}

/**
 * The BigInt node of [lo, hi). A top-level function (not a closure made per bigSplit), with the term and the
 * merge in functions of their own: TurboFan compiles each small graph once per thread.
 */
function walk(lo: number, hi: number, withP: boolean, terms: TermLists): BigNode {
  if (hi - lo === 1) return termNode(lo, terms);
  const m = (lo + hi) >>> 1;
  return mergeNodes(walk(lo, m, true, terms), walk(m, hi, withP, terms), hi - lo, withP);
}

/** The node of the one term k: p(k), q(k) and T(k, k+1) = (−1)^k p(k)(A + Bk) (see the header). */
function termNode(k: number, terms: TermLists): BigNode {
  if (k === 0) return new BigNode(1n, 1n, A, [], []);
  const K = BigInt(k);
  const p = (6n * K - 5n) * (2n * K - 1n) * (6n * K - 1n);
  const t = p * (A + B * K);
  return new BigNode(p, K * K * K * C3_OVER_24, k & 1 ? -t : t, terms.p[k - terms.first]!, terms.q[k - terms.first]!);
}

/** Merges the nodes of [lo, m) and [m, hi) (n = hi − lo terms), dropping P1's and Q2's common factor from REDUCE_TERMS. */
function mergeNodes(left: BigNode, right: BigNode, n: number, withP: boolean): BigNode {
  let p1 = left.p, q2 = right.q, fp1 = left.fp, fq2 = right.fq;
  if (n >= REDUCE_TERMS) {
    const reduced = dropCommonFactors(p1, q2, fp1, fq2);
    if (reduced.common.length > 0) {
      ({ p1, q2 } = reduced);
      fp1 = divFactors(fp1, reduced.common);
      fq2 = divFactors(fq2, reduced.common);
    }
  }
  const p = withP ? p1 * right.p : 0n;
  return new BigNode(p, left.q * q2, left.t * q2 + p1 * right.t, withP ? mulFactors(fp1, right.fp) : [], mulFactors(left.fq, fq2));
}

/** |t| as decimal limbs, after checking that t has the sign (−1)^a of its range's first term (see the header). */
function magnitudeOfT(t: bigint, a: number, b: number): Nat {
  if (t < 0n !== (a % 2 === 1)) throw new ArithmeticCheckError(`pi: T(${a},${b}) does not have the sign (−1)^${a}`);
  return natFromBigIntSplit(t < 0n ? -t : t);
}

/**
 * P, Q and |T| over [a, b) (any range; `split` calls it for b − a ≤ LEAF_TERMS). Up to BIGINT_TERMS terms all on
 * BigInt, converted once; longer ranges compute their two halves on BigInt, drop the common factors of P1 and Q2
 * there (so the result is the same reduced P, Q, T as if the whole range were on BigInt, up to where it is split),
 * convert the halves and merge them in the kernel (products.ts).
 */
export function leaf(a: number, b: number, needP: boolean): Split {
  if (b - a <= BIGINT_TERMS) {
    const { p, q, t } = bigSplit(a, b, needP);
    return { p: needP ? natFromBigIntSplit(p) : undefined, q: natFromBigIntSplit(q), t: magnitudeOfT(t, a, b) };
  }
  const m = splitPoint(a, b);
  const l = bigSplit(a, m, true);
  const r = bigSplit(m, b, needP);
  let p1 = l.p, q2 = r.q;
  if (b - a >= REDUCE_TERMS) ({ p1, q2 } = dropCommonFactors(p1, q2, l.fp, r.fq));
  const left: Split = { p: natFromBigIntSplit(p1), q: natFromBigIntSplit(l.q), t: magnitudeOfT(l.t, a, m) };
  const right: Split = { p: needP ? natFromBigIntSplit(r.p) : undefined, q: natFromBigIntSplit(q2), t: magnitudeOfT(r.t, m, b) };
  return merge(left, right, needP);
}

/**
 * Merges [a,m) and [m,b), m − a even: P = P1·P2 (if needed), Q = Q1·Q2, |T| = |T1|·Q2 + P1·|T2|
 * (products.ts `mergeProducts`, which shares the transforms of Q2 where the budget allows). Takes the children's
 * numbers over: `left` and `right` come back emptied (P undefined, Q and T zero), so that nothing the caller still
 * holds keeps them alive while the merge drops them. `between` runs between a large merge's products (mergeProducts).
 */
export function merge(left: Split, right: Split, needP: boolean, between?: () => void): Split {
  const ops: MergeOperands = { p1: left.p!, p2: needP ? right.p! : undefined, q1: left.q, q2: right.q, t1: left.t, t2: right.t };
  consume(left);
  consume(right);
  return mergeProducts(ops, between);
}

/**
 * Empties a Split whose numbers a merge has taken over (they are dropped as its products use them: products.ts
 * mergeProducts), so that the caller's reference to it does not keep them alive.
 */
function consume(s: Split): void {
  s.p = undefined;
  s.q = s.t = NAT_ZERO;
}

/** Relative cost of merging a range of n terms (products of about 35·n digits): n log n. */
export function mergeWeight(n: number): number {
  return n * Math.log2(n + 1);
}

/** Cost of a whole subtree, in the same units as the progress reports. */
export function subtreeWeight(a: number, b: number): number {
  const n = b - a;
  if (n < YIELD_TERMS) return syncWeight(n);
  const m = splitPoint(a, b);
  return subtreeWeight(a, m) + subtreeWeight(m, b) + mergeWeight(n);
}

/** Cost of a subtree done in one synchronous piece: about log n levels of n log n merges. */
function syncWeight(n: number): number {
  return 1 + (n * Math.log2(n + 1) ** 2) / 2;
}

/**
 * P, Q, T over [a, b). Yields (with the weight done since the last yield) after subtrees of
 * at least YIELD_TERMS terms, so a driver can report progress and check for cancellation.
 */
export function* split(a: number, b: number, needP: boolean): Generator<number, Split> {
  const n = b - a;
  if (n < YIELD_TERMS) {
    const done = splitSync(a, b, needP);
    yield syncWeight(n);
    return done;
  }
  const m = splitPoint(a, b);
  const left = yield* split(a, m, true);
  const right = yield* split(m, b, needP);
  const merged = merge(left, right, needP);
  yield mergeWeight(n);
  return merged;
}

function splitSync(a: number, b: number, needP: boolean): Split {
  if (b - a <= LEAF_TERMS) return leaf(a, b, needP);
  const m = splitPoint(a, b);
  return merge(splitSync(a, m, true), splitSync(m, b, needP), needP);
}
