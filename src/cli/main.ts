#!/usr/bin/env node
/**
 * cli/main — the `mathstream` command (its contract: README.md, "CLI").
 *
 * Each sub-command lives in `commands/<name>.ts` and registers itself on the commander
 * program; this file only assembles them and maps parse errors to exit code 2.
 */
import { Command, CommanderError } from 'commander';
import { reportError } from './run.js';
import { registerCommands } from './commands/index.js';

export function buildProgram(): Command {
  const program = new Command('mathstream')
    .description('exact integer arithmetic on numbers stored as files of decimal digits')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  registerCommands(program);
  return program;
}

async function main(argv: string[]): Promise<void> {
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
