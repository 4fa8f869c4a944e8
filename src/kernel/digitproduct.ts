/**
 * kernel/digitproduct — the FFT product of two numbers given by their decimal digits (the engine's files), holding
 * nothing but its transforms: the operands go from their text straight into the transform buffers, and the product
 * is read out of them, so that one FFT of a file product fits a budget that the transforms alone fit
 * (docs/ARCHITECTURE.md §5, "Streamed file products").
 *
 * - In: each operand's digits are read a piece at a time (budget.ts STREAM_PIECE_DIGITS, from the least significant
 *   end) into a staging block of the wasm memory and converted there (assembly/digits.ts `digitsToLimbs`) into
 *   base-10^4 limbs laid at the END of that operand's transform buffer. The residue of each operand is taken there (compiled, as
 *   fft.ts does), then `pack` turns the limbs into balanced digits in place, from the start of the same buffer.
 * - Out: the inverse transform is unpacked into the other (dead) transform buffer as limbs (fft.ts `unpackInto`,
 *   compiled and threaded as for every product), the product's residue is checked there, and the caller writes the
 *   limbs out as text a piece at a time (engine/result.ts writeNatResult) before releasing them.
 * So neither operand's nor the product's text nor limbs are held beside the transforms: the working set is the two
 * transform buffers (one and the unpack scratch for a square), the twiddle tables and the staging blocks.
 * - First touch: a process's first large product pays for its memory's first touch (page faults: ~3–5 ms a MiB on
 *   the 2-core VM, ~0.3–0.9 s CPU for the 216 MiB of the 1.6·10^7-digit product), so the idle workers touch the
 *   buffers' pages, the limbs' first, while the main thread reads the operands and builds the tables (pretouch),
 *   and `prepareDigitProduct` has the kernel compiled for eager tier-up and the workers booting before any of it.
 *
 * Why packing in place is safe. Let the buffer be S bytes with the operand's l limbs at [S − 2l, S). `pack` walks the
 * limbs upward in groups of g limbs (g = 2, 3, 5, 1, 1 for d = 4, 3, 5, 2, 1) and writes each group's 4g/d digits
 * (doubles) only after reading the group, the digits of limbs [0, j) at bytes [0, 32j/d) (the few digits of a tail
 * shorter than a group, the top carry and the zero pad after every limb is read). So when it writes the group ending
 * at limb j, the first limb still unread is j, at byte S − 2l + 2j, and the writes end at 32j/d: they never reach an
 * unread limb while 32j/d <= S − 2l + 2j for all j <= l, i.e. (the left side minus 2j grows with j) while
 * 32l/d <= S. That holds: the operand's n = ceil(4l/d) + 1 digits and the other operand's (>= 2) make the L <= 2M
 * digits of a transform of M points, so 8·(4l/d) < 8n <= 8(L − 2) < 16M <= S.
 */
import { ArithmeticCheckError, InvalidArgumentError, InvalidNumberError, NumberTooLargeError } from '../errors.js';
import { FFT_MAX_DIGITS, FFT_MAX_LENGTH, balancedLength, convolvePacked, residueAt, unpackInto, unpackScratchBytes, widestDigits, worstCasePlan, type PackJob } from './fft.js';
import { coreTableBytes, mixedBound, prepareTransforms, splits, transformLength } from './fftcore.js';
import { activeThreads, backgroundBusy, joinBackground, runInBackground, threadsReady, warmThreads, type Job } from './threads.js';
import { STREAM_PIECE_DIGITS, streamedHeldBytes } from './budget.js';
import { LIMB_DIGITS, natFromLimbs, type Nat } from './nat.js';
import { heapBytesFor, loadKernelForLargeWork, u16View, u8View, wasm, wasmAlloc, wasmFree } from './wasmheap.js';

/** A number's decimal digits, read a piece at a time (an engine operand file: storage DigitReader). */
export interface DigitSource {
  /** Its digit count, >= 1 (leading zeros are allowed: they are zero limbs). */
  readonly digits: number;
  /** Puts digits [from, from + length) (counted from the most significant) into `into` and returns them. */
  read(from: number, length: number, into: Uint8Array): Promise<Uint8Array>;
}

/** A product left in the wasm memory: `value` is a view of it there, valid until `release()`. */
export interface HeldProduct {
  readonly value: Nat;
  release(): void;
}

