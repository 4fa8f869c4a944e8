/**
 * `mathstream find` end to end: the JSON contract, the default pi file in the home, dates,
 * --all/--after/--index, and bad input (exit code 2, one line on stderr).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { naivePositions, piDecimals, writePiFile } from './find-helpers.js';

const MAIN = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const home = mkdtempSync(join(tmpdir(), 'ms-find-cli-'));
const digits = piDecimals(20_000);
// Kept out of <home> and <home>/pi, which are where the default pi file is looked for.
const files = join(home, 'files');
mkdirSync(files);
const piFile = writePiFile(files, 20_000);

function run(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, 'find', ...args], { encoding: 'utf8', env: { ...process.env, MATHSTREAM_HOME: home } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json(...args: string[]): Record<string, unknown> {
  const r = run(...args, '--json');
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

describe('mathstream find', () => {
  test('--json prints query, position, count, before, after', () => {
    const o = json('999999', '--in', piFile);
    assert.equal(o.query, '999999');
    assert.equal(o.position, 762);
    assert.equal(o.count, naivePositions(digits, '999999').length);
    assert.equal(o.before, digits.slice(741, 761));
    assert.equal(o.after, digits.slice(767, 787));
  });

  test('absent: position null, count 0', () => {
    const o = json('31415926535897', '--in', piFile);
    assert.deepEqual([o.position, o.count, o.before, o.after], [null, 0, '', '']);
  });

  test('human output shows the match in its context', () => {
    const r = run('14159', '--in', piFile);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /14159 at position 1; \d+ occurrences? in all/);
    assert.match(r.stdout, /\[14159\]26535897932384626433\.\.\./);
  });

  test('--all lists positions (bounded by --limit), --after gives the next one', () => {
    const all = naivePositions(digits, '26');
    const o = json('26', '--in', piFile, '--all', '--limit', '5');
    assert.deepEqual(o.positions, all.slice(0, 5));
    assert.equal(o.truncated, true);
    const next = json('26', '--in', piFile, '--after', String(all[2]));
    assert.equal(next.position, all[3]);
    assert.equal(next.count, all.length);
  });

  test('without --in: the largest pi file in <home>/pi, named in the output', () => {
    mkdirSync(join(home, 'pi'), { recursive: true });
    writePiFile(join(home, 'pi'), 1000);
    const largest = writePiFile(join(home, 'pi'), 5000);
    const o = json('999999');
    assert.equal(o.file, largest);
    assert.equal(o.position, 762);
    const human = run('999999');
    assert.match(human.stderr, /pi-5000\.txt.*largest/);
  });

  test('a date is searched in each of its forms', () => {
    const o = json('1987-03-14', '--in', piFile);
    assert.equal(o.date, '1987-03-14');
    const forms = o.forms as { forms: string[]; query: string; position: number | null }[];
    assert.deepEqual(forms.map((f) => f.query), ['14031987', '03141987', '19870314', '140387', '031487', '870314']);
    for (const f of forms) assert.equal(f.position, naivePositions(digits, f.query)[0] ?? null);
    const viaFlag = json('--date', '14/03/1987', '--in', piFile);
    assert.deepEqual((viaFlag.forms as { query: string }[]).map((f) => f.query), forms.map((f) => f.query));
    assert.equal(viaFlag.date, '1987-03-14');
  });

  test('--index builds the index beside the file, later runs use it', () => {
    const file = writePiFile(files, 20_000, 'indexed.txt');
    const first = json('999999', '--in', file, '--index');
    assert.equal(first.method, 'index');
    assert.ok(existsSync(`${file}.idx`));
    const again = json('14159', '--in', file);
    assert.deepEqual([again.method, again.position], ['index', 1]);
  });
});

describe('mathstream find --compute', () => {
  test('computes a pi file into <home>/pi when none is long enough, then searches it', () => {
    const fresh = mkdtempSync(join(tmpdir(), 'ms-find-cli-compute-'));
    const r = spawnSync(process.execPath, [MAIN, 'find', '999999', '--compute', '2000', '--json'], {
      encoding: 'utf8',
      env: { ...process.env, MATHSTREAM_HOME: fresh },
    });
    assert.equal(r.status, 0, r.stderr);
    const o = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(o.file, join(fresh, 'pi', 'pi-2000.txt'));
    assert.equal(o.position, 762);
    assert.equal(o.after, digits.slice(767, 787));
  });
});

describe('mathstream find: bad input', () => {
  const bad = (args: string[], pattern: RegExp): void => {
    const r = run(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  };

  test('non-digit, empty, too long, junk file, bad flags', () => {
    bad(['12a4', '--in', piFile], /only the digits/);
    bad(['', '--in', piFile], /empty query/);
    const tiny = join(files, 'tiny.txt');
    writeFileSync(tiny, '3.14\n');
    bad(['141', '--in', tiny], /longer than/);
    const junk = join(files, 'junk.txt');
    writeFileSync(junk, '3.14x5\n');
    bad(['5', '--in', junk], /junk\.txt at byte 4/);
    bad(['1', '--in', piFile, '--after', '-3'], /--after/);
    bad(['1', '--in', join(home, 'missing.txt')], /missing\.txt/);
    bad(['--date', '2023-02-29', '--in', piFile], /day 29/);
  });

  test('first use in a fresh home: computes and indexes the default pi file, answers, and later queries use the index', () => {
    const fresh = mkdtempSync(join(tmpdir(), 'ms-find-cli-first-'));
    // A small default keeps the suite quick; the real default is 10^7 decimals (config defaultPiDecimals).
    const env = { ...process.env, MATHSTREAM_HOME: fresh, MATHSTREAM_PI_DECIMALS: '20000' };
    // A bad query is refused before anything is computed.
    for (const bad of ['abc', '2026-02-30', '']) {
      const refused = spawnSync(process.execPath, [MAIN, 'find', bad], { encoding: 'utf8', env });
      assert.equal(refused.status, 2, refused.stderr);
      assert.ok(!existsSync(join(fresh, 'pi')), `no pi file computed for ${JSON.stringify(bad)}`);
    }
    const first = spawnSync(process.execPath, [MAIN, 'find', '14159'], { encoding: 'utf8', env });
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stderr, /first use: .*computing 20,000 decimals of pi and indexing them/);
    assert.match(first.stdout, /^14159 at position 1;/);
    assert.ok(existsSync(join(fresh, 'pi', 'pi-20000.txt')));
    assert.ok(existsSync(join(fresh, 'pi', 'pi-20000.txt.idx')), 'the index is built on first use');
    const later = spawnSync(process.execPath, [MAIN, 'find', '26535', '--json'], { encoding: 'utf8', env });
    assert.equal(later.status, 0, later.stderr);
    const answer = JSON.parse(later.stdout) as { position: number; method: string };
    assert.equal(answer.position, 6);
    assert.equal(answer.method, 'index');
    assert.doesNotMatch(later.stderr, /computing/);
  });
});
