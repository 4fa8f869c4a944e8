/**
 * The 2-D transform at a real budget (`npm run test:big`): two random 4·10^7-digit operands multiplied out of core at
 * MATHSTREAM_MEMORY=32MiB (inner blocks from the budget, hundreds of blocks, the stripe width from the budget) equal
 * the in-memory product at 2 GiB, byte for byte; and a square the same way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { StreamNumber } from '../src/number.js';
import { mul } from '../src/engine/index.js';
import * as outOfCore from '../src/engine/outofcore/index.js';
import { writeRandomDigitFile } from '../bench/util.js';
import { freshHome, withBudget } from './helpers.js';

const home = freshHome('ms-ooc2d-big-');

async function sha(x: StreamNumber): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(x.path)) h.update(chunk as Buffer);
  x.free();
  return h.digest('hex');
}


test('4e7 × 4e7 digits and a 4e7-digit square at 32 MiB equal the in-memory products', async () => {
  const a = join(home, 'a.txt'), b = join(home, 'b.txt');
  writeRandomDigitFile(a, 40_000_000);
  writeRandomDigitFile(b, 40_000_000);
  const x = await StreamNumber.fromPath(a), y = await StreamNumber.fromPath(b);
  for (const [p, q] of [[x, y], [x, x]] as const) {
    const before = outOfCore.outOfCoreProducts;
    const viaDisk = await withBudget('32MiB', () => mul(p, q));
    assert.equal(outOfCore.outOfCoreProducts, before + 1, 'out of core');
    const inMemory = await withBudget('2GiB', () => mul(p, q));
    assert.equal(viaDisk.digitCount, inMemory.digitCount);
    assert.equal(await sha(viaDisk), await sha(inMemory));
  }
  x.free();
  y.free();
});
