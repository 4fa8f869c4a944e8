/**
 * examples/collatz-ui — starts the local web app on its Collatz explorer and prints its address.
 *
 *   node dist/examples/collatz-ui.js [port]
 *
 * Open the printed URL, type 27 (111 steps) or 2^44497-1 (598,067 steps), watch the
 * progress and the plot of digits per step. Ctrl-C stops the server.
 */
import { startWebApp } from 'mathstream/web';

const port = Number(process.argv[2] ?? '8427');
const app = await startWebApp({ port, landing: 'collatz' });
console.log(`Collatz explorer running at ${app.url}`);
console.log('Try 27, 2^1000-1 or 2^100000-1; the pi search and the calculator are one click away. Ctrl-C to stop.');
process.once('SIGINT', () => {
  void app.close().then(() => process.exit(0));
});
