/**
 * http — the pieces every page of the local web app shares: JSON and static answers, a
 * size-capped body reader, and the two checks that keep other sites out.
 *
 * The app listens on 127.0.0.1 only, but a browser on this machine can still be made to send
 * requests to it by any site it visits. Two checks stop that:
 * - `checkHost`: a request whose Host is not this server's own loopback address is refused, so a
 *   DNS-rebinding page (evil.example resolving to 127.0.0.1) cannot read answers;
 * - `checkOrigin`: a request that a browser marks as coming from another site (`Origin` naming
 *   another origin, or `Sec-Fetch-Site: cross-site`/`same-site`) is refused with 403 — every
 *   state-changing request included, whatever its Content-Type (a cross-site `text/plain` POST
 *   needs no CORS preflight, so the browser would deliver it). The one exception is a top-level
 *   GET navigation, so that a shared deep link (`/pi?q=19700101`) opens from another site.
 *   Requests without either header come from non-browser clients (curl, scripts) on this
 *   machine, which could reach the files anyway; they are allowed.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Worker } from 'node:worker_threads';
import { formatBytes } from '../../config.js';

/** An answer other than 2xx: the status, a message for the page, and optional extra JSON fields. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly allowHeader?: string,
  ) {
    super(message);
  }
}

/** The loopback address the app binds to; never a public interface. */
export const HOST = '127.0.0.1';

/** The Content-Security-Policy of every page: own scripts only, no inline script, no network beyond this server. */
export const CSP = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'";

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store', ...headers });
  res.end(text);
}

export function sendStatic(res: ServerResponse, type: string, body: string | Buffer): void {
  res.writeHead(200, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Content-Security-Policy': CSP,
  });
  res.end(body);
}

/**
 * Reads a request body of at most `limit` bytes. A larger body is a 413, answered only after
 * the upload has been drained (discarding it), so the client sees the message instead of a
 * connection reset; beyond 16× the limit the connection is simply refused.
 * @throws HttpError 413 when the body is larger than `limit`
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = (): HttpError =>
    new HttpError(413, `request too large: the limit is ${formatBytes(limit)} (for a digit file: about ${(limit / 1e6).toFixed(1)} million digits)`);
  const hardLimit = 16 * limit;
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > hardLimit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    // Kept as bytes (outside the JS heap, so no garbage-collector work) until decoded in a turn of its own.
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > hardLimit) {
        reject(tooLarge());
        req.destroy();
      } else if (size <= limit) {
        chunks.push(chunk);
      }
    });
    req.on('end', () => (size > limit ? reject(tooLarge()) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

/** An expression field of a JSON body: where it is, and how to name it in a message. */
export interface ExpressionField {
  readonly path: readonly string[];
  /** Put before the parser's message, e.g. `operand A: `. */
  readonly label: string;
}

/** A body handed to body-worker.ts. */
export interface BodyJob {
  readonly id: number;
  readonly bytes: Uint8Array;
  readonly example: string;
  readonly expressions: readonly ExpressionField[];
  readonly maxDigits: number;
}

export type BodyVerdict =
  | { readonly id: number; readonly ok: true; readonly value: Record<string, unknown> }
  | { readonly id: number; readonly ok: false; readonly status: number; readonly message: string; readonly extra: Record<string, unknown> };

let parser: Worker | undefined;
let nextJob = 0;
const pending = new Map<number, { resolve: (verdict: BodyVerdict) => void; reject: (error: Error) => void }>();

/** The one body-parsing thread of this process, started on first use (and again if it dies). */
function bodyParser(): Worker {
  if (parser !== undefined) return parser;
  const worker = new Worker(new URL('./body-worker.js', import.meta.url));
  const failAll = (error: Error): void => {
    parser = undefined;
    for (const job of pending.values()) job.reject(error);
    pending.clear();
  };
  worker.on('message', (verdict: BodyVerdict) => {
    const job = pending.get(verdict.id);
    pending.delete(verdict.id);
    job?.resolve(verdict);
  });
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`the body parser stopped (exit code ${code})`)));
  // An idle parser must not keep a process alive (after the listeners: adding one refs the port again).
  worker.unref();
  parser = worker;
  return worker;
}

/**
 * Reads a JSON object body (Content-Type application/json, at most `limit` bytes) and parses it,
 * and the expressions in `expressions`, in body-worker.ts: this thread only collects the bytes.
 * @throws HttpError 415 for another type, 413 when too large (the body, or an expression over the
 *   parser's work limit), 400 when not a JSON object or an expression does not parse
 * @example const { input } = await readJson(req, 2 << 20, '{"input": "27"}', [{ path: ['input'], label: '' }], 1e6);
 */
export async function readJson(
  req: IncomingMessage,
  limit: number,
  example: string,
  expressions: readonly ExpressionField[] = [],
  maxDigits = Infinity,
): Promise<Record<string, unknown>> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) throw new HttpError(415, `send the request as JSON: ${example}`);
  const body = await readBody(req, limit);
  // Transfer, not copy; a small Buffer may be a slice of Node's shared pool, which must not move.
  const bytes = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength ? body : new Uint8Array(body);
  const id = nextJob++;
  const verdict = await new Promise<BodyVerdict>((resolve, reject) => {
    pending.set(id, { resolve, reject });
    const job: BodyJob = { id, bytes, example, expressions, maxDigits };
    bodyParser().postMessage(job, [bytes.buffer as ArrayBuffer]);
  });
  if (!verdict.ok) throw new HttpError(verdict.status, verdict.message, verdict.extra);
  return verdict.value;
}

/** The origins this server answers as: `http://127.0.0.1:PORT` and `http://localhost:PORT`. */
export function ownOrigins(port: number): string[] {
  return [`http://${HOST}:${port}`, `http://localhost:${port}`];
}

/**
 * Refuses a request whose Host is not this server's own address (DNS rebinding).
 * @throws HttpError 403
 */
export function checkHost(req: IncomingMessage, port: number): void {
  const host = (req.headers.host ?? '').toLowerCase();
  if (host !== `${HOST}:${port}` && host !== `localhost:${port}`) {
    throw new HttpError(403, `unexpected Host header "${host.slice(0, 100)}": open http://${HOST}:${port}/`);
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * Refuses a request that a browser sent on behalf of another site (see the module comment).
 * @throws HttpError 403
 */
export function checkOrigin(req: IncomingMessage, port: number): void {
  const method = req.method ?? 'GET';
  const origin = header(req, 'origin');
  const site = header(req, 'sec-fetch-site');
  const navigation = (method === 'GET' || method === 'HEAD') && header(req, 'sec-fetch-mode') === 'navigate' && header(req, 'sec-fetch-dest') !== 'iframe';
  if (origin !== undefined && !ownOrigins(port).includes(origin.toLowerCase()) && !navigation) {
    throw new HttpError(403, `requests from other sites are refused (Origin: ${JSON.stringify(origin.slice(0, 100))})`);
  }
  if (site !== undefined && site !== 'same-origin' && site !== 'none' && !navigation) {
    throw new HttpError(403, `requests from other sites are refused (Sec-Fetch-Site: ${JSON.stringify(site.slice(0, 40))})`);
  }
}
