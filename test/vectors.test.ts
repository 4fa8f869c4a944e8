/**
 * vectors — arithmetic checked against vectors made by tools that share no code with mathstream
 * (test/vectors/arith.json, written by scripts/vectors/generate.py: CPython's int for the small cases,
 * the decimal module's libmpdec for the large ones; its header says how). Every multiplication route the
 * engine can take for these sizes is exercised: schoolbook and FFT products, squares, division and isqrt on
 * top of them, and out-of-core products under a small memory budget.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configure } from '../src/config.js';
import { divmod, isqrt, mul, pow } from '../src/engine/index.js';
import { StreamNumber } from '../src/number.js';
import { freshHome } from './helpers.js';

interface LcgSpec {
  seed: number;
  digits: number;
}
interface Digest {
  digits: number;
  head: string;
  tail: string;
  sha256: string;
}
type SmallCase =
  | { op: 'mul' | 'pow'; a: string; b: string; result: string }
  | { op: 'divmod'; a: string; b: string; result: [string, string] }
  | { op: 'isqrt'; a: string; result: string };
type LargeCase = { op: 'mul'; a: LcgSpec; b: LcgSpec; result: Digest } | { op: 'divmod'; a: LcgSpec; b: LcgSpec; result: [Digest, Digest] };

const vectors = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'test', 'vectors', 'arith.json'), 'utf8')) as {
  provenance: string;
  small: SmallCase[];
  large: LargeCase[];
};
const home = freshHome('ms-vectors-');

/** The generator's digits (scripts/vectors/generate.py, lcg_digits): s ← (1664525 s + 1013904223) mod 2^32. */
function lcgDigits({ seed, digits }: LcgSpec): Buffer {
  const out = Buffer.allocUnsafe(digits);
  let s = seed >>> 0;
  for (let i = 0; i < digits; i++) {
    s = (Math.imul(1664525, s) + 1013904223) >>> 0;
    out[i] = 48 + ((s >>> 24) % 10);
  }
  if (out[0] === 48) out[0] = 55;
  return out;
}

async function operandFile(spec: LcgSpec, name: string): Promise<StreamNumber> {
  const path = join(home, `${name}.txt`);
  writeFileSync(path, lcgDigits(spec));
  return StreamNumber.fromPath(path);
}

async function digestOf(n: StreamNumber): Promise<Digest> {
  const hash = createHash('sha256');
  let head = n.isNegative ? '-' : '';
  let tail = head;
  if (n.isNegative) hash.update('-');
  for await (const chunk of n.stream()) {
    const text = Buffer.from(chunk).toString('latin1');
    hash.update(text);
    if (head.length < 30) head = (head + text).slice(0, 30);
    tail = (tail + text).slice(-30);
  }
  return { digits: n.digitCount, head, tail, sha256: hash.digest('hex') };
}

async function text(result: Promise<StreamNumber>): Promise<string> {
  const n = await result;
  try {
    return n.toString();
  } finally {
    n.free();
  }
}

async function smallCase(c: SmallCase): Promise<void> {
  const label = `${c.op}(${c.a.slice(0, 20)}…)`;
  if (c.op === 'mul') assert.equal(await text(mul(c.a, c.b)), c.result, label);
  else if (c.op === 'pow') assert.equal(await text(pow(c.a, c.b)), c.result, label);
  else if (c.op === 'isqrt') assert.equal(await text(isqrt(c.a)), c.result, label);
  else {
    const [q, r] = await divmod(c.a, c.b);
    try {
      assert.deepEqual([q.toString(), r.toString()], c.result, label);
    } finally {
      q.free();
      r.free();
    }
  }
}

describe(`independent vectors (${vectors.provenance})`, () => {
  test(`${vectors.small.length} small cases: mul with signs and carry-heavy shapes, floor divmod, isqrt, pow`, async () => {
    assert.ok(vectors.small.length > 200);
    for (const c of vectors.small) await smallCase(c);
  });

  test('squares take their own route and agree with the products', async () => {
    for (const c of vectors.small.filter((v) => v.op === 'mul' && v.a.length > 100).slice(0, 20)) {
      assert.equal(await text(mul(c.a, c.a)), (BigInt(c.a) * BigInt(c.a)).toString());
    }
  });

  for (const budget of [undefined, 2 ** 20 * 16]) {
    const where = budget === undefined ? 'in memory' : 'under a 16 MiB budget';
    test(`${vectors.large.length} large cases (10^5 to 10^6 digits) ${where}`, async () => {
      configure({ memoryBudget: budget ?? 2 ** 30 });
      try {
        for (const [i, c] of vectors.large.entries()) {
          const a = await operandFile(c.a, `a${i}`);
          const b = await operandFile(c.b, `b${i}`);
          try {
            if (c.op === 'mul') {
              const p = await mul(a, b);
              assert.deepEqual(await digestOf(p), c.result, `mul case ${i} ${where}`);
              p.free();
            } else {
              const [q, r] = await divmod(a, b);
              assert.deepEqual([await digestOf(q), await digestOf(r)], c.result, `divmod case ${i} ${where}`);
              q.free();
              r.free();
            }
          } finally {
            a.free();
            b.free();
          }
        }
      } finally {
        configure({ memoryBudget: 2 ** 30 });
      }
    });
  }
});
