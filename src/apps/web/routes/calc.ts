/**
 * routes/calc — the calculator on digit files and the home's state.
 *
 *   GET  /calc                         the page
 *   GET  /api/files                    the digit files the calculator may read (files.ts), by id
 *   POST /api/calc                     {"op": "mul", "a": {"text": "2^100"} | {"file": ID}, "b": …}
 *                                      → 201 {"id"} (a run); 400 bad operand, 404 unknown file id,
 *                                      413 too large, 429 too many runs
 *   GET  /api/results/:id/download     the result's digits, streamed from its file
 *   POST /api/results/:id/save         {"name": "x.txt"} → 201, writes it into the save folder
 *   POST /api/results/:id/release      drops this app's reference (the file stays, collectable)
 *   GET  /api/home                     tracked files, references, bytes
 *   POST /api/gc                       {"threshold": 3600} → the collector's removed files
 *
 * A result is an ordinary staged file in the log folder; this app holds a reference on it while
 * it is shown (results.ts), so the collector (run from here or anywhere) leaves it alone until
 * it is released. The app deletes nothing itself: the only deletion is the collector's.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { MathStreamError } from '../../../errors.js';
import type { StreamNumber } from '../../../number.js';
import { writeToStream } from '../../../engine/index.js';
import { writeNumberFile } from '../../../engine/export.js';
import { collectGarbage, trackerStatus } from '../../../tracker/index.js';
import { HttpError, readJson, sendJson, sendStatic } from '../http.js';
import { OPERATIONS, workerConfig, type CalcResultEvent, type CalcTask, type Operation, type ResolvedOperand } from '../protocol.js';
import { findOperandFile, listOperandFiles } from '../files.js';
import type { Route, RouteContext } from '../server.js';
import { renderCalcPage } from '../ui/calc-page.js';

/** Where the calculator's typed operands are in its request body. */
const OPERAND_TEXTS = [
  { path: ['a', 'text'], label: 'operand A: ' },
  { path: ['b', 'text'], label: 'operand B: ' },
];

/** Names a result may be saved under: letters, digits, `._-`, not starting with a dot. */
const SAVE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/;

function resolveOperand(value: unknown, label: string, context: RouteContext): ResolvedOperand {
  if (typeof value !== 'object' || value === null) throw new HttpError(400, `operand ${label}: expected {"text": "…"} or {"file": "<id>"}`);
  const { text, file } = value as { text?: unknown; file?: unknown };
  if (typeof file === 'string') {
    const found = findOperandFile(file, [...context.limits.folders, context.limits.saveFolder]);
    if (found === undefined) throw new HttpError(404, `operand ${label}: no such file in the list (it may have been deleted; reload the list)`);
    return { type: 'file', path: found.path, name: found.name };
  }
  if (typeof text !== 'string') throw new HttpError(400, `operand ${label}: expected {"text": "…"} or {"file": "<id>"}`);
  if (text.trim() === '') throw new HttpError(400, `operand ${label}: type a number or an expression (such as 2^1000-1), or pick a file`);
  // Its syntax and size were checked with the body (readJson, off this thread).
  return { type: 'text', text };
}

const NOT_HELD = 'no such result (it was released, or the app was restarted)';

/** Runs `body` with a handle on the result named in the path. @throws HttpError 404 when not held */
async function withResult<T>(context: RouteContext, body: (number: StreamNumber, id: string) => Promise<T>): Promise<T> {
  const id = context.match[1]!;
  const answer = await context.results.use(id, (number) => body(number, id));
  if (answer === undefined && !context.results.has(id)) throw new HttpError(404, NOT_HELD);
  return answer as T;
}

function folders(context: RouteContext): string[] {
  return [...context.limits.folders, context.limits.saveFolder];
}

