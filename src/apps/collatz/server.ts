/**
 * server — the Collatz explorer as a web server: the local web app (apps/web/server.ts) opened
 * on its Collatz page. Kept for `mathstream collatz-ui` and for library users of
 * `startCollatzServer`; the page, its API and the checks live in the web app.
 *
 *   GET  /collatz                 the page (apps/web/ui/collatz-page.ts)
 *   POST /api/runs                {"input": "2^1000-1"} → 201 {"id"}; 400 bad input, 413 too
 *                                 large, 415 not JSON, 429 too many runs
 *   GET  /api/runs/:id            the run's state and last event (JSON)
 *   GET  /api/runs/:id/events     Server-Sent Events: progress, result, failed, cancelled
 *   POST /api/runs/:id/cancel     stops the run (terminates its worker)
 */
import { startWebApp, type WebApp, type WebAppOptions } from '../web/server.js';

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

export type CollatzServer = WebApp;

/**
 * Starts the web app on its Collatz page; resolves once it listens.
 * @throws InvalidArgumentError for a bad port
 * @example const server = await startCollatzServer({ port: 0 }); await server.close();
 */
export function startCollatzServer(options: CollatzServerOptions = {}): Promise<CollatzServer> {
  const app: WebAppOptions = { ...options, landing: 'collatz' };
  return startWebApp(app);
}
