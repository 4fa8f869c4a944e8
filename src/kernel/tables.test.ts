/**
 * The twiddle tables (fftcore.ts halfTable, coreTableBytes): their count, which the planner compares with the budget,
 * bounds what prepareTransforms allocates on an empty cache at every kind of length (2^k of either parity of k,
 * 3·2^k, 5·2^k) and is not far above it; and however they are stored or read, every transform gives the bits it
 * gave before: digests of a forward and an inverse transform at every table length from 8 to 5·2^20, recorded on
 * main 4666048 (half-period tables), on 1 and 2 threads.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { configure, getConfig } from '../config.js';
import { coreTableBytes, forwardAt, inverseAt, prepareTransforms, releaseCoreTables } from './fftcore.js';
import { f64View, heapTop, takeHighWater, u8View, wasmAlloc, wasmFree } from './wasmheap.js';

const initialThreads = getConfig().threads;
after(() => {
  releaseCoreTables();
  configure({ threads: initialThreads });
});

/** SHA-256 (16 hex digits) of forwardAt's and then inverseAt's output, by length, computed on main 4666048. */
const DIGESTS: Readonly<Record<number, string>> = {
  8: '4f04f93439676d72',
  16: 'f23ecd9374ddbd7a',
  24: 'ef362cac0b88b35c',
  32: '6ff24693a56c42b1',
  40: '8769894fe0d3af2b',
  48: '018e55275a773fb1',
  64: '34c429b7837a1415',
  80: 'c0337f36272692dc',
  96: '7e1895902379ee1a',
  128: 'f61dc43aaa5311b1',
  160: '6cc93a8686199cc3',
  192: 'a09b747893ef3857',
  256: 'faaa0d6a7dd4c723',
  320: '13f82757dab37ffc',
  384: '746d521257d0319c',
  512: '350b555292270c5c',
  640: 'f84877946bfa992e',
  768: 'dd0e25915bc4c943',
  1024: '40239406a22eb8b6',
  1280: '95f40912d8977afd',
  1536: '2a992ef2a642ec94',
  2048: 'f2b2d80fe9100a3c',
  2560: '26379fa79c0ab4d3',
  3072: 'd53ae83087ef5ceb',
  4096: 'f81c71381972a29d',
  5120: 'fac5efcd74e1f734',
  6144: '6ad4fb8ec1cfac57',
  8192: 'a310dd609eef59da',
  10240: '07a120dabe28ba08',
  12288: '294e7b8fb1581e33',
  16384: 'b819932d0d4e34cb',
  20480: '5038866aeb59e580',
  24576: 'e5dba28925b7d4bc',
  32768: '146dc0b5e893a477',
  40960: '30810a43a1f6826a',
  49152: '324af1fbcd90fc6c',
  65536: 'b3dc3c64f05869f0',
  81920: '3e5f41ab1edde591',
  98304: '9c5f6fc48a2d55b9',
  131072: '0c7af9e99ea4f800',
  163840: '1762707ae920dcd2',
  196608: '391408a6b2910fed',
  262144: 'a7022611a4f3e33f',
  327680: 'b4035915cf154623',
  393216: '2a87914df6d8fad1',
  524288: '2a96635462a998ea',
  655360: '6b3ca7b681c9a79c',
  786432: '177fd0eff91c38d6',
  1048576: '32670d2c4741a43e',
  1310720: '5d48dfca123299e0',
  1572864: '6521a1289b2f9f0e',
  2621440: '84db9977f4715952',
  3145728: 'ba3cd435219d9571',
  5242880: '20c401d2da9567f6',
};

test('forward and inverse transforms give the recorded bits at every table length, 1 and 2 threads', () => {
  for (const threads of [1, 2]) {
    configure({ threads });
    releaseCoreTables();
    for (const M of Object.keys(DIGESTS).map(Number).sort((a, b) => a - b)) {
      const ptr = wasmAlloc(16 * M);
      try {
        const v = f64View(ptr, 2 * M);
        let s = 12345;
        for (let i = 0; i < 2 * M; i++) {
          s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
          v[i] = (s % 10000) - 5000; // balanced base-10^4 digits, as the products transform
        }
        const h = createHash('sha256');
        forwardAt(ptr, M);
        h.update(u8View(ptr, 16 * M));
        inverseAt(ptr, M);
        h.update(u8View(ptr, 16 * M));
        assert.equal(h.digest('hex').slice(0, 16), DIGESTS[M], `M = ${M}, ${threads} threads`);
      } finally {
        wasmFree(ptr);
      }
    }
  }
});

/** Bytes prepareTransforms(M) grows the heap by, from an empty table cache. */
function allocated(M: number): number {
  releaseCoreTables();
  takeHighWater();
  const before = heapTop();
  prepareTransforms(M);
  return takeHighWater() - before;
}

test('coreTableBytes bounds the tables prepareTransforms builds, within 3% + 1 MiB (the leaf vector tables and two-level tables, counted whole), at every table length', () => {
  const lengths: number[] = [];
  for (let k = 3; k <= 24; k++) lengths.push(2 ** k);
  for (let k = 3; k <= 23; k++) lengths.push(3 * 2 ** k, 5 * 2 ** (k - 1));
  for (const M of lengths) {
    const grown = allocated(M);
    const counted = coreTableBytes(M);
    assert.ok(grown <= counted, `M = ${M}: allocated ${grown} > counted ${counted}`);
    assert.ok(counted <= 1.03 * grown + 2 ** 20, `M = ${M}: counted ${counted}, far above the ${grown} allocated`);
  }
});
