/**
 * jump — T^k on the low k bits of a number, by recursive divide and conquer.
 *
 * For any a, T^k(a·2^k + b) = 3^c·a + T^k(b) with c and T^k(b) depending only on b < 2^k
 * (see table.ts). `jump(b, k)` returns c, T^k(b) and the growth profile of the k steps.
 * It splits k = k1 + k2 and applies the identity twice (the idea behind Gerbicz's
 * "Collatz in O(M(n) log n)" recursive scheme):
 *
 *     x = T^k1(b) = 3^c1·⌊b/2^k1⌋ + T^k1(b mod 2^k1)
 *     T^k(b) = T^k2(x) = 3^c2·⌊x/2^k2⌋ + T^k2(x mod 2^k2)
 *
 * so k steps cost two half-size jumps plus two multiplications, instead of k passes over
 * a k-bit number. Below 32 bits the work is done in doubles with two 16-step table lookups
 * (all intermediates stay below 2^53, see `baseJump`).
 */
import { jumpTable, LOG2_3, POW3_NUMBER, TABLE_BITS, TABLE_SIZE } from './table.js';

/** Result of k shortcut steps applied to every n ≡ b (mod 2^k). */
export interface Jump {
  /** c: odd steps among the k. */
  readonly odd: number;
  /** T^k(b). */
  readonly end: bigint;
  /** The step j ∈ [1, k] maximising c_j·log2(3) − j, and its c_j (see table.ts). */
  readonly peakStep: number;
  readonly peakOdd: number;
}

/**
 * Receives intermediate points (j, c_j) at the split points of recursion nodes of at least
 * `minBits` steps, in increasing j — how the trajectory plot gets points inside a long jump.
 */
export interface JumpMarks {
  readonly minBits: number;
  add(step: number, odd: number): void;
}

const BASE_BITS = 2 * TABLE_BITS;
const POW3_CACHE_LIMIT = 4096;
const pow3Cache: bigint[] = [1n];

/** 3^c as a bigint; powers up to 3^4096 (≈ 800 bytes each at the top) are cached. */
export function pow3(c: number): bigint {
  if (c <= POW3_CACHE_LIMIT) {
    while (pow3Cache.length <= c) pow3Cache.push(pow3Cache[pow3Cache.length - 1]! * 3n);
    return pow3Cache[c]!;
  }
  return 3n ** BigInt(c);
}

/** True when growth (c1, j1) beats (c2, j2), i.e. 3^c1/2^j1 > 3^c2/2^j2. */
function grows(c1: number, j1: number, c2: number, j2: number): boolean {
  return c1 * LOG2_3 - j1 > c2 * LOG2_3 - j2;
}

interface NumberJump {
  odd: number;
  end: number;
  peakStep: number;
  peakOdd: number;
}

/**
 * k ≤ 32 steps on b < 2^k in doubles. Bounds: after one table lookup x < 3^16·2^16 + 3^16
 * < 2^42; a second lookup gives < 3^16·2^26 + 3^16 < 2^52; at most 15 single steps after one
 * lookup multiply by ≤ 1.5 each: < 2^42·1.5^15 < 2^51. All exact.
 */
export function baseJump(b: number, k: number): NumberJump {
  const table = jumpTable();
  let x = b;
  let c = 0;
  let j = 0;
  let peakStep = 0;
  let peakOdd = 0;
  while (k - j >= TABLE_BITS) {
    const low = x % TABLE_SIZE;
    const high = (x - low) / TABLE_SIZE;
    const candidateOdd = c + table.peakOdd[low]!;
    const candidateStep = j + table.peakStep[low]!;
    if (peakStep === 0 || grows(candidateOdd, candidateStep, peakOdd, peakStep)) {
      peakOdd = candidateOdd;
      peakStep = candidateStep;
    }
    x = POW3_NUMBER[table.odd[low]!]! * high + table.end[low]!;
    c += table.odd[low]!;
    j += TABLE_BITS;
  }
  while (j < k) {
    if (x % 2 === 1) {
      x = (3 * x + 1) / 2;
      c++;
    } else {
      x /= 2;
    }
    j++;
    if (peakStep === 0 || grows(c, j, peakOdd, peakStep)) {
      peakOdd = c;
      peakStep = j;
    }
  }
  return { odd: c, end: x, peakStep, peakOdd };
}

/**
 * k ≥ 1 shortcut steps for every n ≡ b (mod 2^k); requires 0 ≤ b < 2^k.
 * Cost O(M(k) log k) with M the bigint multiplication cost.
 */
export function jump(b: bigint, k: number, marks?: JumpMarks, stepOffset = 0, oddOffset = 0): Jump {
  if (k <= BASE_BITS) {
    const r = baseJump(Number(b), k);
    return { odd: r.odd, end: BigInt(r.end), peakStep: r.peakStep, peakOdd: r.peakOdd };
  }
  // Keep split points on multiples of 32 so every leaf is a full two-lookup base jump.
  const k1 = Math.max(BASE_BITS, BASE_BITS * Math.floor(k / (2 * BASE_BITS)));
  const k2 = k - k1;
  const first = jump(BigInt.asUintN(k1, b), k1, marks, stepOffset, oddOffset);
  const middle = pow3(first.odd) * (b >> BigInt(k1)) + first.end;
  if (marks !== undefined && k >= marks.minBits) marks.add(stepOffset + k1, oddOffset + first.odd);
  const second = jump(BigInt.asUintN(k2, middle), k2, marks, stepOffset + k1, oddOffset + first.odd);
  const end = pow3(second.odd) * (middle >> BigInt(k2)) + second.end;
  const secondPeakOdd = first.odd + second.peakOdd;
  const secondPeakStep = k1 + second.peakStep;
  const secondWins = grows(secondPeakOdd, secondPeakStep, first.peakOdd, first.peakStep);
  return {
    odd: first.odd + second.odd,
    end,
    peakStep: secondWins ? secondPeakStep : first.peakStep,
    peakOdd: secondWins ? secondPeakOdd : first.peakOdd,
  };
}

/** T^k(n) for any n ≥ 0 and k ≥ 1, exactly: 3^c·⌊n/2^k⌋ + T^k(n mod 2^k). */
export function applySteps(n: bigint, k: number): { value: bigint; odd: number } {
  const r = jump(BigInt.asUintN(k, n), k);
  return { value: pow3(r.odd) * (n >> BigInt(k)) + r.end, odd: r.odd };
}
