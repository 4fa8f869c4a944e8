/**
 * server — the one local web app: pi search (/pi), the calculator on digit files (/calc) and the
 * Collatz explorer (/collatz), served on 127.0.0.1.
 *
 * This module holds what every page shares: the HTTP server, the Host and Origin checks
 * (http.ts), the body and digit limits (bodies are parsed off the event loop, body-worker.ts), the run registry with its Server-Sent Events
 * (runs.ts), the static assets, and the results the calculator holds. Each page adds small
 * route handlers (routes/*.ts). Nothing outside the app's own assets is served, except the
 * calculator's results and the digit files listed by files.ts (by id, never by path).
 *
 *   GET  /pi, /calc, /collatz        the pages (/ redirects to the landing page)
 *   GET  /assets/NAME.js             the pages' scripts and Chart.js (from the package, no CDN)
 *   GET  /api/runs/:id               a run's state and last event
 *   GET  /api/runs/:id/events        its Server-Sent Events: progress, result, failed, cancelled
 *   POST /api/runs/:id/cancel        stops it
 *   (plus each page's routes: routes/collatz.ts, routes/pi.ts, routes/calc.ts)
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getConfig } from '../../config.js';
import { InvalidArgumentError } from '../../errors.js';
import { HOST, HttpError, checkHost, checkOrigin, sendJson, sendStatic } from './http.js';
import { RunRegistry } from './runs.js';
import { HeldResults } from './results.js';
import { defaultSaveFolder } from './files.js';
import { collatzRoutes } from './routes/collatz.js';
import { piRoutes } from './routes/pi.js';
import { calcRoutes } from './routes/calc.js';
import { NAV_CSS } from './ui/layout.js';

export interface WebAppOptions {
  /** TCP port on 127.0.0.1; 0 (the default) picks a free one. */
  readonly port?: number;
  /** Largest request body in bytes (default 2 MiB). */
  readonly maxBodyBytes?: number;
  /** Largest typed number or expression value, in decimal digits (default 1,000,000). */
  readonly maxDigits?: number;
  /** Largest calculator result, in decimal digits, estimated before any work (default 10^9). */
  readonly maxResultDigits?: number;
  /** Runs computing at the same time, all pages together (default 2); more are refused with 429. */
  readonly maxRunning?: number;
  /** Points in a Collatz plot (default 2000). */
  readonly maxSamples?: number;
  /** Folders whose digit files the calculator may read (besides the home). */
  readonly folders?: readonly string[];
  /** Where "save" writes results (default `<home>/saved`). */
  readonly saveFolder?: string;
  /** Decimals of the pi file the pi page offers to compute (default 10^7). */
  readonly piDecimals?: number;
  /** The page `/` opens (default 'pi'). */
  readonly landing?: 'pi' | 'calc' | 'collatz';
}

export interface WebApp {
  /** The landing page's address. */
  readonly url: string;
  readonly port: number;
  /** Stops all runs, releases held results, closes all connections. */
  close(): Promise<void>;
}

export type Limits = Required<Omit<WebAppOptions, 'port' | 'landing'>>;

/** What a route handler gets: the request's URL and match, the limits, the registry, the held results. */
export interface RouteContext {
  readonly url: URL;
  readonly match: RegExpExecArray;
  readonly limits: Limits;
  readonly runs: RunRegistry;
  /** Calculator results this server holds a reference on, by run id. */
  readonly results: HeldResults;
  /** The navigation bar, for pages. */
  readonly nav: (active: 'pi' | 'calc' | 'collatz') => string;
}

export interface Route {
  readonly path: RegExp;
  readonly methods: string;
  handle(req: IncomingMessage, res: ServerResponse, context: RouteContext): Promise<void> | void;
}

interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

