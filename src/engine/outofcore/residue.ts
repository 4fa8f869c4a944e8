/**
 * outofcore/residue — the cheap modular check of every out-of-core product (as y-cruncher does):
 * a product is accepted only if (a mod p)·(b mod p) ≡ (a·b) mod p for a prime p drawn at random per
 * operation, the residues being computed while the digits stream past anyway (operands while their
 * blocks are transformed, the product while it is written). A fault that slips past the FFT's
 * rounding check changes the result by some E ≠ 0, and a random 26-bit prime divides E with
 * negligible probability. The prime comes from kernel/check-prime.ts.
 */

export function mulMod(a: number, b: number, p: number): number {
  return (a * b) % p;
}

export function powMod(base: number, exponent: number, p: number): number {
  let result = 1 % p;
  let b = base % p;
  let e = exponent;
  while (e > 0) {
    if (e % 2 === 1) result = mulMod(result, b, p);
    b = mulMod(b, b, p);
    e = Math.floor(e / 2);
  }
  return result;
}

/** Value mod p of ASCII digits [from, to), most significant first (Horner, 4 digits a step: r·10^4 + v < 2^40). */
export function asciiResidue(bytes: Uint8Array, from: number, to: number, p: number): number {
  const inv = 1 / p;
  let r = 0;
  let i = from;
  for (const head = from + ((to - from) % 4); i < head; i++) r = (r * 10 + bytes[i]! - 48) % p;
  for (; i < to; i += 4) {
    const v = r * 10000 + (bytes[i]! - 48) * 1000 + (bytes[i + 1]! - 48) * 100 + (bytes[i + 2]! - 48) * 10 + (bytes[i + 3]! - 48);
    r = v - Math.floor(v * inv) * p;
    if (r < 0) r += p;
    else if (r >= p) r -= p;
  }
  return r;
}

/**
 * Residue of a number whose digit chunks arrive least significant first (each chunk in file order):
 * r = Σ chunk_j · 10^{position_j} mod p.
 */
export class BackwardResidue {
  private value = 0;
  private scale = 1; // 10^(digits seen) mod p

  constructor(readonly p: number) {}

  add(chunk: Uint8Array, from = 0, to = chunk.length): void {
    const r = asciiResidue(chunk, from, to, this.p);
    this.value = (this.value + mulMod(r, this.scale, this.p)) % this.p;
    this.scale = mulMod(this.scale, powMod(10, to - from, this.p), this.p);
  }

  get residue(): number {
    return this.value;
  }

  /** The running value and 10^(digits seen) mod p (a journal records them; `restore` resumes from them). */
  state(): { value: number; scale: number } {
    return { value: this.value, scale: this.scale };
  }

  restore(value: number, scale: number): void {
    this.value = value;
    this.scale = scale;
  }
}
