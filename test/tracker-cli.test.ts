/**
 * The tracker's CLI commands, run as a user would: `node dist/src/cli/main.js status | gc | clear`
 * against a home shared with a live child process that holds references.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnChild, type Child } from './fixtures/children.js';

const MAIN = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

function cli(home: string, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [MAIN, ...args], {
    env: { ...process.env, MATHSTREAM_HOME: home },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface StatusJson {
  home: string;
  files: { path: string; size: number | null; refCount: number; accessCount: number; score: number }[];
  holders: { path: string; owner: string; count: number; alive: boolean }[];
  totals: { files: number; bytes: number; references: number; liveHolders: number };
  trackedFiles: Record<string, number>;
  activeStreams: Record<string, number>;
}

function status(home: string): StatusJson {
  const result = cli(home, 'status');
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as StatusJson;
}

const children: Child[] = [];
after(async () => {
  await Promise.all(children.map((c) => c.kill()));
});

describe('mathstream status | gc | clear', () => {
  test('status of a fresh home is an empty JSON report', () => {
    const home = mkdtempSync(join(tmpdir(), 'ms-cli-'));
    const report = status(home);
    assert.equal(report.home, home);
    assert.deepEqual(report.files, []);
    assert.deepEqual(report.trackedFiles, {});
    assert.deepEqual(report.activeStreams, {});
    assert.equal(report.totals.files, 0);
  });

  test('a command that exits cleanly leaves no marker folder under holders/', () => {
    const home = mkdtempSync(join(tmpdir(), 'ms-cli-'));
    const product = cli(home, 'mul', '123456789012345678901234567890', '987654321098765432109876543210');
    assert.equal(product.code, 0, product.stderr);
    const holders = join(home, 'holders');
    assert.deepEqual(existsSync(holders) ? readdirSync(holders) : [], [], 'no owner folder left behind');
  });

  test('with a live process holding references: status shows them, gc and clear spare them', async () => {
    const home = mkdtempSync(join(tmpdir(), 'ms-cli-'));
    const userFile = join(home, 'mine.txt');
    writeFileSync(userFile, '123\n');
    const child = spawnChild(home, ['hold', '2', userFile]);
    children.push(child);
    const ready = await child.next('ready');
    const held = (ready.paths as string[]).filter((p) => p !== userFile);
    const logDir = join(home, 'log');
    mkdirSync(logDir, { recursive: true });
    const orphan = join(logDir, 'orphan.txt');
    writeFileSync(orphan, '5');

    const report = status(home);
    assert.equal(report.totals.files, held.length + 1, 'the orphan was adopted');
    assert.equal(report.trackedFiles[orphan], 0);
    for (const path of held) {
      assert.equal(report.trackedFiles[path], 1);
      assert.equal(report.activeStreams[path], 1);
    }
    assert.equal(report.totals.liveHolders, 1);
    assert.ok(report.holders.every((h) => h.alive && h.owner === ready.owner));

    const gc = cli(home, 'gc', '--threshold', '0');
    assert.equal(gc.code, 0, gc.stderr);
    assert.deepEqual(gc.stdout.trim().split('\n'), [orphan]);
    assert.match(gc.stderr, /removed 1 file/);
    for (const path of held) assert.ok(existsSync(path), `held ${path} kept`);

    const staged = join(logDir, 'staged.txt');
    writeFileSync(staged, '6');
    const clear = cli(home, 'clear', '--json');
    assert.equal(clear.code, 0, clear.stderr);
    const cleared = JSON.parse(clear.stdout) as { removed: string[]; kept: string[] };
    assert.deepEqual(cleared.removed, [staged]);
    assert.deepEqual(cleared.kept.sort(), [...held].sort());

    await child.kill();
    const gcAfter = cli(home, 'gc', '--threshold', '0', '--json');
    assert.equal(gcAfter.code, 0, gcAfter.stderr);
    assert.deepEqual((JSON.parse(gcAfter.stdout) as { removed: string[] }).removed.sort(), [...held].sort());
    assert.deepEqual(readdirSync(logDir), []);
    assert.deepEqual(status(home).files, []);
    assert.equal(readFileSync(userFile, 'utf8'), '123\n', 'user file untouched');
  });

  test('gc with a high threshold keeps fresh files', () => {
    const home = mkdtempSync(join(tmpdir(), 'ms-cli-'));
    mkdirSync(join(home, 'log'), { recursive: true });
    const path = join(home, 'log', 'fresh.txt');
    writeFileSync(path, '7');
    const result = cli(home, 'gc', '--threshold', '1e9');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '');
    assert.ok(existsSync(path));
  });

  test('a bad threshold is bad input: exit 2 and one line on stderr', () => {
    const home = mkdtempSync(join(tmpdir(), 'ms-cli-'));
    for (const bad of ['-1', 'abc', '', '0x10', 'NaN', 'Infinity']) {
      const result = cli(home, 'gc', '--threshold', bad);
      assert.equal(result.code, 2, `threshold "${bad}"`);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /^mathstream: gc: --threshold must be a number >= 0.*\n$/);
    }
    const missing = cli(home, 'gc');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /threshold/);
  });
});
