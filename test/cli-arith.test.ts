/**
 * The CLI's arithmetic contract (README.md, "CLI"): `mathstream add|sub|mul|div|mod|pow X Y
 * [-o FILE]` and `cmp X Y`, literals or @FILE operands, one-line errors with exit code 2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshHome, floorDiv, floorMod, logFiles } from './helpers.js';

const home = freshHome('ms-cli-');
const CLI = join(process.cwd(), 'dist', 'src', 'cli', 'main.js');

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, MATHSTREAM_HOME: home },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('every operation prints the decimal result and a newline', () => {
  const a = -98765432109876543210987n;
  const b = 1234567891n;
  const expected: Record<string, bigint> = {
    add: a + b,
    sub: a - b,
    mul: a * b,
    div: floorDiv(a, b),
    mod: floorMod(a, b),
  };
  for (const [op, value] of Object.entries(expected)) {
    const out = cli(op, a.toString(), b.toString());
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout, `${value}\n`, op);
  }
  assert.equal(cli('pow', '-3', '41').stdout, `${(-3n) ** 41n}\n`);
  assert.equal(cli('cmp', '5', '-5').stdout, '1\n');
  assert.equal(cli('cmp', '-0', '0').stdout, '0\n');
  assert.equal(cli('cmp', '99', '100').stdout, '-1\n');
});

test('@FILE operands and -o FILE output', () => {
  const x = join(home, 'x.txt');
  writeFileSync(x, `${'9'.repeat(5000)}\n`);
  // Outside the home: an output inside it is refused (test/hardening.test.ts).
  const outDir = mkdtempSync(join(tmpdir(), 'ms-cli-out-'));
  const out = join(outDir, 'out.txt');
  const result = cli('add', `@${x}`, '1', '-o', out);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, '');
  assert.equal(readFileSync(out, 'latin1'), `1${'0'.repeat(5000)}\n`);
  assert.ok(existsSync(x), 'the input file is untouched');
  assert.ok(!readdirSync(outDir).some((name) => name.startsWith('.tmp-')), 'no temp file beside the output');
});

test('bad input: one line on stderr, exit code 2, no stack trace, nothing left behind', () => {
  const cases: string[][] = [
    ['add', '12x', '1'],
    ['mul', '3.14', '2'],
    ['div', '1', '0'],
    ['mod', '5', '-0'],
    ['pow', '2', '-3'],
    ['add', `@${join(home, 'missing.txt')}`, '1'],
    ['add', '1'],
    ['frobnicate', '1', '2'],
  ];
  for (const args of cases) {
    const result = cli(...args);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.equal(result.stdout, '');
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    assert.ok(result.stderr.trim().split('\n').length <= 2, result.stderr);
  }
  assert.match(cli('div', '1', '0').stderr, /division by zero/);
  assert.match(cli('add', '12x', '1').stderr, /invalid number in literal "12x" at byte 2/);
  assert.deepEqual(logFiles(home), [], 'operands and results were all released');
});
