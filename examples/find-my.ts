/**
 * find-my — the prototype's "find my birthday in pi" experiment.
 *
 *   node dist/examples/find-my.js [DATE or DIGITS ...] [--in FILE]
 *
 * Searches each argument (default: 14/03/1987 and 999999) in FILE, or in the largest pi file of
 * the home (computing 10^6 decimals with apps/pi if there is none). A date is searched in its
 * six usual forms. Then it builds the index beside the file and asks again, to show the
 * difference between a streaming scan and an indexed query.
 */
import { getConfig } from 'mathstream';
import { type FindResult, buildIndex, ensurePiFile, findDate, findDigits, indexStatus, looksLikeDate } from 'mathstream/find';
import { reportError, startProgress } from 'mathstream/cli';

function show(label: string, r: FindResult): void {
  const where = r.position === null ? 'not found' : `position ${r.position.toLocaleString('en')}`;
  const context = r.position === null ? '' : `   ...${r.before}[${r.query}]${r.after}...`;
  console.log(`  ${label.padEnd(18)} ${r.query.padEnd(10)} ${where.padEnd(20)} x${r.count}  (${r.method}, ${r.elapsedMs.toFixed(1)} ms)${context}`);
}

async function search(file: string, queries: string[]): Promise<void> {
  for (const q of queries) {
    if (looksLikeDate(q)) {
      const found = await findDate(file, q);
      console.log(`${q} = ${found.date}${found.earliest ? `, earliest as ${found.earliest.forms.join('/')}` : ', in none of its forms'}`);
      for (const r of found.results) show(r.forms.join('='), r);
    } else {
      show('digits', await findDigits(file, q));
    }
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const inAt = args.indexOf('--in');
  let file = inAt >= 0 ? args.splice(inAt, 2)[1] : undefined;
  const queries = args.length > 0 ? args : ['14/03/1987', '999999'];
  if (file === undefined) {
    const progress = startProgress('pi 1,000,000 decimals');
    try {
      const pi = await ensurePiFile(1_000_000, { onProgress: progress.onProgress });
      file = pi.path;
    } finally {
      progress.stop();
    }
  }
  console.log(`searching ${file} (home ${getConfig().home})\n`);
  await search(file, queries);
  if (indexStatus(file) !== 'fresh') {
    const progress = startProgress('index');
    try {
      const built = await buildIndex(file, { onProgress: progress.onProgress });
      progress.stop();
      console.log(`\nbuilt ${built.path}: ${(built.bytes / 2 ** 20).toFixed(1)} MiB, k=${built.k}, ${(built.buildMs / 1000).toFixed(2)} s\n`);
    } finally {
      progress.stop();
    }
  }
  await search(file, queries);
}

main().catch((error: unknown) => {
  process.exitCode = reportError(error);
});
