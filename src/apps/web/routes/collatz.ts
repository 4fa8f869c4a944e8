/**
 * routes/collatz — the Collatz explorer's page and its start request.
 *
 *   GET  /collatz      the page (apps/collatz/ui/page.ts)
 *   POST /api/runs     {"input": "2^1000-1"} → 201 {"id"}; 400 bad input, 413 too large,
 *                      415 not JSON, 429 too many runs. The run itself is apps/collatz/worker.ts.
 */
import { MathStreamError, NumberTooLargeError, ResultTooLargeError } from '../../../errors.js';
import { parseExpression } from '../../collatz/expression.js';
import { renderPage } from '../../collatz/ui/page.js';
import type { WorkerTask } from '../../collatz/protocol.js';
import { HttpError, inTurn, readJson, sendJson, sendStatic } from '../http.js';
import type { Route } from '../server.js';

/**
 * Checks typed text as an expression under the parser's work limit, in a turn of its own.
 * @throws HttpError 400 (syntax, with the offset) or 413 (too many tokens, a literal over `maxDigits`)
 */
export async function checkExpression(text: string, maxDigits: number): Promise<void> {
  try {
    await inTurn(() => parseExpression(text, { maxDigits }));
  } catch (error) {
    if (error instanceof MathStreamError) {
      const offset = (error as { offset?: number }).offset;
      const tooLarge = error instanceof NumberTooLargeError || error instanceof ResultTooLargeError;
      throw new HttpError(tooLarge ? 413 : 400, error.message, { code: error.code, offset });
    }
    throw error;
  }
}

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
        const { input } = await readJson(req, limits.maxBodyBytes, '{"input": "2^1000-1"}');
        if (typeof input !== 'string') throw new HttpError(400, 'expected {"input": "<number or expression>"}');
        if (input.trim() === '') throw new HttpError(400, 'type a number (such as 27 or 2^1000-1) or pick a digit file');
        await checkExpression(input, limits.maxDigits);
        const task: WorkerTask = { text: input, maxDigits: limits.maxDigits, maxSamples: limits.maxSamples };
        const run = runs.start({ kind: 'collatz', worker: new URL('../../collatz/worker.js', import.meta.url), workerData: task, cancel: 'terminate' });
        sendJson(res, 201, { id: run.id, events: `/api/runs/${run.id}/events` });
      },
    },
  ];
}
