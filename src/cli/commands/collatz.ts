/**
 * `mathstream collatz X [--json]` — total stopping time (n/2 and 3n+1 each one step), odd
 * steps and the peak's digit count of X's Collatz trajectory.
 *
 * X is an integer literal, `@FILE` for a digit file, or an expression such as `2^1000-1`
 * (evaluated safely, size-capped). Without --json a short summary; with --json exactly one
 * JSON object. A progress bar shows on a TTY's stderr only; Ctrl-C cancels cleanly.
 */
import type { Command } from 'commander';
import { action } from '../error-boundary.js';
import { startProgress } from '../progress.js';
import { getConfig } from '../../config.js';
import { collatz, type CollatzInput, type CollatzResult } from '../../apps/collatz/index.js';
import { evaluate } from '../../apps/collatz/expression.js';

/** Expressions may produce at most this many digits unless MATHSTREAM_MAX_DIGITS says otherwise. */
const DEFAULT_EXPRESSION_DIGITS = 10_000_000;

function toInput(argument: string): CollatzInput {
  if (argument.startsWith('@')) return { file: argument.slice(1) };
  if (/^[+-]?[0-9]+$/.test(argument)) return argument;
  return evaluate(argument, { maxDigits: getConfig().maxDigits ?? DEFAULT_EXPRESSION_DIGITS });
}

function summary(result: CollatzResult, seconds: number): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  return [
    `start      ${n(result.startDigits)} digits`,
    `steps      ${n(result.steps)}   (total stopping time: n/2 and 3n+1 each count one step)`,
    `odd steps  ${n(result.oddSteps)}`,
    `peak       ${result.peakValue !== undefined ? `${result.peakValue} (${n(result.maxDigits)} digits)` : `${n(result.maxDigits)} digits`}, at step ${n(result.peakStep)}`,
    `time       ${seconds.toFixed(3)} s`,
    '',
  ].join('\n');
}

export function register(program: Command): void {
  program
    .command('collatz')
    .description('Collatz trajectory of X: total stopping time, odd steps, digits of the peak')
    .argument('<X>', 'a positive integer literal, @FILE (a digit file), or an expression such as 2^1000-1')
    .option('--json', 'print one JSON object: startDigits, steps, oddSteps, maxDigits, peakStep, peakValue (up to 60 digits), seconds')
    .action(
      action(async (argument: string, options: { json?: boolean }) => {
        const input = toInput(argument);
        const progress = startProgress('collatz');
        const abort = new AbortController();
        const onSignal = (): void => abort.abort();
        process.once('SIGINT', onSignal);
        const started = performance.now();
        try {
          const result = await collatz(input, { signal: abort.signal, onProgress: progress.onProgress });
          progress.stop();
          const seconds = (performance.now() - started) / 1000;
          if (options.json) {
            const { startDigits, steps, oddSteps, maxDigits, peakStep, peakValue } = result;
            process.stdout.write(`${JSON.stringify({ startDigits, steps, oddSteps, maxDigits, peakStep, peakValue, seconds })}\n`);
          } else {
            process.stdout.write(summary(result, seconds));
          }
        } finally {
          progress.stop();
          process.removeListener('SIGINT', onSignal);
        }
      }),
    );
}
