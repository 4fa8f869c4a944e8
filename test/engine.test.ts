/**
 * Engine differential tests: every operation on StreamNumbers against BigInt, on random
 * operands of random sizes and signs and on edge cases (0, ±1, 10^k, 10^k − 1, runs of 9s and
 * 0s, divisor larger than dividend, equal operands, -0, chunk-boundary sizes). A small chunk
 * size forces the streaming routines through many chunks; the default one is tested too.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { configure } from '../src/config.js';
import { CancelledError, DivideByZeroError, NegativeExponentError, InvalidArgumentError } from '../src/errors.js';
import { add, compare, div, divmod, isqrt, mod, mul, neg, abs, pow, sub } from '../src/engine/index.js';
import { StreamNumber, activeStreams } from '../src/number.js';
import { trackedFiles } from '../src/tracker/index.js';
import { bigintSqrt, floorDiv, floorMod, freshHome, logFiles, randomInteger, seededRandom } from './helpers.js';

const home = freshHome('ms-engine-');
const CHUNK = 1000;
configure({ chunkSize: CHUNK });

/** Runs an engine call and returns its value as a bigint, freeing the result. */
async function value(result: Promise<StreamNumber>): Promise<bigint> {
  const n = await result;
  try {
    return n.toBigInt();
  } finally {
    n.free();
  }
}

type Op = [name: string, run: (a: bigint, b: bigint) => Promise<bigint>, oracle: (a: bigint, b: bigint) => bigint, ok?: (a: bigint, b: bigint) => boolean];

const OPS: Op[] = [
  ['add', (a, b) => value(add(a, b)), (a, b) => a + b],
  ['sub', (a, b) => value(sub(a, b)), (a, b) => a - b],
  ['mul', (a, b) => value(mul(a, b)), (a, b) => a * b],
  ['div', (a, b) => value(div(a, b)), floorDiv, (_a, b) => b !== 0n],
  ['mod', (a, b) => value(mod(a, b)), floorMod, (_a, b) => b !== 0n],
  ['cmp', async (a, b) => BigInt(await compare(a, b)), (a, b) => (a < b ? -1n : a > b ? 1n : 0n)],
];

function edgeValues(): bigint[] {
  const values = [0n, 1n, -1n, 2n, 9n, 10n, 99_999_999n, 100_000_000n, 100_000_001n];
  for (const k of [1, 7, 8, 9, 15, 16, 999, 1000, 1001, 1999, 2000, 2001, 4500]) {
    const p = 10n ** BigInt(k);
    values.push(p, p - 1n, p + 1n, -p, -(p - 1n), 2n * p - 1n);
  }
  values.push(BigInt('9'.repeat(3000)) * 10n ** 500n, BigInt('1' + '0'.repeat(2500) + '1'));
  return values;
}

describe('edge cases against BigInt', () => {
  const values = edgeValues();
  const rng = seededRandom(7);
  const pairs: Array<[bigint, bigint]> = [];
  for (const a of values) for (const b of values) if (rng() < 0.12 || a === b) pairs.push([a, b]);
  for (const [name, run, oracle, ok] of OPS) {
    test(name, async () => {
      for (const [a, b] of pairs) {
        if (ok && !ok(a, b)) continue;
        assert.equal(await run(a, b), oracle(a, b), `${name}(${short(a)}, ${short(b)})`);
      }
    });
  }
});

describe('random operands of random sizes (1 to 10^5 digits) against BigInt', () => {
  const rng = seededRandom(2026);
  const size = () => Math.max(1, Math.floor(10 ** (rng() * 5)));
  for (const [name, run, oracle, ok] of OPS) {
    test(name, async () => {
      for (let i = 0; i < 14; i++) {
        const a = randomInteger(size(), true, rng);
        const b = i % 3 === 0 ? randomInteger(Math.max(1, Math.floor(rng() * 9)), true, rng) : randomInteger(size(), true, rng);
        if (ok && !ok(a, b)) continue;
        assert.equal(await run(a, b), oracle(a, b), `${name} on ${String(a).length} and ${String(b).length} digits`);
      }
    });
  }
});

test('divmod returns both parts with the sign rule', async () => {
  for (const [a, b] of [[7n, 2n], [-7n, 2n], [7n, -2n], [-7n, -2n], [10n ** 300n + 7n, -(10n ** 150n + 3n)], [-(10n ** 300n), 10n ** 299n]]) {
    const [q, r] = await divmod(a!, b!);
    assert.equal(q.toBigInt(), floorDiv(a!, b!));
    assert.equal(r.toBigInt(), floorMod(a!, b!));
    q.free();
    r.free();
  }
});

