/**
 * server — the Collatz explorer's web server: a page, its script, Chart.js, and a small API.
 *
 *   GET  /                        the page (ui/page.ts)
 *   GET  /app.js, /chart.js       the page's script (ui/client.ts, compiled) and Chart.js (UMD)
 *   POST /api/runs                {"input": "2^1000-1"} → 201 {"id"}; 400 bad input, 413 too
 *                                 large, 415 not JSON, 429 too many runs
 *   GET  /api/runs/:id            the run's state and last event (JSON)
 *   GET  /api/runs/:id/events     Server-Sent Events: progress, result, failed, cancelled
 *   POST /api/runs/:id/cancel     stops the run (terminates its worker)
 *
 * Bound to 127.0.0.1 only. Requests whose Host is not this server's own loopback address are
 * refused (a DNS-rebinding page cannot reach it), and requests a browser sends on behalf of
 * another site (a foreign Origin or Sec-Fetch-Site) are refused with 403 whatever their
 * Content-Type (web/http.ts). Expressions are parsed under a work limit (expression.ts), so a
 * huge one is a quick 413 instead of a stalled event loop. Bodies are capped
 * (`maxBodyBytes`), starts are capped (`maxDigits`), and each run is a worker thread, so a
 * long computation never blocks the server.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Worker } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, MathStreamError, NumberTooLargeError, ResultTooLargeError } from '../../errors.js';
import { HOST, HttpError, checkHost, checkOrigin, inTurn, readJson, sendJson, sendStatic } from '../web/http.js';
import { parseExpression } from './expression.js';
import { renderPage } from './ui/page.js';
import type { RunEvent, RunSnapshot, WorkerMessage, WorkerTask } from './protocol.js';

export interface CollatzServerOptions {
  /** TCP port on 127.0.0.1; 0 (the default) picks a free one. */
  readonly port?: number;
  /** Largest request body in bytes (default 2 MiB: a digit file of about two million digits). */
  readonly maxBodyBytes?: number;
  /** Largest start number in decimal digits (default 1,000,000). */
  readonly maxDigits?: number;
  /** Runs computing at the same time (default 2); more are refused with 429. */
  readonly maxRunning?: number;
  /** Points in a result's plot (default 2000). */
  readonly maxSamples?: number;
}

export interface CollatzServer {
  readonly url: string;
  readonly port: number;
  /** Stops all runs, closes all connections. */
  close(): Promise<void>;
}

const FINISHED_RUNS_KEPT = 32;

interface Run {
  readonly id: string;
  state: RunSnapshot['state'];
  last: RunEvent | undefined;
  worker: Worker | undefined;
  readonly listeners: Set<ServerResponse>;
}

