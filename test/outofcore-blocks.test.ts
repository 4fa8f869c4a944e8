/**
 * The out-of-core block convolution (engine/outofcore/multiply.ts) works in the wasm memory only (WasmBlocks and the
 * compiled RowSettler, as the 2-D transform): its working set shares the one never-shrinking pool with the in-memory
 * products instead of adding JS arrays to it (docs/ARCHITECTURE.md §5, "Out-of-core division"). Checked here: its
 * products at edge operands against BigInt, identical on 1, 2 and 4 threads, and that no block-sized JS array is
 * alive while it convolves.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { configure, getConfig } from '../src/config.js';
import { StreamNumber } from '../src/number.js';
import { mul } from '../src/engine/index.js';
import { mulOutOfCore, powOutOfCore } from '../src/engine/outofcore/index.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshHome, seededRandom, textOf } from './helpers.js';

const home = freshHome('ms-ooc-blocks-');
const initialThreads = getConfig().threads;
after(() => configure({ threads: initialThreads }));

const BLOCK = { method: 'blockConvolution', blockSize: 1024 } as const;

/** Operands whose digits sit at the edges: all nines, powers of ten, runs of nines, balanced digits at ±10^d/2. */
const EDGES: ReadonlyArray<[string, bigint]> = [
  ['10^5000 − 1', 10n ** 5000n - 1n],
  ['10^12001 − 1', 10n ** 12001n - 1n],
  ['10^4096', 10n ** 4096n],
  ['10^2047', 10n ** 2047n],
  ['runs of 9s', BigInt('1' + '9'.repeat(3000) + '0'.repeat(511) + '9'.repeat(2049) + '8')],
  ['4999…', BigInt('4999'.repeat(1500))],
  ['5000…', BigInt('5000'.repeat(1500))],
  ['1', 1n],
];

test('block convolution at edge operands equals BigInt, products and squares, on 1, 2 and 4 threads', async () => {
  const numbers = await Promise.all(EDGES.map(([, v]) => StreamNumber.fromLiteral(v)));
  try {
    for (const threads of [1, 2, 4]) {
      configure({ threads });
      for (let i = 0; i < EDGES.length; i++) {
        for (const j of [i, (i + 3) % EDGES.length]) {
          const p = await mulOutOfCore(numbers[i]!, numbers[j]!, false, {}, BLOCK); // i = j: a square (one operand)
          assert.equal(await textOf(p), (EDGES[i]![1] * EDGES[j]![1]).toString(), `${EDGES[i]![0]} × ${EDGES[j]![0]}, ${threads} threads`);
          p.free();
        }
      }
    }
  } finally {
    for (const n of numbers) n.free();
  }
});

test('block convolution with a folded small multiplier (pow) at all-nines bases equals BigInt', async () => {
  for (const [base, e] of [[99_999_999n, 700], [9n, 6001], [10n ** 20n - 1n, 333]] as const) {
    const x = await StreamNumber.fromLiteral(base);
    const estimate = Math.floor(e * Math.log10(Number(base))) + 1;
    const p = await powOutOfCore(x, e, false, estimate, {}, BLOCK);
    assert.equal(await textOf(p), (base ** BigInt(e)).toString(), `${base}^${e}`);
    x.free();
    p.free();
  }
});

test('block convolution keeps no block-sized JS array alive while it convolves; same digits on 1, 2 and 4 threads', { timeout: 120_000 }, async () => {
  // Blocks of 2^18 points (64·size = 16 MiB of working set, 2^18 >= PARALLEL_MIN: the block transforms run on the
  // threads), three blocks an operand at 4 digits a coefficient.
  const size = 1 << 18;
  const random = seededRandom(20261207);
  const operand = (name: string, digits: number): Promise<StreamNumber> => {
    const text = Buffer.alloc(digits);
    for (let i = 0; i < digits; i++) text[i] = 48 + Math.floor(random() * 10);
    text[0] = 49 + (text[0]! % 9);
    writeFileSync(join(home, name), text);
    return StreamNumber.fromPath(join(home, name));
  };
  const x = await operand('x.txt', 1_400_000);
  const y = await operand('y.txt', 1_300_000);
  try {
    const expected = await textOf(await mul(x, y)); // the in-memory product (one streamed FFT)
    for (const threads of [1, 2, 4]) {
      configure({ threads });
      const before = process.memoryUsage().arrayBuffers;
      let grown = 0;
      const onProgress = (_done: number, _total: number, phase?: string): void => {
        if (phase === 'rows') grown = Math.max(grown, process.memoryUsage().arrayBuffers - before);
      };
      const p = await mulOutOfCore(x, y, false, { onProgress }, { method: 'blockConvolution', blockSize: size });
      assert.equal(await textOf(p), expected, `${threads} threads`);
      p.free();
      // The accumulator and two spectra alone were 48·size bytes of Float64Arrays; what remains is I/O (a block's
      // text, d·size bytes) and V8's own buffers.
      console.log(`${threads} threads: array buffers +${(grown / 2 ** 20).toFixed(1)} MiB while convolving`);
      assert.ok(grown < 32 * size, `JS array buffers grew by ${(grown / 2 ** 20).toFixed(1)} MiB while convolving`);
    }
  } finally {
    x.free();
    y.free();
  }
});