test('pow, neg, abs, isqrt against BigInt', async () => {
  const rng = seededRandom(99);
  for (let i = 0; i < 20; i++) {
    const base = randomInteger(1 + Math.floor(rng() * 30), true, rng);
    const e = Math.floor(rng() * 60);
    assert.equal(await value(pow(base, e)), base ** BigInt(e), `pow(${base}, ${e})`);
  }
  assert.equal(await value(pow(0, 0)), 1n);
  assert.equal(await value(pow(0, 5)), 0n);
  assert.equal(await value(pow(-1, 12345)), -1n);
  assert.equal(await value(pow(-1, 12346)), 1n);
  assert.equal(await value(pow(10, 4321)), 10n ** 4321n);
  for (const x of [0n, 5n, -5n, randomInteger(5000, true, rng)]) {
    assert.equal(await value(neg(x)), -x);
    assert.equal(await value(abs(x)), x < 0n ? -x : x);
  }
  for (const x of [0n, 1n, 3n, 4n, 99n, 100n, 10n ** 40n - 1n, 10n ** 40n, randomInteger(3001, false, rng)]) {
    assert.equal(await value(isqrt(x)), bigintSqrt(x), `isqrt(${short(x)})`);
  }
});

test('typed errors: division by zero, negative exponent, isqrt of a negative', async () => {
  await assert.rejects(div(5, 0), DivideByZeroError);
  await assert.rejects(mod(5, '-0'), DivideByZeroError);
  await assert.rejects(divmod(10n ** 50n, 0), DivideByZeroError);
  await assert.rejects(pow(2, -1), NegativeExponentError);
  await assert.rejects(isqrt(-4), InvalidArgumentError);
});

test('operations accept StreamNumbers, bigints, numbers and literal strings', async () => {
  const a = await StreamNumber.fromLiteral('12345678901234567890');
  assert.equal(await value(add(a, 10n)), 12345678901234567900n);
  assert.equal(await value(add('  '.trim() || '5', 5)), 10n);
  assert.equal(await value(mul(a, '-000002')), -24691357802469135780n);
  a.free();
});

test('fast-check: algebraic laws on StreamNumbers', async () => {
  const int = fc.bigInt({ min: -(10n ** 60n), max: 10n ** 60n });
  await fc.assert(
    fc.asyncProperty(int, int, int, async (a, b, c) => {
      assert.equal(await value(add(a, b)), await value(add(b, a)));
      assert.equal(await value(mul(a, b)), await value(mul(b, a)));
      const ab = await add(a, b);
      assert.equal(await value(add(ab, c)), a + b + c);
      ab.free();
      const bc = await add(b, c);
      assert.equal(await value(mul(a, bc)), a * b + a * c);
      bc.free();
      if (b !== 0n) {
        const [q, r] = await divmod(a, b);
        const qb = await mul(q, b);
        assert.equal(await value(add(qb, r)), a);
        const rv = r.toBigInt();
        assert.ok(rv === 0n || rv < 0n === b < 0n, 'remainder takes the divisor sign');
        assert.ok((rv < 0n ? -rv : rv) < (b < 0n ? -b : b));
        for (const x of [q, r, qb]) x.free();
      }
    }),
    { numRuns: 60 },
  );
});

test('a cancelled operation rejects with CancelledError and leaves no file and no row', async () => {
  const big = 10n ** 20_000n - 12345n;
  const ops: Array<[string, (o: { signal: AbortSignal; onProgress: () => void }) => Promise<StreamNumber>]> = [
    ['add', (o) => add(big, big, o)],
    ['sub', (o) => sub(big, -big, o)],
    ['mul', (o) => mul(big, big, o)],
    ['mul small', (o) => mul(big, 7, o)],
    ['div small', (o) => div(big, 7, o)],
    ['neg', (o) => neg(big, o)],
  ];
  for (const [name, run] of ops) {
    const controller = new AbortController();
    await assert.rejects(run({ signal: controller.signal, onProgress: () => controller.abort() }), CancelledError, name);
    assert.deepEqual(logFiles(home), [], `${name}: no file left`);
    assert.deepEqual(trackedFiles(), {}, `${name}: no row left`);
  }
  const controller = new AbortController();
  const abortOnProgress = { signal: controller.signal, onProgress: () => controller.abort() };
  await assert.rejects(compare(big, big, abortOnProgress), CancelledError, 'compare');
});

test('everything freed: no live handle, no tracked file, empty log folder', () => {
  assert.deepEqual(activeStreams(), {});
  assert.deepEqual(trackedFiles(), {});
  assert.deepEqual(logFiles(home), []);
});

function short(x: bigint): string {
  const s = x.toString();
  return s.length > 30 ? `${s.slice(0, 12)}…(${s.length} digits)` : s;
}

