/**
 * engine/result's writeNatResult: a Nat result written to its file a piece at a time straight from the limbs
 * (double buffered), checked byte for byte against natToDigits, with signs, zero, and pieces across 2^20 digits.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { writeNatResult } from '../src/engine/result.js';
import { natFromDigits, natFromNumber, natToDigits, NAT_ZERO } from '../src/kernel/nat.js';
import { freshHome, logFiles, seededRandom } from './helpers.js';

const home = freshHome('ms-result-');

test('writeNatResult writes sign and digits exactly, for zero, small and multi-piece values', async () => {
  const r = seededRandom(5);
  const long = new Uint8Array((1 << 21) + 777);
  for (let i = 0; i < long.length; i++) long[i] = 48 + Math.floor(r() * 10);
  long[0] = 51;
  const cases = [NAT_ZERO, natFromNumber(7), natFromNumber(123456789), natFromDigits(long)];
  for (const value of cases) {
    for (const negative of [false, true]) {
      const result = await writeNatResult(negative, value);
      try {
        const text = readFileSync(result.path);
        const digits = Buffer.from(natToDigits(value));
        const isZero = value.size === 0;
        const want = negative && !isZero ? Buffer.concat([Buffer.from('-'), digits]) : digits;
        assert.ok(text.equals(want), `negative=${negative}, ${digits.length} digits`);
        assert.equal(result.digitCount, digits.length);
        assert.equal(result.isNegative, negative && !isZero);
        assert.equal(result.isZero, isZero);
      } finally {
        result.free();
      }
    }
  }
  assert.deepEqual(logFiles(home), []);
});