/** The scripts the pages load; nothing else under /assets exists. */
function loadAssets(): Map<string, Asset> {
  const require = createRequire(import.meta.url);
  const script = (url: URL): Asset => ({
    type: 'text/javascript; charset=utf-8',
    // The compiled script's source-map comment would point at a path this server does not serve.
    body: Buffer.from(readFileSync(fileURLToPath(url), 'utf8').replace(/^\/\/# sourceMappingURL=.*$/m, '')),
  });
  return new Map([
    ['chart.js', { type: 'text/javascript; charset=utf-8', body: readFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.min.js')) }],
    ['common.js', script(new URL('./ui/common.js', import.meta.url))],
    ['pi.js', script(new URL('./ui/pi.js', import.meta.url))],
    ['calc.js', script(new URL('./ui/calc.js', import.meta.url))],
    ['collatz.js', script(new URL('./ui/collatz.js', import.meta.url))],
  ]);
}

const PAGES = [
  ['pi', 'Pi search'],
  ['calc', 'Calculator'],
  ['collatz', 'Collatz'],
] as const;

function renderNav(active: 'pi' | 'calc' | 'collatz'): string {
  const links = PAGES.map(([path, label]) => `<a href="/${path}"${path === active ? ' aria-current="page"' : ''}>${label}</a>`).join('');
  return `<style>${NAV_CSS}</style><nav class="app-nav" aria-label="mathstream pages"><span class="brand">mathstream</span>${links}</nav>`;
}

/**
 * Starts the app; resolves once it listens.
 * @throws InvalidArgumentError for a bad port; the listen error (EADDRINUSE) as is
 * @example const app = await startWebApp({ port: 0 }); console.log(app.url); await app.close();
 */
export async function startWebApp(options: WebAppOptions = {}): Promise<WebApp> {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError(`port must be an integer 0..65535, got ${port}`);
  const limits: Limits = {
    maxBodyBytes: options.maxBodyBytes ?? 2 * 1024 * 1024,
    maxDigits: options.maxDigits ?? 1_000_000,
    maxResultDigits: options.maxResultDigits ?? 1_000_000_000,
    maxRunning: options.maxRunning ?? 2,
    maxSamples: options.maxSamples ?? 2000,
    folders: (options.folders ?? []).map((folder) => resolve(folder)),
    saveFolder: resolve(options.saveFolder ?? defaultSaveFolder()),
    piDecimals: options.piDecimals ?? getConfig().defaultPiDecimals,
  };
  const landing = options.landing ?? 'pi';
  const assets = loadAssets();
  const runs = new RunRegistry(limits.maxRunning);
  const results = new HeldResults();
  let actualPort = 0;

  const core: Route[] = [
    {
      path: /^\/(index\.html)?$/,
      methods: 'GET,HEAD',
      handle: (_req, res) => {
        res.writeHead(302, { Location: `/${landing}`, 'Content-Length': 0 });
        res.end();
      },
    },
    {
      path: /^\/assets\/([a-z]+\.js)$/,
      methods: 'GET,HEAD',
      handle: (_req, res, { match }) => {
        const asset = assets.get(match[1]!);
        if (asset === undefined) throw new HttpError(404, `nothing at ${match[0]}`);
        sendStatic(res, asset.type, asset.body);
      },
    },
    {
      path: /^\/api\/runs\/([0-9a-f-]{36})$/,
      methods: 'GET',
      handle: (_req, res, { match }) => sendJson(res, 200, runs.snapshot(findRun(match[1]!))),
    },
    {
      path: /^\/api\/runs\/([0-9a-f-]{36})\/events$/,
      methods: 'GET',
      handle: (req, res, { match }) => runs.stream(findRun(match[1]!), req, res),
    },
    {
      path: /^\/api\/runs\/([0-9a-f-]{36})\/cancel$/,
      methods: 'POST',
      handle: (_req, res, { match }) => {
        const run = findRun(match[1]!);
        runs.cancel(run);
        sendJson(res, 200, runs.snapshot(run));
      },
    },
  ];
  const routes = [...core, ...collatzRoutes(), ...piRoutes(), ...calcRoutes()];

  function findRun(id: string) {
    const run = runs.get(id);
    if (run === undefined) throw new HttpError(404, 'no such run (finished runs are kept for a while only)');
    return run;
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    checkHost(req, actualPort);
    checkOrigin(req, actualPort);
    const url = new URL(req.url ?? '/', `http://${HOST}:${actualPort}`);
    const method = req.method ?? 'GET';
    for (const candidate of routes) {
      const match = candidate.path.exec(url.pathname);
      if (match === null) continue;
      if (!candidate.methods.split(',').includes(method)) {
        throw new HttpError(405, `${method} is not supported on ${url.pathname}`, {}, candidate.methods);
      }
      return candidate.handle(req, res, { url, match, limits, runs, results, nav: renderNav });
    }
    throw new HttpError(404, `nothing at ${url.pathname.slice(0, 200)}`);
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

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const address = server.address();
  actualPort = typeof address === 'object' && address !== null ? address.port : port;

  return {
    url: `http://${HOST}:${actualPort}/${landing}`,
    port: actualPort,
    async close(): Promise<void> {
      await runs.close();
      results.releaseAll();
      await new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      });
    },
  };
}
