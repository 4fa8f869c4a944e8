#!/usr/bin/env node
// A hostile pass over the built CLI (issue 14's closing figures): real SIGKILLs and Ctrl-Cs at
// random moments of many kinds of operation, then the invariants checked after the next start;
// and a list of malformed inputs, each expected to get a one-line refusal (no hang, no stack
// trace, no control byte on the terminal). Prints a summary and exits 1 on any violation.
//
//   node scripts/hostile-pass.mjs [kills-per-kind]      (after `npm run build`)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

const MAIN = join(process.cwd(), 'dist', 'src', 'cli', 'main.js');
const perKind = Number(process.argv[2] ?? 12);
const root = mkdtempSync(join(tmpdir(), 'ms-hostile-'));
const home = join(root, 'home');
const out = join(root, 'out');
mkdirSync(out, { recursive: true });
const USER = join(root, 'user.txt');
const USER_TEXT = `${'31415926535'.repeat(20000)}\n`;
writeFileSync(USER, USER_TEXT);
const BIG = join(root, 'big.txt');
writeFileSync(BIG, `${'27182818284'.repeat(200000)}\n`);
const violations = [];

function cli(args, env = {}, timeout = 60_000) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { env: { ...process.env, MATHSTREAM_HOME: home, ...env }, encoding: 'utf8', timeout, cwd: root });
  return { code: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function checkHome(context) {
  const status = cli(['status']); // a start: reconciles
  if (status.code !== 0) return violations.push(`${context}: status exit ${status.code}: ${status.stderr}`);
  const report = JSON.parse(status.stdout);
  const logDir = join(home, 'log');
  const names = existsSync(logDir) ? readdirSync(logDir) : [];
  const temps = names.filter((n) => n.startsWith('.tmp-'));
  if (temps.length > 0) violations.push(`${context}: temp files survive a start: ${temps.join(', ')}`);
  // A resumable run's checkpoint folder (mul, pow out of core) is kept for the rerun by design: listed by status.
  const checkpoints = new Set((report.checkpoints ?? []).map((c) => c.path));
  for (const name of names.filter((n) => !n.startsWith('.tmp-'))) {
    if (!(join(logDir, name) in report.trackedFiles) && !checkpoints.has(join(logDir, name))) violations.push(`${context}: untracked ${name}`);
  }
  for (const c of report.checkpoints ?? []) if (c.held) violations.push(`${context}: checkpoint still held by a dead run: ${c.path}`);
  for (const path of Object.keys(report.trackedFiles)) if (!existsSync(path)) violations.push(`${context}: stale row ${path}`);
  if (report.holders.some((h) => !h.alive)) violations.push(`${context}: dead holder left`);
  const db = new Database(join(home, 'mathstream.sqlite'), { readonly: true });
  const integrity = db.pragma('integrity_check', { simple: true });
  db.close();
  if (integrity !== 'ok') violations.push(`${context}: integrity ${integrity}`);
  if (readFileSync(USER, 'latin1') !== USER_TEXT) violations.push(`${context}: user file changed`);
}

const KINDS = {
  'add big': ['add', `@${BIG}`, `@${USER}`],
  'mul big': ['mul', `@${BIG}`, `@${USER}`],
  'div big': ['div', `@${BIG}`, `@${USER}`],
  'pow': ['pow', '7', '900000'],
  'pow -o': ['pow', '3', '2000000', '-o', join(out, 'pow.txt')],
  'mul -o': ['mul', `@${BIG}`, '97', '-o', join(out, 'mul.txt')],
  'pi -o': ['pi', '30000', '-o', join(out, 'pi.txt')],
  'find --index (index build)': ['find', '999999', '--in', BIG, '--index'],
  'collatz': ['collatz', `@${USER}`],
  'literal staging': ['add', '9'.repeat(100000), `@${BIG}`],
  'gc': ['gc', '--threshold', '0'],
  'clear': ['clear'],
};

async function killOnce(args, signal, durationMs) {
  const child = spawn(process.execPath, [MAIN, ...args], { env: { ...process.env, MATHSTREAM_HOME: home }, stdio: 'ignore', cwd: root });
  const exited = new Promise((done) => child.on('exit', (code, sig) => done({ code, sig })));
  // Uniform over the run's own duration (measured once, unkilled): start-up, work and exit alike.
  await new Promise((r) => setTimeout(r, Math.floor(Math.random() * durationMs)));
  child.kill(signal);
  return exited;
}

const killTally = {};
for (const [kind, args] of Object.entries(KINDS)) {
  const began = Date.now();
  cli(args);
  const durationMs = Math.max(50, Date.now() - began);
  cli(['gc', '--threshold', '0']);
  for (const signal of ['SIGKILL', 'SIGINT']) {
    for (let i = 0; i < perKind; i++) {
      const { code, sig } = await killOnce(args, signal, durationMs);
      const outcome = sig ? `killed by ${sig}` : `exit ${code}`;
      const key = `${kind} / ${signal}`;
      killTally[key] ??= { runMs: durationMs };
      killTally[key][outcome] = (killTally[key][outcome] ?? 0) + 1;
      // Ctrl-C (handled, or before the CLI installed its handler, during Node's start-up) must
      // leave nothing: a finished command freed its files, a cancelled one its temp files and
      // the literals it staged.
      const logDir = join(home, 'log');
      // (a cancelled resumable run keeps its checkpoint folder for the rerun: docs/ARCHITECTURE.md §9)
      const left = signal === 'SIGINT' && existsSync(logDir) ? readdirSync(logDir).filter((n) => !n.startsWith('.resume-')) : [];
      if (left.length > 0) violations.push(`${key} #${i} (${outcome}): left in the log folder: ${left.join(', ')}`);
      checkHome(`${key} #${i}`);
      cli(['gc', '--threshold', '0']); // SIGKILL leftovers, adopted at reference 0 by the check's start
    }
  }
  // The next write into the output folder removes what killed exports left there.
  cli(['add', '1', '1', '-o', join(out, 'sweep.txt')]);
  const left = readdirSync(out).filter((n) => n.startsWith('.tmp-'));
  if (left.length > 0) violations.push(`${kind}: temp files left beside -o after the next write: ${left.join(', ')}`);
}
const rootTemps = readdirSync(root).filter((n) => n.startsWith('.tmp-'));
if (rootTemps.length > 0) console.log(`note: ${rootTemps.length} index temp files beside big.txt (removed by the next index build there)`);

// Malformed and hostile inputs.
const fifo = join(root, 'fifo');
spawnSync('mkfifo', [fifo]);
symlinkSync(join(root, 'loop'), join(root, 'loop'));
const fileHome = join(root, 'a-file');
writeFileSync(fileHome, 'x');
const badFiles = {
  empty: '', space: '1 2', nul: '12\u0000', crlf: '12\r\n', two_newlines: '12\n\n', sign_only: '-', letters: 'abc', utf8: '１２', bom: '\ufeff12', dot: '3.14',
};
for (const [name, text] of Object.entries(badFiles)) writeFileSync(join(root, `bad-${name}.txt`), text);
const symHome = join(root, 'symhome');
mkdirSync(symHome);
mkdirSync(join(root, 'docs'));
writeFileSync(join(root, 'docs', 'keep.txt'), 'keep\n');
symlinkSync(join(root, 'docs'), join(symHome, 'log'));

const inputs = [];
const literals = ['', '-', '+', '--1', '1-', '1 2', ' 1', '1 ', '3.14', '1e5', '0x10', '1_000', '١٢٣', '１２３', '\n', '12\n\n', '12\r\n', 'abc', 'NaN', 'Infinity', '- 1', '\t7', '1\r\n2', '\u001b[31m1', '12\u2028', '9'.repeat(100) + 'x'];
for (const op of ['add', 'mul', 'div', 'pow', 'cmp']) for (const lit of literals) inputs.push({ args: [op, lit, '3'] });
for (const name of Object.keys(badFiles)) inputs.push({ args: ['add', `@${join(root, `bad-${name}.txt`)}`, '1'] });
inputs.push(
  { args: ['add', `@${fifo}`, '1'] }, { args: ['find', '1', '--in', fifo] }, { args: ['collatz', `@${fifo}`] },
  { args: ['add', '@/dev/zero', '1'] }, { args: ['add', `@${root}`, '1'] }, { args: ['add', `@${join(root, 'loop')}`, '1'] },
  { args: ['add', `@${join(root, 'x'.repeat(300))}`, '1'] }, { args: ['add', '@/nonexistent/x', '1'] },
  { args: ['mul', '2', '3', '-o', ''] }, { args: ['mul', '2', '3', '-o', join(home, 'log', 'x.txt')] },
  { args: ['mul', '2', '3', '-o', join(home, 'mathstream.sqlite')] }, { args: ['mul', `@${USER}`, '3', '-o', USER] },
  { args: ['mul', '2', '3', '-o', join(fileHome, 'x.txt')] }, { args: ['pi', '10', '-o', ''] },
  { args: ['add', '1', '2'], env: { MATHSTREAM_HOME: fileHome } }, { args: ['gc', '--threshold', '0'], env: { MATHSTREAM_HOME: symHome } },
  { args: ['pow', '10', '1000000000000'] }, { args: ['pow', '10', '100000000000'] }, { args: ['pow', '2', '9007199254740993'] },
  { args: ['pow', '1', '9007199254740992'], ok: '1\n' }, { args: ['pow', '-1', '9007199254740993'], ok: '-1\n' }, { args: ['pow', '0', '100000000000000000000'], ok: '0\n' },
  { args: ['pow', '2', '-1'] }, { args: ['div', '1', '0'] }, { args: ['mod', '5', '0'] },
  { args: ['gc', '--threshold', '-1'] }, { args: ['gc', '--threshold', 'abc'] }, { args: ['pi', '0'] }, { args: ['pi', '1.5'] },
  { args: ['collatz', '0'] }, { args: ['collatz', '-5'] }, { args: ['find', 'abc', '--in', BIG] }, { args: ['find', '', '--in', BIG] },
  { args: ['nosuchcommand'] }, { args: ['add', '1'] },
  { args: ['add', '1', '2'], env: { MATHSTREAM_MEMORY: 'lots' } }, { args: ['add', '1', '2'], env: { MATHSTREAM_CHUNK: '0' } },
);
const inputTally = {};
for (const input of inputs) {
  const r = cli(input.args, input.env ?? {}, 20_000);
  const label = JSON.stringify(input.args).slice(0, 70);
  const key = r.signal ? `hang/killed (${r.signal})` : `exit ${r.code}`;
  inputTally[key] = (inputTally[key] ?? 0) + 1;
  if (input.ok !== undefined) {
    if (r.code !== 0 || r.stdout !== input.ok) violations.push(`${label}: expected ${JSON.stringify(input.ok)}, got exit ${r.code} ${r.stdout}${r.stderr}`);
    continue;
  }
  if (r.signal) violations.push(`${label}: hang`);
  else if (r.code !== 2) violations.push(`${label}: exit ${r.code}: ${r.stderr.trim()}`);
  if (/internal error|\n\s+at /.test(r.stderr)) violations.push(`${label}: stack or internal error`);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  // commander's usage errors may add a help hint line; ours are one line.
  if (!input.args[0].startsWith('nosuch') && input.args.length > 1 && lines.length !== 1) violations.push(`${label}: ${lines.length} lines on stderr`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/.test(r.stderr)) violations.push(`${label}: control byte on stderr`);
}
if (readdirSync(join(root, 'docs')).join() !== 'keep.txt') violations.push('symlinked log folder: target changed');

console.log(`kills: ${Object.values(killTally).reduce((n, { runMs, ...t }) => n + Object.values(t).reduce((a, b) => a + b, 0), 0)} over ${Object.keys(KINDS).length} kinds × 2 signals`);
for (const [key, tally] of Object.entries(killTally)) console.log(`  ${key}: ${JSON.stringify(tally)}`);
console.log(`inputs: ${inputs.length}: ${JSON.stringify(inputTally)}`);
console.log(violations.length === 0 ? 'violations: none' : `violations (${violations.length}):\n  ${violations.join('\n  ')}`);
rmSync(root, { recursive: true, force: true });
process.exit(violations.length === 0 ? 0 : 1);
