/**
 * Issue 14, the edges: each test here reproduces one report (data loss at the edges, hangs and
 * wrong answers to bad input, messages and exit codes) and runs the CLI as a user would.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pow } from '../src/engine/index.js';
import { NegativeExponentError } from '../src/errors.js';
import { StreamNumber } from '../src/number.js';
import { InvalidArgumentError } from '../src/errors.js';
import { clearLogs, closeTracker, collectGarbage, reconcile, trackedFiles } from '../src/tracker/index.js';
import { registerLogFile } from '../src/tracker/references.js';
import { freshHome } from './helpers.js';
import { spawnChild } from './fixtures/children.js';

const MAIN = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'ms-harden-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function cli(home: string, args: string[], options: { cwd?: string; timeout?: number } = {}): CliResult {
  const result = spawnSync(process.execPath, [MAIN, ...args], {
    env: { ...process.env, MATHSTREAM_HOME: home },
    cwd: options.cwd ?? scratch,
    encoding: 'utf8',
    timeout: options.timeout ?? 60_000,
  });
  return { code: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

let homes = 0;
function newHome(): string {
  return join(scratch, `home-${++homes}`);
}

/** A refusal: exit 2, one line on stderr that matches, no control byte, nothing on stdout. */
function assertRefused(result: CliResult, pattern: RegExp): void {
  assert.equal(result.code, 2, `exit code (stderr: ${result.stderr})`);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, pattern);
  assert.equal(result.stderr.split('\n').length, 2, `one line: ${JSON.stringify(result.stderr)}`);
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(result.stderr.slice(0, -1), /[\u0000-\u001f\u007f-\u009f]/, 'no control character reaches the terminal');
  assert.doesNotMatch(result.stderr, /internal error|\n\s+at /);
}