export interface DigitProductOptions {
  /** The prime of the residue check (mul.ts CHECK_PRIME); 0 = unchecked (tests only). */
  readonly checkPrime: number;
  /** Fault injection (tests): may corrupt the product's limbs before the residue check. */
  readonly faultHook?: (limbs: Uint16Array) => void;
}

function limbsOf(digits: number): number {
  return Math.ceil(digits / LIMB_DIGITS);
}

/**
 * The bytes fftMulDigits holds at its peak for operands of these digit counts (what the planner compares with the
 * budget for a streamed file product): its transform buffers at the worst-case length (the one the planner's
 * `fftWorkingBytes` counts; fftMulDigits allocates them at that length, so that no digit size it tries needs more),
 * two of them, or one and the unpack scratch for a square; the twiddle tables; and the reads' and the write's
 * buffers (budget.ts `streamedHeldBytes`).
 * @example digitProductWorkingBytes(6.4e7, 6.4e7) // 867 MiB: two transforms of 3·2^23 points (768 MiB), their tables (93 MiB), the staging
 */
export function digitProductWorkingBytes(aDigits: number, bDigits: number, square = false): number {
  const la = limbsOf(Math.max(1, aDigits)), lb = square ? la : limbsOf(Math.max(1, bDigits));
  const { d, N } = worstCasePlan(la, lb);
  const M = N / 2;
  const L = balancedLength(la, d) + balancedLength(lb, d);
  const second = square ? unpackScratchBytes(L, d, la + lb + 1) : 16 * M;
  return heapBytesFor([16 * M, second, coreTableBytes(M)]) + streamedHeldBytes(la * LIMB_DIGITS, lb * LIMB_DIGITS);
}

/**
 * Gets a process ready for the digit product of operands of these digit counts, before it plans or reads anything,
 * when its transform may be long enough to split among the threads (fftcore.ts `splits` at the worst-case length):
 * loads the kernel compiled for eager tier-up (wasmheap.ts `loadKernelForLargeWork`; a no-op once loaded: a file
 * product is often a process's first kernel work, and the planner's byte counts load it) and starts the workers,
 * which then boot (tens of ms) while the operands are read instead of while prepareTransforms builds the tables.
 */
export function prepareDigitProduct(aDigits: number, bDigits: number): void {
  const { N } = worstCasePlan(limbsOf(Math.max(1, aDigits)), limbsOf(Math.max(1, bDigits)));
  if (!splits(N / 2)) return;
  loadKernelForLargeWork();
  warmThreads();
}

/** InvalidNumberError for the first non-digit of `text` (one exists), at its offset plus `base`. */
function badDigit(text: Uint8Array, base: number): InvalidNumberError {
  let i = 0;
  while (i < text.length && text[i]! >= 48 && text[i]! <= 57) i++;
  return new InvalidNumberError('digits', base + i, `byte ${text[i]} is not a decimal digit`);
}

/**
 * Reads `source`'s digits into its limbs at `dst` (wasm memory), through the staging block at `staging`; `onPiece`
 * runs before each piece is asked for.
 */
async function loadLimbs(source: DigitSource, dst: number, staging: number, onPiece: () => void): Promise<void> {
  const k = wasm();
  for (let e = source.digits, o = 0; e > 0; e -= STREAM_PIECE_DIGITS, o += STREAM_PIECE_DIGITS / LIMB_DIGITS) {
    onPiece();
    const b = Math.max(0, e - STREAM_PIECE_DIGITS), n = e - b;
    // A view of the shared wasm memory stays valid if another allocation grows it meanwhile (a shared buffer
    // never detaches), so it may be read into across the await.
    const into = u8View(staging, n);
    const piece = await source.read(b, n, into);
    if (piece.length !== n) throw new InvalidArgumentError(`fftMulDigits: asked for ${n} digits at ${b}, got ${piece.length}`);
    if (piece.buffer !== into.buffer || piece.byteOffset !== into.byteOffset) into.set(piece);
    if (!k.digitsToLimbs(staging, n, dst + 2 * o)) throw badDigit(into, b);
  }
}

/** Bytes of one background chunk of the first touch (Pretouch): 64 chunks for the 1.6·10^7-digit product. */
const TOUCH_CHUNK = 1 << 21;

/** Diagnostics (tests): bytes handed to the workers' first touch (pretouch) in this thread so far. */
export let pretouchedBytes = 0;

