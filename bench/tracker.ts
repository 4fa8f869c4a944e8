/**
 * bench/tracker — how many registerReference/releaseReference pairs per second the tracker
 * sustains, in one process and with 3 processes contending for one home; touchLogFile rate.
 *
 * Competitor: the prototype's set-up (rollback journal, synchronous=FULL, one autocommit UPDATE per
 * count change, no holder rows), measured in the same run on the same disk, to show what WAL +
 * synchronous=NORMAL + per-owner holder rows cost or save.
 *
 * Run: node dist/bench/tracker.js [seconds per measurement, default 1]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { configure, getConfig } from '../src/config.js';
import { closeTracker, trackedFiles } from '../src/tracker/index.js';
import { registerLogFile, registerReference, releaseReference, touchLogFile } from '../src/tracker/references.js';
import { median, peakRssMiB, printTable } from './util.js';

const SECONDS = Number(process.argv[3] ?? process.argv[2] ?? 1) || 1;

function useHome(home: string): string {
  configure({ home });
  trackedFiles(); // open + reconcile outside the timed loop
  const path = join(getConfig().logDir, `bench-${process.pid}.txt`);
  writeFileSync(path, '123');
  registerLogFile(path, 3);
  return path;
}

/** Runs `step` for `seconds` and returns steps per second. */
function rate(seconds: number, step: () => void): number {
  const end = performance.now() + seconds * 1000;
  let count = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 64; i++) step();
    count += 64;
  }
  return count / seconds;
}

/** Pairs on a file that stays referenced (1 → 2 → 1): the common case of a shared literal. */
function heldPairs(path: string, seconds: number): number {
  registerReference(path);
  const r = rate(seconds, () => {
    registerReference(path);
    releaseReference(path);
  });
  releaseReference(path, { deleteFile: false });
  return r;
}

/** Pairs that reach 0 each time (rows dropped and re-created, file kept). */
function zeroPairs(path: string, seconds: number): number {
  return rate(seconds, () => {
    registerReference(path);
    releaseReference(path, { deleteFile: false });
  });
}

/** The prototype's approach: rollback journal, synchronous FULL, one UPDATE per count change. */
function seedPairs(seconds: number): number {
  const dir = mkdtempSync(join(tmpdir(), 'ms-bench-seed-'));
  const db = new Database(join(dir, 'seed.sqlite'));
  db.pragma('journal_mode = DELETE');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE refs (path TEXT PRIMARY KEY, ref_count INTEGER)');
  db.prepare("INSERT INTO refs VALUES ('x', 1)").run();
  const up = db.prepare("UPDATE refs SET ref_count = ref_count + 1 WHERE path = 'x'");
  const down = db.prepare("UPDATE refs SET ref_count = ref_count - 1 WHERE path = 'x'");
  const r = rate(seconds, () => {
    up.run();
    down.run();
  });
  db.close();
  return r;
}

async function contended(home: string, processes: number, seconds: number): Promise<number[]> {
  const script = fileURLToPath(import.meta.url);
  const runs = Array.from({ length: processes }, () =>
    new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, [script, 'worker', home, String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('exit', (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`worker exit ${code}`))));
    }),
  );
  return Promise.all(runs);
}

async function main(): Promise<void> {
  if (process.argv[2] === 'worker') {
    const path = useHome(process.argv[3]!);
    process.stdout.write(`${heldPairs(path, Number(process.argv[4]))}\n`);
    closeTracker();
    return;
  }
  const home = mkdtempSync(join(tmpdir(), 'ms-bench-tracker-'));
  const path = useHome(home);
  const held: number[] = [];
  const zero: number[] = [];
  const seed: number[] = [];
  const touch: number[] = [];
  const three: number[] = [];
  const threeEach: number[][] = [];
  for (let run = 0; run < 3; run++) {
    held.push(heldPairs(path, SECONDS));
    zero.push(zeroPairs(path, SECONDS));
    seed.push(seedPairs(SECONDS));
    registerReference(path);
    touch.push(rate(SECONDS, () => touchLogFile(path)));
    releaseReference(path, { deleteFile: false });
    registerLogFile(path, 3);
    const each = await contended(home, 3, SECONDS);
    threeEach.push(each);
    three.push(each.reduce((a, b) => a + b, 0));
  }
  const base = median(held);
  printTable([
    { measure: 'pairs/s, 1 process, count 1→2→1', 'median /s': Math.round(base), ratio: 1 },
    { measure: 'pairs/s, 1 process, count 0→1→0 (rows dropped)', 'median /s': Math.round(median(zero)), ratio: +(median(zero) / base).toFixed(2) },
    { measure: 'pairs/s, 3 processes contending (sum)', 'median /s': Math.round(median(three)), ratio: +(median(three) / base).toFixed(2) },
    { measure: 'touchLogFile/s, 1 process', 'median /s': Math.round(median(touch)), ratio: +(median(touch) / base).toFixed(2) },
    { measure: "seed set-up (rollback journal, FULL sync, bare UPDATEs)", 'median /s': Math.round(median(seed)), ratio: +(median(seed) / base).toFixed(2) },
  ]);
  console.log('3-process runs (pairs/s per process):', threeEach.map((r) => r.map(Math.round).join(' / ')).join('; '));
  console.log(`peak RSS ${peakRssMiB()} MiB`);
  closeTracker();
}

await main();
