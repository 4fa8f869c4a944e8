/**
 * kernel/sqrt — exact integer square root floor(√a) by Newton's method with precision doubling.
 *
 * s0 = (isqrt(floor(a / B^2k)) + 1)·B^k >= √a with k ≈ L/4 limbs (L = limbs of a) has relative error about
 * B^-(L/4); one Newton step s1 = floor((s0 + floor(a/s0))/2) squares it, leaving s1 within a few units above
 * isqrt(a) (Newton from above never undershoots: (s + a/s)/2 >= √a by AM-GM, and flooring keeps
 * s1 >= isqrt(a)). A final check s² <= a < (s+1)² decrements the last units. Cost O(M(n)) (one division per
 * level of a halving recursion).
 */

import { InvalidArgumentError } from '../errors.js';
import { NAT_ONE, Nat, natAdd, natCompare, natDivSmall, natFromNumber, natShiftLimbs, natSub, natToNumber, natTruncLimbs } from './nat.js';
import { natSqr } from './mul.js';
import { natDivMod } from './div.js';

/** floor(√a). */
export function natIsqrt(a: Nat): Nat {
  const x = natToNumber(a);
  if (x !== undefined && x < 2 ** 52) return natFromNumber(isqrtNumber(x));
  const L = a.limbs.length;
  const k = L >> 2;
  const s0 = natShiftLimbs(natAdd(natIsqrt(natTruncLimbs(a, 2 * k)), NAT_ONE), k);
  let s = newtonStep(a, s0);
  let sq = natSqr(s);
  for (let tries = 0; natCompare(sq, a) > 0; tries++) {
    if (tries >= 4) {
      // Far above: another Newton step (cannot happen with the precision above, kept for robustness).
      s = newtonStep(a, s);
      sq = natSqr(s);
      tries = 0;
      continue;
    }
    // (s−1)² = s² − 2s + 1
    sq = natSub(natAdd(sq, NAT_ONE), natAdd(s, s));
    s = natSub(s, NAT_ONE);
  }
  return s;
}

function newtonStep(a: Nat, s: Nat): Nat {
  if (s.limbs.length === 0) throw new InvalidArgumentError('natIsqrt: internal zero estimate');
  return natDivSmall(natAdd(s, natDivMod(a, s).q), 2).q;
}

/** floor(√x) for 0 <= x < 2^52: Math.sqrt is within one unit, fixed by exact integer comparisons. */
function isqrtNumber(x: number): number {
  let s = Math.floor(Math.sqrt(x));
  while (s * s > x) s--;
  while ((s + 1) * (s + 1) <= x) s++;
  return s;
}
