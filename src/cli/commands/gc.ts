/**
 * `mathstream gc --threshold T` — runs the scored collector (src/tracker/collector.ts) and
 * prints the files it removed, one per line (or one JSON object with --json). Only
 * unreferenced staged files in the log folder are ever removed. A threshold that is not a
 * non-negative number is bad input (exit 2).
 */
import type { Command } from 'commander';
import { action } from '../error-boundary.js';
import { InvalidArgumentError } from '../../errors.js';
import { collectGarbage } from '../../tracker/index.js';

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Reads the threshold strictly: `Number('')` is 0 and `Number('0x10')` is 16, neither meant. */
export function parseThreshold(text: string): number {
  const trimmed = text.trim();
  const value = Number(trimmed);
  if (!NUMBER.test(trimmed) || !Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError(`gc: --threshold must be a number >= 0 (score = idle seconds / ((refs + 1) * (accesses + 1))), got "${text}"`);
  }
  return value;
}

export function register(program: Command): void {
  program
    .command('gc')
    .description('delete unreferenced staged files whose score (idle seconds / ((refs+1)(accesses+1))) is >= T')
    .requiredOption('--threshold <T>', 'score threshold, a number >= 0 (0 removes every unreferenced file)')
    .option('--json', 'print one JSON object')
    .action(
      action((flags: { threshold: string; json?: boolean }) => {
        const removed = collectGarbage(parseThreshold(flags.threshold));
        if (flags.json) process.stdout.write(`${JSON.stringify({ removed })}\n`);
        else for (const path of removed) process.stdout.write(`${path}\n`);
        if (!flags.json) process.stderr.write(`gc: removed ${removed.length} file${removed.length === 1 ? '' : 's'}\n`);
      }),
    );
}
