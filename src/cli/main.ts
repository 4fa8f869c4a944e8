#!/usr/bin/env node
/**
 * cli/main — the `mathstream` command (its contract: README.md, "CLI").
 *
 * Each sub-command lives in `commands/<name>.ts` and registers itself on the commander
 * program; this file only assembles them and maps parse errors to exit code 2.
 */
import { Command, CommanderError } from 'commander';
import { reportError } from './error-boundary.js';
import { registerCommands } from './commands/index.js';

export function buildProgram(): Command {
  const program = new Command('mathstream')
    .description('exact integer arithmetic on numbers stored as files of decimal digits')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  registerCommands(program);
  return program;
}

/**
 * Ctrl-C while no command has its own SIGINT handler (e.g. while an operand is being read or a
 * literal staged, before the operation starts): exit with 130 through `process.exit`, so the
 * exit hooks run — live handles are released, and a literal file whose last reference that
 * was is deleted at once instead of waiting, unreferenced, for the next `gc`. Commands that
 * cancel cleanly install their own handler; this one then stands aside (it only acts when it
 * is the sole listener). A second Ctrl-C after a command's handler fired also ends here.
 */
function exitOnInterrupt(): void {
  process.on('SIGINT', () => {
    if (process.listenerCount('SIGINT') === 1) process.exit(130);
  });
}

async function main(argv: string[]): Promise<void> {
  exitOnInterrupt();
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; usage errors are bad input.
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    process.exitCode = reportError(error);
  }
}

await main(process.argv);
