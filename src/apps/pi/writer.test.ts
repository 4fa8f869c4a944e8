// pi's stream writer (writer.ts): one implementation for decimals in one buffer, in pieces made as they are taken
// (an Iterable) and in pieces read from a file (an AsyncIterable); back-pressure (where the stream asks to drain, the
// next piece is taken only after it has), EPIPE as a quiet end, other errors typed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { CancelledError, StorageError } from '../../errors.js';
import { WRITE_CHUNK, writePiChunks, writePiStream } from './writer.js';

/** A stream that keeps what it is given, answering `false` (drain later) to every write when `slow`. */
function sink(slow = false): { out: Writable; text: () => string; writes: () => number } {
  const parts: Buffer[] = [];
  const out = new Writable({
    highWaterMark: slow ? 1 : 1 << 30,
    write(chunk: Buffer, _encoding, done) {
      parts.push(Buffer.from(chunk));
      if (slow) setImmediate(done);
      else done();
    },
  });
  return { out, text: () => Buffer.concat(parts).toString('latin1'), writes: () => parts.length };
}

const digits = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => 48 + ((i * 7) % 10));

test('a buffer, a sync and an async iterable of pieces give the same text', async () => {
  const all = digits(2 * WRITE_CHUNK + 5);
  const expected = `3.${Buffer.from(all).toString('latin1')}\n`;
  const a = sink();
  await writePiStream(all, a.out);
  assert.equal(a.text(), expected);
  assert.equal(a.writes(), 5, '"3.", three chunks of at most WRITE_CHUNK, "\\n"');
  const pieces = [all.subarray(0, 10), all.subarray(10, WRITE_CHUNK), all.subarray(WRITE_CHUNK)];
  const b = sink(true);
  await writePiChunks(pieces, b.out);
  assert.equal(b.text(), expected);
  async function* read(): AsyncGenerator<Uint8Array> {
    for (const piece of pieces) yield piece;
  }
  const c = sink(true);
  await writePiChunks(read(), c.out);
  assert.equal(c.text(), expected);
});

test('back-pressure: a stream that asks to drain after every write has each piece written before the next is taken', async () => {
  const { out, text } = sink(true);
  const buffer = new Uint8Array(4);
  function* reused(): Generator<Uint8Array> {
    for (let i = 0; i < 5; i++) {
      buffer.fill(48 + i);
      yield buffer;
    }
  }
  await writePiChunks(reused(), out);
  assert.equal(text(), '3.00001111222233334444\n');
});

test('EPIPE ends quietly, another error is a StorageError, an abort a CancelledError', async () => {
  const failing = (code: string): Writable =>
    new Writable({
      write(_chunk, _encoding, done) {
        done(Object.assign(new Error(code), { code }));
      },
    });
  await writePiStream(digits(100), failing('EPIPE'));
  await assert.rejects(writePiStream(digits(100), failing('EIO')), StorageError);
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(writePiChunks([digits(10)], sink().out, controller.signal), CancelledError);
});
