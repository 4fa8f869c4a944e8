/**
 * bench/ntt-probe — is an exact number-theoretic transform a way to keep base-10^4 digits at 1.6·10^7 digits?
 *
 * The float FFT's proven bound forces base-10^3 digits from ~5·10^6 digits per operand (see fft.ts), which costs
 * the multiplication its growth target. An NTT is exact at any size. A base-10^4 product of two 1.6·10^7-digit
 * operands has 8·10^6 coefficients below 4·10^14: two primes below 2^26 (their product > 2^51), three transforms
 * each, of about 2^23 points. But below 2^26 there is no prime c·2^k + 1 for k = 22 or 23 and only one for k = 21
 * (11·2^21 + 1), so such an NTT would need mixed radices and more primes. This probe times a plain radix-2 NTT of
 * 2^21 points mod 11·2^21 + 1, scales it to 2^23 (×4·23/21: n log n), and compares with one of our float transforms
 * at the length the product uses now (3·2^21 complex points, base 10^3), single-threaded, same run. The NTT is
 * checked by a round trip.
 *
 *   node dist/bench/ntt-probe.js
 *
 * Modular products use doubles: residues below 2^26, so a·b < 2^52 is exact and floor(a·b/p) is off by at most
 * one, corrected. This is the usual way without 64-bit integers; it is what makes the NTT slow in JavaScript.
 */
import { forwardTransform } from '../src/kernel/fftcore.js';
import { median } from './kernel-util.js';

function isPrime(n: number): boolean {
  if (n < 2) return false;
  for (let i = 2; i * i <= n; i++) if (n % i === 0) return false;
  return true;
}

function powMod(base: number, exp: number, p: number): number {
  let r = 1n, b = BigInt(base), e = BigInt(exp);
  const P = BigInt(p);
  while (e > 0n) {
    if (e & 1n) r = (r * b) % P;
    b = (b * b) % P;
    e >>= 1n;
  }
  return Number(r);
}

/** The largest prime c·2^k + 1 below 2^26 (k >= logN) and a primitive root of unity of order 2^logN. */
function nttPrime(logN: number): { p: number; w: number } {
  for (let p = 2 ** 26 + 1 - 2 ** logN; p > 2 ** logN; p -= 2 ** logN) {
    if (!isPrime(p)) continue;
    for (let g = 2; g < 100; g++) {
      const w = powMod(g, (p - 1) / 2 ** logN, p);
      if (powMod(w, 2 ** (logN - 1), p) === p - 1) return { p, w };
    }
  }
  throw new Error(`no NTT prime for 2^${logN}`);
}

/** In-place DIF NTT (natural in, bit-reversed out) with root table tw[j] = w^j. */
function ntt(x: Float64Array, tw: Float64Array, p: number): void {
  const n = x.length, pinv = 1 / p;
  for (let h = n >> 1, s = 1; h >= 1; h >>= 1, s <<= 1) {
    for (let b = 0; b < n; b += 2 * h) {
      for (let j = 0; j < h; j++) {
        const u = x[b + j]!, v = x[b + j + h]!;
        let a = u + v;
        if (a >= p) a -= p;
        let d = u - v;
        if (d < 0) d += p;
        const t = d * tw[j * s]!;
        let r = t - Math.floor(t * pinv) * p;
        if (r < 0) r += p;
        else if (r >= p) r -= p;
        x[b + j] = a;
        x[b + j + h] = r;
      }
    }
  }
}

function rootTable(w: number, n: number, p: number): Float64Array {
  const tw = new Float64Array(n / 2);
  tw[0] = 1;
  for (let i = 1; i < n / 2; i++) {
    const t = tw[i - 1]! * w;
    tw[i] = t - Math.floor(t / p) * p;
  }
  return tw;
}

/** Round trip at a small size: inverse = forward with w^-1 on the bit-reversed output, scaled by n^-1. */
function checkRoundTrip(): void {
  const logN = 10, n = 1 << logN;
  const { p, w } = nttPrime(logN);
  const x = Float64Array.from({ length: n }, (_, i) => (i * 7919) % p);
  const y = x.slice();
  ntt(y, rootTable(w, n, p), p);
  const rev = (i: number): number => parseInt(i.toString(2).padStart(logN, '0').split('').reverse().join(''), 2);
  const natural = Float64Array.from({ length: n }, (_, i) => y[rev(i)]!);
  ntt(natural, rootTable(powMod(w, p - 2, p), n, p), p);
  const nInv = powMod(n, p - 2, p);
  for (let i = 0; i < n; i++) {
    if (Number((BigInt(natural[rev(i)]!) * BigInt(nInv)) % BigInt(p)) !== x[i]) throw new Error('NTT round trip failed');
  }
}

const logN = 21;
checkRoundTrip();
const { p, w } = nttPrime(logN);
const n = 2 ** logN;
const tw = rootTable(w, n, p);
const x = Float64Array.from({ length: n }, () => Math.floor(Math.random() * p));
const M = 3 * 2 ** logN;
const re = Float64Array.from({ length: M }, () => Math.random() - 0.5);
const im = Float64Array.from({ length: M }, () => Math.random() - 0.5);
const nttTimes: number[] = [], fftTimes: number[] = [];
for (let r = 0; r < 3; r++) {
  const t0 = performance.now();
  forwardTransform(re, im, M);
  fftTimes.push((performance.now() - t0) / 1e3);
}
for (let r = 0; r < 3; r++) {
  const t0 = performance.now();
  ntt(x, tw, p);
  nttTimes.push((performance.now() - t0) / 1e3);
}
const tNtt = median(nttTimes), tFft = median(fftTimes);
const tNtt23 = (tNtt * 4 * 23) / logN;
console.log(`NTT mod ${p} of 2^${logN} points: ${tNtt.toFixed(3)} s (2^23 estimated ${tNtt23.toFixed(3)} s)`);
console.log(`float FFT of 3·2^${logN} complex points: ${tFft.toFixed(3)} s`);
console.log(`base-10^4 product by NTT, 6 transforms of 2^23: ~${(6 * tNtt23).toFixed(2)} s; ` +
  `base-10^3 float product, 3 transforms: ~${(3 * tFft).toFixed(2)} s (NTT/FFT ${((6 * tNtt23) / (3 * tFft)).toFixed(1)}×)`);
