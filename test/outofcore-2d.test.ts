/**
 * The out-of-core 2-D transform (engine/outofcore/transform2d.ts) against BigInt: tiny inner blocks and stripes make
 * many blocks (tens to hundreds) and many column chunks out of 10^4–10^5 digits, so the outer transforms, the stripe
 * layout, the overlap-add of rows and the resume hook all run in the default suite.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StreamNumber } from '../src/number.js';
import { mulOutOfCore, powOutOfCore } from '../src/engine/outofcore/index.js';
import { convolveBlocksOnDisk, productScratchBytes } from '../src/engine/outofcore/multiply.js';
import { initialDigitSize2D, lastTransform2D, randomDigitMeanSquare } from '../src/engine/outofcore/transform2d.js';
import { blockCount, sampleMeanSquares } from '../src/engine/outofcore/blocks.js';
import { MemoryJournal } from '../src/engine/outofcore/journal.js';
import { ScratchDir } from '../src/engine/outofcore/scratch.js';
import { AtomicFile } from '../src/storage/index.js';
import { configure, getConfig } from '../src/config.js';
import { ArithmeticCheckError } from '../src/errors.js';
import { freshHome, randomInteger, seededRandom, textOf } from './helpers.js';

const home = freshHome('ms-ooc2d-');


const TWO_D = { method: 'transform2d' } as const;

/** Blocks this thread for `ms` (a progress callback that lingers in a phase, so an abort lands inside it). */
const sleep = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Progress options that abort the run at the `at`-th report of `phase`. Each earlier report of that phase lingers
 * 55 ms: progress is reported at most every 50 ms, so every step of the phase is seen and the abort lands inside it.
 */
function abortInPhase(phase: string, at: number): { onProgress: (done: number, total: number, phase?: string) => void } {
  let seen = 0;
  return {
    onProgress: (_done, _total, current) => {
      if (current !== phase) return;
      if (++seen >= at) throw new Error('simulated abort');
      sleep(55);
    },
  };
}

/**
 * A journaled 2-D product of two seeded random operands (30,000 × 25,000 digits, blocks of 64 points, stripes of 8
 * columns) with its scratch in `<log>/<folderName>`: `run(options)` runs or resumes it, `dispose()` aborts the output,
 * removes the scratch and frees the operands.
 */
async function journaledProduct(
  seed: number, folderName: string, journal: MemoryJournal, tag: string, records: { rowsPerRecord?: number; blocksPerRecord?: number },
) {
  const random = seededRandom(seed);
  const a = randomInteger(30_000, false, random), b = randomInteger(25_000, false, random);
  const x = await StreamNumber.fromLiteral(a), y = await StreamNumber.fromLiteral(b);
  const folder = join(getConfig().logDir, folderName);
  const out = await AtomicFile.create(getConfig().logDir);
  const request = { a: x.info, b: y.info, out, offset: 0, blockSize: 64, chunkColumns: 8, method: 'transform2d', journal, tag, ...records } as const;
  return {
    product: String(a * b), x, folder, out,
    run: (options: { onProgress?: (done: number, total: number, phase?: string) => void }) =>
      convolveBlocksOnDisk({ ...request, scratch: ScratchDir.at(folder), options }),
    dispose: async (): Promise<void> => {
      await out.abort();
      ScratchDir.at(folder).remove();
      x.free();
      y.free();
    },
  };
}

