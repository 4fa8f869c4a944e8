// The streamed FFT product (digitproduct.ts: operands read from their digits straight into the transform buffers,
// packed in place, the product left as limbs in the dead transform) against BigInt at the shapes that stress it:
// runs of nines (all-9999 limbs, the largest balanced digits), powers of ten, unbalanced operands down to one digit,
// digit counts on every side of a limb and of a read piece, squares; the same digits on 1, 2 and 4 threads, and with
// the buffers first touched by the workers in the background (assembly touchPages); the residue check catching a
// corrupted product; a bad byte reported where it is; every wasm block given back.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { configure, getConfig } from '../config.js';
import { ArithmeticCheckError, InvalidNumberError } from '../errors.js';
import { CHECK_PRIME, natMul } from './mul.js';
import { natFromDigits, natToBigInt } from './nat.js';
import { digitProductWorkingBytes, fftMulDigits, pretouchedBytes, type DigitSource } from './digitproduct.js';
import { planProduct } from './planner.js';
import { heapTop, takeHighWater, u8View, wasm, wasmAlloc, wasmFree } from './wasmheap.js';
import { randomNatural, seededRandom } from '../../test/random.js';

const initialThreads = getConfig().threads;
after(() => configure({ threads: initialThreads }));

/** A DigitSource over a string, counting the pieces it was asked for. */
function source(text: string): DigitSource & { reads: number } {
  const s = {
    digits: text.length,
    reads: 0,
    read: async (from: number, length: number, into: Uint8Array) => {
      s.reads++;
      into.set(Buffer.from(text.slice(from, from + length), 'latin1'));
      return into.subarray(0, length);
    },
  };
  return s;
}

async function product(a: string, b: string | undefined): Promise<string> {
  const p = await fftMulDigits(source(a), b === undefined ? undefined : source(b), { checkPrime: CHECK_PRIME });
  try {
    return p.value.toString();
  } finally {
    p.release();
  }
}

const random = seededRandom(2026);
const rnd = (n: number): string => randomNatural(random, n).toString();

describe('fftMulDigits equals BigInt', () => {
  const cases: Array<[string, string, string]> = [
    ['random, balanced', rnd(1500), rnd(1500)],
    ['random, unbalanced', rnd(40_001), rnd(1409)],
    ['one digit by many', '7', rnd(20_003)],
    ['runs of nines (all-9999 limbs)', '9'.repeat(30_000), '9'.repeat(30_000)],
    ['nines, odd lengths', '9'.repeat(12_345), '9'.repeat(6_789)],
    ['powers of ten', '1' + '0'.repeat(9_999), '1' + '0'.repeat(20_000)],
    ['power of ten less one by a power of ten', '9'.repeat(8_191), '1' + '0'.repeat(8_192)],
    ['leading zeros in a source', '000' + rnd(5_000), rnd(4_999)],
    ['alternating extremes (5000 limbs: balanced digits at ±B/2)', '5000'.repeat(3_000), '5000'.repeat(2_999) + '4999'],
  ];
  // Around a read piece (2^20 digits): one less, exactly, one more; and limb boundaries (4k − 1, 4k, 4k + 1).
  for (const n of [(1 << 20) - 1, 1 << 20, (1 << 20) + 1]) cases.push([`${n} digits: a read piece's edge`, rnd(n), rnd(4_093)]);
  for (const n of [4 * 1023 - 1, 4 * 1023, 4 * 1023 + 1]) cases.push([`${n} digits: a limb's edge`, rnd(n), rnd(n + 2)]);
  for (const [name, a, b] of cases) {
    test(name, async () => {
      assert.equal(await product(a, b), (BigInt(a) * BigInt(b)).toString(), name);
      assert.equal(await product(a, undefined), (BigInt(a) * BigInt(a)).toString(), `${name}, squared`);
    });
  }

  test('each operand is read once, a piece at a time', async () => {
    const a = source(rnd(3 * (1 << 20) + 5)), b = source(rnd(100_000));
    const p = await fftMulDigits(a, b, { checkPrime: CHECK_PRIME });
    p.release();
    assert.equal(a.reads, 4);
    assert.equal(b.reads, 1);
  });
});

