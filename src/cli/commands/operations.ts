/**
 * arith — `mathstream add|sub|mul|div|mod|pow X Y [-o FILE]` and `mathstream cmp X Y`.
 * Without -o the decimal result goes to stdout (streamed, never built as one string).
 */
import type { Command } from 'commander';
import { add, checkOutputTarget, compare, div, exportToFile, mod, mul, pow, sub, writeToStream, type OperationOptions } from '../../engine/index.js';
import type { StreamNumber } from '../../number.js';
import { operandFiles, parseOperand } from '../operands.js';
import { startProgress } from '../progress.js';
import { action } from '../error-boundary.js';

type Binary = (a: StreamNumber, b: StreamNumber, options: OperationOptions) => Promise<StreamNumber>;

const OPERATIONS: ReadonlyArray<[name: string, summary: string, run: Binary]> = [
  ['add', 'X + Y', add],
  ['sub', 'X - Y', sub],
  ['mul', 'X * Y', mul],
  ['div', 'floor(X / Y) (Python semantics)', div],
  ['mod', 'X mod Y, with the sign of Y (Python semantics)', mod],
  ['pow', 'X ** Y for Y >= 0', pow],
];

export function register(program: Command): void {
  for (const [name, summary, run] of OPERATIONS) {
    program
      .command(`${name} <X> <Y>`)
      .description(`${summary}; X, Y: integer literal or @FILE`)
      .option('-o, --output <FILE>', 'write the result to FILE instead of stdout')
      .action(action(async (x: string, y: string, flags: { output?: string }) => {
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
          const result = await run(a, b, { signal: controller.signal, onProgress: progress.onProgress });
          try {
            if (flags.output !== undefined) await exportToFile(result, flags.output, { signal: controller.signal });
            else await writeToStream(result, process.stdout);
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
