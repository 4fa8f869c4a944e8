/**
 * pi-oracle — decimals of pi computed independently of mathstream, for tests: Machin's formula (1706)
 * pi = 16 arctan(1/5) − 4 arctan(1/239), each arctan summed as the alternating series Σ (−1)^n / ((2n+1) x^(2n+1))
 * in BigInt fixed point. Each term truncates by < 1 ulp, so with 10 guard digits the error is far below the last
 * kept digit; the guard digits are checked not to be all 0s or all 9s (which would make truncation ambiguous).
 */

function arctanInverse(x: bigint, unity: bigint): bigint {
  let sum = 0n;
  let power = unity / x; // unity / x^(2n+1)
  const x2 = x * x;
  for (let n = 0n; power !== 0n; n++) {
    const term = power / (2n * n + 1n);
    sum += n % 2n === 0n ? term : -term;
    power /= x2;
  }
  return sum;
}

const cache = new Map<number, string>();

/** The first `decimals` decimals of pi (the digits after "3."). */
export function piDecimals(decimals: number): string {
  const hit = cache.get(decimals);
  if (hit !== undefined) return hit;
  const guard = 10;
  const unity = 10n ** BigInt(decimals + guard);
  const text = (16n * arctanInverse(5n, unity) - 4n * arctanInverse(239n, unity)).toString();
  if (text[0] !== '3' || /^(0+|9+)$/.test(text.slice(decimals + 1))) {
    throw new Error(`pi oracle: ambiguous guard digits at ${decimals} decimals`);
  }
  const decimalsText = text.slice(1, 1 + decimals);
  cache.set(decimals, decimalsText);
  return decimalsText;
}
