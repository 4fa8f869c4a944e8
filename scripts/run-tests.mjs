#!/usr/bin/env node
// Finds compiled test files under dist/ and hands them to Node's own test runner.
// Node 20's runner does not expand globs, so the file list is built here.
// Default suite: every *.test.js except *.big.test.js; `--big` runs only the big ones.
// The tests' temporary folders (os.tmpdir()) go into one fresh folder per run, removed when the run passes,
// so that repeated runs leave nothing in the machine's temp folder; a failed run keeps it and says where.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const big = process.argv.includes('--big');
const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'));

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

const files = walk('dist', [])
  .filter((f) => f.endsWith('.big.test.js') === big)
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error('run-tests: no test files found');
  process.exit(1);
}
const scratch = mkdtempSync(join(tmpdir(), 'mathstream-tests-'));
const result = spawnSync(
  process.execPath,
  ['--expose-gc', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: { ...process.env, MATHSTREAM_TEST: '1', TMPDIR: scratch } },
);
if (result.status === 0) rmSync(scratch, { recursive: true, force: true });
else console.error(`run-tests: the tests' temporary files are kept in ${scratch}`);
process.exit(result.status ?? 1);
