/**
 * `mathstream ui [--port N] [--dir FOLDER]…` — serves the local web app (pi search, the
 * calculator on digit files, the Collatz explorer) on 127.0.0.1 until Ctrl-C.
 * `mathstream collatz-ui` is the same app, opened on its Collatz page.
 */
import type { Command } from 'commander';
import { statSync } from 'node:fs';
import { action } from '../error-boundary.js';
import { InvalidArgumentError } from '../../errors.js';
import { startWebApp, type WebAppOptions } from '../../apps/web/server.js';

export const DEFAULT_PORT = 8427;

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new InvalidArgumentError(`--port: expected 0..65535, got "${text}"`);
  return port;
}

function checkFolder(folder: string): string {
  let isDirectory = false;
  try {
    isDirectory = statSync(folder).isDirectory();
  } catch {
    // reported below
  }
  if (!isDirectory) throw new InvalidArgumentError(`--dir: ${JSON.stringify(folder)} is not a folder`);
  return folder;
}

/** Starts the app and serves until SIGINT/SIGTERM. */
export async function serveApp(options: { port: string; dir?: string[] }, landing: WebAppOptions['landing'], title: string): Promise<void> {
  let app;
  try {
    app = await startWebApp({ port: parsePort(options.port), folders: (options.dir ?? []).map(checkFolder), landing });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new InvalidArgumentError(`port ${options.port} is in use; pick another with --port N (0 = any free port)`);
    }
    throw error;
  }
  process.stdout.write(`${title}: ${app.url}  (Ctrl-C to stop)\n`);
  const running = app;
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void running.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function register(program: Command): void {
  program
    .command('ui')
    .description('serve the web app on 127.0.0.1: pi search, a calculator on digit files, the Collatz explorer')
    .option('--port <N>', 'TCP port (0 = any free port)', String(DEFAULT_PORT))
    .option('--dir <FOLDER>', 'a folder of digit files the calculator may read (repeatable)', collect)
    .action(action((options: { port: string; dir?: string[] }) => serveApp(options, 'pi', 'mathstream')));
}
