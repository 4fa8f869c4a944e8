/**
 * mul-methods — one suite that every multiplication method must pass. The planner picks schoolbook, Karatsuba,
 * FFT, transform reuse (squares, shared spectra), a budget split or the out-of-core block convolution by size and
 * budget; here each method is forced in turn and run over the same cases: the independent vectors
 * (test/vectors/arith.json, CPython's products with carry-heavy shapes: runs of nines, powers of ten and their
 * neighbours) and random operands, all checked against BigInt. A method that is only reached at large sizes in
 * normal use is made to run at these sizes by its knob (thresholds, budget, block size).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { natFromBigInt, natToBigInt, natMul, natSqr, type Nat } from '../src/kernel/index.js';
import { Multiplier } from '../src/kernel/multiplier.js';
import { mulOutOfCore } from '../src/engine/outofcore/index.js';
import { StreamNumber } from '../src/number.js';
import { freshHome } from './helpers.js';
import { randomInteger, seededRandom } from './random.js';

freshHome('ms-mul-methods-');

const vectors = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'test', 'vectors', 'arith.json'), 'utf8')) as {
  small: Array<{ op: string; a: string; b: string; result: string }>;
};
const abs = (x: bigint): bigint => (x < 0n ? -x : x);
const random = seededRandom(11);

/** Magnitude pairs: every vector product, plus random operands of unbalanced and balanced sizes. */
const cases: Array<readonly [bigint, bigint]> = [
  ...vectors.small.filter((v) => v.op === 'mul').map((v) => [abs(BigInt(v.a)), abs(BigInt(v.b))] as const),
  ...[1, 7, 100, 449, 1000, 4096, 5000, 9000].flatMap((n) => [
    [randomInteger(n, false, random), randomInteger(n, false, random)] as const,
    [randomInteger(n, false, random), randomInteger(3 + (n >> 2), false, random)] as const,
  ]),
].map(([a, b]) => [abs(a), abs(b)] as const);

type Method = { name: string; product: (a: Nat, b: Nat) => Nat };

// Each method is forced by per-call options (MulOptions / MultiplierOptions), the same ones callers use.
const schoolbook = { karatsubaThreshold: 1e9, fftThreshold: 1e9 };
const karatsuba = { karatsubaThreshold: 2, fftThreshold: 1e9 };
const fftFrom4 = { karatsubaThreshold: 1e9, fftThreshold: 4 };
const kernelMethods: Method[] = [
  { name: 'schoolbook', product: (a, b) => natMul(a, b, schoolbook) },
  { name: 'Karatsuba', product: (a, b) => natMul(a, b, karatsuba) },
  { name: 'FFT (from 4 limbs)', product: (a, b) => natMul(a, b, fftFrom4) },
  { name: 'FFT square (one transform)', product: (a) => natSqr(a, fftFrom4) },
  { name: 'budget split (1-byte budget: split down to the smallest pieces)', product: (a, b) => natMul(a, b, { budget: 1 }) },
  { name: 'transform reuse (shared spectra)', product: (a, b) => new Multiplier(fftFrom4).sumsOfProducts([[[a, b]]])[0]! },
];

describe('every multiplication method passes the same suite', () => {
  for (const method of kernelMethods) {
    test(`${method.name}: ${cases.length} products equal BigInt`, () => {
      const squares = method.name.includes('square');
      for (const [a, b] of cases) {
        const y = squares ? a : b;
        assert.equal(natToBigInt(method.product(natFromBigInt(a), natFromBigInt(y))), a * y, `${method.name}: ${a.toString().length} × ${y.toString().length} digits`);
      }
    });
  }

  test('out of core (block convolution on disk, 64-digit blocks): the same products equal BigInt', async () => {
    for (const [a, b] of cases.filter(([x, y]) => x > 0n && y > 0n && x.toString().length + y.toString().length > 40).slice(0, 40)) {
      const x = await StreamNumber.fromLiteral(a);
      const y = await StreamNumber.fromLiteral(b);
      const p = await mulOutOfCore(x, y, false, {}, { blockSize: 64 });
      try {
        assert.equal(p.toBigInt(), a * b);
      } finally {
        for (const n of [x, y, p]) n.free();
      }
    }
  });
});
