/**
 * arith — `mathstream add|sub|mul|div|mod|pow X Y [-o FILE]` and `mathstream cmp X Y`.
 * Without -o the decimal result goes to stdout (streamed, never built as one string).
 */
import type { Command } from 'commander';
import { add, checkOutputTarget, compare, div, exportToFile, mod, mul, pow, sub, writeToStream, type OperationOptions, type ResumeInfo } from '../../engine/index.js';
import type { StreamNumber } from '../../number.js';
import { operandFiles, parseOperand } from '../operands.js';
import { startProgress } from '../progress.js';
import { action } from '../error-boundary.js';

type Binary = (a: StreamNumber, b: StreamNumber, options: OperationOptions) => Promise<StreamNumber>;

/** name, summary, operation, resumable (out of core it keeps checkpoints and continues a killed run: `--fresh`). */
const OPERATIONS: ReadonlyArray<[name: string, summary: string, run: Binary, resumable: boolean]> = [
  ['add', 'X + Y', add, false],
  ['sub', 'X - Y', sub, false],
  ['mul', 'X * Y', mul, true],
  ['div', 'floor(X / Y) (Python semantics)', div, false],
  ['mod', 'X mod Y, with the sign of Y (Python semantics)', mod, false],
  ['pow', 'X ** Y for Y >= 0', pow, true],
];

/** The stderr line of a run that continues from a checkpoint. */
export function resumeMessage(info: ResumeInfo): string {
  const done = info.total === undefined ? `${info.done} ${info.unit}` : `${info.done} of ${info.total} ${info.unit}`;
  return `${info.operation}: resuming from checkpoint: ${done} done${info.detail ? `, ${info.detail}` : ''} (--fresh starts over)\n`;
}

export function register(program: Command): void {
  for (const [name, summary, run, resumable] of OPERATIONS) {
    const command = program
      .command(`${name} <X> <Y>`)
      .description(`${summary}; X, Y: integer literal or @FILE`)
      .option('-o, --output <FILE>', 'write the result to FILE instead of stdout');
    if (resumable) command.option('--fresh', 'discard the checkpoint of an earlier, interrupted run of this command and start over');
    command
      .action(action(async (x: string, y: string, flags: { output?: string; fresh?: boolean }) => {
        // Checked before any work: `-o ""` is an error (not stdout), and the output may be neither
        // inside the home nor one of the operand files.
        if (flags.output !== undefined) checkOutputTarget(flags.output, operandFiles(x, y));
        const a = await parseOperand(x);
        const b = await parseOperand(y);
        const progress = startProgress(name);
        const controller = new AbortController();
        const cancel = () => controller.abort();
        process.once('SIGINT', cancel);
        try {
          // A resumable run writes -o while its checkpoint still holds the result (`onResult`): a kill during the
          // export costs only the export. Runs that keep no checkpoint leave it to the export below.
          const output = flags.output;
          let exported = false;
          const exportResult = async (result: StreamNumber): Promise<void> => {
            if (output !== undefined) await exportToFile(result, output, { signal: controller.signal });
            exported = true;
          };
          const resume: OperationOptions = resumable
            ? {
              resume: true,
              fresh: flags.fresh === true,
              onResume: (info) => process.stderr.write(resumeMessage(info)),
              ...(output !== undefined ? { onResult: exportResult } : {}),
            }
            : {};
          const result = await run(a, b, { signal: controller.signal, onProgress: progress.onProgress, ...resume });
          try {
            if (output !== undefined) {
              if (!exported) await exportResult(result);
            } else await writeToStream(result, process.stdout);
          } finally {
            result.free();
          }
        } finally {
          process.off('SIGINT', cancel);
          progress.stop();
          a.free();
          b.free();
        }
      }));
  }
  program
    .command('cmp <X> <Y>')
    .description('prints -1, 0 or 1 as X < Y, X = Y, X > Y')
    .action(action(async (x: string, y: string) => {
      const a = await parseOperand(x);
      const b = await parseOperand(y);
      try {
        process.stdout.write(`${await compare(a, b)}\n`);
      } finally {
        a.free();
        b.free();
      }
    }));
}
