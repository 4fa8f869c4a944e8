/**
 * routes/pi — the pi search page and its API.
 *
 *   GET  /pi                  the page; `/pi?q=19700101` is a deep link (the page searches it)
 *   GET  /api/pi              the home's pi file (path, decimals), its index state, the offered size
 *   POST /api/pi/compute      computes the offered pi file and its index (a run: progress, cancel);
 *                             while one runs, answers 200 with that run instead of starting another
 *   GET  /api/pi/search?q=Q[&n=K]
 *        Q: digits, or a date in any form `find` accepts (each of its digit forms is searched);
 *        K: which occurrence (1 = the first). Answers from the index beside the file when it is
 *        fresh (milliseconds), else by one streaming scan. 400 bad query, 409 no pi file yet.
 */
import { MathStreamError } from '../../../errors.js';
import { checkQuery, dateForms, findDigits, indexStatus, isoDate, largestPiFile, looksLikeDate, parseDate, type FindResult } from '../../find/index.js';
import { workerConfig, type PiTask } from '../protocol.js';
import { HttpError, sendJson, sendStatic } from '../http.js';
import type { Route } from '../server.js';
import { renderPiPage } from '../ui/pi-page.js';

/** Longest query accepted (a pi search for more digits than this finds nothing anyway). */
const MAX_QUERY = 200;
/** Highest occurrence number one can step to (each step lists the positions before it). */
const MAX_OCCURRENCE = 100_000;
/** Digits of context shown on each side of a match. */
const CONTEXT = 20;

export interface PiMatch {
  readonly query: string;
  /** Date forms (DDMMYYYY, …) written as `query`; empty for a digit search. */
  readonly forms: readonly string[];
  /** Which occurrence this is (1-based), or 0 when there is none. */
  readonly n: number;
  /** Position after the decimal point (1 = the first decimal), or null. */
  readonly position: number | null;
  readonly count: number;
  readonly before: string;
  readonly after: string;
  readonly method: FindResult['method'];
}

export interface PiSearchAnswer {
  readonly input: string;
  /** The date read (YYYY-MM-DD) when the query was a date. */
  readonly date: string | null;
  readonly file: string;
  readonly decimals: number;
  readonly matches: readonly PiMatch[];
  readonly elapsedMs: number;
}

function badRequest(error: unknown): never {
  if (error instanceof MathStreamError) throw new HttpError(400, error.message, { code: error.code });
  throw error;
}

/** The `n`-th occurrence of `query` with its context: the positions before it come from the same index. */
async function occurrence(file: string, query: string, n: number, forms: readonly string[]): Promise<PiMatch> {
  const listed = await findDigits(file, query, { limit: n, context: CONTEXT });
  if (listed.count > 0 && n > listed.count) {
    const times = listed.count === 1 ? 'once' : `${listed.count.toLocaleString('en-US')} times`;
    throw new HttpError(400, `"${query}" occurs ${times}; there is no occurrence number ${n.toLocaleString('en-US')}`);
  }
  let found = listed;
  if (n > 1 && listed.count > 0) {
    found = await findDigits(file, query, { afterPosition: listed.positions[n - 2]!, limit: 1, context: CONTEXT });
  }
  return {
    query,
    forms,
    n: found.position === null ? 0 : n,
    position: found.position,
    count: listed.count,
    before: found.before,
    after: found.after,
    method: found.method,
  };
}

export function piRoutes(): Route[] {
  return [
    {
      path: /^\/pi$/,
      methods: 'GET,HEAD',
      handle: (_req, res, { limits, nav }) => sendStatic(res, 'text/html; charset=utf-8', renderPiPage({ nav: nav('pi'), decimals: limits.piDecimals })),
    },
    {
      path: /^\/api\/pi$/,
      methods: 'GET',
      handle: (_req, res, { limits }) => {
        const file = largestPiFile();
        sendJson(res, 200, {
          file: file === undefined ? null : { name: file.path.split('/').pop(), decimals: file.decimals },
          index: file === undefined ? 'missing' : indexStatus(file.path),
          offered: limits.piDecimals,
        });
      },
    },
    {
      path: /^\/api\/pi\/compute$/,
      methods: 'POST',
      handle: (_req, res, { limits, runs }) => {
        // One pi file at a time: a second tab asking joins the computation already running.
        const running = runs.runningOfKind('pi');
        if (running !== undefined) return sendJson(res, 200, { id: running.id, events: `/api/runs/${running.id}/events` });
        const task: PiTask = { kind: 'pi', config: workerConfig(), decimals: limits.piDecimals };
        const run = runs.start({ kind: 'pi', worker: new URL('../job-worker.js', import.meta.url), workerData: task, cancel: 'signal' });
        sendJson(res, 201, { id: run.id, events: `/api/runs/${run.id}/events` });
      },
    },
    {
      path: /^\/api\/pi\/search$/,
      methods: 'GET',
      handle: async (_req, res, { url }) => {
        const began = performance.now();
        const input = (url.searchParams.get('q') ?? '').trim();
        if (input.length > MAX_QUERY) throw new HttpError(400, `the query has ${input.length} characters; at most ${MAX_QUERY} are searched`);
        const nText = url.searchParams.get('n') ?? '1';
        const n = Number(nText);
        if (!/^\d{1,7}$/.test(nText) || n < 1 || n > MAX_OCCURRENCE) {
          throw new HttpError(400, `occurrence n must be a whole number from 1 to ${MAX_OCCURRENCE.toLocaleString('en-US')}, got "${nText.slice(0, 20)}"`);
        }
        const file = largestPiFile();
        if (file === undefined) throw new HttpError(409, 'there is no pi file in the home yet: compute it first', { setup: true });
        let matches: PiMatch[];
        let date: string | null = null;
        try {
          if (looksLikeDate(input)) {
            const parsed = parseDate(input);
            date = isoDate(parsed);
            matches = [];
            for (const form of dateForms(parsed)) matches.push(await occurrence(file.path, form.digits, 1, form.forms));
          } else {
            matches = [await occurrence(file.path, checkQuery(input), n, [])];
          }
        } catch (error) {
          badRequest(error);
        }
        const answer: PiSearchAnswer = { input, date, file: file.path.split('/').pop()!, decimals: file.decimals, matches, elapsedMs: performance.now() - began };
        sendJson(res, 200, answer);
      },
    },
  ];
}
