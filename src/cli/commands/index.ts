/** The list of sub-commands; each module adds its own to the program. */
import type { Command } from 'commander';

export function registerCommands(program: Command): void {
  void program;
}
