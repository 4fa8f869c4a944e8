/**
 * pi — correctness of apps/pi against oracles that share no code with mathstream's kernel.
 *
 * - 10^4 decimals: Machin's formula pi = 16 atan(1/5) - 4 atan(1/239), evaluated here on
 *   V8 BigInt in fixed point (a different series and a different arithmetic).
 * - every length 1..3000 (property): a prefix of that Machin value, so the guard-digit logic
 *   and the term count are exercised at many sizes, not just round ones.
 * - 10^6 decimals: SHA-256 of the decimals. The constant was computed once, outside this
 *   project's code, by two independent programs that agreed: a Chudnovsky binary-splitting
 *   program on V8 BigInt (the `bigint` competitor of bench/pi.ts) and MPFR's
 *   mpfr_const_pi (an AGM, a different algorithm) through gmp-wasm, both with 10+ guard digits
 *   rounded toward zero; the last ten decimals are 5779458151, as published for the first
 *   million decimals of pi. bench/pi.ts re-checks the agreement on every run.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { computePiDigits } from '../src/apps/pi/index.js';
import { InvalidArgumentError } from '../src/errors.js';
import { piDecimals } from './pi-oracle.js';

const MILLION_DECIMALS_SHA256 = '7806ee47461b49ef1f578e14461b2c83c09c6d7a9a914275da1d71e9cbbf7069';

const ascii = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');

describe('pi decimals', () => {
  const machin = piDecimals(10_000);

  test('the Machin oracle itself starts with the well-known digits', () => {
    assert.equal(machin.slice(0, 50), '14159265358979323846264338327950288419716939937510');
  });

  test('first 10^4 decimals equal Machin on BigInt', () => {
    assert.equal(ascii(computePiDigits(10_000)), machin);
  });

  test('every length is a prefix of the same digits (1..3000, sampled)', () => {
    for (let n = 1; n <= 40; n++) assert.equal(ascii(computePiDigits(n)), machin.slice(0, n), `n = ${n}`);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), (n) => ascii(computePiDigits(n)) === machin.slice(0, n)),
      { numRuns: 40 },
    );
  });

  test('10^6 decimals hash to the independently computed SHA-256', () => {
    const digits = computePiDigits(1_000_000);
    assert.equal(digits.length, 1_000_000);
    assert.equal(ascii(digits.subarray(999_990)), '5779458151');
    assert.equal(createHash('sha256').update(digits).digest('hex'), MILLION_DECIMALS_SHA256);
  });

  test('a bad count is refused with a typed error', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60]) {
      assert.throws(() => computePiDigits(bad), InvalidArgumentError, `count ${bad}`);
    }
  });
});