export function calcRoutes(): Route[] {
  return [
    {
      path: /^\/calc$/,
      methods: 'GET,HEAD',
      handle: (_req, res, { limits, nav }) =>
        sendStatic(res, 'text/html; charset=utf-8', renderCalcPage({ nav: nav('calc'), maxDigits: limits.maxDigits, maxResultDigits: limits.maxResultDigits, saveFolder: limits.saveFolder })),
    },
    {
      path: /^\/api\/files$/,
      methods: 'GET',
      handle: (_req, res, context) => {
        const files = listOperandFiles(folders(context)).map(({ id, name, where, bytes }) => ({ id, name, where, bytes }));
        sendJson(res, 200, { files, saveFolder: context.limits.saveFolder });
      },
    },
    {
      path: /^\/api\/calc$/,
      methods: 'POST',
      handle: async (req, res, context) => {
        const { limits, runs, results } = context;
        const body = await readJson(req, limits.maxBodyBytes, '{"op": "mul", "a": {"text": "2^100"}, "b": {"file": "<id>"}}', OPERAND_TEXTS, limits.maxDigits);
        const op = body.op;
        if (typeof op !== 'string' || !(OPERATIONS as readonly string[]).includes(op)) {
          throw new HttpError(400, `choose an operation: ${OPERATIONS.join(', ')}`);
        }
        runs.checkCapacity();
        const a = resolveOperand(body.a, 'A', context);
        const b = op === 'isqrt' ? undefined : resolveOperand(body.b, 'B', context);
        const task: CalcTask = { kind: 'calc', config: workerConfig(), op: op as Operation, a, b, maxDigits: limits.maxDigits, maxResultDigits: limits.maxResultDigits };
        let runId = '';
        const run = runs.start({
          kind: 'calc',
          worker: new URL('../job-worker.js', import.meta.url),
          workerData: task,
          cancel: 'signal',
          // Take this thread's reference before the worker drops its own: the file is never unreferenced.
          adopt: (event) => {
            const { path, ...shown } = event as unknown as CalcResultEvent;
            results.hold(runId, path!);
            return Promise.resolve(shown);
          },
        });
        runId = run.id;
        sendJson(res, 201, { id: run.id, events: `/api/runs/${run.id}/events` });
      },
    },
    {
      path: /^\/api\/results\/([0-9a-f-]{36})\/download$/,
      methods: 'GET',
      handle: (_req, res, context) =>
        withResult(context, async (number, id) => {
          res.writeHead(200, {
            'Content-Type': 'text/plain; charset=us-ascii',
            'Content-Length': number.digitCount + (number.isNegative ? 1 : 0) + 1,
            'Content-Disposition': `attachment; filename="result-${id.slice(0, 8)}.txt"`,
            'Cache-Control': 'no-store',
            'X-Content-Type-Options': 'nosniff',
          });
          // Chunk by chunk from the file, each write waiting for the last: never the whole number in memory.
          await writeToStream(number, res);
          res.end();
        }),
    },
    {
      path: /^\/api\/results\/([0-9a-f-]{36})\/save$/,
      methods: 'POST',
      handle: async (req, res, context) => {
        if (!context.results.has(context.match[1]!)) throw new HttpError(404, NOT_HELD);
        const { name } = await readJson(req, 4096, '{"name": "product.txt"}');
        if (typeof name !== 'string' || !SAVE_NAME.test(name)) {
          throw new HttpError(400, 'a name is 1-100 letters, digits, dots, dashes or underscores, not starting with a dot (such as product.txt)');
        }
        const fileName = /\.[A-Za-z0-9]+$/.test(name) ? name : `${name}.txt`;
        const folder = context.limits.saveFolder;
        const target = join(folder, fileName);
        if (existsSync(target)) throw new HttpError(409, `${fileName} already exists in ${folder}; choose another name`);
        mkdirSync(folder, { recursive: true });
        try {
          await withResult(context, (number) => writeNumberFile(number, target));
        } catch (error) {
          if (error instanceof MathStreamError) throw new HttpError(400, error.message, { code: error.code });
          throw error;
        }
        sendJson(res, 201, { name: basename(target), folder });
      },
    },
    {
      path: /^\/api\/results\/([0-9a-f-]{36})\/release$/,
      methods: 'POST',
      handle: (_req, res, context) => {
        if (!context.results.release(context.match[1]!)) throw new HttpError(404, NOT_HELD);
        sendJson(res, 200, { released: true });
      },
    },
    {
      path: /^\/api\/home$/,
      methods: 'GET',
      handle: (_req, res) => {
        const status = trackerStatus();
        const files = status.files
          .slice()
          .sort((a, b) => (a.created < b.created ? 1 : -1))
          .slice(0, 200)
          .map((f) => ({ name: basename(f.path), bytes: f.size, refs: f.refCount, score: Number.isFinite(f.score) ? f.score : null }));
        sendJson(res, 200, { home: status.home, totals: status.totals, files });
      },
    },
    {
      path: /^\/api\/gc$/,
      methods: 'POST',
      handle: async (req, res, { limits }) => {
        const { threshold } = await readJson(req, limits.maxBodyBytes, '{"threshold": 3600}');
        if (typeof threshold !== 'number' || !Number.isFinite(threshold) || threshold < 0) {
          throw new HttpError(400, 'the threshold must be a number >= 0 (score = idle seconds / ((refs + 1) * (accesses + 1)); 0 removes every unreferenced file)');
        }
        const removed = collectGarbage(threshold).map((path) => basename(path));
        sendJson(res, 200, { removed });
      },
    },
  ];
}
