/**
 * body-worker — parses request bodies off the server's event loop: UTF-8 decoding, JSON.parse
 * and the expression parser (under its work limit) for the fields that hold expressions.
 *
 * A 2 MiB body costs a few milliseconds to decode and parse, plus garbage-collector work on
 * strings of that size; twenty at once, on the event loop, would delay every page for their sum.
 * Here the event loop only receives the bytes and hands them over (transferred, not copied); a
 * refused body never becomes a string in the server's heap at all.
 */
import { parentPort } from 'node:worker_threads';
import { MathStreamError, NumberTooLargeError, ResultTooLargeError } from '../../errors.js';
import { parseExpression } from '../collatz/expression.js';
import type { BodyJob, BodyVerdict } from './http.js';

function field(value: unknown, path: readonly string[]): unknown {
  let node = value;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function verdict(job: BodyJob): BodyVerdict {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(job.bytes).toString('utf8'));
  } catch {
    return { id: job.id, ok: false, status: 400, message: 'the request body is not valid JSON', extra: {} };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { id: job.id, ok: false, status: 400, message: `expected a JSON object: ${job.example}`, extra: {} };
  }
  for (const { path, label } of job.expressions) {
    const text = field(parsed, path);
    // Missing or empty fields are the route's to name; only text that is there is parsed.
    if (typeof text !== 'string' || text.trim() === '') continue;
    try {
      parseExpression(text, { maxDigits: job.maxDigits });
    } catch (error) {
      if (!(error instanceof MathStreamError)) throw error;
      const tooLarge = error instanceof NumberTooLargeError || error instanceof ResultTooLargeError;
      const offset = (error as { offset?: number }).offset;
      return { id: job.id, ok: false, status: tooLarge ? 413 : 400, message: `${label}${error.message}`, extra: { code: error.code, offset } };
    }
  }
  return { id: job.id, ok: true, value: parsed as Record<string, unknown> };
}

parentPort?.on('message', (job: BodyJob) => {
  let answer: BodyVerdict;
  try {
    answer = verdict(job);
  } catch (error) {
    answer = { id: job.id, ok: false, status: 500, message: `internal error: ${error instanceof Error ? error.message : String(error)}`, extra: {} };
  }
  parentPort!.postMessage(answer);
});
