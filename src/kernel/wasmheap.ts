/**
 * kernel/wasmheap — the compiled kernel (assembly/fft.ts, assembly/digits.ts's decimal conversions,
 * assembly/radix.ts's binary → decimal pieces, assembly/checksum.ts's checkpoint checksum, assembly/residue.ts's
 * residue of decimal text, assembly/limbs.ts's wrapped difference, assembly/natops.ts's residue of limbs and
 * assembly/small.ts's products below the FFT, built into
 * dist/src/kernel/wasm/fft.wasm by `npm run build`), its one shared WebAssembly memory, and the allocator that owns
 * every byte of that memory.
 *
 * Why one shared memory: every arithmetic thread of kernel/threads.ts instantiates the same module on this memory,
 * so a transform's data is never copied between threads. Allocation happens on the thread that owns the memory
 * (the one that loaded this module first) and nowhere else.
 *
 * Limits (the invariants callers plan with). A wasm32 memory holds at most 4 GiB and never shrinks: pages touched
 * once stay resident until the process exits, so `wasmMemoryBytes()` is part of the process's footprint for good.
 * `memory.grow` replaces `memory.buffer`, so no typed-array view is ever kept across an allocation: views are
 * taken with `f64View`/`u16View` right before use.
 *
 * Loading is synchronous (the kernel's API is synchronous): `new WebAssembly.Module(bytes)` on the file's bytes,
 * compiled lazily, or for eager tier-up when the first kernel work is large (compileKernel, loadKernelForLargeWork).
 */
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { NumberTooLargeError } from '../errors.js';

/** The exports of assembly/fft.ts, digits.ts, radix.ts, checksum.ts, residue.ts, limbs.ts and small.ts (byte addresses are numbers; see that file for each function's contract). */
export interface KernelExports {
  dif4Stage(base: number, n: number, j0: number, j1: number, dir: number): void;
  dit4Stage(base: number, n: number, j0: number, j1: number, dir: number): void;
  difBlocks(base: number, n: number, k0: number, k1: number, dir: number): void;
  ditBlocks(base: number, n: number, k0: number, k1: number, dir: number): void;
  dif3Stage(base: number, P: number, j0: number, j1: number, filled: number, HM: number): void;
  dit3Stage(base: number, P: number, j0: number, j1: number, HM: number): void;
  dif5Stage(base: number, P: number, j0: number, j1: number, filled: number, HM: number): void;
  dit5Stage(base: number, P: number, j0: number, j1: number, HM: number): void;
  forward(base: number, M: number, filled: number, HM: number, dir: number): void;
  inverse(base: number, M: number, HM: number, dir: number): void;
  pwSelf(out: number, A1: number, B1: number, A2: number, B2: number, off: number, n: number, lo: number, hi: number): void;
  pwLevel(out: number, A1: number, B1: number, A2: number, B2: number, off: number, n: number, lo: number, hi: number, base: number, i0: number, i1: number): void;
  pwBlocks(out: number, A1: number, B1: number, A2: number, B2: number, P: number, lo: number, hi: number, j0: number, j1: number, R: number, b: number): void;
  pack(src: number, n: number, d: number, dst: number, res: number): void;
  leafSize(): number;
  trig(t: number, n: number, sine: number): number;
  cosTable(h: number, n: number, t0: number, t1: number): void;
  scaledCopy(h: number, len: number, from: number, m: number, q: number, s: number): void;
  normSq4(src: number, n: number): number;
  unpack(src: number, scale: number, q0: number, q1: number, d: number, out: number, res: number): void;
  tangle(x: number, size: number, lo: number, hi: number, inv: number): void;
  mulAccumulate(acc: number, a: number, b: number, size: number, weight: number): void;
  residue(x: number, n: number, p: number): number;
  balanceBlock(text: number, n: number, d: number, dst: number, res: number): void;
  settleRow(x: number, size: number, scale: number, pending: number, d: number, mult: number, text: number, res: number): void;
  convolveColumns(A: number, na: number, B: number, nb: number, C: number, w: number, c0: number, c1: number, M: number, X: number, dir: number, special: number): void;
  digitsToLimbs(src: number, n: number, dst: number): number;
  limbsToDigits(src: number, n: number, dst: number): void;
  touchPages(p: number, n: number): void;
  checksumStripes(st: number, src: number, n: number): void;
  asciiResidue(src: number, n: number, p: number, r0: number): number;
  radixPieces(desc: number, n: number, splats: number, pairsCap: number, acc: number, blocksCap: number, table: number, stride: number, lens: number): number;
  wrappedDifference(x: number, xlen: number, power: number, y: number, ylen: number, m: number, z: number, k: number, c0: number): number;
  zeroLimbs(z: number, n: number): void;
  residueDotScratch(): number;
  residueDot(x: number, n: number, p: number, table: number): number;
  residueTable(p: number, table: number): void;
  residueDotWith(x: number, n: number, p: number, table: number): number;
  balancedNormSq(x: number, n: number, d: number): number;
  halveLimbs(x: number, n: number, z: number): number;
  addOrSubInPlace(z: number, zlen: number, s: number, slen: number, subtract: number): number;
  mulSmall(x: number, lx: number, y: number, ly: number, out: number, work: number, kt: number): number;
}