describe('2-D transform against BigInt', () => {
  test('random operands and signs, many blocks, several stripe widths', async () => {
    const random = seededRandom(12);
    const cases: [number, number, number, number][] = [
      // digits of a, digits of b, inner block size, columns per stripe
      [20_000, 20_000, 64, 8],
      [30_000, 17_000, 128, 16],
      [5_000, 9_000, 256, 256],
      [60_000, 60_000, 256, 32],
      [3_000, 3_000, 32, 4],
    ];
    for (const [la, lb, blockSize, chunkColumns] of cases) {
      const a = randomInteger(la, true, random), b = randomInteger(lb, true, random);
      const x = await StreamNumber.fromLiteral(a), y = await StreamNumber.fromLiteral(b);
      const p = await mulOutOfCore(x, y, (a < 0n) !== (b < 0n), {}, { ...TWO_D, blockSize, chunkColumns });
      assert.equal(await textOf(p), String(a * b), `${la}×${lb}, block ${blockSize}, stripe ${chunkColumns}`);
      x.free();
      y.free();
    }
  });

  test('squares (one spectra file), including all-nines and powers of ten', async () => {
    const random = seededRandom(7);
    for (const a of [randomInteger(40_000, false, random), 10n ** 25_000n - 1n, 10n ** 30_000n, randomInteger(9_999, true, random)]) {
      const x = await StreamNumber.fromLiteral(a);
      const p = await mulOutOfCore(x, x, false, {}, { ...TWO_D, blockSize: 128, chunkColumns: 16 });
      assert.equal(await textOf(p), String(a * a));
      x.free();
    }
  });

  test('unequal lengths: one block against hundreds, and a short operand', async () => {
    const random = seededRandom(3);
    for (const [la, lb] of [[100_000, 300], [257, 50_000], [80_000, 1], [12_345, 6_789]] as const) {
      const a = randomInteger(la, false, random), b = randomInteger(lb, false, random);
      const x = await StreamNumber.fromLiteral(a), y = await StreamNumber.fromLiteral(b);
      const p = await mulOutOfCore(x, y, false, {}, { ...TWO_D, blockSize: 64, chunkColumns: 16 });
      assert.equal(await textOf(p), String(a * b), `${la}×${lb}`);
      x.free();
      y.free();
    }
  });

  test('pow folds its small base into the output stream (scale) and takes large bases as a second product', async () => {
    for (const [a, e] of [[7n, 40_001], [-3n, 50_000], [123456789012345678901234567890n, 1_500]] as const) {
      const x = await StreamNumber.fromLiteral(a);
      const estimate = Math.floor(e * Math.log10(Number(a < 0n ? -a : a))) + 1;
      const p = await powOutOfCore(x, e, a < 0n && e % 2 === 1, estimate, {}, { ...TWO_D, blockSize: 128, chunkColumns: 32 });
      assert.equal(await textOf(p), String(a ** BigInt(e)));
      x.free();
    }
  });

  test('thread counts 1, 2 and 4 give the same digits', async () => {
    const random = seededRandom(99);
    const a = randomInteger(50_000, false, random), b = randomInteger(45_000, false, random);
    const x = await StreamNumber.fromLiteral(a), y = await StreamNumber.fromLiteral(b);
    const previous = getConfig().threads;
    const texts: string[] = [];
    try {
      for (const threads of [1, 2, 4]) {
        configure({ threads });
        texts.push(await textOf(await mulOutOfCore(x, y, false, {}, { ...TWO_D, blockSize: 256, chunkColumns: 64 })));
      }
    } finally {
      configure({ threads: previous });
    }
    assert.equal(texts[0], String(a * b));
    assert.equal(texts[1], texts[0]);
    assert.equal(texts[2], texts[0]);
    x.free();
    y.free();
  });

  test('progress reports the phases spectra, columns, rows in order, up to the total', async () => {
    const x = await StreamNumber.fromLiteral(randomInteger(20_000, false, seededRandom(5)));
    const phases: string[] = [];
    let last = -1, total = 0;
    const p = await mulOutOfCore(x, x, false, {
      onProgress: (done, t, phase) => {
        assert.ok(done >= last, 'progress never goes back');
        last = done;
        total = t;
        if (phase !== undefined && phases[phases.length - 1] !== phase) phases.push(phase);
      },
    }, { ...TWO_D, blockSize: 64, chunkColumns: 8 });
    assert.deepEqual(phases, ['spectra', 'columns', 'rows']);
    assert.equal(last, total);
    p.free();
    x.free();
  });
});

