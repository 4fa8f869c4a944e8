/** Test randomness: a seeded PRNG (so failures reproduce) and random integers of exact sizes. */

/** mulberry32: a small, fast 32-bit PRNG; the same seed gives the same sequence. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random integer with exactly `digits` digits (no leading zero), random sign if `signed`. */
export function randomInteger(digits: number, signed = true, random: () => number = Math.random): bigint {
  let text = String(1 + Math.floor(random() * 9));
  const parts: string[] = [text];
  for (let i = 1; i < digits; i += 15) {
    parts.push(String(Math.floor(random() * 1e15)).padStart(15, '0').slice(0, Math.min(15, digits - i)));
  }
  text = parts.join('');
  const value = BigInt(text);
  return signed && random() < 0.5 ? -value : value;
}

/** A random natural number with exactly `digits` digits (leading digit non-zero). */
export function randomNatural(random: () => number, digits: number): bigint {
  return randomInteger(digits, false, random);
}
