// The decimal conversions natFromDigits / natToDigits, on both their paths (the JS loops below WASM_DIGITS_MIN
// digits, the compiled SIMD ones of assembly/digits.ts above, staged in chunks of 2^20 digits), against references
// written independently here (4-digit string slices) and against BigInt: random digits, leading zeros, every length
// mod 32 around the crossovers and the chunk size, zero, bad bytes at every kind of position, limbs at the extremes.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError, InvalidNumberError } from '../errors.js';
import { Nat, WASM_DIGITS_MIN, modLimbs, natDigitPieces, natFromDigitReader, natFromDigits, natFromLimbs, natToBigInt, natToDigits } from './nat.js';
import { seededRandom as rng } from '../../test/random.js';

const CHUNK = 1 << 20;

function randomAscii(r: () => number, n: number, leadingZeros = 0): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = 48 + Math.floor(r() * 10);
  out.fill(48, 0, Math.min(n, leadingZeros));
  return out;
}

/** Reference limbs of ascii[start..end): 4-digit slices from the end, then trimmed (the old semantics). */
function refLimbs(ascii: Uint8Array, start = 0, end = ascii.length): number[] {
  const s = Buffer.from(ascii.subarray(start, end)).toString('latin1');
  const limbs: number[] = [];
  for (let e = s.length; e > 0; e -= 4) limbs.push(Number(s.slice(Math.max(0, e - 4), e)));
  while (limbs.length > 0 && limbs[limbs.length - 1] === 0) limbs.pop();
  return limbs;
}

/** Reference text of limbs: the top limb unpadded, every other one as exactly 4 digits. */
function refText(limbs: Uint16Array): string {
  if (limbs.length === 0) return '0';
  let s = String(limbs[limbs.length - 1]);
  for (let i = limbs.length - 2; i >= 0; i--) s += String(limbs[i]).padStart(4, '0');
  return s;
}

function assertLimbs(got: Nat, want: number[], what: string): void {
  assert.equal(got.limbs.length, want.length, `${what}: limb count`);
  for (let i = 0; i < want.length; i++) if (got.limbs[i] !== want[i]) assert.fail(`${what}: limb ${i} is ${got.limbs[i]}, want ${want[i]}`);
}

/** Lengths around a crossover c: c − 40 .. c + 40 (every residue mod 32 and mod 4). */
const around = (c: number): number[] => Array.from({ length: 81 }, (_, i) => c - 40 + i).filter((n) => n >= 1);

