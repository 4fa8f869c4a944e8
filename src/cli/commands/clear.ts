/**
 * `mathstream clear` — empties the log folder and the tracker records, except files still
 * referenced by running processes and live writers' temp files, which are kept and listed
 * (see `clearLogs` in src/tracker/collector.ts for why).
 */
import type { Command } from 'commander';
import { action } from '../error-boundary.js';
import { clearLogs } from '../../tracker/index.js';

export function register(program: Command): void {
  program
    .command('clear')
    .description('wipe the log folder and the tracker records (files in use by running processes are kept)')
    .option('--json', 'print one JSON object')
    .action(
      action((flags: { json?: boolean }) => {
        const report = clearLogs();
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(report)}\n`);
          return;
        }
        for (const path of report.removed) process.stdout.write(`removed ${path}\n`);
        for (const path of report.kept) process.stdout.write(`kept ${path} (in use by a running process)\n`);
        process.stderr.write(`clear: removed ${report.removed.length}, kept ${report.kept.length}\n`);
      }),
    );
}
