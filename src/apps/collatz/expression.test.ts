import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { evaluate, parseExpression } from './expression.js';
import { InvalidNumberError, NegativeExponentError, NumberTooLargeError, ResultTooLargeError } from '../../errors.js';

test('operators, precedence and associativity', () => {
  assert.equal(evaluate('2^1000-1'), 2n ** 1000n - 1n);
  assert.equal(evaluate('2**64 + 1'), 2n ** 64n + 1n);
  assert.equal(evaluate('3*(10^50+7)'), 3n * (10n ** 50n + 7n));
  assert.equal(evaluate('2^3^2'), 512n);
  assert.equal(evaluate('-2^2'), -4n);
  assert.equal(evaluate('(-2)^3'), -8n);
  assert.equal(evaluate('10-3-2'), 5n);
  assert.equal(evaluate('2*3+4*5'), 26n);
  assert.equal(evaluate(' 000123\n'), 123n);
  assert.equal(evaluate('--5'), 5n);
});

test('agrees with bigint arithmetic on random sums and products (property)', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: 10n ** 40n }), fc.bigInt({ min: 0n, max: 10n ** 40n }), fc.integer({ min: 0, max: 60 }), (a, b, e) => {
      assert.equal(evaluate(`${a}*${b}-${a}^${e}+(${b})`), a * b - a ** BigInt(e) + b);
    }),
  );
});

test('syntax errors name the offset', () => {
  const cases: Array<[string, number]> = [['12a4', 2], ['2^(3', 4], ['', 0], ['3.5', 1], ['2^', 2], ['(1))', 3], ['1 2', 2]];
  for (const [text, offset] of cases) {
    assert.throws(() => parseExpression(text), (e: unknown) => e instanceof InvalidNumberError && e.offset === offset, text);
  }
});

test('deep nesting is refused without a stack overflow', () => {
  assert.throws(() => parseExpression(`${'('.repeat(3000)}1${')'.repeat(3000)}`), InvalidNumberError);
  assert.throws(() => parseExpression(`${'-'.repeat(5000)}1`), InvalidNumberError);
});

test('results beyond the digit cap are refused before they are computed', () => {
  assert.throws(() => evaluate('10^10^10'), (e: unknown) => e instanceof ResultTooLargeError && /10,000,000,000 digits/.test(e.message));
  assert.throws(() => evaluate('9^9^9'), ResultTooLargeError);
  assert.throws(() => evaluate('(10^600)*(10^600)', { maxDigits: 1000 }), ResultTooLargeError);
  assert.throws(() => evaluate('1'.repeat(1001), { maxDigits: 1000 }), ResultTooLargeError);
  assert.equal(evaluate('10^999', { maxDigits: 1000 }), 10n ** 999n);
  assert.equal(evaluate('1^(10^100)'), 1n);
});

test('a negative exponent is a NegativeExponentError', () => {
  assert.throws(() => evaluate('2^-1'), NegativeExponentError);
});

test('a long flat sum is refused by the work limit, in time independent of its length (issue 14, item 11)', () => {
  const sum = Array(400_000).fill('1').join('+');
  assert.throws(
    () => evaluate(sum),
    (e: unknown) => e instanceof NumberTooLargeError && /more than 10,000 numbers, operators and parentheses/.test(e.message),
  );
  assert.throws(() => parseExpression(`1${'+1'.repeat(1_000_000)}`), NumberTooLargeError);
  // Just within the limit is fine (5,000 terms = 9,999 tokens).
  assert.equal(evaluate(Array(5_000).fill('1').join('+')), 5000n);
});

test('evaluation walks deep trees without recursion: a 400k-term sum under a raised limit', () => {
  const sum = Array(400_000).fill('1').join('+');
  assert.equal(evaluate(sum, { maxTokens: 1_000_000 }), 400_000n);
  assert.equal(evaluate(Array(200_000).fill('2').join('*'), { maxTokens: 1_000_000, maxDigits: 100_000 }), 2n ** 200_000n);
});

test('parse-time literal cap', () => {
  assert.throws(() => parseExpression(`1+${'7'.repeat(1001)}`, { maxDigits: 1000 }), ResultTooLargeError);
  assert.doesNotThrow(() => parseExpression(`1+${'0'.repeat(500)}${'7'.repeat(1000)}`, { maxDigits: 1000 }));
});
