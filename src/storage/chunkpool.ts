/**
 * chunkpool — chunk buffers the streaming passes reuse instead of allocating one per chunk.
 *
 * Why: a streaming pass (engine/linear.ts: add, subtract, compare, truncate, shift, small products and quotients; the
 * out-of-core division's bring-down) used to read every chunk into a fresh buffer and write every result chunk from
 * another. Those buffers live outside V8's heap (ArrayBuffer backing stores, from malloc), and V8 collects dead ones
 * only when its external-memory counter has grown by its limit since the last collection, so tens of MiB of dead
 * chunks stayed resident, and glibc kept much of what was freed in its heap. The out-of-core square root of a
 * 2·10^8-digit number allocated 5.3 GB of such chunks; at MATHSTREAM_MEMORY = 128 MiB, 25–55 MiB of them were dead
 * but resident at any time and the malloc heap held 43–54 MiB, beside a wasm memory of 108 MiB
 * (docs/ARCHITECTURE.md §5, "Streaming passes").
 *
 * A pass borrows its buffers for its whole duration (`withChunkBuffers`) and gives them back; the pool keeps at most
 * POOL_BYTES of idle buffers, so what the process holds for streaming is bounded by that plus the passes running.
 * Borrowing is synchronous, so concurrent passes (the web app's requests) never share a buffer; each thread has its
 * own pool.
 */

/** Idle bytes the pool keeps (8 chunks of the default 2^20 digits): enough for any pass and the pass after it. */
export const POOL_BYTES = 8 << 20;

const idle: Buffer[] = [];
let idleBytes = 0;

/** A buffer of at least `size` bytes, the smallest idle one that fits (a view of exactly `size` bytes), or a new one. */
function borrow(size: number): Buffer {
  let at = -1;
  for (let i = 0; i < idle.length; i++) if (idle[i]!.length >= size && (at < 0 || idle[i]!.length < idle[at]!.length)) at = i;
  if (at < 0) return Buffer.allocUnsafeSlow(Math.max(1, size)).subarray(0, size);
  const [buffer] = idle.splice(at, 1);
  idleBytes -= buffer!.length;
  return buffer!.subarray(0, size);
}

/** Back to the pool, unless it would hold more than POOL_BYTES (then the buffer is left to the collector). */
function giveBack(view: Buffer): void {
  const whole = Buffer.from(view.buffer, 0, view.buffer.byteLength);
  if (idleBytes + whole.length > POOL_BYTES) return;
  idle.push(whole);
  idleBytes += whole.length;
}

/**
 * Runs `use` with `count` buffers of `size` bytes each, borrowed from the pool and given back when it settles: the
 * buffers are the caller's until then, and nobody's after (do not keep a view of them).
 * @example await withChunkBuffers(2, 1 << 20, async ([a, b]) => compare(a, b))
 */
export async function withChunkBuffers<T>(count: number, size: number, use: (buffers: Buffer[]) => Promise<T>): Promise<T> {
  const buffers = Array.from({ length: count }, () => borrow(size));
  try {
    return await use(buffers);
  } finally {
    for (const b of buffers) giveBack(b);
  }
}

/** Idle bytes the pool holds now (tests). */
export function chunkPoolIdleBytes(): number {
  return idleBytes;
}
