/**
 * find-helpers — digits of pi for the find tests, computed here (Machin's formula on BigInt)
 * rather than pasted: pi = 16 arctan(1/5) - 4 arctan(1/239) (Machin 1706), each arctan summed
 * as the alternating series sum (-1)^n / ((2n+1) x^(2n+1)) in fixed point with guard digits.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

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
  if (hit) return hit;
  const guard = 10;
  const unity = 10n ** BigInt(decimals + guard);
  const pi = 16n * arctanInverse(5n, unity) - 4n * arctanInverse(239n, unity);
  const text = pi.toString().slice(1, 1 + decimals);
  cache.set(decimals, text);
  return text;
}

/** Writes `3.<decimals>\n` to `<dir>/<name>` and returns the path. */
export function writePiFile(dir: string, decimals: number, name = `pi-${decimals}.txt`): string {
  const path = join(dir, name);
  writeFileSync(path, `3.${piDecimals(decimals)}\n`);
  return path;
}

/** Reference answer by brute force over a string: all overlapping 1-based positions. */
export function naivePositions(text: string, query: string): number[] {
  const out: number[] = [];
  for (let at = text.indexOf(query); at >= 0; at = text.indexOf(query, at + 1)) out.push(at + 1);
  return out;
}
