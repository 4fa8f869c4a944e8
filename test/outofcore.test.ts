/**
 * Out-of-core multiplication (and the routes that use it) against BigInt and the in-memory path:
 * tiny block sizes exercise many blocks on small operands; a 16 MiB budget exercises the routing.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { StreamNumber } from '../src/number.js';
import { mulOutOfCore } from '../src/engine/outofcore/product.js';
import { freshHome, logFiles, randomInteger } from './helpers.js';

freshHome('ms-ooc-');

async function bigOf(x: StreamNumber): Promise<bigint> {
  return BigInt(x.toString());
}

describe('block convolution against BigInt', () => {
  test('random operands, tiny blocks, random signs', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6000 }),
        fc.integer({ min: 1, max: 6000 }),
        fc.constantFrom(1024, 2048),
        fc.integer(),
        async (la, lb, blockSize, seed) => {
          let s = seed >>> 0;
          const random = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
          const a = randomInteger(la, true, random);
          const b = randomInteger(lb, true, random);
          const x = await StreamNumber.fromLiteral(a);
          const y = await StreamNumber.fromLiteral(b);
          const p = await mulOutOfCore(x, y, (a < 0n) !== (b < 0n), {}, { blockSize });
          assert.equal(await bigOf(p), a * b);
          for (const n of [x, y, p]) n.free();
        },
      ),
      { numRuns: 40 },
    );
  });
});