/** Direct calls of the product on an AtomicFile: the fault hook and the journal. */
/** Flips one bit of the byte at `position` of the file (a torn or damaged checkpoint). */
function flipByte(path: string, position: number): void {
  const fd = openSync(path, 'r+');
  try {
    const byte = Buffer.alloc(1);
    readSync(fd, byte, 0, 1, position);
    byte[0] = byte[0]! ^ 0x40;
    writeSync(fd, byte, 0, 1, position);
  } finally {
    closeSync(fd);
  }
}

async function productText(out: AtomicFile, reserved: number, leadingZeros: number): Promise<string> {
  const bytes = await out.readAt(leadingZeros, Buffer.alloc(reserved - leadingZeros));
  return Buffer.from(bytes).toString('latin1');
}

describe('2-D transform checks and resume', () => {
  test('a rounding fault at one digit size is redone with smaller digits; a fault of a whole unit fails the residue check', async () => {
    const random = seededRandom(21);
    const a = randomInteger(20_000, false, random), b = randomInteger(20_000, false, random);
    const x = await StreamNumber.fromLiteral(a), y = await StreamNumber.fromLiteral(b);
    const scratch = ScratchDir.create();
    try {
      const seen: number[] = [];
      let first = 0;
      const out = await AtomicFile.create(getConfig().logDir);
      const outcome = await convolveBlocksOnDisk({
        a: x.info, b: y.info, out, offset: 0, scratch, blockSize: 64, chunkColumns: 8, method: 'transform2d',
        faultHook: (d, row, unit) => {
          if (seen[seen.length - 1] !== d) seen.push(d);
          if (first === 0) first = d;
          if (d === first) row[5] = row[5]! + 0.4 * unit; // 0.4 off an integer: past the 1/4 check
        },
      });
      assert.equal(seen.length, 2, 'one retry');
      assert.equal(seen[1], seen[0]! - 1, 'with the next smaller digit size');
      assert.equal(await productText(out, outcome.reserved, outcome.leadingZeros), String(a * b));
      await out.abort();

      const out2 = await AtomicFile.create(getConfig().logDir);
      await assert.rejects(
        convolveBlocksOnDisk({
          a: x.info, b: y.info, out: out2, offset: 0, scratch, blockSize: 64, chunkColumns: 8, method: 'transform2d',
          faultHook: (_d, row, unit) => { row[7] = row[7]! + unit; }, // exactly one: passes rounding, not the residue
        }),
        (e: unknown) => e instanceof ArithmeticCheckError && /modulo/.test(e.message),
      );
      await out2.abort();
    } finally {
      scratch.remove();
      x.free();
      y.free();
    }
  });

  test('a journaled run aborted mid-way resumes from its finished units and gives the same product', async () => {
    const journal = new MemoryJournal();
    const { product, out, run, dispose } = await journaledProduct(77, '.tmp-journal-test', journal, 'mul-test', { rowsPerRecord: 7 });
    try {
      for (const [abortPhase, abortAt] of [['columns', 3], ['rows', 30]] as const) {
        const phasesAfter: string[] = [];
        await assert.rejects(run(abortInPhase(abortPhase, abortAt)), /simulated abort/);
        assert.ok(journal.get('mul-test:d4:spectra-a-0') ?? journal.get('mul-test:d3:spectra-a-0'), 'the spectra were recorded');
        // The rerun: spectra (and finished stripes/rows) are skipped, so it reports fewer spectra steps.
        let spectraTicks = 0;
        let columnsEnd = 0, firstRow = 0;
        const outcome = await run({
          onProgress: (done, _total, phase) => {
            if (phase === 'spectra') spectraTicks++;
            if (phase === 'columns') columnsEnd = done;
            if (phase === 'rows' && firstRow === 0) firstRow = done;
            if (phase !== undefined && phasesAfter[phasesAfter.length - 1] !== phase) phasesAfter.push(phase);
          },
        });
        assert.ok(spectraTicks <= 2, `spectra were not recomputed (${spectraTicks} ticks)`);
        if (abortPhase === 'rows') assert.ok(firstRow > columnsEnd + 7, `rows resumed after the recorded ones (${firstRow} vs ${columnsEnd})`);
        assert.equal(await productText(out, outcome.reserved, outcome.leadingZeros), product);
        assert.equal(journal.get('mul-test:d4:spectra-a-0'), undefined, 'a finished product forgets its records');
      }
    } finally {
      await dispose();
    }
  });

  test('the spectra pass is recorded in chunks: an abort mid-spectra resumes after the last recorded chunk, a damaged chunk is redone', async () => {
    /** A journal that lists the keys this run records. */
    class Recording extends MemoryJournal {
      sets: string[] = [];
      override async set(k: string, v: string): Promise<void> {
        this.sets.push(k);
        return super.set(k, v);
      }
    }
    const journal = new Recording();
    const { product, x, folder, out, run, dispose } = await journaledProduct(79, '.tmp-journal-test-3', journal, 'c', { blocksPerRecord: 8 });
    const spectraKeys = (keys: readonly string[]) => keys.filter((k) => /^c:d\d:spectra-a-\d+$/.test(k));
    try {
      // 30,000 digits at d = 4 are ~118 blocks of 64: an abort at the 40th block leaves chunks 0–3 (8 blocks each)
      // recorded and chunk 4 half written.
      await assert.rejects(run(abortInPhase('spectra', 40)), /simulated abort/);
      const recorded = spectraKeys(journal.sets);
      assert.ok(recorded.length >= 3 && recorded.length < 14, `chunks recorded before the abort: ${recorded.join()}`);
      const d = /^c:d(\d)/.exec(recorded[0]!)![1]!;
      journal.sets = [];
      const outcome = await run({});
      assert.equal(await productText(out, outcome.reserved, outcome.leadingZeros), product);
      const redone = spectraKeys(journal.sets);
      assert.equal(redone[0], `c:d${d}:spectra-a-${recorded.length}`, `the rerun starts at the first unrecorded chunk: ${redone.join()}`);

      // Again, aborted in the column pass (every chunk recorded); then one byte of chunk 1 (block 9) is damaged in the
      // last stripe (7 of 8; the first may be recorded already, and then its spectra are never read again).
      // The rerun reads no chunk back before using it: pass 2 checks each chunk's piece of a stripe as it reads the
      // stripe, finds chunk 1's piece of stripe 0 torn, computes that chunk alone again, and uses it only then.
      journal.sets = [];
      await assert.rejects(run(abortInPhase('columns', 1)), /simulated abort/);
      const all = spectraKeys(journal.sets);
      assert.ok(all.length > 10, all.join());
      const spectraFile = join(folder, `c.d${d}.spectra-a`);
      flipByte(spectraFile, 16 * 8 * (7 * blockCount(x.digitCount, Number(d), 64) + 9) + 5);
      journal.sets = [];
      const again = await run({});
      assert.equal(await productText(out, again.reserved, again.leadingZeros), product);
      assert.deepEqual(spectraKeys(journal.sets), [], 'no chunk is computed again by pass 1');
      assert.deepEqual(lastTransform2D?.repaired, ['spectra-a-1'], 'the torn chunk is found when used, and only it is redone');
    } finally {
      await dispose();
    }
  });

  test('a stripe of the row file torn after its record is found when pass 3 reads it: that stripe alone is redone', async () => {
    const journal = new MemoryJournal();
    const { product, folder, out, run, dispose } = await journaledProduct(80, '.tmp-journal-test-4', journal, 'r', { rowsPerRecord: 7 });
    try {
      // Aborted early in pass 3: every stripe recorded, a chunk of rows or none.
      await assert.rejects(run(abortInPhase('rows', 2)), /simulated abort/);
      const d = journal.get('r:d4:columns-0') ? 4 : 3;
      const record = JSON.parse(journal.get(`r:d${d}:columns-1`)!) as { R: number };
      // Damage the last row's piece of stripe 1 (columns 8..15; a row is 64 points of 16 bytes).
      flipByte(join(folder, `r.d${d}.rows`), 16 * (64 * (record.R - 1) + 8) + 3);
      const outcome = await run({});
      assert.equal(await productText(out, outcome.reserved, outcome.leadingZeros), product);
      assert.deepEqual(lastTransform2D?.repaired, ['columns-1'], 'the torn stripe is found when its row is read, and only it is redone');

      // Scratch files lost altogether (records kept): missing data reads as zeros, fails its checks, and is redone.
      await assert.rejects(run(abortInPhase('rows', 2)), /simulated abort/);
      rmSync(join(folder, `r.d${d}.rows`));
      rmSync(join(folder, `r.d${d}.spectra-b`));
      const lost = await run({});
      assert.equal(await productText(out, lost.reserved, lost.leadingZeros), product);
      assert.ok(lastTransform2D!.repaired.some((u) => u.startsWith('spectra-b-')), lastTransform2D!.repaired.join());
      assert.equal(lastTransform2D!.repaired.filter((u) => u.startsWith('columns-')).length, 8, 'every stripe redone');
    } finally {
      await dispose();
    }
  });

  test('a record whose data does not check is redone, not trusted', async () => {
    const random = seededRandom(78);
    const a = randomInteger(15_000, false, random);
    const x = await StreamNumber.fromLiteral(a);
    const folder = join(getConfig().logDir, '.tmp-journal-test-2');
    const journal = new MemoryJournal();
    const out = await AtomicFile.create(getConfig().logDir);
    try {
      await assert.rejects(convolveBlocksOnDisk({
        a: x.info, out, offset: 0, blockSize: 64, chunkColumns: 8, method: 'transform2d', journal, tag: 't', scratch: ScratchDir.at(folder),
        options: abortInPhase('rows', 1),
      }), /simulated abort/);
      // Tamper with records' checksums: a spectra chunk's (its recomputation contradicts the record: the product
      // starts over) and two stripes' (redone when pass 3 reads their rows); the rerun must still be right.
      let tampered = 0;
      for (const k of ['t:d4:spectra-a-0', 't:d4:columns-0', 't:d4:columns-3']) {
        const r = journal.get(k);
        if (r) {
          await journal.set(k, r.replace(/"(hashes|rows)":\["[0-9a-f]/, '"$1":["x'));
          tampered++;
        }
      }
      assert.equal(tampered, 3);
      const outcome = await convolveBlocksOnDisk({
        a: x.info, out, offset: 0, blockSize: 64, chunkColumns: 8, method: 'transform2d', journal, tag: 't', scratch: ScratchDir.at(folder),
      });
      assert.equal(await productText(out, outcome.reserved, outcome.leadingZeros), String(a * a));
    } finally {
      await out.abort();
      ScratchDir.at(folder).remove();
      x.free();
    }
  });

  test('digit-size policy: the sampled norms give digits at the extremes smaller digits up front, random ones keep theirs', async () => {
    // Inner blocks of 64 points and 20 000-digit operands: the proven bound is 1.7e-3 for random 4-digit digits and
    // 5.1e-3 for digits all at the extreme (4999; 2.9e-3 for one such operand), 6.8e-5 at d = 3; a limit of 2.5e-3 makes them behave like huge
    // operands (kernel/transform.ts TRANSFORM2D_POLICY_LIMIT) at this size.
    const boundLimit = 2.5e-3;
    const random = seededRandom(31);
    const a = randomInteger(20_000, false, random), b = randomInteger(20_000, false, random);
    const extreme = BigInt('4999'.repeat(5_000));
    const scratch = ScratchDir.create();
    try {
      for (const [x0, y0, want] of [[a, b, [4]], [extreme, extreme + 2n, [3]], [extreme, a, [3]]] as const) {
        const x = await StreamNumber.fromLiteral(x0), y = await StreamNumber.fromLiteral(y0);
        const out = await AtomicFile.create(getConfig().logDir);
        const outcome = await convolveBlocksOnDisk({
          a: x.info, b: y.info, out, offset: 0, scratch, blockSize: 64, chunkColumns: 8, method: 'transform2d', boundLimit,
        });
        assert.equal(await productText(out, outcome.reserved, outcome.leadingZeros), String(x0 * y0));
        assert.deepEqual(lastTransform2D?.tried, want, 'chosen up front: no retry');
        assert.ok(lastTransform2D!.maxError < 0.01, `${lastTransform2D!.maxError}`);
        await out.abort();
        x.free();
        y.free();
      }
    } finally {
      scratch.remove();
    }
    // Without a limit this small, both are proven at d = 4.
    const x = await StreamNumber.fromLiteral(extreme);
    (await mulOutOfCore(x, x, false, {}, { ...TWO_D, blockSize: 64, chunkColumns: 8 })).free();
    assert.deepEqual(lastTransform2D?.tried, [4]);
    assert.equal(lastTransform2D?.grounds, 'proven');
    x.free();
  });

  test('digit-size policy at full size: d = 3 for random digits from 10^8 to 1.6·10^9, d = 2 at the extremes from 8·10^8', () => {
    const s = 1 << 20;
    const extreme = (d: number) => [(10 ** d / 2 - 1) ** 2, (10 ** d / 2 - 1) ** 2] as const;
    for (const n of [1e8, 2e8, 4e8, 8e8, 1.6e9]) assert.equal(initialDigitSize2D(n, n, s), 3, `random, ${n}`);
    for (const n of [8e8, 1.6e9]) assert.equal(initialDigitSize2D(n, n, s, extreme), 2, `extreme, ${n}`);
    assert.equal(initialDigitSize2D(1e8, 1e8, s, extreme), 3);
  });

  test('sampleMeanSquares: random digits near (10^2d − 1)/12, the extremes exactly, nines as −1', async () => {
    const random = seededRandom(5);
    const cases: [bigint, (d: number) => number, number][] = [
      [randomInteger(30_000, false, random), randomDigitMeanSquare, 0.05],
      [BigInt('4999'.repeat(3_000)), () => 4999 ** 2, 1e-3],
      [10n ** 12_000n - 1n, () => 1, 1e-3],
    ];
    for (const [value, expected, tolerance] of cases) {
      const x = await StreamNumber.fromLiteral(value);
      const squares = await sampleMeanSquares(x.info, [4]);
      const got = squares.get(4)!;
      assert.ok(Math.abs(got / expected(4) - 1) < tolerance, `${got} vs ${expected(4)}`);
      x.free();
    }
  });

  test('productScratchBytes counts the spectra and the product rows', () => {
    const budget = 256 * 2 ** 20;
    const bytes = productScratchBytes(4e8, 4e8, budget);
    // d = 3 (the policy's for random digits): 1.33·10^8 coefficients per operand, 16 bytes each, twice (spectra),
    // and ~twice that for the rows.
    assert.ok(bytes > 8e9 && bytes < 9e9, `${bytes}`);
    // 1.6·10^9 digits: still d = 3 (~34 GB, where d = 2 would count ~51 GB).
    const huge = productScratchBytes(1.6e9, 1.6e9, budget);
    assert.ok(huge > 33e9 && huge < 35e9, `${huge}`);
    assert.ok(productScratchBytes(4e8, undefined, budget) < bytes);
  });
});

void home;
