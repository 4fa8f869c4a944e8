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

export function formatBytes(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(bytes % (1 << 20) === 0 ? 0 : 1)} MiB` : `${Math.round(bytes / 1024)} KiB`;
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

let turns: Promise<unknown> = Promise.resolve();

/**
 * Runs `job` (a bounded but not tiny piece of main-thread work: parsing a 2 MiB body) in its own
 * event-loop turn, one job per turn. When twenty large bodies finish arriving in one poll phase,
 * their parsing would otherwise run back to back before the next poll, and a page request
 * arriving meanwhile would wait for all of it; taking turns lets it in between any two.
 * @throws whatever `job` throws (the rejection of the returned promise)
 * @example const tree = await inTurn(() => parseExpression(text, { maxDigits }));
 */
export function inTurn<T>(job: () => T): Promise<T> {
  const run = turns.then(() => new Promise<void>((resolve) => setImmediate(resolve))).then(job);
  turns = run.catch(() => undefined);
  return run;
}

/**
 * Reads a JSON object body (Content-Type application/json, at most `limit` bytes).
 * @throws HttpError 415 for another type, 413 when too large, 400 when not a JSON object
 */
export async function readJson(req: IncomingMessage, limit: number, example: string): Promise<Record<string, unknown>> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) throw new HttpError(415, `send the request as JSON: ${example}`);
  const body = await readBody(req, limit);
  const parsed = await inTurn((): unknown => {
    try {
      return JSON.parse(body.toString('utf8'));
    } catch {
      throw new HttpError(400, 'the request body is not valid JSON');
    }
  });
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new HttpError(400, `expected a JSON object: ${example}`);
  return parsed as Record<string, unknown>;
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