describe('item 9: error messages and exit codes', () => {
  test('a literal with CR, LF and ESC is echoed escaped, on one line', () => {
    const result = cli(newHome(), ['add', '1\r\n2\u001b[31m', '3']);
    assertRefused(result, /invalid number in literal "1\\r\\n2\\u001b\[31m" at byte 1: unexpected carriage return/);
  });

  test('a file name with a newline is echoed escaped', () => {
    const name = join(scratch, 'bad\nname.txt');
    writeFileSync(name, '12x\n');
    assertRefused(cli(newHome(), ['add', `@${name}`, '1']), /invalid number in .*bad\\nname\.txt at byte 2: unexpected 'x'/);
    assertRefused(cli(newHome(), ['add', `@${name}.missing`, '1']), /bad\\nname\.txt\.missing/);
  });

  test('library: every MathStreamError message is one line without control bytes', async () => {
    assert.equal(new InvalidArgumentError('bad \u001b[2J\r\nname\u0085').message, 'bad \\u001b[2J\\r\\nname\\u0085');
    freshHome('ms-harden-msg-');
    await assert.rejects(StreamNumber.fromLiteral('7\n\n'), (error: Error) => !/[\n\r]/.test(error.message) && /"7\\n\\n"/.test(error.message));
  });

  test('"unexpected space", not "unexpected a space"', () => {
    assertRefused(cli(newHome(), ['add', '1 2', '3']), /at byte 1: unexpected space$/m);
    assertRefused(cli(newHome(), ['mul', '12\t', '3']), /at byte 2: unexpected tab$/m);
  });

  test('a symlink loop, a too-long path, -o below a regular file, a home that is a file: exit 2', () => {
    const loop = join(scratch, 'loop');
    symlinkSync(loop, loop);
    assertRefused(cli(newHome(), ['add', `@${loop}`, '1']), /ELOOP/);
    assertRefused(cli(newHome(), ['add', `@${join(scratch, 'x'.repeat(300))}`, '1']), /ENAMETOOLONG/);
    const file = join(scratch, 'plain.txt');
    writeFileSync(file, '5\n');
    assertRefused(cli(newHome(), ['mul', '2', '3', '-o', join(file, 'out.txt')]), /cannot be created: .*plain\.txt is a file, not a folder/);
    assertRefused(cli(newHome(), ['pi', '5', '-o', join(file, 'sub', 'out.txt')]), /plain\.txt is a file, not a folder/);
    assertRefused(cli(file, ['add', '1', '2']), /cannot open the tracker in .*plain\.txt/);
  });

  test('Ctrl-C while an operand is read: the literal staged before it is deleted at once', async () => {
    const home = newHome();
    const big = join(scratch, 'big-operand.txt');
    writeFileSync(big, '7'.repeat(300_000_000));
    const logDir = join(home, 'log');
    const child = spawn(process.execPath, [MAIN, 'add', '123456789', `@${big}`], {
      env: { ...process.env, MATHSTREAM_HOME: home },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
      child.on('exit', (code, signal) => done({ code, signal })),
    );
    // Wait until the literal is staged (its file is in the log folder), then press Ctrl-C while
    // the 300 MB operand is still being validated.
    const staged = () => existsSync(logDir) && readdirSync(logDir).some((name) => name.startsWith('literal_'));
    const deadline = Date.now() + 30_000;
    while (!staged() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    assert.ok(staged(), 'the literal was staged');
    child.kill('SIGINT');
    const { code, signal } = await exited;
    rmSync(big);
    assert.equal(signal, null, 'the process handled Ctrl-C instead of dying from it');
    assert.equal(code, 130);
    assert.deepEqual(readdirSync(logDir), [], 'nothing left in the log folder');
  });
});

describe('item 6: operands that are not regular files are refused before any read', () => {
  test('add @FIFO, find --in FIFO, collatz @FIFO, add @/dev/zero: exit 2 at once, no hang', () => {
    const fifo = join(scratch, 'operand.fifo');
    const made = spawnSync('mkfifo', [fifo]);
    assert.equal(made.status, 0, 'mkfifo');
    const home = newHome();
    for (const args of [['add', `@${fifo}`, '1'], ['find', '1', '--in', fifo], ['collatz', `@${fifo}`], ['add', '@/dev/zero', '1']]) {
      const result = cli(home, args, { timeout: 15_000 });
      assert.equal(result.signal, null, `${args.join(' ')} must not hang`);
      assertRefused(result, /(a FIFO|a character device), not a regular file/);
    }
  });
});

describe('items 7 and 8: pow of 0, 1 and −1 for any exponent; "too large" refused consistently', () => {
  test('CLI: trivial bases with exponents beyond 2^53 give their exact values', () => {
    const home = newHome();
    const cases: Array<[string, string, string]> = [
      ['1', '9007199254740992', '1'],
      ['-1', '9007199254740993', '-1'],
      ['-1', '9007199254740992', '1'],
      ['0', '100000000000000000000', '0'],
      ['0', '0', '1'],
      ['-1', '1' + '0'.repeat(5000) + '7', '-1'],
    ];
    for (const [base, exponent, expected] of cases) {
      const result = cli(home, ['pow', base, exponent]);
      assert.equal(result.code, 0, `pow ${base} ${exponent.slice(0, 30)}: ${result.stderr}`);
      assert.equal(result.stdout, `${expected}\n`);
    }
    assertRefused(cli(home, ['pow', '1', '-9007199254740993']), /negative exponent -9007199254740993/);
  });

  test('library: pow(1, 2^53), pow(-1, 2^53 + 1), pow(0, 10^20), exponents as StreamNumbers too', async () => {
    freshHome('ms-harden-lib-');
    const check = async (base: bigint | string | StreamNumber, exponent: bigint | string | StreamNumber, expected: bigint) => {
      const result = await pow(base, exponent);
      assert.equal(result.toBigInt(), expected);
      result.free();
    };
    await check(1n, 2n ** 53n, 1n);
    await check(-1n, 2n ** 53n + 1n, -1n);
    await check('-1', '9007199254740992', 1n);
    await check(0n, 10n ** 20n, 0n);
    const huge = await StreamNumber.fromLiteral(10n ** 300n + 1n);
    const minusOne = await StreamNumber.fromLiteral(-1n);
    await check(minusOne, huge, -1n);
    await check(minusOne, 10n ** 300n, 1n);
    await assert.rejects(pow(minusOne, -(10n ** 30n)), NegativeExponentError);
    huge.free();
    minusOne.free();
  });

  test('pow 10 10^12 is refused as too large (exit 2), like pow 10 10^11', () => {
    const home = newHome();
    for (const exponent of ['100000000000', '1000000000000']) {
      assertRefused(cli(home, ['pow', '10', exponent]), /pow: the result would have about [\d,]+ digits and needs .* on disk/);
    }
    assertRefused(cli(home, ['pow', '2', '9007199254740993']), /too large; no such power fits any disk/);
  });
});

describe('item 2: -o can no longer destroy tracked data or an operand', () => {
  test('-o inside the home (log folder, database, through a symlink) is refused; gc and later commands still work', () => {
    const home = newHome();
    assert.equal(cli(home, ['mul', '6', '7']).stdout, '42\n');
    const link = join(scratch, 'link-to-home');
    symlinkSync(home, link);
    for (const target of [join(home, 'log', 'x.txt'), join(home, 'mathstream.sqlite'), join(home, 'mine.txt'), join(link, 'new', 'y.txt'), home]) {
      assertRefused(cli(home, ['mul', '2', '3', '-o', target]), /output: .* is inside the mathstream home/);
    }
    assertRefused(cli(home, ['pi', '10', '-o', join(home, 'pi.txt')]), /inside the mathstream home/);
    assert.ok(!existsSync(join(home, 'log', 'x.txt')) && !existsSync(join(home, 'mine.txt')));
    assert.equal(cli(home, ['gc', '--threshold', '0']).code, 0);
    assert.equal(cli(home, ['add', '2', '3']).stdout, '5\n', 'the database is intact');
  });

  test('-o equal to an operand (same path, another spelling, a hard link) is refused and the operand kept', () => {
    const home = newHome();
    const dir = join(scratch, 'operands');
    mkdirSync(dir, { recursive: true });
    const operand = join(dir, 'x.txt');
    writeFileSync(operand, '5\n');
    const hard = join(dir, 'hard.txt');
    spawnSync('ln', [operand, hard]);
    for (const target of [operand, join(dir, '.', '..', 'operands', 'x.txt'), hard]) {
      assertRefused(cli(home, ['mul', `@${operand}`, '3', '-o', target]), /is also an operand/);
    }
    assert.equal(readFileSync(operand, 'latin1'), '5\n');
    const out = join(dir, 'out.txt');
    assert.equal(cli(home, ['mul', `@${operand}`, '3', '-o', out]).code, 0);
    assert.equal(readFileSync(out, 'latin1'), '15\n');
  });

  test('-o "" is an error, not stdout', () => {
    assertRefused(cli(newHome(), ['mul', '2', '3', '-o', '']), /output: the file name is empty/);
    assertRefused(cli(newHome(), ['pi', '10', '-o', '']), /output: the file name is empty/);
  });

  test('-o onto a FIFO, a device, a folder, a missing folder or a too-long name is refused before any work; a symlink is written through', () => {
    const dir = mkdtempSync(join(scratch, 'targets-'));
    const fifo = join(dir, 'fifo');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo');
    assertRefused(cli(newHome(), ['mul', '2', '3', '-o', fifo]), /fifo is a FIFO; -o writes regular files only/);
    assert.ok(lstatSync(fifo).isFIFO(), 'the FIFO is still a FIFO');
    assertRefused(cli(newHome(), ['pi', '10', '-o', '/dev/null']), /\/dev\/null is a device/);
    assert.ok(lstatSync('/dev/null').isCharacterDevice(), '/dev/null is still a device');
    assertRefused(cli(newHome(), ['mul', '2', '3', '-o', dir]), /is a folder/);
    // Refused before the work: a pow that would take minutes is answered at once.
    const started = Date.now();
    assertRefused(cli(newHome(), ['pow', '7', '30000000', '-o', join(dir, 'no', 'such', 'x.txt')]), /the folder .*no\/such does not exist/);
    assert.ok(Date.now() - started < 30_000);
    assert.ok(!existsSync(join(dir, 'no')), 'no folder was created');
    assertRefused(cli(newHome(), ['mul', '2', '3', '-o', join(dir, 'x'.repeat(300))]), /longer than 255 bytes/);
    const real = join(dir, 'real.txt');
    writeFileSync(real, 'old\n');
    symlinkSync(real, join(dir, 'link.txt'));
    const written = cli(newHome(), ['mul', '6', '7', '-o', join(dir, 'link.txt')]);
    assert.equal(written.code, 0, written.stderr);
    assert.ok(lstatSync(join(dir, 'link.txt')).isSymbolicLink(), 'the link stays a link');
    assert.equal(readFileSync(real, 'utf8'), '42\n');
  });
});

describe('item 1: a log folder that is a symlink is refused, its target never emptied', () => {
  test('the reproducer: gc --threshold 0 with home/log -> docs refuses (exit 2) and docs/ keeps its files', () => {
    const home = newHome();
    const docs = join(scratch, 'docs');
    mkdirSync(home, { recursive: true });
    mkdirSync(docs, { recursive: true });
    writeFileSync(join(docs, 'notes.txt'), 'hi\n');
    writeFileSync(join(docs, 'literal_0000.txt'), '7\n');
    symlinkSync(docs, join(home, 'log'));
    for (const args of [['gc', '--threshold', '0'], ['clear'], ['status'], ['add', '1', '2']]) {
      assertRefused(cli(home, args), /the log folder .*log is a symbolic link \(to .*docs\).*remove the link/);
    }
    assert.deepEqual(readdirSync(docs).sort(), ['literal_0000.txt', 'notes.txt']);
  });

  test('a log folder replaced by a symlink while the tracker is open: nothing is adopted or deleted through it', () => {
    const home = freshHome('ms-harden-swap-');
    const logDir = join(home, 'log');
    registerLogFile(join(logDir, 'mine.txt'), 1);
    writeFileSync(join(logDir, 'mine.txt'), '1');
    const docs = join(home, 'docs');
    mkdirSync(docs);
    writeFileSync(join(docs, 'mine.txt'), 'user data\n');
    writeFileSync(join(docs, 'notes.txt'), 'user data\n');
    renameSync(logDir, join(home, 'log.old'));
    symlinkSync(docs, logDir);
    assert.throws(() => reconcile(), InvalidArgumentError);
    assert.deepEqual(collectGarbage(0), []);
    assert.deepEqual(readdirSync(docs).sort(), ['mine.txt', 'notes.txt']);
    assert.ok(!(join(logDir, 'notes.txt') in trackedFiles()));
    closeTracker();
  });
});

/** Owner tokens carry the process start time from /proc (Linux); elsewhere these tests cannot make one. */
const needsProc = existsSync('/proc/self/stat') ? false : 'needs /proc to read a process start time';

/** The owner token (`<pid>.<start>`) of a process that has just been killed, as its temp files carry it. */
async function deadOwnerToken(): Promise<string> {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  const stat = readFileSync(`/proc/${child.pid}/stat`, 'latin1');
  const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  const exited = new Promise((done) => child.on('exit', done));
  child.kill('SIGKILL');
  await exited;
  return `${child.pid}.${start}`;
}

describe('item 5: temp files a killed writer left beside an -o target are cleaned by the next write there', () => {
  test('a dead writer\'s .tmp- file goes, a live one\'s and the user\'s look-alikes stay', { skip: needsProc }, async () => {
    const dir = join(scratch, 'exports');
    mkdirSync(dir, { recursive: true });
    const dead = await deadOwnerToken();
    const stale = join(dir, `.tmp-${dead}-0123456789ab`);
    writeFileSync(stale, '12345');
    const selfStat = readFileSync('/proc/self/stat', 'latin1');
    const live = join(dir, `.tmp-${process.pid}.${selfStat.slice(selfStat.lastIndexOf(')') + 2).split(' ')[19]}-0123456789ab`);
    writeFileSync(live, '1');
    const lookalikes = [`.tmp-${dead}-notes`, '.tmp-my-own-file', `.tmp-${dead}-0123456789ab.bak`];
    for (const name of lookalikes) writeFileSync(join(dir, name), 'user\n');
    mkdirSync(join(dir, `.tmp-${dead}-ba9876543210`));
    const result = cli(newHome(), ['mul', '6', '7', '-o', join(dir, 'out.txt')]);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(!existsSync(stale), 'the dead writer\'s temp file was removed');
    assert.deepEqual(
      readdirSync(dir).sort(),
      [...lookalikes, `.tmp-${dead}-ba9876543210`, live.slice(dir.length + 1), 'out.txt'].sort(),
    );
  });

  test('an index build beside a digit file removes a dead writer\'s temp file there too', { skip: needsProc }, async () => {
    const dir = join(scratch, 'indexed');
    mkdirSync(dir, { recursive: true });
    const digits = join(dir, 'digits.txt');
    writeFileSync(digits, `${'1234567890'.repeat(5000)}\n`);
    const stale = join(dir, `.tmp-${await deadOwnerToken()}-00000000abcd`);
    writeFileSync(stale, 'partial index');
    const result = cli(newHome(), ['find', '4567', '--in', digits, '--index']);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(!existsSync(stale));
    assert.deepEqual(readdirSync(dir).filter((name) => name.startsWith('.tmp-')), []);
  });

  test('a writer really killed mid -o export leaves a temp file that the next export to that folder removes', async () => {
    const dir = join(scratch, 'killed-export');
    mkdirSync(dir, { recursive: true });
    const home = newHome();
    let leftover: string[] = [];
    for (let attempt = 0; attempt < 5 && leftover.length === 0; attempt++) {
      const child = spawn(process.execPath, [MAIN, 'pow', '7', '3000000', '-o', join(dir, 'big.txt')], {
        env: { ...process.env, MATHSTREAM_HOME: home, MATHSTREAM_CHUNK: '4096' },
        stdio: 'ignore',
      });
      const exited = new Promise((done) => child.on('exit', done));
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline && child.exitCode === null) {
        leftover = readdirSync(dir).filter((name) => name.startsWith('.tmp-'));
        if (leftover.length > 0) break;
        await new Promise((r) => setTimeout(r, 1));
      }
      child.kill('SIGKILL');
      await exited;
      leftover = readdirSync(dir).filter((name) => name.startsWith('.tmp-'));
    }
    assert.ok(leftover.length > 0, 'a kill during the export left a temp file (the reproducer)');
    const next = cli(home, ['add', '1', '2', '-o', join(dir, 'small.txt')]);
    assert.equal(next.code, 0, next.stderr);
    assert.deepEqual(readdirSync(dir).filter((name) => name.startsWith('.tmp-')), []);
  });
});

describe('item 3: deleting the database does not expose a live process\'s files', () => {
  test('database deleted while a process holds references: gc keeps its files, collects them once it is gone', async () => {
    const home = newHome();
    mkdirSync(home, { recursive: true });
    const userFile = join(scratch, 'held-user.txt');
    writeFileSync(userFile, '4242\n');
    const child = spawnChild(home, ['hold', '3', userFile]);
    try {
      const { paths } = (await child.next('ready')) as unknown as { paths: string[] };
      const staged = paths.filter((p) => p.startsWith(join(home, 'log')));
      assert.equal(staged.length, 5);
      for (const suffix of ['', '-wal', '-shm']) rmSync(join(home, `mathstream.sqlite${suffix}`), { force: true });

      const gc = cli(home, ['gc', '--threshold', '0', '--json']);
      assert.equal(gc.code, 0, gc.stderr);
      assert.deepEqual((JSON.parse(gc.stdout) as { removed: string[] }).removed, [], 'nothing of the live process is collected');
      for (const path of staged) assert.ok(existsSync(path), `kept: ${path}`);
      const status = JSON.parse(cli(home, ['status']).stdout) as { trackedFiles: Record<string, number>; holders: { alive: boolean }[] };
      for (const path of staged) assert.equal(status.trackedFiles[path], 1, `held again in the new database: ${path}`);
      assert.ok(status.holders.every((h) => h.alive));
    } finally {
      await child.kill();
    }
    const after = cli(home, ['gc', '--threshold', '0', '--json']);
    assert.equal(after.code, 0, after.stderr);
    assert.equal((JSON.parse(after.stdout) as { removed: string[] }).removed.length, 5, 'collected once the holder died');
    assert.deepEqual(readdirSync(join(home, 'log')), []);
    assert.deepEqual(readdirSync(join(home, 'holders')), [], 'the dead holder\'s markers are gone');
    assert.equal(readFileSync(userFile, 'latin1'), '4242\n');
  });

  test('a file a live process registered only in the deleted database is kept by gc and clear of the new one', async () => {
    const home = freshHome('ms-harden-markers-');
    const child = spawnChild(home, ['hold', '1', join(scratch, 'held-user.txt')]);
    try {
      const { owner } = await child.next('ready');
      closeTracker();
      for (const suffix of ['', '-wal', '-shm']) rmSync(join(home, `mathstream.sqlite${suffix}`), { force: true });
      assert.ok(Object.keys(trackedFiles()).length >= 3, 'this start restored the child\'s references');
      // What the child does next, against its old (deleted) database: a new result and its marker.
      const late = join(home, 'log', 'result_late_0000000000.txt');
      writeFileSync(late, '99');
      writeFileSync(join(home, 'holders', String(owner), `${encodeURIComponent('result_late_0000000000.txt')}=1`), '');
      assert.deepEqual(collectGarbage(0), []);
      assert.ok(clearLogs().kept.includes(late));
      assert.ok(existsSync(late));
    } finally {
      await child.kill();
      closeTracker();
    }
  });
});