function staticAssets(): { clientJs: Buffer; chartJs: Buffer } {
  const require = createRequire(import.meta.url);
  const chartDir = dirname(require.resolve('chart.js'));
  return {
    // The compiled script's source-map comment would point at a path this server does not serve.
    clientJs: Buffer.from(
      readFileSync(fileURLToPath(new URL('./ui/client.js', import.meta.url)), 'utf8').replace(/^\/\/# sourceMappingURL=.*$/m, ''),
    ),
    chartJs: readFileSync(join(chartDir, 'chart.umd.min.js')),
  };
}

/** Starts the explorer; resolves once it listens. */
export async function startCollatzServer(options: CollatzServerOptions = {}): Promise<CollatzServer> {
  const maxBodyBytes = options.maxBodyBytes ?? 2 * 1024 * 1024;
  const maxDigits = options.maxDigits ?? 1_000_000;
  const maxRunning = options.maxRunning ?? 2;
  const maxSamples = options.maxSamples ?? 2000;
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError(`port must be an integer 0..65535, got ${port}`);

  const assets = staticAssets();
  const runs = new Map<string, Run>();
  let actualPort = 0;
  const page = (): string => renderPage({ maxDigits, maxBodyBytes });

  const running = (): number => [...runs.values()].filter((r) => r.state === 'running').length;

  function publish(run: Run, event: RunEvent): void {
    run.last = event;
    const frame = `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
    for (const res of run.listeners) {
      res.write(frame);
      if (event.type !== 'progress') res.end();
    }
    if (event.type !== 'progress') run.listeners.clear();
  }

  function finish(run: Run, state: Exclude<RunSnapshot['state'], 'running'>, event: RunEvent): void {
    if (run.state !== 'running') return;
    run.state = state;
    const worker = run.worker;
    run.worker = undefined;
    if (worker !== undefined) void worker.terminate();
    publish(run, event);
    forgetOldRuns();
  }

  function forgetOldRuns(): void {
    const finished = [...runs.values()].filter((r) => r.state !== 'running');
    for (const run of finished.slice(0, Math.max(0, finished.length - FINISHED_RUNS_KEPT))) runs.delete(run.id);
  }

  function startRun(text: string): Run {
    const task: WorkerTask = { text, maxDigits, maxSamples };
    const run: Run = { id: randomUUID(), state: 'running', last: undefined, worker: undefined, listeners: new Set() };
    const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: task });
    run.worker = worker;
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'progress') {
        if (run.state === 'running') publish(run, message);
      } else {
        finish(run, message.type === 'result' ? 'done' : 'failed', message);
      }
    });
    worker.on('error', (error) => {
      finish(run, 'failed', { type: 'failed', error: { code: 'INTERNAL', message: `the computation failed: ${error.message}` } });
    });
    worker.on('exit', (code) => {
      finish(run, 'failed', { type: 'failed', error: { code: 'INTERNAL', message: `the computation stopped unexpectedly (exit code ${code})` } });
    });
    runs.set(run.id, run);
    return run;
  }

  async function createRun(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { input } = await readJson(req, maxBodyBytes, '{"input": "2^1000-1"}');
    if (typeof input !== 'string') throw new HttpError(400, 'expected {"input": "<number or expression>"}');
    if (input.trim() === '') throw new HttpError(400, 'type a number (such as 27 or 2^1000-1) or pick a digit file');
    try {
      // Bounded work (see expression.ts): cheap enough for this thread, whatever was sent.
      await inTurn(() => parseExpression(input, { maxDigits }));
    } catch (error) {
      if (error instanceof MathStreamError) {
        const offset = (error as { offset?: number }).offset;
        const tooLarge = error instanceof NumberTooLargeError || error instanceof ResultTooLargeError;
        throw new HttpError(tooLarge ? 413 : 400, error.message, { code: error.code, offset });
      }
      throw error;
    }
    if (running() >= maxRunning) throw new HttpError(429, `${maxRunning} runs are already computing; wait for one to finish or cancel it`);
    const run = startRun(input);
    sendJson(res, 201, { id: run.id, events: `/api/runs/${run.id}/events` });
  }

  function streamEvents(run: Run, req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    res.write('retry: 1000\n\n');
    if (run.last !== undefined) res.write(`event: ${run.last.type}\ndata: ${JSON.stringify(run.last)}\n\n`);
    if (run.state !== 'running') {
      res.end();
      return;
    }
    run.listeners.add(res);
    req.on('close', () => run.listeners.delete(res));
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    checkHost(req, actualPort);
    checkOrigin(req, actualPort);
    const path = new URL(req.url ?? '/', `http://${HOST}`).pathname;
    const method = req.method ?? 'GET';
    const allow = (methods: string): void => {
      if (!methods.split(',').includes(method)) throw new HttpError(405, `${method} is not supported on ${path}`, {}, methods);
    };
    if (path === '/' || path === '/index.html') {
      allow('GET,HEAD');
      return sendStatic(res, 'text/html; charset=utf-8', page());
    }
    if (path === '/app.js') {
      allow('GET,HEAD');
      return sendStatic(res, 'text/javascript; charset=utf-8', assets.clientJs);
    }
    if (path === '/chart.js') {
      allow('GET,HEAD');
      return sendStatic(res, 'text/javascript; charset=utf-8', assets.chartJs);
    }
    if (path === '/api/runs') {
      allow('POST');
      return createRun(req, res);
    }
    const match = /^\/api\/runs\/([0-9a-f-]{36})(\/events|\/cancel)?$/.exec(path);
    if (match) {
      const run = runs.get(match[1]!);
      if (run === undefined) throw new HttpError(404, 'no such run (finished runs are kept for a while only)');
      if (match[2] === '/events') {
        allow('GET');
        return streamEvents(run, req, res);
      }
      if (match[2] === '/cancel') {
        allow('POST');
        finish(run, 'cancelled', { type: 'cancelled' });
        return sendJson(res, 200, { id: run.id, state: run.state });
      }
      allow('GET');
      const snapshot: RunSnapshot = { id: run.id, state: run.state, last: run.last };
      return sendJson(res, 200, snapshot);
    }
    throw new HttpError(404, `nothing at ${path}`);
  }

  const server: Server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      const message = error instanceof Error ? error.message : String(error);
      const extra = error instanceof HttpError ? error.extra : {};
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // After a refused upload the rest of the body is not read: close the connection.
      const headers: Record<string, string> = status === 413 ? { Connection: 'close' } : {};
      if (error instanceof HttpError && error.allowHeader !== undefined) headers.Allow = error.allowHeader;
      sendJson(res, status, { error: status === 500 ? `internal error: ${message}` : message, ...extra }, headers);
    });
  });
  server.headersTimeout = 30_000;
  server.requestTimeout = 120_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  actualPort = typeof address === 'object' && address !== null ? address.port : port;

  return {
    url: `http://${HOST}:${actualPort}/`,
    port: actualPort,
    async close(): Promise<void> {
      for (const run of runs.values()) finish(run, 'cancelled', { type: 'cancelled' });
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
