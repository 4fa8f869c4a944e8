/**
 * `mathstream pi N [-o FILE]` — "3." followed by N decimals of pi and a newline.
 *
 * Without -o the text streams to stdout in chunks (no giant string); with -o it goes to FILE
 * atomically (temp + flush + rename). A progress bar shows on a TTY's stderr only.
 */
import type { Command } from 'commander';
import { action } from '../error-boundary.js';
import { startProgress } from '../progress.js';
import { computePiToFile, computePiToStream, parseDecimalCount } from '../../apps/pi/index.js';
import { checkOutputTarget, type ResumeInfo } from '../../engine/index.js';
import { resumeMessage } from './operations.js';

export function register(program: Command): void {
  program
    .command('pi')
    .description('"3." followed by N decimals of pi and a newline (Chudnovsky, decimal radix end to end)')
    .argument('<N>', 'number of decimals after the point (a positive integer, e.g. 1000000 or 1e6)')
    .option('-o, --output <FILE>', 'write to FILE atomically instead of stdout')
    .option('--fresh', 'beyond the memory budget: start over instead of resuming a killed run of the same count')
    .action(
      action(async (count: string, options: { output?: string; fresh?: boolean }) => {
        const decimals = parseDecimalCount(count);
        const output = options.output === undefined ? undefined : checkOutputTarget(options.output);
        const progress = startProgress(`pi ${decimals}`);
        const abort = new AbortController();
        const onSignal = (): void => abort.abort();
        process.once('SIGINT', onSignal);
        // Beyond the memory budget pi runs out of core, keeps checkpoints and resumes a killed run of the same count
        // (apps/pi/units.ts), as the arithmetic commands do.
        const run = {
          signal: abort.signal,
          onProgress: progress.onProgress,
          resume: true,
          fresh: options.fresh === true,
          onResume: (info: ResumeInfo) => process.stderr.write(resumeMessage(info)),
        };
        try {
          if (output !== undefined) {
            await computePiToFile(decimals, output, run);
          } else {
            // Out of core the digits stream from the result's file: nothing of their size is held in memory.
            await computePiToStream(decimals, process.stdout, { ...run, onComputed: () => progress.stop() });
          }
        } finally {
          progress.stop();
          process.removeListener('SIGINT', onSignal);
        }
      }),
    );
}