/** The wasm page size and the most pages a wasm32 memory may have (4 GiB). */
const PAGE = 65536;
const MAX_PAGES = 65536;
/** Largest address range the allocator hands out (the last page stays unused: a 4 GiB view is not portable). */
export const WASM_MEMORY_LIMIT = (MAX_PAGES - 1) * PAGE;
/**
 * Bytes below this address are never allocated (address 0 means "none" in the kernel's calls; the module has no
 * data segment, so nothing else lives there either), but for RESIDUE_TABLE_AT.
 */
const HEAP_START = PAGE;

/**
 * Where the main thread keeps assembly/natops.ts's table of powers for residues (fft.ts residueAt): 2 KB of the
 * first page, outside the allocator (a block kept for good in the heap would split its free ranges).
 */
const RESIDUE_TABLE_AT = 4096;

/** The prime whose table of powers is at RESIDUE_TABLE_AT (0: none yet). */
let tablePrime = 0;

/**
 * @internal The address of assembly/natops.ts's table of powers of B modulo p (residueDotWith), built once per prime:
 * a square root at 10^6 digits takes ~50 residues, nearly all modulo the check prime, and building the table cost
 * about as much as the dot products of 6000 limbs. Main thread only, like every residue.
 */
export function residueTableFor(p: number): number {
  if (p !== tablePrime) {
    wasm().residueTable(p, RESIDUE_TABLE_AT);
    tablePrime = p;
  }
  return RESIDUE_TABLE_AT;
}
const ALIGN = 64;

interface Kernel {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  exports: KernelExports;
}

let kernel: Kernel | undefined;

function wasmBytes(): Uint8Array<ArrayBuffer> {
  const url = new URL('./wasm/fft.wasm', import.meta.url);
  try {
    return new Uint8Array(readFileSync(url));
  } catch (e) {
    throw new Error(`the compiled FFT kernel ${url.pathname} is missing (run \`npm run build\`): ${(e as Error).message}`);
  }
}

/** Instantiates the kernel on `memory` (each thread does this once, on the shared memory it was given). */
export function instantiateKernel(module: WebAssembly.Module, memory: WebAssembly.Memory): KernelExports {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return instance.exports as unknown as KernelExports;
}

/** V8's wasm tiering flags, which compileKernel sets for the kernel's compile only (default values). */
const TIERING_FLAGS = ['wasm-lazy-compilation', 'wasm-dynamic-tiering'] as const;

/**
 * The kernel's module, compiled for eager tier-up when `eager`: V8 then compiles it with its baseline compiler
 * (Liftoff) at once and every function with its optimising compiler (TurboFan) on background threads right away,
 * instead of lazily and then only the functions that ran hot (the default, and V8's). Why: a wasm call never switches
 * to optimised code while it runs (no on-stack replacement), and the kernel's calls are few and long (one radix stage
 * over a whole transform), so a process whose first kernel work is a large product ran much of it as baseline code:
 * the first 1.6·10^7-digit file product of a process took ~90 ms more CPU than with the whole module optimised (one
 * thread, pages pre-touched, 3+3 runs: 481–528 against 371–437 ms user). Not the default: the eager compile costs
 * ~40–70 ms CPU, mostly in the background, which a process that multiplies two small numbers (`mathstream mul 2 3`,
 * ~0.4 s CPU) would pay for nothing. V8 reads these flags when a compile starts, so they are set for this compile
 * and put back: other wasm modules of the process keep V8's defaults. A process started with either flag on its
 * command line (or in NODE_OPTIONS) keeps it, untouched.
 */
