/**
 * routes/collatz — the Collatz explorer's page and its start request.
 *
 *   GET  /collatz      the page (ui/collatz-page.ts)
 *   POST /api/runs     {"input": "2^1000-1"} → 201 {"id"}; 400 bad input, 413 too large,
 *                      415 not JSON, 429 too many runs. The run itself is apps/collatz/worker.ts.
 */
import { renderPage } from '../ui/collatz-page.js';
import type { WorkerTask } from '../../collatz/protocol.js';
import { HttpError, readJson, sendJson, sendStatic } from '../http.js';
import type { Route } from '../server.js';

export function collatzRoutes(): Route[] {
  return [
    {
      path: /^\/collatz$/,
      methods: 'GET,HEAD',
      handle: (_req, res, { limits, nav }) =>
        sendStatic(res, 'text/html; charset=utf-8', renderPage({ maxDigits: limits.maxDigits, maxBodyBytes: limits.maxBodyBytes, nav: nav('collatz') })),
    },
    {
      path: /^\/api\/runs$/,
      methods: 'POST',
      handle: async (req, res, { limits, runs }) => {
        // The expression is parsed, under its work limit, with the body (off this thread).
        const { input } = await readJson(req, limits.maxBodyBytes, '{"input": "2^1000-1"}', [{ path: ['input'], label: '' }], limits.maxDigits);
        if (typeof input !== 'string') throw new HttpError(400, 'expected {"input": "<number or expression>"}');
        if (input.trim() === '') throw new HttpError(400, 'type a number (such as 27 or 2^1000-1) or pick a digit file');
        const task: WorkerTask = { text: input, maxDigits: limits.maxDigits, maxSamples: limits.maxSamples };
        const run = runs.start({ kind: 'collatz', worker: new URL('../../collatz/worker.js', import.meta.url), workerData: task, cancel: 'terminate' });
        sendJson(res, 201, { id: run.id, events: `/api/runs/${run.id}/events` });
      },
    },
  ];
}
