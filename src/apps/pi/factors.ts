/**
 * factors — the common factors of P and Q that binary splitting can drop (the idea of GMP's gmp-chudnovsky.c, its
 * `fac` lists): at a merge of [a,m) and [m,b), every prime power dividing both P(a,m) and Q(m,b) divides all of
 * P = P1·P2, Q = Q1·Q2 and T = T1·Q2 + P1·T2, so with g = gcd(P1, Q2) the node may keep P/g, Q/g, T/g instead:
 * a parent only ever uses the ratios P/Q and T/Q of a child (T = T1·Q2 + P1·T2 is homogeneous of degree one in
 * each child's (P, Q, T)), and pi needs only T/Q at the root. Measured on 1024-term ranges near 3.5·10^5 terms:
 * P shrinks to 0.64 and Q, T to 0.79 of their digits, and every merge above works on the smaller numbers.
 *
 * g is found without any gcd of big numbers: q(k) = k^3·640320^3/24 and p(k) = (6k−5)(2k−1)(6k−1) have known
 * small factors. P is odd, so 2 never divides g; and g's primes divide some Q2, i.e. are 3, 5, 23, 29 (the odd
 * primes of 640320^3/24 = 2^15·3^2·5^3·23^3·29^3) or divide some k of the range. So a range [a, b) tracks, per
 * node, only the exponents of those "relevant" primes in P and Q (sorted prime, exponent lists), found by sieving
 * the windows of k, 2k−1 and 6k±1 values with them. For an odd prime ℓ at most one of 6k−5, 2k−1, 6k−1 is a
 * multiple of ℓ (any two differ by 2 or 4 up to a multiple of them), so each term's list comes out sorted.
 *
 * The reduced P, Q, T of a range depend on the range alone (the tree inside a range is fixed), so every thread
 * count and the out-of-core plan compute the same integers.
 */

/** Sorted prime–exponent pairs: [ℓ0, e0, ℓ1, e1, …], ℓ increasing, e > 0. */
export type Factors = number[];

/** Odd primes of 640320^3/24 with their exponents: q(k)'s constant part. */
const Q_CONSTANT: Factors = [3, 2, 5, 3, 23, 3, 29, 3];

/** Odd primes up to 46341 > sqrt(2^31): trial divisors for any k < 2^31 (planPi caps the terms there). */
const SMALL_PRIMES: number[] = (() => {
  const n = 46341;
  const composite = new Uint8Array(n + 1);
  const out: number[] = [];
  for (let i = 3; i <= n; i += 2) {
    if (composite[i]) continue;
    out.push(i);
    for (let j = i * i; j <= n; j += 2 * i) composite[j] = 1;
  }
  return out;
})();

/** The exponent of ℓ in x (x > 0, a multiple of ℓ) and what is left. */
function valuation(x: number, l: number): number {
  let e = 0;
  // Below 2^31 the quotients are truncated to int32 (exact: l divides x), so V8 keeps % an integer operation.
  if (x < 2 ** 31) {
    for (let r = x | 0; r % l === 0; r = (r / l) | 0) e++;
    return e;
  }
  while (x % l === 0) {
    x = x / l;
    e++;
  }
  return e;
}

/** x^−1 mod l for l prime (not dividing x), by the extended Euclid algorithm (all values < 2^31: exact). */
function inverseMod(x: number, l: number): number {
  let r0 = l, r1 = x, s0 = 0, s1 = 1;
  while (r1 !== 0) {
    const q = Math.floor(r0 / r1);
    const r = r0 - q * r1;
    r0 = r1;
    r1 = r;
    const t = s0 - q * s1;
    s0 = s1;
    s1 = t;
  }
  return ((s0 % l) + l) % l;
}

/** Merged (multiplied) lists. */
export function mulFactors(x: Factors, y: Factors): Factors {
  const r: Factors = [];
  let i = 0, j = 0;
  while (i < x.length && j < y.length) {
    if (x[i] === y[j]) {
      r.push(x[i]!, x[i + 1]! + y[j + 1]!);
      i += 2;
      j += 2;
    } else if (x[i]! < y[j]!) {
      r.push(x[i]!, x[i + 1]!);
      i += 2;
    } else {
      r.push(y[j]!, y[j + 1]!);
      j += 2;
    }
  }
  for (; i < x.length; i += 2) r.push(x[i]!, x[i + 1]!);
  for (; j < y.length; j += 2) r.push(y[j]!, y[j + 1]!);
  return r;
}

/** The common part of x and y (minimum exponents): the factored gcd. */
export function gcdFactors(x: Factors, y: Factors): Factors {
  const r: Factors = [];
  let i = 0, j = 0;
  while (i < x.length && j < y.length) {
    if (x[i] === y[j]) {
      r.push(x[i]!, Math.min(x[i + 1]!, y[j + 1]!));
      i += 2;
      j += 2;
    } else if (x[i]! < y[j]!) i += 2;
    else j += 2;
  }
  return r;
}

/** x / g for g dividing x (exponents subtracted, zeros dropped). */
export function divFactors(x: Factors, g: Factors): Factors {
  const r: Factors = [];
  let j = 0;
  for (let i = 0; i < x.length; i += 2) {
    let e = x[i + 1]!;
    if (j < g.length && g[j] === x[i]) {
      e -= g[j + 1]!;
      j += 2;
    }
    if (e > 0) r.push(x[i]!, e);
  }
  return r;
}

