/**
 * kernel/check-prime — the random primes of the residue checks (as y-cruncher does): a product is accepted only if
 * (a mod p)·(b mod p) ≡ (a·b) mod p. The prime is drawn at random from [2^25, 2^26), so residues stay below 2^26
 * and the product of two is below 2^52, exact in a double. A wrong product escapes only if its error is a multiple
 * of p, which for an error not crafted against the secret p happens with probability about 2^-25 per fault.
 * The in-memory kernel draws one per process (mul.ts `CHECK_PRIME`), the out-of-core engine one per operation.
 */
import { randomInt } from 'node:crypto';

function isPrime(n: number): boolean {
  if (n < 2 || n % 2 === 0) return n === 2;
  for (let f = 3; f * f <= n; f += 2) if (n % f === 0) return false;
  return true;
}

/**
 * A random prime in [2^25, 2^26) (trial division: at most ~2900 odd divisors, microseconds).
 * @example randomCheckPrime() // e.g. 48271993
 */
export function randomCheckPrime(): number {
  for (;;) {
    const candidate = randomInt(2 ** 25, 2 ** 26) | 1;
    if (isPrime(candidate)) return candidate;
  }
}
