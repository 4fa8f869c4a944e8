/**
 * Out-of-core multiplication (and the routes that use it) against BigInt and the in-memory path:
 * tiny block sizes exercise many blocks on small operands; a 16 MiB budget exercises the routing.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { StreamNumber } from '../src/number.js';
import { mulOutOfCore, powOutOfCore } from '../src/engine/outofcore/index.js';
import { freshHome, logFiles, randomInteger } from './helpers.js';

const home = freshHome('ms-ooc-');

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

describe('out-of-core powers against BigInt', () => {
  test('small bases (folded multiplier) and large bases, tiny blocks, random signs', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.bigInt({ min: -99999999n, max: 99999999n }), fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n })),
        fc.integer({ min: 2, max: 400 }),
        async (a, e) => {
          fc.pre(a > 1n || a < -1n);
          const x = await StreamNumber.fromLiteral(a);
          const estimate = Math.floor(e * Math.log10(Number(a < 0n ? -a : a))) + 1;
          const p = await powOutOfCore(x, e, a < 0n && e % 2 === 1, estimate, {}, { blockSize: 128 });
          assert.equal(await bigOf(p), a ** BigInt(e));
          x.free();
          p.free();
        },
      ),
      { numRuns: 40 },
    );
  });
});

test('out-of-core work leaves nothing behind in the log folder but its results', async () => {
  const before = logFiles(home).filter((name) => name.startsWith('.tmp-'));
  assert.deepEqual(before, []);
});
