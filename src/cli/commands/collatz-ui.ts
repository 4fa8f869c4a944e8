/**
 * `mathstream collatz-ui [--port N]` — the web app (`mathstream ui`), opened on its Collatz
 * explorer page. Kept as an alias.
 */
import type { Command } from 'commander';
import { action } from '../error-boundary.js';
import { DEFAULT_PORT, collect, serveApp } from './ui.js';

export function register(program: Command): void {
  program
    .command('collatz-ui')
    .description('serve the web app on 127.0.0.1, opened on the Collatz explorer (alias of `ui`)')
    .option('--port <N>', `TCP port (0 = any free port)`, String(DEFAULT_PORT))
    .option('--dir <FOLDER>', 'a folder of digit files the calculator may read (repeatable)', collect)
    .action(action((options: { port: string; dir?: string[] }) => serveApp(options, 'collatz', 'Collatz explorer')));
}