/** The first touch of transform buffers on the idle workers (pretouch). */
interface Pretouch {
  /** Starts it once the workers are up (call it often: between the pieces read). */
  poll(): void;
  /** Finishes it (this thread runs the chunks no worker took): before anything else writes the ranges or frees them. */
  join(): void;
}

/**
 * The first touch (assembly/digits.ts `touchPages`, which leaves the memory as it was) of the transform buffers'
 * pages, as a background step (threads.ts runInBackground) that the idle workers run while this thread reads the
 * operands into `limbRanges`, converts them and builds the tables; then of `ranges`, which `pack` writes later. Why:
 * on the 2-core VM a page's first touch costs ~3–5 ms a MiB, and the 1.6·10^7-digit file product took it on the main
 * thread for its limbs (16 MiB) and inside `pack` for its two transform buffers (96 MiB each), after the reading and
 * the tables, which only the main thread works on. Not started with one thread, or before the workers are up
 * (waiting for them to boot would stall the reads).
 */
function pretouch(limbRanges: ReadonlyArray<readonly [number, number]>, ranges: ReadonlyArray<readonly [number, number]>): Pretouch {
  let pending = activeThreads() > 1;
  let ticket = 0;
  return {
    poll: () => {
      if (!pending || !threadsReady() || backgroundBusy()) return;
      pending = false;
      const chunks: Job[][] = [];
      // The limbs' pages first, from their top down: the main thread writes them from their bottom up as it reads
      // (a fault it would take itself, alone), so the two meet; then the pages pack alone writes (on every thread).
      for (const [at, n] of limbRanges) {
        for (let o = n; o > 0; o -= TOUCH_CHUNK) chunks.push([['touchPages', at + Math.max(0, o - TOUCH_CHUNK), Math.min(TOUCH_CHUNK, o)]]);
        pretouchedBytes += n;
      }
      for (const [at, n] of ranges) {
        for (let o = 0; o < n; o += TOUCH_CHUNK) chunks.push([['touchPages', at + o, Math.min(TOUCH_CHUNK, n - o)]]);
        pretouchedBytes += n;
      }
      if (chunks.length > 0) ticket = runInBackground(wasm(), chunks);
    },
    join: () => {
      pending = false;
      if (ticket) joinBackground(ticket);
      ticket = 0;
    },
  };
}

/**
 * a·b (b undefined: a², one transform) by one FFT, from their digits, verified modulo `options.checkPrime`; the
 * product stays in the wasm memory until released (write it out first). The digit size is chosen as fft.ts's
 * fftMulLimbs chooses it (the largest whose proven bound holds with the operands' actual norms), and a product whose
 * rounding check fails is redone with smaller digits, the operands read again.
 * @throws NumberTooLargeError when the product needs a transform longer than FFT_MAX_LENGTH (plan it: planner.ts).
 * @throws InvalidNumberError when a source holds a byte that is not a digit.
 * @throws ArithmeticCheckError when the rounding check fails at every digit size, or the residue check fails.
 * @example
 *   const src = (s: string) => ({ digits: s.length, read: async (f: number, n: number, into: Uint8Array) => { into.set(Buffer.from(s.slice(f, f + n))); return into.subarray(0, n); } });
 *   const p = await fftMulDigits(src('12345678'), src('87654321'), { checkPrime: CHECK_PRIME });
 *   p.value.toString(); // '1082152022374638'
 *   p.release();
 */