describe('fftMulDigits in the machine', () => {
  test('the same digits on 1, 2 and 4 threads, and as natMul gives them (transforms of 2^18 points and more)', async () => {
    const a = rnd(1_100_000), b = rnd(1_000_001);
    const expected = natMul(natFromDigits(Buffer.from(a)), natFromDigits(Buffer.from(b))).toString();
    for (const threads of [1, 2, 4]) {
      configure({ threads });
      assert.equal(await product(a, b), expected, `${threads} threads`);
    }
    configure({ threads: initialThreads });
    assert.equal(BigInt(expected.slice(-30)), (BigInt(a.slice(-30)) * BigInt(b.slice(-30))) % 10n ** 30n, 'low digits');
  });

  test('with the workers up, the transform buffers are first touched in the background: same digits, no block left', async () => {
    configure({ threads: 2 });
    const a = rnd(600_000), b = rnd(500_001);
    const expected = natMul(natFromDigits(Buffer.from(a)), natFromDigits(Buffer.from(b))).toString();
    assert.equal(await product(a, b), expected, 'first product (the workers may still be booting)');
    const top = heapTop();
    const before = pretouchedBytes;
    assert.equal(await product(a, b), expected);
    assert.ok(pretouchedBytes > before, 'the second product handed its buffers to the workers');
    // A bad byte in the last piece read: the touch in flight is joined before the buffers go back to the heap.
    const bad = a.slice(0, 10) + 'x' + a.slice(11);
    await assert.rejects(product(bad, b), (e: unknown) => e instanceof InvalidNumberError && e.offset === 10);
    assert.equal(heapTop(), top, 'no block left allocated after the failure');
    assert.equal(await product(b, a), expected, 'and the next product is right');
    configure({ threads: initialThreads });
  });

  test('touchPages leaves the memory as it was', () => {
    const n = 5 * 4096 + 100;
    const p = wasmAlloc(n);
    try {
      const view = u8View(p, n);
      for (let i = 0; i < n; i++) view[i] = (i * 7 + 3) & 255;
      wasm().touchPages(p + 10, n - 10);
      wasm().touchPages(p, n);
      for (let i = 0; i < n; i++) assert.equal(view[i], (i * 7 + 3) & 255, `byte ${i}`);
    } finally {
      wasmFree(p);
    }
  });

  test('a corrupted product fails its residue check; every block goes back to the heap', async () => {
    const a = rnd(50_000), b = rnd(40_000);
    await product(a, b); // tables cached, heap grown
    const top = heapTop();
    await assert.rejects(
      fftMulDigits(source(a), source(b), { checkPrime: CHECK_PRIME, faultHook: (limbs) => { limbs[7] = (limbs[7]! + 1) % 10_000; } }),
      ArithmeticCheckError,
    );
    assert.equal(heapTop(), top, 'no block left allocated after the failure');
    const p = await fftMulDigits(source(a), source(b), { checkPrime: CHECK_PRIME });
    p.release();
    assert.equal(heapTop(), top, 'the released product gave its block back');
  });

  test('a byte that is not a digit is reported at its offset', async () => {
    const text = rnd(30_000).split('');
    text[12_345] = 'x';
    await assert.rejects(product(text.join(''), rnd(20_000)), (e: unknown) => e instanceof InvalidNumberError && e.offset === 12_345);
  });

  test('its working set: the transforms at the worst-case length, their tables and the staging, nothing more', async () => {
    const n = 400_000;
    const a = rnd(n), b = rnd(n);
    await product(a, b); // tables built once
    takeHighWater();
    const before = heapTop();
    await product(a, b);
    const grown = takeHighWater() - before;
    const planned = digitProductWorkingBytes(n, n);
    assert.ok(grown <= planned, `heap grew ${grown} bytes, planned ${planned}`);
    assert.equal(planProduct(n, n, { operands: 'streamed' }).workingBytes, planned);
    // From a few 10^6 digits on, less than what the planner counts for the loaded product (the operands' and the
    // result's limbs in JS beside the transforms, budget.ts loadedHeldBytes): at 6.4·10^7 digits 936 MiB, under
    // 1 GiB, where that is 1178 MiB.
    for (const m of [4e6, 1.6e7, 6.4e7]) {
      const streamed = digitProductWorkingBytes(m, m), loaded = planProduct(m, m, { operands: 'files' }).workingBytes;
      assert.ok(streamed < 0.85 * loaded, `${m}: ${streamed} against ${loaded}`);
    }
    assert.ok(digitProductWorkingBytes(6.4e7, 6.4e7) < 2 ** 30);
  });
});

test('natToBigInt of a held product view (the engine writes it out before releasing it)', async () => {
  const p = await fftMulDigits(source('123456789'.repeat(200)), source('987654321'.repeat(200)), { checkPrime: CHECK_PRIME });
  try {
    assert.equal(natToBigInt(p.value), BigInt('123456789'.repeat(200)) * BigInt('987654321'.repeat(200)));
  } finally {
    p.release();
  }
});