/**
 * GMP's `fac` step at a merge: P1 and Q2 divided by their common factor (the primes both lists hold, at the smaller
 * exponent), with that common list (empty when they share none, and then P1 and Q2 come back unchanged).
 */
export function dropCommonFactors(p1: bigint, q2: bigint, fp1: Factors, fq2: Factors): { p1: bigint; q2: bigint; common: Factors } {
  const common = gcdFactors(fp1, fq2);
  if (common.length === 0) return { p1, q2, common };
  const d = factorsValue(common);
  return { p1: p1 / d, q2: q2 / d, common };
}

/** The value of a list, by a product tree (balanced operand sizes for V8's BigInt products). */
export function factorsValue(x: Factors): bigint {
  let powers: bigint[] = [];
  for (let i = 0; i < x.length; i += 2) powers.push(BigInt(x[i]!) ** BigInt(x[i + 1]!));
  if (powers.length === 0) return 1n;
  while (powers.length > 1) {
    const next: bigint[] = [];
    for (let i = 0; i + 1 < powers.length; i += 2) next.push(powers[i]! * powers[i + 1]!);
    if (powers.length % 2 === 1) next.push(powers[powers.length - 1]!);
    powers = next;
  }
  return powers[0]!;
}

/**
 * n empty lists. Every list here is built by push from [] (never by Array#map, whose result's element kind differs
 * between V8's builtin and its inlined copy), so the functions reading them see one array shape and do not deopt
 * on "wrong map".
 */
function emptyLists(n: number): Factors[] {
  const lists: Factors[] = [];
  for (let i = 0; i < n; i++) lists.push([]);
  return lists;
}

/** q(k)'s list from k's own factorization kf: k^3 (exponents tripled) times the odd part of 640320^3/24. */
function qFactors(kf: Factors): Factors {
  const cube: Factors = [];
  for (let j = 0; j < kf.length; j += 2) cube.push(kf[j]!, 3 * kf[j + 1]!);
  return mulFactors(cube, Q_CONSTANT);
}

/**
 * Adds ℓ's exponent in m·k − s to p[k − a] for the k of [a, b) with k ≡ c (mod ℓ), those where ℓ divides m·k − s
 * (termFactors); the value m·k − s < 6·2^31 is exact in a double.
 */
function addClass(p: Factors[], a: number, b: number, l: number, c: number, m: number, s: number): void {
  for (let k = a + ((((c - a) % l) + l) % l); k < b; k += l) p[k - a]!.push(l, valuation(m * k - s, l));
}

/**
 * Per term k of [a, b) (1 <= a < b < 2^31), the relevant primes' exponents in p(k) and q(k) (see the header):
 * `p[k − a]` and `q[k − a]`.
 */
export function termFactors(a: number, b: number): { p: Factors[]; q: Factors[] } {
  const n = b - a;
  // k = a + i fully factored over the odd primes: trial division of the window by the small primes.
  // Int32 cofactors (k < 2^31): V8 then runs the % and / of the trial division as integer operations, where on
  // doubles each % is a call (measured: this function was 7% of pi's CPU time with a Float64Array here).
  const rest = new Int32Array(n);
  const kf = emptyLists(n);
  for (let i = 0; i < n; i++) {
    const k = a + i;
    rest[i] = k >> (31 - Math.clz32(k & -k));
  }
  // The relevant primes (see the header): 3, 5, 23, 29 and every prime of a k in the window (with repeats).
  const relevant: number[] = [3, 5, 23, 29];
  for (const l of SMALL_PRIMES) {
    if (l * l > b) break;
    if (Math.ceil(a / l) * l < b) relevant.push(l);
    for (let k = Math.ceil(a / l) * l; k < b; k += l) {
      const i = k - a;
      let r = rest[i]!;
      let e = 0;
      do {
        r = (r / l) | 0;
        e++;
      } while (r % l === 0);
      rest[i] = r;
      kf[i]!.push(l, e);
    }
  }
  for (let i = 0; i < n; i++) {
    if (rest[i]! > 1) {
      kf[i]!.push(rest[i]!, 1);
      relevant.push(rest[i]!);
    }
  }
  const q: Factors[] = [];
  for (let i = 0; i < n; i++) q.push(qFactors(kf[i]!));
  // p(k) = (6k−5)(2k−1)(6k−1): ℓ | 2k−1 iff k ≡ 2^−1, ℓ | 6k−5 iff k ≡ 5·6^−1 and ℓ | 6k−1 iff k ≡ 6^−1 (mod ℓ;
  // 6 has no inverse mod 3, and 3 divides neither 6k−5 nor 6k−1): each class is walked directly, n/ℓ steps.
  const p = emptyLists(n);
  const sorted = Int32Array.from(relevant).sort();
  for (let i = 0; i < sorted.length; i++) {
    const l = sorted[i]!;
    if (i > 0 && l === sorted[i - 1]) continue;
    const inv2 = (l + 1) / 2;
    if (l !== 3) {
      const inv6 = inverseMod(6 % l, l);
      addClass(p, a, b, l, (5 * inv6) % l, 6, 5);
      addClass(p, a, b, l, inv6, 6, 1);
    }
    addClass(p, a, b, l, inv2, 2, 1);
  }
  // Primes are visited in increasing order, each adding at most one pair per term (see the header): lists sorted.
  return { p, q };
}
