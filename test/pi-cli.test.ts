/**
 * pi-cli — `mathstream pi N [-o FILE]` end to end in a child process: stdout text, atomic file,
 * exit code 2 with one clear line for bad N.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const FIRST_100 = '1415926535897932384626433832795028841971693993751058209749445923078164062862089986280348253421170679';

function cli(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const home = mkdtempSync(join(tmpdir(), 'ms-pi-cli-'));
  const child = spawnSync(process.execPath, [MAIN, ...args], {
    encoding: 'latin1',
    env: { ...process.env, MATHSTREAM_HOME: home, ...env },
  });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

describe('mathstream pi', () => {
  test('prints "3." + N decimals + newline on stdout', () => {
    const run = cli(['pi', '100']);
    assert.equal(run.stderr, '');
    assert.equal(run.status, 0);
    assert.equal(run.stdout, `3.${FIRST_100}\n`);
    assert.equal(cli(['pi', '1']).stdout, '3.1\n');
  });

  test('-o writes the same text to a file and nothing to stdout', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ms-pi-out-')), 'pi.txt');
    const run = cli(['pi', '1e2', '-o', path]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, '');
    assert.equal(readFileSync(path, 'latin1'), `3.${FIRST_100}\n`);
  });

  test('bad N exits 2 with one line naming the problem', () => {
    for (const bad of ['0', '-5', '1.5', 'abc', '12x', '']) {
      const run = cli(['pi', bad]);
      assert.equal(run.status, 2, `N = "${bad}": status ${run.status}, stderr ${run.stderr}`);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, /^mathstream: pi: the number of decimals must be a positive integer/, `N = "${bad}"`);
      assert.equal(run.stderr.trim().split('\n').length, 1);
    }
    const tooMany = cli(['pi', '1000'], { MATHSTREAM_MAX_DIGITS: '500' });
    assert.equal(tooMany.status, 2);
    assert.match(tooMany.stderr, /MATHSTREAM_MAX_DIGITS/);
    const absurd = cli(['pi', '1e15']);
    assert.equal(absurd.status, 2);
    assert.match(absurd.stderr, /series terms/); // refused before any work, not by the memory: beyond it pi runs out of core
    assert.equal(cli(['pi']).status, 2, 'missing N');
  });
});
