/**
 * ProductWriter.push converts and places its digits PUSH_PIECE (2^18) at a time through a pooled buffer: a push of more
 * than two pieces must write the same text, residue and significant length as the whole count placed at once. The
 * oracle is independent of push: the base-1000 digits written out as zero-padded groups, then multiplied by the
 * small multiplier digit by digit from the right.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AtomicFile } from '../../storage/index.js';
import { ProductWriter } from './blocks.js';

test('ProductWriter.push over several pieces writes the scaled digits, their residue and significant length', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ms-blocks-'));
  try {
    const d = 3;
    const count = 2 * (1 << 18) + 777; // three pieces, the last one short
    const scale = 7;
    const p = 1_000_003;
    let s = 12345;
    const digits = new Float64Array(count);
    for (let q = 0; q < count; q++) digits[q] = (s = (Math.imul(s, 1103515245) + 12345) >>> 0) % 1000;
    digits[count - 1] = 999; // a non-zero top digit, and a carry out of it from the multiplier
    const reserved = count * d + 1;
    // Oracle: the text of Σ digits[q]·1000^q (top first), then times `scale` from the right.
    const plain = Array.from(digits).reverse().map((v) => String(v).padStart(d, '0')).join('');
    const out: string[] = new Array(plain.length);
    let carry = 0;
    for (let i = plain.length - 1; i >= 0; i--) {
      const v = (plain.charCodeAt(i) - 48) * scale + carry;
      carry = Math.floor(v / 10);
      out[i] = String(v % 10);
    }
    const expected = (String(carry) + out.join('')).padStart(reserved, '0');
    let residue = 0;
    for (let i = 0; i < expected.length; i++) residue = (residue * 10 + expected.charCodeAt(i) - 48) % p;

    const file = await AtomicFile.create(dir);
    try {
      await file.truncate(reserved);
      const writer = new ProductWriter(file, 0, reserved, d, scale, p);
      await writer.push(digits, count);
      await writer.finish();
      assert.equal(writer.placed, reserved);
      assert.equal(writer.residue, residue);
      assert.equal(writer.significantDigits, expected.replace(/^0+/, '').length);
      assert.equal(readFileSync(file.tempPath, 'latin1'), expected);
    } finally {
      await file.abort();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
