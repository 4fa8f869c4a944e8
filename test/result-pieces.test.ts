/**
 * The engine's piecewise paths between files and limbs: result's writeNatResult (a Nat written a piece at a time
 * straight from the limbs, double buffered, flushed early past EARLY_FLUSH_BYTES) checked byte for byte against
 * natToDigits, with signs, zero, and pieces across 2^20 digits, a value long enough for early flushes, and a flush
 * that fails (no file left); and arithmetic's loadNat (an operand read a piece at a time straight into limbs) against
 * natFromDigits on the whole text, for a signed file with leading zeros over several pieces.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadNat } from '../src/engine/arithmetic.js';
import { StreamNumber } from '../src/number.js';
import { writeNatResult } from '../src/engine/result.js';
import { AtomicFile } from '../src/storage/write.js';
import { natFromDigits, natFromNumber, natToDigits, NAT_ZERO } from '../src/kernel/nat.js';
import { freshHome, logFiles, seededRandom } from './helpers.js';

const home = freshHome('ms-result-');

test('writeNatResult writes sign and digits exactly, for zero, small and multi-piece values', async (t) => {
  const r = seededRandom(5);
  // 2^23 + 2^21 + 777 digits: past EARLY_FLUSH_BYTES (8 MiB), so an early flush runs while pieces are written.
  const long = new Uint8Array((1 << 23) + (1 << 21) + 777);
  for (let i = 0; i < long.length; i++) long[i] = 48 + Math.floor(r() * 10);
  long[0] = 51;
  const cases = [NAT_ZERO, natFromNumber(7), natFromNumber(123456789), natFromDigits(long)];
  const sync = AtomicFile.prototype.sync;
  let flushes = 0;
  AtomicFile.prototype.sync = function (this: AtomicFile) {
    flushes++;
    return sync.call(this);
  };
  t.after(() => {
    AtomicFile.prototype.sync = sync;
  });
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
  assert.ok(flushes >= 2, `the long value was flushed early (${flushes} early flushes for both signs)`);
  assert.deepEqual(logFiles(home), []);
});

test('an early flush that fails fails the result and leaves no file', async (t) => {
  const r = seededRandom(7);
  const long = new Uint8Array((1 << 24) + 5);
  for (let i = 0; i < long.length; i++) long[i] = 48 + Math.floor(r() * 10);
  long[0] = 49;
  const sync = AtomicFile.prototype.sync;
  // What AtomicFile.sync does when fdatasync fails: removes the temp file, then throws.
  AtomicFile.prototype.sync = async function (this: AtomicFile) {
    await this.abort();
    throw new Error('injected flush failure');
  };
  t.after(() => {
    AtomicFile.prototype.sync = sync;
  });
  await assert.rejects(writeNatResult(false, natFromDigits(long)), /injected flush failure|file is closed/);
  assert.deepEqual(logFiles(home), []);
});

test('loadNat reads a multi-piece operand file (sign, leading zeros) into the same limbs as natFromDigits', async () => {
  const r = seededRandom(6);
  for (const n of [1, 5000, (1 << 21) + 13]) {
    const digits = new Uint8Array(n);
    for (let i = 0; i < n; i++) digits[i] = 48 + Math.floor(r() * 10);
    const path = join(home, `operand-${n}.txt`);
    writeFileSync(path, Buffer.concat([Buffer.from('-000'), digits, Buffer.from('\n')]));
    const x = await StreamNumber.fromPath(path);
    try {
      const got = await loadNat(x);
      const want = natFromDigits(digits);
      assert.equal(got.size, want.size, `n=${n}`);
      assert.ok(Buffer.from(got.limbs.buffer, got.limbs.byteOffset, 2 * got.size).equals(Buffer.from(want.limbs.buffer, want.limbs.byteOffset, 2 * want.size)), `n=${n}`);
    } finally {
      x.free();
    }
  }
});
