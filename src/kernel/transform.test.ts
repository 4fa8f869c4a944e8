/**
 * transform — the two levels of the out-of-core 2-D transform: the compiled column pass against a naive convolution
 * (complex columns, and the tangled point 0 whose two real lanes convolve separately), the same bits for 1, 2 and 4
 * threads, the inner block transforms' round trip, and the 2-D bound's growth with the levels.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configure, getConfig } from '../config.js';
import {
  WasmBlock, convolveColumnChunk, forwardBlockAt, inverseBlockAt, multiplyAccumulateAt, outerLength, percivalBound, transform2DBound,
  transform2DGrounds, TRANSFORM2D_POLICY_LIMIT,
} from './transform.js';
import { seededRandom } from '../../test/random.js';

/** Runs the column pass on random integer columns; returns the inputs and C (scaled by 1/M). */
function columns(na: number, nb: number, w: number, seed: number, square = false) {
  const random = seededRandom(seed);
  const M = outerLength(na, nb);
  const R = na + nb - 1;
  const A = new WasmBlock(na * w), B = square ? A : new WasmBlock(nb * w), C = new WasmBlock(R * w);
  try {
    const fill = (x: WasmBlock) => { const v = x.doubles(); for (let i = 0; i < v.length; i++) v[i] = Math.floor(random() * 2001) - 1000; };
    fill(A);
    if (!square) fill(B);
    const a = Float64Array.from(A.doubles()), b = Float64Array.from(B.doubles());
    convolveColumnChunk(A, na, B, nb, C, w, M, true);
    return { a, b, c: Float64Array.from(C.doubles(), (v) => v / M), M, R };
  } finally {
    C.free();
    if (!square) B.free();
    A.free();
  }
}

test('the column pass equals the naive convolution over the block index, point 0 lane by lane', () => {
  for (const [na, nb, w, square] of [[5, 7, 8, false], [20, 3, 16, false], [9, 9, 4, true], [1, 1, 2, false]] as const) {
    const { a, b, c, R } = columns(na, nb, w, na * 100 + nb, square);
    for (let col = 0; col < w; col++) {
      for (let j = 0; j < R; j++) {
        let re = 0, im = 0;
        for (let i = Math.max(0, j - nb + 1); i <= Math.min(j, na - 1); i++) {
          const [ar, ai] = [a[2 * (i * w + col)]!, a[2 * (i * w + col) + 1]!];
          const [br, bi] = [b[2 * ((j - i) * w + col)]!, b[2 * ((j - i) * w + col) + 1]!];
          if (col === 0) {
            re += ar * br; // the two real values of point 0 multiply componentwise
            im += ai * bi;
          } else {
            re += ar * br - ai * bi;
            im += ar * bi + ai * br;
          }
        }
        const k = 2 * (j * w + col);
        assert.ok(Math.abs(c[k]! - re) < 1e-6 && Math.abs(c[k + 1]! - im) < 1e-6, `${na}×${nb} column ${col} row ${j}: ${c[k]},${c[k + 1]} vs ${re},${im}`);
      }
    }
  }
});

test('the column pass gives the same bits with 1, 2 and 4 threads', () => {
  const previous = getConfig().threads;
  try {
    const runs = [1, 2, 4].map((threads) => {
      configure({ threads });
      return columns(33, 17, 64, 5).c;
    });
    assert.deepEqual(runs[1], runs[0]);
    assert.deepEqual(runs[2], runs[0]);
  } finally {
    configure({ threads: previous });
  }
});

test('inner forward then inverse gives back size times the coefficients', () => {
  const size = 256;
  const block = new WasmBlock(size);
  try {
    const random = seededRandom(3);
    const coefficients = Float64Array.from({ length: size }, () => Math.floor(random() * 1000) - 500);
    block.doubles().set(coefficients);
    forwardBlockAt(block, size);
    inverseBlockAt(block, size);
    const x = block.doubles();
    for (let q = 0; q < 2 * size; q++) {
      const want = q < size ? coefficients[q]! : 0;
      assert.ok(Math.abs(x[q]! / size - want) < 1e-9, `coefficient ${q}`);
    }
  } finally {
    block.free();
  }
});

test('multiplyAccumulateAt gives the bits of the scalar sums: point 0 componentwise, the others complex, weights 1 and 2', () => {
  const size = 1031; // odd, so the loop's tail is covered too
  const random = seededRandom(11);
  const acc = new WasmBlock(size), a = new WasmBlock(size), b = new WasmBlock(size);
  try {
    // Spectra of real magnitudes (non-integer, both signs) and an accumulator already holding sums.
    for (const x of [acc, a, b]) { const v = x.doubles(); for (let i = 0; i < v.length; i++) v[i] = (random() - 0.5) * 2 ** (20 + 20 * random()); }
    const c = Float64Array.from(acc.doubles()), x = Float64Array.from(a.doubles()), y = Float64Array.from(b.doubles());
    for (const weight of [1, 2]) {
      multiplyAccumulateAt(acc, a, b, size, weight);
      c[0] += weight * x[0]! * y[0]!;
      c[1] += weight * x[1]! * y[1]!;
      for (let p = 2; p < 2 * size; p += 2) {
        const xr = x[p]!, xi = x[p + 1]!, yr = y[p]!, yi = y[p + 1]!;
        c[p] += weight * (xr * yr - xi * yi);
        c[p + 1] += weight * (xr * yi + xi * yr);
      }
      assert.deepEqual(acc.doubles(), c, `weight ${weight}`);
    }
  } finally {
    b.free();
    a.free();
    acc.free();
  }
});

test('the 2-D bound is the one-FFT bound of length 2s·M (plus the packing correction), growing with the levels', () => {
  const norm = 1e12;
  assert.ok(transform2DBound(1 << 20, 512, norm) >= percivalBound(21 + 9, norm));
  assert.ok(transform2DBound(1 << 20, 1024, norm) > transform2DBound(1 << 20, 512, norm));
  assert.ok(transform2DBound(1 << 19, 1024, norm) < transform2DBound(1 << 20, 1024, norm));
});

test('the digit-size grounds: proven under 1/2, policy under the limit, none above; a limit under 1/2 narrows both', () => {
  const s = 1 << 20;
  const random3 = (n: number) => ((10 ** 6 - 1) / 12) * n; // norm product of two random operands of n 3-digit digits
  assert.equal(transform2DGrounds(s, 64, random3(1e8 / 3)), 'proven');
  assert.equal(transform2DGrounds(s, 1024, random3(1.6e9 / 3)), 'policy');
  assert.equal(transform2DGrounds(s, 1024, 3 * random3(1.6e9 / 3)), undefined, 'digits at the extremes: three times the norms');
  assert.ok(transform2DBound(s, 1024, random3(1.6e9 / 3)) < TRANSFORM2D_POLICY_LIMIT);
  assert.equal(transform2DGrounds(s, 64, random3(1e8 / 3), 0.1), undefined);
  assert.equal(transform2DGrounds(s, 64, random3(1e7 / 3), 0.1), 'proven');
});
