/**
 * Out-of-core multiplication (and the routes that use it) against BigInt and the in-memory path:
 * tiny block sizes exercise many blocks on small operands; a 16 MiB budget exercises the routing.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { StreamNumber } from '../src/number.js';
import { mulOutOfCore, powOutOfCore } from '../src/engine/outofcore/index.js';
import * as outOfCore from '../src/engine/outofcore/index.js';
import { div, divisionPlannedOutOfCore, divmod, mod, mul, pow, plannedOutOfCore, powerPlannedOutOfCore } from '../src/engine/index.js';
import { floorDiv, floorMod, freshHome, logFiles, randomInteger, textOf, withBudget } from './helpers.js';

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



describe('routing by MATHSTREAM_MEMORY: out of core at 16 MiB equals in memory', () => {
  test('mul, random signs', async () => {
    for (const [la, lb] of [[1_400_000, 1_100_000], [2_100_000, 900_000]] as const) {
      const x = await StreamNumber.fromLiteral(randomInteger(la));
      const y = await StreamNumber.fromLiteral(randomInteger(lb));
      const before = outOfCore.outOfCoreProducts;
      const viaDisk = await withBudget('16MiB', async () => {
        assert.equal(plannedOutOfCore(la, lb), true);
        return mul(x, y);
      });
      assert.equal(outOfCore.outOfCoreProducts, before + 1, 'the product went out of core');
      const inMemory = await withBudget('2GiB', () => mul(x, y));
      assert.equal(outOfCore.outOfCoreProducts, before + 1, 'the in-memory product stayed in memory');
      assert.equal(viaDisk.isNegative, x.isNegative !== y.isNegative);
      assert.equal(await textOf(viaDisk), await textOf(inMemory));
      x.free();
      y.free();
    }
  });

  test('pow: folded small base and large base, random signs', async () => {
    const sign = () => (Math.random() < 0.5 ? '-' : '');
    // Results of ~2.9 and ~3.3 million digits: their last squarings (~1.5 million digits a side) are out of core at
    // 16 MiB for every transform length family the planner may choose.
    for (const [base, exponent] of [[`${sign()}7`, 3_400_001], [`${sign()}${randomInteger(30, false)}`, 110_001]] as const) {
      await withBudget('16MiB', async () => assert.ok(powerPlannedOutOfCore(2_800_000)));
      const before = outOfCore.outOfCoreProducts;
      const viaDisk = await withBudget('16MiB', () => pow(base, exponent));
      assert.ok(outOfCore.outOfCoreProducts > before, 'the power went out of core');
      assert.ok(viaDisk.digitCount > 2_800_000);
      const inMemory = await withBudget('2GiB', () => pow(base, exponent));
      assert.equal(await textOf(viaDisk), await textOf(inMemory));
    }
  });
});

describe('out-of-core division (Newton reciprocal on files) against BigInt', () => {
  test('divmod, div, mod with random signs at a 100 kB budget', async () => {
    await withBudget(100_000, async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 10000, max: 18000 }), fc.integer({ min: 3000, max: 9000 }), async (la, lb) => {
          fc.pre(la >= lb);
          const a = randomInteger(la);
          const b = randomInteger(lb);
          assert.equal(divisionPlannedOutOfCore(la, lb), true);
          const [q, r] = await divmod(a, b);
          assert.equal(BigInt(q.toString()), floorDiv(a, b));
          assert.equal(BigInt(r.toString()), floorMod(a, b));
          q.free();
          r.free();
        }),
        { numRuns: 12 },
      );
      const a = -randomInteger(14000, false);
      const b = randomInteger(5000, false);
      const q = await div(a, b);
      const r = await mod(a, b);
      assert.equal(BigInt(q.toString()), floorDiv(a, b));
      assert.equal(BigInt(r.toString()), floorMod(a, b));
      q.free();
      r.free();
    });
  });

  test('16 MiB: out of core equals in memory', async () => {
    const x = await StreamNumber.fromLiteral(randomInteger(2_400_000));
    const y = await StreamNumber.fromLiteral(randomInteger(1_100_000));
    const viaDisk = await withBudget('16MiB', async () => {
      assert.equal(divisionPlannedOutOfCore(x.digitCount, y.digitCount), true);
      return divmod(x, y);
    });
    const inMemory = await withBudget('2GiB', () => divmod(x, y));
    assert.equal(await textOf(viaDisk[0]), await textOf(inMemory[0]));
    assert.equal(await textOf(viaDisk[1]), await textOf(inMemory[1]));
    x.free();
    y.free();
  });
});

test('out-of-core work leaves nothing behind in the log folder but its results', async () => {
  const before = logFiles(home).filter((name) => name.startsWith('.tmp-'));
  assert.deepEqual(before, []);
});
