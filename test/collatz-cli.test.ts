/** `mathstream collatz`: the CLI contract (summary, --json, @FILE, errors with exit code 2). */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const home = mkdtempSync(join(tmpdir(), 'ms-collatz-cli-'));
after(() => rmSync(home, { recursive: true, force: true }));

function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, 'collatz', ...args], { encoding: 'utf8', env: { ...process.env, MATHSTREAM_HOME: home } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('collatz 27 prints a readable summary', () => {
  const r = run('27');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /steps\s+111\b/);
  assert.match(r.stdout, /odd steps\s+41\b/);
  assert.match(r.stdout, /peak\s+9232 \(4 digits\), at step 77/);
});

test('--json prints exactly one JSON object', () => {
  const r = run('2^100-1', '--json');
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1);
  const result = JSON.parse(lines[0]!) as Record<string, number>;
  assert.equal(result.steps, 1465);
  assert.equal(result.oddSteps, 528);
  assert.equal(result.maxDigits, 49);
  assert.match(String(result.peakValue), /^\d{49}$/);
});

test('@FILE reads a digit file', () => {
  const path = join(home, 'n.txt');
  writeFileSync(path, '27\n');
  const r = run(`@${path}`, '--json');
  assert.equal(r.status, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { steps: number }).steps, 111);
});

test('bad input is one line on stderr and exit code 2', () => {
  for (const args of [['12a4'], ['0'], ['--', '-5'], ['10^10^10'], [`@${join(home, 'missing.txt')}`]]) {
    const r = run(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^mathstream: /);
  }
});
