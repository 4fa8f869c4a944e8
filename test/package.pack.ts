/**
 * package.pack — the published package, tried as a stranger would: `npm pack`, install the tarball into an empty
 * folder, then run the README's library example, `npx mathstream pi 1000`, and the app subpath entries there.
 *
 * Not part of `npm test` (installing the tarball compiles better-sqlite3, about a minute): CI runs it as
 * `npm run test:package` (.ci/run). It needs a built tree (`npm run build`).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { piDecimals } from './pi-oracle.js';

const repo = resolve(import.meta.dirname, '..', '..');
let work = '';
let tarball = '';

function run(command: string, args: string[], cwd = work): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MATHSTREAM_HOME: join(work, 'home') } });
}

before(() => {
  work = mkdtempSync(join(tmpdir(), 'ms-pack-'));
  const packed = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], repo)) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = join(work, packed[0]!.filename);
  writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'stranger', private: true, type: 'module', allowScripts: { 'better-sqlite3': true } }));
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball]);
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the tarball holds the library and no tests', () => {
  const listing = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n');
  assert.ok(listing.includes('package/dist/src/index.js'));
  assert.deepEqual(listing.filter((f) => /\.test\.|\/test\//.test(f)), []);
});

test("the README's library example runs", () => {
  const readme = readFileSync(join(repo, 'README.md'), 'utf8');
  const example = /```ts\n(import [^]*?from 'mathstream';[^]*?)```/.exec(readme)?.[1];
  assert.ok(example, 'README has a ```ts library example');
  writeFileSync(join(work, 'big.txt'), '9'.repeat(5000) + '\n');
  // The example is TypeScript (`using` needs it on Node 20): transpiled as a user's build would.
  const js = ts.transpileModule(example, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
  writeFileSync(join(work, 'example.mjs'), js);
  run(process.execPath, ['example.mjs']);
  const nine = readFileSync(join(work, 'nine.txt'), 'latin1').trim();
  assert.equal(nine, (9n ** 59049n).toString());
});

test('npx mathstream pi 1000 prints the right digits', () => {
  assert.equal(run('npx', ['--no-install', 'mathstream', 'pi', '1000']).trim(), `3.${piDecimals(1000)}`);
});

test('the app entries resolve: mathstream/pi, /find, /collatz, /web, /tracker, /cli', () => {
  writeFileSync(
    join(work, 'entries.mjs'),
    `import { computePi } from 'mathstream/pi';
     import { findDigits } from 'mathstream/find';
     import { collatz } from 'mathstream/collatz';
     import { startWebApp } from 'mathstream/web';
     import { trackerStatus } from 'mathstream/tracker';
     import { startProgress } from 'mathstream/cli';
     const digits = Buffer.from(await computePi(50)).toString('latin1');
     console.log(JSON.stringify({ digits, kinds: [typeof findDigits, typeof collatz, typeof startWebApp, typeof trackerStatus, typeof startProgress] }));`,
  );
  const out = JSON.parse(run(process.execPath, ['entries.mjs'])) as { digits: string; kinds: string[] };
  assert.equal(out.digits, piDecimals(50));
  assert.deepEqual(out.kinds, ['function', 'function', 'function', 'function', 'function']);
});

test('internals stay out of the root and @internal declarations out of the types', () => {
  const root = readFileSync(join(work, 'node_modules/mathstream/dist/src/index.d.ts'), 'utf8');
  for (const name of ['registerReference', 'releaseReference', 'touchLogFile', 'wipeLogRecords', 'productFitsInMemory']) {
    assert.ok(!root.includes(name), `${name} is not exported from the root`);
  }
  const typeFiles = readdirSync(join(work, 'node_modules/mathstream/dist/src'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.d.ts'));
  const leaked = typeFiles.filter((f) => readFileSync(join(work, 'node_modules/mathstream/dist/src', f), 'utf8').includes('@internal'));
  assert.deepEqual(leaked, []);
});