describe('decimal conversions, JS and compiled paths', () => {
  test('digits → limbs: every length near the crossovers, with and without leading zeros', () => {
    const r = rng(11);
    for (const n of [...around(32), ...around(WASM_DIGITS_MIN), 1, 2, 3, 4, 5, 4099, 10007]) {
      for (const zeros of [0, 1, 3, 37]) {
        const a = randomAscii(r, n, zeros);
        assertLimbs(natFromDigits(a), refLimbs(a), `n=${n} zeros=${zeros}`);
      }
    }
  });

  test('digits → limbs: around the 2^20-digit chunk, sub-ranges, and BigInt', () => {
    const r = rng(12);
    for (const n of [CHUNK - 1, CHUNK, CHUNK + 1, CHUNK + 3, 2 * CHUNK + 29]) {
      const a = randomAscii(r, n + 10, 5);
      assertLimbs(natFromDigits(a, 3, n + 3), refLimbs(a, 3, n + 3), `n=${n} sub-range`);
    }
    for (const n of [1, 9, 2047, 2048, 2049, 5001, 12345]) {
      const a = randomAscii(r, n, 2);
      const want = BigInt(Buffer.from(a).toString('latin1'));
      assert.equal(natToBigInt(natFromDigits(a)), want, `n=${n} BigInt`);
    }
  });

  test('zero in any spelling, and leading-zero runs longer than a chunk', () => {
    for (const n of [1, 4, 5, WASM_DIGITS_MIN, WASM_DIGITS_MIN + 1, CHUNK + 7]) {
      const z = new Uint8Array(n).fill(48);
      assert.equal(natFromDigits(z).limbs.length, 0, `zeros n=${n}`);
      z[n - 1] = 55;
      assertLimbs(natFromDigits(z), [7], `zeros then 7, n=${n}`);
    }
    const r = rng(13);
    const a = randomAscii(r, CHUNK + 5000, CHUNK + 17);
    assertLimbs(natFromDigits(a), refLimbs(a), 'long zero run');
    assert.equal(Buffer.from(natToDigits(natFromDigits(new Uint8Array(3000).fill(48)))).toString(), '0');
  });

  test('a non-digit byte anywhere is reported at its offset, on both paths', () => {
    const r = rng(14);
    for (const n of [7, 100, WASM_DIGITS_MIN + 3, 40_000, CHUNK + 100]) {
      const base = randomAscii(r, n, 0);
      base[0] = 49;
      // First digit, inside the vector steps, the scalar tail, the last byte, and the next chunk when there is one.
      for (const at of [0, 1, 2, Math.floor(n / 2), n - 5, n - 1, Math.max(0, n - CHUNK - 3)]) {
        for (const byte of [47, 58, 32, 0, 0x80, 0xb0, 0xff, 45]) {
          const a = base.slice();
          a[at] = byte;
          if (at + 3 < n) a[at + 3] = 0x3a; // a second bad byte after it: the first one is reported
          assert.throws(() => natFromDigits(a), (e: unknown) => e instanceof InvalidNumberError && e.offset === at, `n=${n} at=${at} byte=${byte}`);
        }
      }
    }
    // Offsets count from the buffer's start, also for a sub-range after leading zeros.
    const a = randomAscii(r, 6000, 0);
    a.fill(48, 10, 20);
    a[4000] = 0x2e;
    assert.throws(() => natFromDigits(a, 10, 5000), (e: unknown) => e instanceof InvalidNumberError && e.offset === 4000);
    assert.throws(() => natFromDigits(a, 10, 10), (e: unknown) => e instanceof InvalidNumberError && e.offset === 10);
  });

  test('limbs → digits: extreme and random limbs, every count near the crossovers and the chunk', () => {
    const r = rng(15);
    const counts = [...around(8), ...around(WASM_DIGITS_MIN / 4), CHUNK / 4 - 1, CHUNK / 4, CHUNK / 4 + 1, CHUNK / 4 + 9, CHUNK / 2 + 13];
    for (const m of counts) {
      for (const kind of ['random', 'extremes'] as const) {
        const limbs = new Uint16Array(m);
        const pick = [0, 1, 9, 10, 99, 100, 999, 1000, 5000, 9990, 9999];
        for (let i = 0; i < m; i++) limbs[i] = kind === 'random' ? Math.floor(r() * 10000) : pick[Math.floor(r() * pick.length)]!;
        if (limbs[m - 1] === 0) limbs[m - 1] = 1 + Math.floor(r() * 9999);
        const x = natFromLimbs(limbs);
        const text = Buffer.from(natToDigits(x)).toString('latin1');
        if (text !== refText(limbs)) assert.fail(`m=${m} ${kind}: text differs`);
        assertLimbs(natFromDigits(natToDigits(x)), Array.from(limbs), `m=${m} ${kind} round trip`);
      }
    }
    for (const top of [1, 9, 10, 99, 100, 999, 1000, 9999]) {
      const limbs = new Uint16Array(700).fill(9999);
      limbs[699] = top;
      assert.equal(Buffer.from(natToDigits(natFromLimbs(limbs))).toString('latin1'), refText(limbs), `top ${top}`);
    }
  });
});

describe('residues of long limb vectors (modLimbs: JS below 4096 limbs, compiled and staged above)', () => {
  test('modLimbs agrees with BigInt at every size class and with the smallest and largest primes', () => {
    const r = rng(16);
    for (const m of [1, 2, 7, 8, 9, 4095, 4096, 4097, 10_001, CHUNK / 4 - 1, CHUNK / 4, CHUNK / 4 + 1, CHUNK / 2 + 5]) {
      const limbs = new Uint16Array(m);
      for (let i = 0; i < m; i++) limbs[i] = Math.floor(r() * 10000);
      limbs[m - 1] = 9999;
      const x = natFromLimbs(limbs);
      const value = natToBigInt(x);
      for (const p of [3, 10007, 2 ** 25 + 35, 67108859]) {
        assert.equal(modLimbs(limbs, m, p), Number(value % BigInt(p)), `m=${m} p=${p}`);
      }
      // A prefix (n < length) counts only its limbs.
      if (m > 10) assert.equal(modLimbs(limbs, m - 3, 10007), Number(natToBigInt(natFromLimbs(limbs.slice(0, m - 3))) % 10007n), `prefix m=${m}`);
    }
  });
});

