/**
 * The WebAssembly SIMD side of the checkpoint checksum (kernel/checksum.ts, which holds the state, buffers the
 * bytes that do not fill a stripe and finalises). Compiled into the same module as fft.ts (`npm run build`), on the
 * same imported shared memory, with the same rules: byte addresses come from TypeScript, no static data.
 *
 * Why not SHA-256: a resumable run hashes every byte of its checkpointed scratch data (spectra, column stripes,
 * output rows) once when writing it and once more when a rerun verifies it: several GB for a 3.7·10^8-digit power,
 * at 1.7 GB/s of CPU time for Node's SHA-256 (SHA extensions) that was ~4 s, 10 % of the run. This loop runs at
 * ~10 GB/s. What it must do is detect a torn, damaged, truncated, stale or misplaced checkpoint (an accident, not an
 * adversary: the products' residue check modulo a random prime stays behind it), and that is what XXH3's long-input
 * loop, which this follows, is built for:
 *   per 64-byte stripe j, 16 bytes x to each of 4 accumulators of two 64-bit lanes:
 *     dk = x ^ (key + j·STEP);  acc += lo32(dk)·hi32(dk) + x with its two 64-bit lanes swapped
 *   and after every 16 stripes (1 KiB) a scramble: acc ^= acc >> 47; acc ^= key'; acc ·= 0x9E3779B1.
 * The 32×32→64-bit products mix every input bit into many output bits; adding x itself (swapped) keeps an input
 * whose dk half is zero from vanishing; the key advanced per stripe makes the sum depend on each stripe's position
 * (with a fixed key two stripes of a 1 KiB block could trade places unnoticed); the scramble keeps the lanes from
 * being linear in the input over long inputs. Finalisation (the 8 lanes, the length) is in TypeScript.
 */

// @ts-ignore: decorator
@inline function accumulate(acc: v128, x: v128, key: v128): v128 {
  const dk = v128.xor(x, key);
  const lo = i32x4.shuffle(dk, dk, 0, 2, 0, 2);
  const hi = i32x4.shuffle(dk, dk, 1, 3, 1, 3);
  return i64x2.add(i64x2.add(acc, i64x2.extmul_low_i32x4_u(lo, hi)), i64x2.shuffle(x, x, 1, 0));
}

// @ts-ignore: decorator
@inline function scramble(acc: v128, key: v128): v128 {
  const a = v128.xor(v128.xor(acc, i64x2.shr_u(acc, 47)), key);
  return i64x2.mul(a, i64x2.splat(0x9e3779b1));
}

/**
 * Adds the n bytes at src (n a multiple of 64) to the checksum state at st: 4 accumulators of 16 bytes, then the
 * count of stripes added so far (u64 at st + 64).
 */
export function checksumStripes(st: usize, src: usize, n: i32): void {
  let a0 = v128.load(st), a1 = v128.load(st, 16), a2 = v128.load(st, 32), a3 = v128.load(st, 48);
  let count = load<u64>(st, 64);
  const step = i64x2.splat(0x9fb21c651e98df25);
  // The keys of stripe `count`: key + count·STEP.
  const at = i64x2.mul(step, i64x2.splat(count));
  let k0 = i64x2.add(i64x2(0xbe4ba423396cfeb8, 0x1cad21f72c81017c), at);
  let k1 = i64x2.add(i64x2(0xdb979083e96dd4de, 0x1f67b3b7a4a44072), at);
  let k2 = i64x2.add(i64x2(0x78e5c0cc4ee679cb, 0x2172ffcc7dd05a82), at);
  let k3 = i64x2.add(i64x2(0x8e2443f7744608b8, 0x4c263a81e69035e0), at);
  const s0 = i64x2(0xcb00c391bb52283c, 0xa32e531b8b65d088), s1 = i64x2(0x4ef90da297486471, 0xd8acdea946ef1938);
  const s2 = i64x2(0x3f349ce33f76faa8, 0x1d4f0bc7c7bbdcf9), s3 = i64x2(0x3159b4cd4be0518a, 0x647378d9c97e9fc8);
  for (let p = src, end = src + <usize>n; p < end; p += 64) {
    a0 = accumulate(a0, v128.load(p), k0);
    a1 = accumulate(a1, v128.load(p, 16), k1);
    a2 = accumulate(a2, v128.load(p, 32), k2);
    a3 = accumulate(a3, v128.load(p, 48), k3);
    k0 = i64x2.add(k0, step);
    k1 = i64x2.add(k1, step);
    k2 = i64x2.add(k2, step);
    k3 = i64x2.add(k3, step);
    count++;
    if ((count & 15) == 0) {
      a0 = scramble(a0, s0);
      a1 = scramble(a1, s1);
      a2 = scramble(a2, s2);
      a3 = scramble(a3, s3);
    }
  }
  v128.store(st, a0);
  v128.store(st, a1, 16);
  v128.store(st, a2, 32);
  v128.store(st, a3, 48);
  store<u64>(st, count, 64);
}
