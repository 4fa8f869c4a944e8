#!/usr/bin/env node
// Finds compiled test files under dist/ and hands them to Node's own test runner.
// Node 20's runner does not expand globs, so the file list is built here.
// Default suite: every *.test.js except *.big.test.js; `--big` runs only the big ones.
import { readdirSync, statSync } from 'node:fs';
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
const result = spawnSync(
  process.execPath,
  ['--expose-gc', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: { ...process.env, MATHSTREAM_TEST: '1' } },
);
process.exit(result.status ?? 1);
