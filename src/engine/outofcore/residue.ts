/**
 * outofcore/residue — the cheap modular check of every out-of-core product (as y-cruncher does):
 * a product is accepted only if (a mod p)·(b mod p) ≡ (a·b) mod p for a prime p drawn at random per
 * operation, the residues being computed while the digits stream past anyway (operands while their
 * blocks are transformed, the product while it is written). A fault that slips past the FFT's
 * rounding check changes the result by some E ≠ 0, and a random 26-bit prime divides E with
 * negligible probability. The prime comes from kernel/check-prime.ts.
 *
 * The digits' residue is computed compiled (assembly/residue.ts, 32 digits a step): over a billion digits pass here
 * in 9^(9^9), and the TypeScript Horner loop it replaces took ~10 % of the run's main thread.
 */
import { powMod } from '../../kernel/nat.js';
import { u8View, wasm, wasmAlloc, wasmFree, wasmShared } from '../../kernel/wasmheap.js';

/** b^e mod p: the kernel's square-and-multiply, one implementation for the kernel's checks and the disk's. */
export { powMod };

/** Bytes copied into the wasm memory per call when the digits are not already there. */
const STAGING_BYTES = 1 << 20;

/** (a·b) mod p for residues below p < 2^26: the product stays below 2^52, exact in a double. */
export function mulMod(a: number, b: number, p: number): number {
  return (a * b) % p;
}

/**
 * Value mod p (a prime < 2^26) of the ASCII digits [from, to) of `bytes`, most significant first. Digits in the wasm
 * memory are read in place, others are copied in through a staging buffer a MiB at a time.
 * @example asciiResidue(Buffer.from('1234567'), 0, 7, 1000003) // 234564
 */
export function asciiResidue(bytes: Uint8Array, from: number, to: number, p: number): number {
  const kernel = wasm();
  const digits = bytes.subarray(from, to);
  if (digits.buffer === wasmShared().memory.buffer) return kernel.asciiResidue(digits.byteOffset, digits.length, p, 0);
  let r = 0;
  const staging = wasmAlloc(Math.max(1, Math.min(STAGING_BYTES, digits.length)));
  try {
    for (let at = 0; at < digits.length; at += STAGING_BYTES) {
      const n = Math.min(STAGING_BYTES, digits.length - at);
      u8View(staging, n).set(digits.subarray(at, at + n));
      r = kernel.asciiResidue(staging, n, p, r);
    }
  } finally {
    wasmFree(staging);
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
