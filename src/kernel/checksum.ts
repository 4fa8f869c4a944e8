/**
 * kernel/checksum — the checksum of checkpointed scratch data (engine/outofcore/transform2d.ts and power.ts record
 * it with every unit of a resumable run and compare it before a rerun trusts the unit).
 *
 * The bulk runs in wasm (assembly/checksum.ts, where the algorithm and why it replaces SHA-256 are described) on
 * 64-byte stripes; this side keeps the state in the wasm memory, buffers the bytes that do not fill a stripe, hashes
 * a view on the wasm memory in place and copies other bytes in through a staging area, and finalises: the 8 lanes
 * and the byte length are mixed (MurmurHash3's fmix64) into 128 bits, written as 32 hex digits. Stripe boundaries
 * do not depend on how the bytes were split into `update` calls: the checksum is of the concatenation.
 */
import { u8View, wasm, wasmAlloc, wasmFree, wasmShared } from './wasmheap.js';

const STRIPE = 64;
/** State: 4 accumulators (64 bytes), the stripe count (8), padding, then one pending stripe. */
const STATE_BYTES = 2 * STRIPE + STRIPE;
const PENDING = 2 * STRIPE;
/** Bytes copied in per call when hashing memory outside the wasm heap. */
const STAGING_BYTES = 1 << 20;
const MASK = (1n << 64n) - 1n;

function fmix64(k: bigint): bigint {
  k ^= k >> 33n;
  k = (k * 0xff51afd7ed558ccdn) & MASK;
  k ^= k >> 33n;
  k = (k * 0xc4ceb9fe1a85ec53n) & MASK;
  return k ^ (k >> 33n);
}

/**
 * A running checksum of bytes (see the module comment). Call `digest` (or `free`) exactly once: the state lives in
 * the wasm memory.
 * @example const c = new Checksum(); c.update(bytes); const hex = c.digest();
 */
export class Checksum {
  private state: number;
  private staging = 0;
  private pending = 0;
  private length = 0;

  constructor() {
    this.state = wasmAlloc(STATE_BYTES);
    u8View(this.state, STATE_BYTES).fill(0);
  }

  /** Adds `bytes` (a view on the wasm memory is hashed in place). */
  update(bytes: Uint8Array): this {
    this.length += bytes.length;
    let at = 0;
    if (this.pending > 0) {
      const take = Math.min(STRIPE - this.pending, bytes.length);
      u8View(this.state + PENDING + this.pending, take).set(bytes.subarray(0, take));
      this.pending += take;
      at = take;
      if (this.pending < STRIPE) return this;
      wasm().checksumStripes(this.state, this.state + PENDING, STRIPE);
      this.pending = 0;
    }
    const whole = bytes.length - at - ((bytes.length - at) % STRIPE);
    if (whole > 0) {
      if (bytes.buffer === wasmShared().memory.buffer) {
        wasm().checksumStripes(this.state, bytes.byteOffset + at, whole);
      } else {
        if (this.staging === 0) this.staging = wasmAlloc(STAGING_BYTES);
        for (let done = 0; done < whole; done += STAGING_BYTES) {
          const n = Math.min(STAGING_BYTES, whole - done);
          u8View(this.staging, n).set(bytes.subarray(at + done, at + done + n));
          wasm().checksumStripes(this.state, this.staging, n);
        }
      }
      at += whole;
    }
    if (at < bytes.length) {
      u8View(this.state + PENDING, bytes.length - at).set(bytes.subarray(at));
      this.pending = bytes.length - at;
    }
    return this;
  }

  /** The checksum of everything added, as 32 hex digits; frees the state. */
  digest(): string {
    if (this.pending > 0) {
      // The last partial stripe, zero-filled (the length below tells it from one that ends in zeros).
      u8View(this.state + PENDING + this.pending, STRIPE - this.pending).fill(0);
      wasm().checksumStripes(this.state, this.state + PENDING, STRIPE);
    }
    const view = new DataView(wasmShared().memory.buffer, this.state, 64);
    const length = BigInt(this.length);
    let h1 = fmix64(length ^ 0x9e3779b97f4a7c15n);
    let h2 = fmix64(length ^ 0xc2b2ae3d27d4eb4fn);
    for (let i = 0; i < 8; i++) {
      const lane = view.getBigUint64(8 * i, true);
      h1 = (((h1 ^ fmix64(lane ^ 0x165667b19e3779f9n)) * 0x9e3779b185ebca87n) & MASK) ^ BigInt(i);
      h2 = (((h2 ^ fmix64(lane ^ 0x27d4eb2f165667c5n)) * 0xc2b2ae3d27d4eb4fn) & MASK) ^ BigInt(i);
    }
    const a = fmix64((h1 + h2) & MASK), b = fmix64((h2 + 3n * h1) & MASK);
    this.free();
    return a.toString(16).padStart(16, '0') + b.toString(16).padStart(16, '0');
  }

  /** Frees the state without a result (a unit abandoned midway); harmless after `digest`. */
  free(): void {
    if (this.staging !== 0) wasmFree(this.staging);
    if (this.state !== 0) wasmFree(this.state);
    this.staging = 0;
    this.state = 0;
  }
}

/**
 * The checksum of `parts`, concatenated.
 * @example checksumOf([header, body])
 */
export function checksumOf(parts: Iterable<Uint8Array>): string {
  const c = new Checksum();
  for (const p of parts) c.update(p);
  return c.digest();
}