function compileKernel(bytes: Uint8Array<ArrayBuffer>, eager: boolean): WebAssembly.Module {
  const given = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' ').replaceAll('_', '-'); // V8 reads both spellings
  const flags = eager ? TIERING_FLAGS.filter((f) => !given.includes(f)) : [];
  for (const f of flags) setFlagsFromString(`--no-${f}`);
  try {
    return new WebAssembly.Module(bytes);
  } finally {
    for (const f of flags) setFlagsFromString(`--${f}`);
  }
}

function load(eager = false): Kernel {
  if (kernel) return kernel;
  const module = compileKernel(wasmBytes(), eager);
  const memory = new WebAssembly.Memory({ initial: HEAP_START / PAGE, maximum: MAX_PAGES, shared: true });
  kernel = { module, memory, exports: instantiateKernel(module, memory) };
  return kernel;
}

/**
 * Loads the kernel now, compiled for eager tier-up (compileKernel), unless this thread has loaded it already: for a
 * caller whose first kernel work may be large transforms (kernel/digitproduct.ts, the engine's file products).
 */
export function loadKernelForLargeWork(): void {
  load(true);
}

/** The kernel's exports in this thread (loads the module on first use). */
export function wasm(): KernelExports {
  return load().exports;
}

/** The compiled module and the shared memory, for starting threads that work in it. */
export function wasmShared(): { module: WebAssembly.Module; memory: WebAssembly.Memory } {
  const k = load();
  return { module: k.module, memory: k.memory };
}

/** Current size of the wasm memory in bytes (it only ever grows; resident once touched). */
export function wasmMemoryBytes(): number {
  return kernel ? kernel.memory.buffer.byteLength : 0;
}

// ---------------------------------------------------------------- allocator

/** Free ranges [ptr, ptr + size), sorted by address, never adjacent (coalesced). */
const freeList: { ptr: number; size: number }[] = [];
const allocated = new Map<number, number>();
/** First address never handed out. */
let top = HEAP_START;
/** The highest `top` since the last `takeHighWater()` (tests check the planner's working bytes with it). */
let highWater = HEAP_START;

function roundUp(bytes: number): number {
  return Math.ceil(Math.max(bytes, 1) / ALIGN) * ALIGN;
}

/**
 * Bytes a heap holding only blocks of these sizes spans (from its start; no reuse of free ranges assumed). What a
 * planner compares with its budget. It does not depend on what ran before: memory grown, or twiddle tables kept, by
 * an earlier larger operation are not counted, because they cannot be given back (a wasm memory never shrinks), so
 * splitting a later product would not lower the process's footprint; and the same product must get the same plan in
 * any process.
 */
export function heapBytesFor(sizes: readonly number[]): number {
  return HEAP_START + sizes.reduce((s, b) => s + roundUp(b), 0);
}

/** The first address never handed out (where the next growth starts). */
export function heapTop(): number {
  return top;
}

/**
 * `bytes` of wasm memory (64-byte aligned; contents undefined), growing the memory when needed.
 * @throws NumberTooLargeError when the 4 GiB of a wasm32 memory (or the machine) cannot hold it.
 */
export function wasmAlloc(bytes: number): number {
  const size = roundUp(bytes);
  for (let i = 0; i < freeList.length; i++) {
    const f = freeList[i]!;
    if (f.size >= size) {
      const ptr = f.ptr;
      if (f.size === size) freeList.splice(i, 1);
      else {
        f.ptr += size;
        f.size -= size;
      }
      allocated.set(ptr, size);
      return ptr;
    }
  }
  const ptr = top;
  const end = ptr + size;
  if (end > WASM_MEMORY_LIMIT) {
    throw new NumberTooLargeError(`FFT kernel: ${size} more bytes do not fit the 4 GiB of a wasm32 memory (${top} in use)`);
  }
  const { memory } = load();
  const have = memory.buffer.byteLength;
  if (end > have) {
    try {
      memory.grow(Math.ceil((end - have) / PAGE));
    } catch (e) {
      throw new NumberTooLargeError(`FFT kernel: cannot grow the wasm memory to ${end} bytes: ${(e as Error).message}`);
    }
  }
  top = end;
  if (top > highWater) highWater = top;
  allocated.set(ptr, size);
  return ptr;
}

