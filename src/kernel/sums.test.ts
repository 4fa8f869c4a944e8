// kernel/sums — groups of sums of products in the wasm memory, against BigInt: pi's merge shape, squares, repeated
// operands, extreme digits, every block freed, the worst-case length, bad groups and a corrupted sum.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ArithmeticCheckError, InvalidArgumentError } from '../errors.js';
import { natFromBigInt, natToBigInt } from './index.js';
import { transformLength } from './fftcore.js';
import { natSumsOfProducts, natSumsWorstLength } from './sums.js';
import { heapTop } from './wasmheap.js';
import { randomNatural as digits, seededRandom as rng } from '../../test/random.js';

describe('natSumsOfProducts (the group in the wasm memory)', () => {
  test('merge shape, squares, shared and repeated operands, small and extreme operands agree with BigInt', () => {
    const r = rng(13);
    for (const n of [20, 150, 700, 3000, 20000, 70000]) {
      const [P1, P2, Q1, Q2, T1, T2] = Array.from({ length: 6 }, () => digits(r, Math.floor(n * (0.6 + 0.8 * r())) + 1));
      const [p1, p2, q1, q2, t1, t2] = [P1!, P2!, Q1!, Q2!, T1!, T2!].map(natFromBigInt);
      const [t, q, p, sq, twice] = natSumsOfProducts([[[t1!, q2!], [p1!, t2!]], [[q1!, q2!]], [[p1!, p2!]], [[p2!, p2!]], [[t2!, t2!], [t2!, t2!]]]);
      assert.equal(natToBigInt(t!), T1! * Q2! + P1! * T2!, `T n=${n}`);
      assert.equal(natToBigInt(q!), Q1! * Q2!, `Q n=${n}`);
      assert.equal(natToBigInt(p!), P1! * P2!, `P n=${n}`);
      assert.equal(natToBigInt(sq!), P2! * P2!, `square n=${n}`);
      assert.equal(natToBigInt(twice!), 2n * T2! * T2!, `sum of squares n=${n}`);
    }
    const nines = 10n ** 40000n - 1n, fives = BigInt('5'.repeat(30000));
    const [a, b] = [natFromBigInt(nines), natFromBigInt(fives)];
    const [x, y] = natSumsOfProducts([[[a, b], [b, b]], [[a, a]]]);
    assert.equal(natToBigInt(x!), nines * fives + fives * fives);
    assert.equal(natToBigInt(y!), nines * nines);
  });

  test('digits at the extremes of base 10^5 fail the bound once packed: the group is packed again at base 10^4', () => {
    // 30,000 digits: fft.ts widestDigits guesses 5 for two squares, but balanced base-10^5 digits of 50000…50000 are
    // all near ±10^5/2 (three times the average squared norm), beyond the bound at 6144 points: the spectra of the
    // first pass are freed and the operands repacked (a pass that kept them would read stale spectra).
    const x = BigInt('50000'.repeat(6000)), y = BigInt('49999'.repeat(6000));
    const [a, b] = [natFromBigInt(x), natFromBigInt(y)];
    const [s, t] = natSumsOfProducts([[[a, a], [b, b]], [[a, b]]]);
    assert.equal(natToBigInt(s!), x * x + y * y);
    assert.equal(natToBigInt(t!), x * y);
  });

  test('frees all it allocates; the worst-case length bounds the one used; bad groups are typed errors', () => {
    const r = rng(17);
    const [a, b, c] = [50000, 40000, 45000].map((n) => natFromBigInt(digits(r, n)));
    natSumsOfProducts([[[a!, b!], [c!, c!]]]); // tables and memory grown once
    const before = heapTop();
    for (let i = 0; i < 3; i++) {
      const [v] = natSumsOfProducts([[[a!, b!], [c!, c!]]]);
      assert.equal(natToBigInt(v!), natToBigInt(a!) * natToBigInt(b!) + natToBigInt(c!) ** 2n);
    }
    assert.equal(heapTop(), before, 'every block was freed (a leak would grow the heap)');
    // 95,000 digits at d = 4 need 2^15 points; extreme digits may need d = 3 (3·2^14 or 2^16).
    assert.ok(natSumsWorstLength([[[a!, b!], [c!, c!]]]) >= transformLength(Math.ceil((a!.size + b!.size + 2) / 2)));
    assert.equal(natSumsWorstLength([[[a!, natFromBigInt(12345n)]]]), 0, 'below the FFT threshold: single products');
    assert.throws(() => natSumsOfProducts([]), InvalidArgumentError);
    assert.throws(() => natSumsOfProducts([[[a!, b!], [a!, b!], [a!, b!]]]), InvalidArgumentError);
  });

  test('a result\'s residue is reused as an operand\'s: right results, and a result changed afterwards is caught', () => {
    const r = rng(23);
    const [A, B, C] = [9000, 8000, 7000].map((n) => digits(r, n));
    const [a, b, c] = [A!, B!, C!].map(natFromBigInt);
    const [x] = natSumsOfProducts([[[a!, b!]]]);
    const [y, z] = natSumsOfProducts([[[x!, c!], [x!, x!]], [[c!, x!]]]);
    assert.equal(natToBigInt(y!), A! * B! * C! + (A! * B!) ** 2n);
    assert.equal(natToBigInt(z!), A! * B! * C!);
    // Nats are immutable; one changed behind the kernel's back fails the next check instead of passing silently.
    x!.limbs[3] = (x!.limbs[3]! + 1) % 10000;
    assert.throws(() => natSumsOfProducts([[[x!, c!]]]), ArithmeticCheckError);
  });

  test('a corrupted sum fails its residue check', () => {
    const r = rng(19);
    const a = natFromBigInt(digits(r, 3000)), b = natFromBigInt(digits(r, 3000));
    const faultHook = (l: Uint16Array): void => {
      l[5] = (l[5]! + 1) % 10000;
    };
    assert.throws(() => natSumsOfProducts([[[a, b], [b, b]]], { faultHook }), ArithmeticCheckError);
  });
});
