/** The Collatz explorer's HTTP API: limits, errors, Server-Sent Events, cancellation, responsiveness. */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startCollatzServer, type CollatzServer } from '../src/apps/collatz/server.js';
import type { RunEvent, RunSnapshot } from '../src/apps/collatz/protocol.js';

let server: CollatzServer;

before(async () => {
  server = await startCollatzServer({ port: 0, maxBodyBytes: 64 * 1024, maxRunning: 1, maxDigits: 1_000_000 });
});
after(async () => {
  await server.close();
});

const api = (path: string): string => new URL(path, server.url).href;

async function postRun(input: unknown): Promise<{ status: number; body: { id?: string; error?: string; offset?: number } }> {
  const response = await fetch(api('/api/runs'), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ input }) });
  return { status: response.status, body: (await response.json()) as { id?: string; error?: string } };
}

/** Reads a run's event stream until a final event (result, failed, cancelled). */
async function finalEvent(id: string): Promise<{ final: RunEvent; progress: number }> {
  const response = await fetch(api(`/api/runs/${id}/events`));
  assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
  const decoder = new TextDecoder();
  let text = '';
  let progress = 0;
  const reader = response.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = text.indexOf('\n\n')) >= 0) {
      const frame = text.slice(0, end);
      text = text.slice(end + 2);
      const data = /^data: (.*)$/m.exec(frame)?.[1];
      if (data === undefined) continue;
      const event = JSON.parse(data) as RunEvent;
      if (event.type === 'progress') {
        progress++;
      } else {
        await reader.cancel();
        return { final: event, progress };
      }
    }
  }
  throw new Error('event stream ended without a final event');
}

async function waitFor<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('static files', () => {
  test('the page, its script and Chart.js', async () => {
    const page = await fetch(server.url);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    const html = await page.text();
    assert.match(html, /<form id="run-form"/);
    assert.match(html, /<canvas id="chart"/);
    for (const path of ['/app.js', '/chart.js']) {
      const response = await fetch(api(path));
      assert.equal(response.status, 200, path);
      assert.match(response.headers.get('content-type') ?? '', /javascript/);
      assert.ok((await response.text()).length > 1000);
    }
  });

  test('unknown paths are 404, wrong methods 405 with Allow', async () => {
    assert.equal((await fetch(api('/nope'))).status, 404);
    const response = await fetch(api('/api/runs'));
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('allow'), 'POST');
    assert.equal((await fetch(api('/api/runs/00000000-0000-0000-0000-000000000000'))).status, 404);
  });

  test('a foreign Host header is refused (DNS rebinding)', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(server.url, { headers: { Host: 'attacker.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 403);
  });
});

describe('bad requests', () => {
  test('garbage is a 400 naming the offset', async () => {
    const { status, body } = await postRun('12abc');
    assert.equal(status, 400);
    assert.match(body.error ?? '', /unexpected 'a'/);
    assert.equal(body.offset, 2);
    assert.equal((await postRun('')).status, 400);
    assert.equal((await postRun(27)).status, 400);
  });

  test('non-JSON bodies are refused', async () => {
    const form = await fetch(api('/api/runs'), { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'input=27' });
    assert.equal(form.status, 415);
    const broken = await fetch(api('/api/runs'), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"input":' });
    assert.equal(broken.status, 400);
  });

  test('a body over the limit is a 413 with a clear message', async () => {
    const { status, body } = await postRun('7'.repeat(100_000));
    assert.equal(status, 413);
    assert.match(body.error ?? '', /request too large: the limit is 64 KiB/);
  });

  test('zero, and results over the digit cap, fail the run with a message', async () => {
    for (const [input, pattern] of [
      ['0', /positive integer/],
      ['10^10^10', /10,000,000,000 digits; the limit is 1,000,000/],
    ] as const) {
      const { status, body } = await postRun(input);
      assert.equal(status, 201);
      const { final } = await finalEvent(body.id!);
      assert.equal(final.type, 'failed');
      assert.match(final.type === 'failed' ? final.error.message : '', pattern);
    }
  });
});

describe('runs', () => {
  test('27 streams its result: 111 steps', async () => {
    const { status, body } = await postRun('27');
    assert.equal(status, 201);
    const { final } = await finalEvent(body.id!);
    assert.equal(final.type, 'result');
    if (final.type === 'result') {
      assert.deepEqual([final.result.steps, final.result.oddSteps, final.result.maxDigits], [111, 41, 4]);
      assert.equal(final.result.trajectory.steps.length, final.result.trajectory.digits.length);
    }
    // A finished run's stream replays the final event.
    assert.equal((await finalEvent(body.id!)).final.type, 'result');
  });

  test('a long run reports progress, leaves the server responsive, limits concurrency, and cancels', async () => {
    const { status, body } = await postRun('2^3000000-1');
    assert.equal(status, 201);
    const id = body.id!;
    const events = finalEvent(id);
    const snapshot = await waitFor(async () => {
      const s = (await (await fetch(api(`/api/runs/${id}`))).json()) as RunSnapshot;
      return s.last?.type === 'progress' ? s : undefined;
    });
    assert.equal(snapshot.state, 'running');
    assert.equal(snapshot.last?.type === 'progress' && snapshot.last.progress.startDigits, 903090);
    // The server still serves pages and refuses a second concurrent run (maxRunning = 1).
    assert.equal((await fetch(server.url)).status, 200);
    const second = await postRun('2^100-1');
    assert.equal(second.status, 429);
    const cancel = await fetch(api(`/api/runs/${id}/cancel`), { method: 'POST' });
    assert.equal(cancel.status, 200);
    const { final, progress } = await events;
    assert.equal(final.type, 'cancelled');
    assert.ok(progress >= 1);
    const after = (await (await fetch(api(`/api/runs/${id}`))).json()) as RunSnapshot;
    assert.equal(after.state, 'cancelled');
    // The slot is free again.
    const third = await postRun('2^100-1');
    assert.equal(third.status, 201);
    assert.equal((await finalEvent(third.body.id!)).final.type, 'result');
  });
});