/** The heap's high-water mark since the previous call (then restarted from the present top). */
export function takeHighWater(): number {
  const mark = highWater;
  highWater = top;
  return mark;
}

/**
 * Bytes that wasmAllocLike may add to a block (what a planner adds per block it allocates that way).
 */
export const LIKE_PAD = 8;

/** Addresses handed out by wasmAllocLike inside a block, and that block's own (wasmFree takes the former). */
const inner = new Map<number, number>();

/**
 * `bytes` of wasm memory at an address ≡ `byteOffset` (mod 8), for a copy to or from a JS typed array at that
 * byte offset; freed by wasmFree like any block. Why: V8 copies between a typed array and a SharedArrayBuffer (the
 * shared wasm memory) with relaxed atomics (`base::Relaxed_Memcpy`), word by word only where both ends have the same
 * alignment mod 8, byte by byte otherwise: `set` of 125000 limbs took 9 µs matched against 68 µs not, on Node 20
 * x64. (A wasm address is that memory's offset; its buffer starts on a page.)
 */
export function wasmAllocLike(bytes: number, byteOffset: number): number {
  const pad = byteOffset & 7;
  if (pad === 0) return wasmAlloc(bytes);
  const base = wasmAlloc(bytes + pad);
  inner.set(base + pad, base);
  return base + pad;
}

/** The first address from p on that is ≡ byteOffset (mod 8) (a matched copy: see wasmAllocLike). */
export function alignLike(p: number, byteOffset: number): number {
  return p + ((byteOffset - p) & 7);
}

/** Returns a block from wasmAlloc (or wasmAllocLike) to the heap (its memory stays resident for the next use). */
export function wasmFree(ptr: number): void {
  const base = inner.get(ptr);
  if (base !== undefined) {
    inner.delete(ptr);
    ptr = base;
  }
  const size = allocated.get(ptr);
  if (size === undefined) throw new Error(`wasmFree: ${ptr} is not an allocated block`);
  allocated.delete(ptr);
  let i = 0;
  while (i < freeList.length && freeList[i]!.ptr < ptr) i++;
  freeList.splice(i, 0, { ptr, size });
  // Coalesce with the next, then the previous range.
  const next = freeList[i + 1];
  if (next && ptr + size === next.ptr) {
    freeList[i]!.size += next.size;
    freeList.splice(i + 1, 1);
  }
  const prev = freeList[i - 1];
  if (prev && prev.ptr + prev.size === ptr) {
    prev.size += freeList[i]!.size;
    freeList.splice(i, 1);
    i--;
  }
  // A free range at the top lowers it: later growth reuses the space from there.
  const last = freeList[freeList.length - 1];
  if (last && last.ptr + last.size === top) {
    top = last.ptr;
    freeList.pop();
  }
}

/**
 * The memory's buffer as last read, for views up to `end` bytes. The `memory.buffer` getter of a shared memory
 * checks the memory's length each time (~60 ns on Node 20 x64, as much as the view itself; thousands of views per
 * Newton step); a shared memory never moves when it grows (its whole range is reserved), so an earlier buffer still
 * addresses the same bytes, only fewer of them: it is read again when a view would reach past its end.
 */
let lastBuffer: ArrayBufferLike | undefined;

function bufferTo(end: number): ArrayBufferLike {
  const b = lastBuffer;
  return b !== undefined && end <= b.byteLength ? b : (lastBuffer = load().memory.buffer);
}

/** A Float64Array view of n doubles at ptr (take it after the last allocation; never keep it). */
export function f64View(ptr: number, n: number): Float64Array {
  return new Float64Array(bufferTo(ptr + 8 * n), ptr, n);
}

/** A Uint16Array view of n limbs at ptr (same rule as f64View). */
export function u16View(ptr: number, n: number): Uint16Array {
  return new Uint16Array(bufferTo(ptr + 2 * n), ptr, n);
}

/** A Uint8Array view of n bytes at ptr (same rule as f64View). */
export function u8View(ptr: number, n: number): Uint8Array {
  return new Uint8Array(bufferTo(ptr + n), ptr, n);
}

/** A Uint32Array view of n words at ptr (same rule as f64View). */
export function u32View(ptr: number, n: number): Uint32Array {
  return new Uint32Array(bufferTo(ptr + 4 * n), ptr, n);
}