describe('natDigitPieces (the decimal text a piece at a time)', () => {
  test('pieces concatenate to natToDigits for every piece size and limb count, and reuse two buffers', () => {
    const r = rng(17);
    for (const m of [0, 1, 2, 3, 5, 8, 9, 600, 1000, 3001]) {
      const limbs = new Uint16Array(m);
      for (let i = 0; i < m; i++) limbs[i] = Math.floor(r() * 10000);
      if (m > 0) limbs[m - 1] = 1 + Math.floor(r() * 9999);
      const x = natFromLimbs(limbs);
      const whole = Buffer.from(natToDigits(x)).toString('latin1');
      for (const piece of [4, 5, 7, 8, 12, 4096, 4100, 1 << 20]) {
        const texts: string[] = [];
        const buffers = new Set<ArrayBufferLike>();
        for (const p of natDigitPieces(x, piece)) {
          assert.ok(p.length >= 1 && p.length <= Math.max(4, Math.floor(piece / 4) * 4), `m=${m} piece=${piece}: length ${p.length}`);
          texts.push(Buffer.from(p).toString('latin1'));
          buffers.add(p.buffer);
        }
        assert.equal(texts.join(''), whole, `m=${m} piece=${piece}`);
        assert.ok(buffers.size <= 2, 'two buffers in turn');
      }
    }
  });

  test('a long number in 2^20-digit pieces (compiled conversion per piece)', () => {
    const r = rng(18);
    const a = randomAscii(r, 2 * CHUNK + 12_345, 0);
    a[0] = 57;
    const x = natFromDigits(a);
    // Copies are taken as the pieces come: each buffer is reused two pieces later.
    const parts: Buffer[] = [];
    for (const p of natDigitPieces(x)) parts.push(Buffer.from(p));
    assert.deepEqual(parts.map((p) => p.length), [1, 12_344, CHUNK, CHUNK]);
    assert.ok(Buffer.concat(parts).equals(Buffer.from(a)));
  });

  test('a piece size below one limb is refused', () => {
    assert.throws(() => natDigitPieces(natFromLimbs(Uint16Array.of(5)), 3).next(), InvalidArgumentError);
  });
});

describe('natFromDigitReader (digits supplied a piece at a time)', () => {
  const reader = (text: Uint8Array, asked: Array<[number, number]>) =>
    async (from: number, length: number, into: Uint8Array): Promise<Uint8Array> => {
      asked.push([from, length]);
      into.set(text.subarray(from, from + length));
      return into.subarray(0, length);
    };

  test('equals natFromDigits for every length and piece size, least significant piece first', async () => {
    const r = rng(19);
    for (const n of [1, 3, 4, 5, 9, 2047, 2048, 2049, 10_003, CHUNK + 5, 2 * CHUNK]) {
      for (const zeros of [0, 2]) {
        const a = randomAscii(r, n, zeros);
        for (const piece of [4, 8, 2048, 4100, CHUNK]) {
          if (n / piece > 3000) continue; // tiny pieces on long numbers: only slow
          const asked: Array<[number, number]> = [];
          const got = await natFromDigitReader(n, reader(a, asked), piece);
          assertLimbs(got, refLimbs(a), `n=${n} zeros=${zeros} piece=${piece}`);
          assert.equal(asked[0]![0] + asked[0]![1], n, 'the first piece ends with the units digit');
          assert.equal(asked.reduce((s, [, l]) => s + l, 0), n, 'every digit read once');
        }
      }
    }
  });

  test('a non-digit is reported at its offset from the first digit; bad arguments and short reads are refused', async () => {
    const r = rng(20);
    const a = randomAscii(r, CHUNK + 300, 0);
    for (const at of [0, 5, CHUNK - 1, CHUNK + 299]) {
      const b = a.slice();
      b[at] = 0x2f;
      await assert.rejects(natFromDigitReader(b.length, reader(b, []), 4096), (e: unknown) => e instanceof InvalidNumberError && e.offset === at);
    }
    await assert.rejects(natFromDigitReader(0, reader(a, [])), InvalidArgumentError);
    await assert.rejects(natFromDigitReader(10, reader(a, []), 6), InvalidArgumentError);
    await assert.rejects(natFromDigitReader(10, async (_f, _l, into) => into.subarray(0, 3)), InvalidArgumentError);
  });
});
