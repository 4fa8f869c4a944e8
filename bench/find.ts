/**
 * bench/find — find-my at scale: the streaming scan against GNU grep on the same file, then the
 * index: build time, size, peak RSS, and query latency for queries of 1..120 digits.
 *
 *   node dist/bench/find.js [DIGITS=1e8] [--file FILE] [--runs 3] [--queries 300]
 *
 * Without --file the largest pi file of the home is used if it has DIGITS decimals, otherwise a
 * random-digit file is written to a temp folder (the table says which). grep gets LC_ALL=C.
 * `grep -c -F` counts matching *lines* (the file is one line), so it is compared for time only;
 * `grep -o -F | wc -l` counts non-overlapping matches, so counts are compared on queries that
 * cannot overlap themselves; every indexed answer is checked against the scan.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildIndex, findDigits, largestPiFile, openIndex, readDigits } from '../src/apps/find/index.js';
import { median, peakRssMiB, printTable, timeIt, writeRandomDigitFile } from './util.js';

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1]! : fallback;
}

const positional = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !(all[i - 1] ?? '').startsWith('--'));
const digits = Number(positional[0] ?? '1e8');
const runs = Number(flag('--runs', '3'));
const queryCount = Number(flag('--queries', '300'));

function grepSeconds(args: string[], file: string): { seconds: number; output: string } {
  const start = process.hrtime.bigint();
  const r = spawnSync('sh', ['-c', `grep ${args.join(' ')} ${file}${args.includes('-o') ? ' | wc -l' : ''}`], {
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C' },
  });
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, output: r.stdout.trim() };
}

/** True when no proper prefix of q equals its suffix of the same length (matches cannot overlap). */
function selfOverlapFree(q: string): boolean {
  for (let n = 1; n < q.length; n++) if (q.slice(0, n) === q.slice(q.length - n)) return false;
  return true;
}

function randomDigits(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(Math.floor(Math.random() * 10));
  return s;
}

async function main(): Promise<void> {
  let file = flag('--file', '');
  let source = 'given file';
  let cleanup: string | undefined;
  if (!file) {
    const pi = largestPiFile();
    if (pi && pi.decimals >= digits) {
      file = pi.path;
      source = `pi file in the home (${pi.decimals} decimals)`;
    } else {
      cleanup = mkdtempSync(join(tmpdir(), 'ms-bench-find-'));
      file = join(cleanup, 'random.txt');
      writeRandomDigitFile(file, digits);
      source = `random digits (no pi file of ${digits} decimals in the home)`;
    }
  }
  const bytes = statSync(file).size;
  console.log(`file: ${file}, ${bytes} bytes, ${source}`);

  // Warm the page cache so that every competitor reads from memory.
  grepSeconds(['-c', '-F', 'x'], file);

  const scanRows: Array<Record<string, string | number>> = [];
  for (const q of ['7', '14159', '999999', '271828', randomDigits(14)]) {
    const ours: number[] = [];
    let result = await findDigits(file, q, { index: false });
    for (let r = 0; r < runs; r++) {
      const t = await timeIt(() => findDigits(file, q, { index: false }));
      ours.push(t.seconds);
      result = t.value;
    }
    const grepC: number[] = [];
    const grepO: number[] = [];
    let grepCount = '';
    for (let r = 0; r < runs; r++) {
      grepC.push(grepSeconds(['-c', '-F', q], file).seconds);
      const o = grepSeconds(['-o', '-F', q], file);
      grepO.push(o.seconds);
      grepCount = o.output;
    }
    const agree = selfOverlapFree(q) ? (String(result.count) === grepCount ? 'yes' : 'NO') : `n/a (overlapping: ${result.count} >= ${grepCount})`;
    if (agree === 'NO') process.exitCode = 1;
    const s = median(ours);
    scanRows.push({
      query: q,
      count: result.count,
      first: result.position ?? 'none',
      'scan s': s.toFixed(3),
      'scan MB/s': Math.round(bytes / s / 1e6),
      'grep -c s': median(grepC).toFixed(3),
      'vs grep -c': `${(median(grepC) / s).toFixed(2)}x`,
      'grep -o|wc s': median(grepO).toFixed(3),
      'vs grep -o': `${(median(grepO) / s).toFixed(2)}x`,
      'count = grep -o': agree,
    });
  }
  console.log('\nStreaming scan (median of runs; "vs" > 1 means the scan is faster)');
  printTable(scanRows);

  const rssBefore = peakRssMiB();
  const built = await buildIndex(file);
  const rssAfter = peakRssMiB();
  console.log(`\nIndex: k=${built.k}, ${built.passes} passes, build ${(built.buildMs / 1000).toFixed(2)} s, ` +
    `${(built.bytes / 1e6).toFixed(1)} MB (${(built.bytes / built.digits).toFixed(2)} bytes/digit), peak RSS ${rssAfter} MiB (before build ${rssBefore} MiB)`);

  // Queries: substrings of the file (present) and random strings, lengths 1..120.
  const index = openIndex(file);
  const openLatency: number[] = [];
  const fullLatency: number[] = [];
  const byLength = new Map<string, number[]>();
  let checked = 0;
  try {
    for (let i = 0; i < queryCount; i++) {
      const length = 1 + Math.floor(Math.random() * 120);
      const at = 1 + Math.floor(Math.random() * (built.digits - length));
      const q = i % 2 === 0 ? readDigits(index.digitFd, index.layout, at, at + length - 1) : randomDigits(length);
      const t = await timeIt(() => index.query(q));
      openLatency.push(t.seconds * 1000);
      const band = length < built.k ? `< k (${built.k})` : length <= 20 ? `k..20` : '21..120';
      byLength.set(band, [...(byLength.get(band) ?? []), t.seconds * 1000]);
      const f = await timeIt(() => findDigits(file, q));
      fullLatency.push(f.seconds * 1000);
      if (i < 12) {
        const scanned = await findDigits(file, q, { index: false });
        if (scanned.count !== f.value.count || scanned.position !== f.value.position) {
          console.error(`MISMATCH for ${q}: index ${f.value.position}/${f.value.count}, scan ${scanned.position}/${scanned.count}`);
          process.exitCode = 1;
        }
        checked++;
      }
    }
  } finally {
    index.close();
  }
  const p95 = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length * 0.95)]!;
  const rows = [...byLength].map(([band, v]) => ({ 'query length': band, queries: v.length, 'median ms': median(v).toFixed(3), 'p95 ms': p95(v).toFixed(3) }));
  rows.push({ 'query length': 'all (open index)', queries: openLatency.length, 'median ms': median(openLatency).toFixed(3), 'p95 ms': p95(openLatency).toFixed(3) });
  rows.push({ 'query length': 'all (findDigits: open+query+context)', queries: fullLatency.length, 'median ms': median(fullLatency).toFixed(3), 'p95 ms': p95(fullLatency).toFixed(3) });
  console.log(`\nIndexed query latency (${checked} answers cross-checked against the scan)`);
  printTable(rows);
  if (cleanup) rmSync(cleanup, { recursive: true, force: true });
}

await main();
