/**
 * `mathstream status` — the tracker's state as one JSON object: every tracked file (size,
 * references, accesses, collector score), the processes holding references, totals, the
 * prototype's `trackedFiles()` map, and the active streams.
 *
 * Active streams are taken from the tracker (references held by processes that are still
 * running, summed per file), not from `activeStreams()` of number.ts: that function only
 * sees the handles of the process calling it, and this short-lived CLI process holds none.
 */
import type { Command } from 'commander';
import { action } from '../error-boundary.js';
import { trackedFiles, trackerStatus } from '../../tracker/index.js';

/** Live references per file over every running process. */
function liveStreams(holders: ReadonlyArray<{ path: string; count: number; alive: boolean }>): Record<string, number> {
  const streams: Record<string, number> = {};
  for (const holder of holders) {
    if (holder.alive) streams[holder.path] = (streams[holder.path] ?? 0) + holder.count;
  }
  return streams;
}

export function register(program: Command): void {
  program
    .command('status')
    .description('print the tracker state as JSON: tracked files, references, active streams, checkpoints of interrupted runs, totals')
    .action(
      action(() => {
        const status = trackerStatus();
        const report = {
          ...status,
          trackedFiles: trackedFiles(),
          activeStreams: liveStreams(status.holders),
        };
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      }),
    );
}