export async function fftMulDigits(a: DigitSource, b: DigitSource | undefined, options: DigitProductOptions): Promise<HeldProduct> {
  const square = b === undefined;
  for (const s of square ? [a] : [a, b]) {
    if (!Number.isSafeInteger(s.digits) || s.digits < 1) throw new InvalidArgumentError(`fftMulDigits: ${s.digits} digits`);
  }
  const la = limbsOf(a.digits), lb = square ? la : limbsOf(b.digits);
  const outLimbs = la + lb + 1;
  const p = options.checkPrime;
  const worstM = worstCasePlan(la, lb).N / 2;
  prepareDigitProduct(a.digits, square ? a.digits : b.digits);
  let size = 0, A = 0, B = 0, scratch = 0;
  let touch: Pretouch | undefined;
  // The pages every digit size's `pack` writes: the transform of the widest digits is the shortest.
  const d0 = Math.min(widestDigits(la, lb, square), FFT_MAX_DIGITS);
  const minBytes = 16 * transformLength(Math.ceil((balancedLength(la, d0) + balancedLength(lb, d0)) / 2));
  const release = (): void => {
    touch?.join();
    touch = undefined;
    if (A) wasmFree(A);
    if (B && !square) wasmFree(B);
    A = B = size = 0;
  };
  let loaded = false;
  let expected = -1;
  try {
    for (let d = d0; d >= 1; d--) {
      const na = balancedLength(la, d), nb = square ? na : balancedLength(lb, d);
      const L = na + nb;
      const M = transformLength(Math.ceil(L / 2));
      if (M > FFT_MAX_LENGTH) {
        throw new NumberTooLargeError(`FFT product of ${la}×${lb} limbs needs a transform of ${M} > ${FFT_MAX_LENGTH} points (split it)`);
      }
      // The buffers at the worst-case length: every digit size down to the worst case's fits them, so the
      // operands are read once (a smaller M uses the buffers' start; the limbs stay at their end).
      const bytes = 16 * Math.max(M, worstM);
      if (bytes > size) {
        release();
        A = wasmAlloc(bytes);
        B = square ? A : wasmAlloc(bytes);
        size = bytes;
        loaded = false;
        // The limbs (laid at each buffer's end), and below them up to what pack certainly writes.
        const limbRanges: Array<[number, number]> = [[A + size - 2 * la, 2 * la]];
        const ranges: Array<[number, number]> = [[A, Math.min(minBytes, size - 2 * la)]];
        if (!square) {
          limbRanges.push([B + size - 2 * lb, 2 * lb]);
          ranges.push([B, Math.min(minBytes, size - 2 * lb)]);
        }
        if (splits(worstM)) touch = pretouch(limbRanges, ranges); // smaller products: their transforms run on one thread anyway
      }
      const aSrc = A + size - 2 * la, bSrc = B + size - 2 * lb;
      const poll = touch ? touch.poll : () => {};
      if (!loaded) {
        const stagingA = wasmAlloc(Math.min(a.digits, STREAM_PIECE_DIGITS));
        const stagingB = square ? 0 : wasmAlloc(Math.min(b.digits, STREAM_PIECE_DIGITS));
        try {
          await Promise.all([loadLimbs(a, aSrc, stagingA, poll), square ? undefined : loadLimbs(b, bSrc, stagingB, poll)]);
        } finally {
          wasmFree(stagingA);
          if (!square) wasmFree(stagingB);
        }
        loaded = true;
        if (p > 0 && expected < 0) {
          const ra = residueAt(aSrc, la, p);
          expected = (ra * (square ? ra : residueAt(bSrc, lb, p))) % p;
        }
      }
      // Base 10^4: the norms take one cheap pass over the limbs, which stay for the next digit size if it fails.
      if (d === 4) {
        const normA = wasm().normSq4(aSrc, la);
        if (mixedBound(M, square ? normA : Math.sqrt(normA * wasm().normSq4(bSrc, lb))) >= 0.5) continue;
      }
      poll();
      prepareTransforms(M);
      touch?.join(); // pack writes the touched ranges
      const jobs: PackJob[] = [{ src: aSrc, limbs: la, dst: A }];
      if (!square) jobs.push({ src: bSrc, limbs: lb, dst: B });
      loaded = false; // packing writes the digits over the limbs
      if (!convolvePacked(jobs, d, M)) continue;
      scratch = square ? wasmAlloc(unpackScratchBytes(L, d, outLimbs)) : B;
      if (unpackInto(A, M, L, d, outLimbs, scratch)) {
        const limbs = u16View(scratch, outLimbs);
        options.faultHook?.(limbs);
        if (p > 0) {
          const got = residueAt(scratch, outLimbs, p);
          if (got !== expected) {
            throw new ArithmeticCheckError(
              `FFT product of ${la}×${lb} limbs from digits failed its residue check mod ${p} (expected ${expected}, got ${got})`,
            );
          }
        }
        // The product's spectrum is dead: only the limbs (in B, or the square's scratch) stay until released.
        const held = scratch;
        wasmFree(A);
        A = 0;
        if (!square) B = 0;
        scratch = 0;
        let live = true;
        return {
          value: natFromLimbs(limbs),
          release: () => {
            if (live) wasmFree(held);
            live = false;
          },
        };
      }
      if (square) wasmFree(scratch);
      scratch = 0;
    }
  } finally {
    if (scratch && square) wasmFree(scratch);
    release();
  }
  throw new ArithmeticCheckError(`FFT product of ${la}×${lb} limbs from digits: rounding error above the limit at every digit size`);
}
