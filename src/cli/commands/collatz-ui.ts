/**
 * `mathstream collatz-ui [--port N]` — serves the Collatz explorer on 127.0.0.1 until Ctrl-C.
 */
import type { Command } from 'commander';
import { action } from '../run.js';
import { InvalidArgumentError } from '../../errors.js';
import { startCollatzServer } from '../../apps/collatz/server.js';

const DEFAULT_PORT = 8427;

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new InvalidArgumentError(`--port: expected 0..65535, got "${text}"`);
  return port;
}

export function register(program: Command): void {
  program
    .command('collatz-ui')
    .description('serve the Collatz explorer (a web page with live progress and a plot) on 127.0.0.1')
    .option('--port <N>', `TCP port (0 = any free port)`, String(DEFAULT_PORT))
    .action(
      action(async (options: { port: string }) => {
        let server;
        try {
          server = await startCollatzServer({ port: parsePort(options.port) });
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
            throw new InvalidArgumentError(`port ${options.port} is in use; pick another with --port N (0 = any free port)`);
          }
          throw error;
        }
        process.stdout.write(`Collatz explorer: ${server.url}  (Ctrl-C to stop)\n`);
        const running = server;
        await new Promise<void>((resolve) => {
          const stop = (): void => {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            void running.close().then(resolve);
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
      }),
    );
}
