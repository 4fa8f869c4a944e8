/**
 * examples/collatz-ui — starts the Collatz explorer and prints its address.
 *
 *   npx tsc -p . && node dist/examples/collatz-ui.js [port]
 *
 * Open the printed URL, type 27 (111 steps) or 2^44497-1 (598,067 steps), watch the
 * progress and the plot of digits per step. Ctrl-C stops the server.
 */
import { startCollatzServer } from '../src/apps/collatz/server.js';

const port = Number(process.argv[2] ?? '8427');
const server = await startCollatzServer({ port });
console.log(`Collatz explorer running at ${server.url}`);
console.log('Try 27, 2^1000-1 or 2^100000-1; Ctrl-C to stop.');
process.once('SIGINT', () => {
  void server.close().then(() => process.exit(0));
});
