/**
 * bench/web — how long the web app's pages take to answer (issue 15's closing figures), each next
 * to the same work done directly through the library in this process, plus GMP (gmp-wasm) for the
 * product as the native anchor.
 *
 *   node dist/bench/web.js [DIGITS] [--decimals D] [--home DIR]
 *
 * DIGITS (default 1e7): the size of the two random operand files multiplied on the calculator page.
 * D (default 1e7): the pi file searched (computed through the app's own "compute pi" run when the
 * home has none; --home DIR keeps it between runs).
 * Prints: pi computation (if done), pi search latency per query through HTTP vs findDigits
 * directly, and the product through the app (POST to result event) vs mul() directly vs GMP.
 */
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configure } from '../src/config.js';
import { mul } from '../src/engine/index.js';
import { StreamNumber } from '../src/number.js';
import { findDigits, largestPiFile } from '../src/apps/find/index.js';
import { startWebApp } from '../src/apps/web/server.js';
import type { RunSnapshot } from '../src/apps/web/runs.js';
import { gmpBinding, gmpFree, gmpFromAscii, gmpToAscii } from './kernel-util.js';
import { median, peakRssMiB, printTable, writeRandomDigitFile } from './util.js';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const digits = Number(args.find((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1]!.startsWith('--'))) ?? '1e7');
const decimals = Number(option('--decimals') ?? '1e7');
const home = option('--home') ?? mkdtempSync(join(tmpdir(), 'ms-bench-web-'));
configure({ home });
const numbers = join(home, 'bench-numbers');
mkdirSync(numbers, { recursive: true });

const app = await startWebApp({ port: 0, piDecimals: decimals, folders: [numbers], maxRunning: 2 });
const base = `http://127.0.0.1:${app.port}`;
const json = async <T>(path: string, init?: RequestInit): Promise<T> => (await (await fetch(base + path, init)).json()) as T;
const post = <T>(path: string, body: unknown): Promise<T> =>
  json<T>(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
async function finished(id: string): Promise<RunSnapshot> {
  for (;;) {
    const snapshot = await json<RunSnapshot>(`/api/runs/${id}`);
    if (snapshot.state !== 'running') return snapshot;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const rows: Array<Record<string, string | number>> = [];
try {
  // 1. The pi file, through the app's run, when the home has none large enough.
  const present = largestPiFile();
  if (present === undefined || present.decimals < decimals) {
    const started = performance.now();
    const { id } = await post<{ id: string }>('/api/pi/compute', {});
    const final = await finished(id);
    if (final.state !== 'done') throw new Error(`pi computation ${final.state}: ${JSON.stringify(final.last)}`);
    rows.push({ what: `compute pi ${decimals.toExponential(0)} + index (page run)`, app: `${((performance.now() - started) / 1000).toFixed(2)} s`, direct: '-', ratio: '-' });
  }
  const piFile = largestPiFile()!.path;

  // 2. Pi search: each query a few times through HTTP, and directly.
  for (const q of ['14159265', '19700101', '1987-03-14', '999999', '0123456789']) {
    const http: number[] = [];
    const direct: number[] = [];
    for (let run = 0; run < 7; run++) {
      let t = performance.now();
      const answer = await json<{ matches: Array<{ position: number | null }> }>(`/api/pi/search?q=${encodeURIComponent(q)}`);
      http.push(performance.now() - t);
      if (answer.matches === undefined) throw new Error(`search ${q}: ${JSON.stringify(answer)}`);
      if (!q.includes('-')) {
        t = performance.now();
        await findDigits(piFile, q, { context: 20 });
        direct.push(performance.now() - t);
      }
    }
    const h = median(http);
    const d = direct.length > 0 ? median(direct) : undefined;
    rows.push({ what: `pi search "${q}" in ${decimals.toExponential(0)} (median of 7)`, app: `${h.toFixed(2)} ms`, direct: d === undefined ? '-' : `${d.toFixed(2)} ms`, ratio: d === undefined ? '-' : (h / d).toFixed(2) });
  }

  // 3. The product of two random DIGITS-digit files.
  writeRandomDigitFile(join(numbers, 'a.txt'), digits);
  writeRandomDigitFile(join(numbers, 'b.txt'), digits);
  const files = (await json<{ files: Array<{ id: string; name: string; where: string }> }>('/api/files')).files.filter((f) => f.where === 'bench-numbers');
  const idOf = (name: string): string => files.find((f) => f.name === name)!.id;
  let t = performance.now();
  const { id } = await post<{ id: string }>('/api/calc', { op: 'mul', a: { file: idOf('a.txt') }, b: { file: idOf('b.txt') } });
  const final = await finished(id);
  const appSeconds = (performance.now() - t) / 1000;
  if (final.state !== 'done') throw new Error(`product ${final.state}: ${JSON.stringify(final.last)}`);
  await post(`/api/results/${id}/release`, {});

  t = performance.now();
  const a = await StreamNumber.fromPath(join(numbers, 'a.txt'));
  const b = await StreamNumber.fromPath(join(numbers, 'b.txt'));
  const product = await mul(a, b);
  const directSeconds = (performance.now() - t) / 1000;
  product.free();
  a.free();
  b.free();
  rows.push({ what: `product of two ${digits.toExponential(0)}-digit files`, app: `${appSeconds.toFixed(2)} s`, direct: `${directSeconds.toFixed(2)} s`, ratio: (appSeconds / directSeconds).toFixed(2) });

  const g = await gmpBinding();
  t = performance.now();
  const x = gmpFromAscii(g, readFileSync(join(numbers, 'a.txt')));
  const y = gmpFromAscii(g, readFileSync(join(numbers, 'b.txt')));
  g.mpz_mul(x, x, y);
  gmpToAscii(g, x);
  const gmpSeconds = (performance.now() - t) / 1000;
  gmpFree(g, x, y);
  rows.push({ what: '  GMP (gmp-wasm): parse, mpz_mul, to decimal', app: '-', direct: `${gmpSeconds.toFixed(2)} s`, ratio: `app/gmp ${(appSeconds / gmpSeconds).toFixed(2)}` });
} finally {
  await app.close();
}
printTable(rows);
console.log(`peak RSS of this process (the app's worker threads included): ${peakRssMiB()} MiB`);
