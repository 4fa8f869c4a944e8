/**
 * table — the 16-step jump table of the Collatz shortcut map T.
 *
 * T(n) = n/2 for even n and (3n+1)/2 for odd n (one odd T step = two ordinary steps).
 * For n = a·2^k + b with 0 ≤ b < 2^k, the parities of the first k iterates depend only on b
 * (Terras 1976), so
 *
 *     T^k(a·2^k + b) = 3^c(b)·a + T^k(b),     c(b) = number of odd steps among the k.
 *
 * For k = 16 this table holds c(b), d(b) = T^k(b) and the "profile" of the k steps: the step
 * j ∈ [1, k] maximising c_j·log2(3) − j (c_j = odd steps among the first j), i.e. where
 * 3^c_j/2^j — the growth factor of a large start — peaks. The peak tracking of the trajectory
 * composes these profiles. Everything fits in doubles: T^16(b) < 3^16 < 2^26.
 */

export const TABLE_BITS = 16;
export const TABLE_SIZE = 1 << TABLE_BITS;
export const LOG2_3 = Math.log2(3);

export interface JumpTable {
  /** c(b): odd steps among the 16. */
  readonly odd: Uint8Array;
  /** d(b) = T^16(b). */
  readonly end: Float64Array;
  /** Profile argmax: odd steps c_j up to the peak step j. */
  readonly peakOdd: Uint8Array;
  /** Profile argmax: the peak step j ∈ [1, 16]. */
  readonly peakStep: Uint8Array;
}

/** 3^i as doubles, exact for i ≤ 33. */
export const POW3_NUMBER: readonly number[] = Array.from({ length: 34 }, (_, i) => 3 ** i);

let table: JumpTable | undefined;

/** The table, built on first use (2^16 · 16 small steps, about a millisecond). */
export function jumpTable(): JumpTable {
  table ??= buildTable();
  return table;
}

function buildTable(): JumpTable {
  const odd = new Uint8Array(TABLE_SIZE);
  const end = new Float64Array(TABLE_SIZE);
  const peakOdd = new Uint8Array(TABLE_SIZE);
  const peakStep = new Uint8Array(TABLE_SIZE);
  for (let b = 0; b < TABLE_SIZE; b++) {
    let x = b;
    let c = 0;
    let best = -Infinity;
    for (let j = 1; j <= TABLE_BITS; j++) {
      if (x % 2 === 1) {
        x = (3 * x + 1) / 2;
        c++;
      } else {
        x /= 2;
      }
      const growth = c * LOG2_3 - j;
      if (growth > best) {
        best = growth;
        peakOdd[b] = c;
        peakStep[b] = j;
      }
    }
    odd[b] = c;
    end[b] = x;
  }
  return { odd, end, peakOdd, peakStep };
}
