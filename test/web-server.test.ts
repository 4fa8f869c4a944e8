/**
 * The web app's server (apps/web): the Host and Origin checks on every page and every
 * state-changing route, path traversal, the limits (body, digits, result digits, concurrent
 * runs across pages), bad input on each route, save/download/release, the collector, and a
 * cancelled pi computation that leaves no file.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startWebApp, type WebApp } from '../src/apps/web/server.js';
import type { RunSnapshot } from '../src/apps/web/runs.js';
import { freshHome, logFiles } from './helpers.js';
import { trackerStatus } from '../src/tracker/index.js';

let home: string;
let folder: string;
let app: WebApp;

before(async () => {
  home = freshHome('ms-webserver-');
  folder = join(home, 'numbers');
  mkdirSync(folder);
  writeFileSync(join(folder, 'seven.txt'), '7'.repeat(5000) + '\n');
  writeFileSync(join(home, 'outside.txt'), '12345\n');
  symlinkSync(join(home, 'outside.txt'), join(folder, 'link.txt'));
  app = await startWebApp({ port: 0, maxBodyBytes: 64 * 1024, maxDigits: 1000, maxResultDigits: 1_000_000, maxRunning: 1, folders: [folder], piDecimals: 3_000_000 });
});
after(async () => {
  await app.close();
});

interface Answer {
  status: number;
  text: string;
  json: Record<string, unknown>;
}

/** A raw request: any method, path (unnormalised) and headers. */
function raw(method: string, path: string, headers: Record<string, string> = {}, body?: unknown): Promise<Answer> {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  const defaults: Record<string, string> = body === undefined ? {} : { 'Content-Type': 'application/json' };
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: app.port, method, path, headers: { ...defaults, ...headers, 'Content-Length': String(Buffer.byteLength(text)) } },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (data += chunk));
        res.on('end', () => {
          let json: Record<string, unknown> = {};
          try {
            json = JSON.parse(data) as Record<string, unknown>;
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, text: data, json });
        });
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

const post = (path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> => raw('POST', path, headers, body ?? {});

async function finished(id: string): Promise<RunSnapshot> {
  for (;;) {
    const snapshot = (await raw('GET', `/api/runs/${id}`)).json as unknown as RunSnapshot;
    if (snapshot.state !== 'running') return snapshot;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function fileId(name: string): Promise<string | undefined> {
  const files = (await raw('GET', '/api/files')).json.files as Array<{ id: string; name: string }>;
  return files.find((f) => f.name === name)?.id;
}

async function calc(op: string, a: unknown, b?: unknown): Promise<RunSnapshot & { id: string }> {
  const started = await post('/api/calc', { op, a, b });
  assert.equal(started.status, 201, started.text);
  return { ...(await finished(started.json.id as string)), id: started.json.id as string };
}

describe('other hosts and other sites are refused', () => {
  test('a foreign Host is 403 on every page and API', async () => {
    for (const path of ['/', '/pi', '/calc', '/collatz', '/assets/pi.js', '/api/files', '/api/home', '/api/pi']) {
      assert.equal((await raw('GET', path, { Host: 'evil.example' })).status, 403, path);
      assert.equal((await raw('GET', path, { Host: `evil.example:${app.port}` })).status, 403, path);
    }
  });

  test('every state-changing route refuses a foreign Origin or Sec-Fetch-Site, text/plain included, and does nothing', async () => {
    const staged = join(home, 'log', 'result_0_stale.txt');
    mkdirSync(join(home, 'log'), { recursive: true });
    const routes: Array<[string, unknown]> = [
      ['/api/calc', { op: 'add', a: { text: '1' }, b: { text: '2' } }],
      ['/api/runs', { input: '27' }],
      ['/api/pi/compute', {}],
      ['/api/gc', { threshold: 0 }],
      ['/api/results/00000000-0000-0000-0000-000000000000/save', { name: 'x' }],
      ['/api/results/00000000-0000-0000-0000-000000000000/release', {}],
      ['/api/runs/00000000-0000-0000-0000-000000000000/cancel', {}],
    ];
    const foreign: Array<Record<string, string>> = [
      { Origin: 'http://evil.example', 'Content-Type': 'text/plain' },
      { Origin: 'http://evil.example' },
      { Origin: 'null' },
      { Origin: `http://localhost:${app.port + 1}` },
      { 'Sec-Fetch-Site': 'cross-site', 'Content-Type': 'text/plain' },
      { 'Sec-Fetch-Site': 'same-site' },
    ];
    for (const [path, body] of routes) {
      for (const headers of foreign) {
        const answer = await post(path, body, headers);
        assert.equal(answer.status, 403, `${path} ${JSON.stringify(headers)}`);
        assert.match(String(answer.json.error), /requests from other sites are refused/);
      }
    }
    // Nothing ran: no run started (a 429 would follow otherwise), the home's files are untouched.
    assert.equal(existsSync(join(home, 'pi')), false);
    assert.equal(existsSync(staged), false);
    // The page's own origin passes.
    const own = await post('/api/calc', { op: 'add', a: { text: '1' }, b: { text: '2' } }, { Origin: `http://127.0.0.1:${app.port}`, 'Sec-Fetch-Site': 'same-origin' });
    assert.equal(own.status, 201);
    assert.equal((await finished(own.json.id as string)).state, 'done');
  });
});

describe('nothing outside the app is served', () => {
  test('path traversal finds nothing', async () => {
    for (const path of [
      '/assets/../../package.json',
      '/assets/%2e%2e/%2e%2e/package.json',
      '/assets/..%2f..%2fpackage.json',
      '/assets/..%5c..%5cpackage.json',
      '/assets/chart.js/../../../etc/passwd',
      '//etc/passwd',
      '/assets/server.js',
      '/assets/job-worker.js',
      '/pi/../../../../etc/passwd',
      '/api/results/..%2f..%2f..%2fetc%2fpasswd/download',
      '/saved/product.txt',
      '/numbers/seven.txt',
    ]) {
      const answer = await raw('GET', path);
      assert.ok(answer.status === 404 || answer.status === 400, `${path}: ${answer.status}`);
      assert.doesNotMatch(answer.text, /root:|"name": "mathstream"|7777777/, path);
    }
  });

  test('operands are files from the list only: no paths, no links out of a folder', async () => {
    const names = ((await raw('GET', '/api/files')).json.files as Array<{ name: string }>).map((f) => f.name);
    assert.ok(names.includes('seven.txt'));
    assert.ok(!names.includes('link.txt'), 'a symbolic link is not listed');
    assert.ok(!names.includes('outside.txt'));
    for (const file of ['/etc/passwd', '../outside.txt', join(home, 'outside.txt'), 'seven.txt', '']) {
      const answer = await post('/api/calc', { op: 'add', a: { file }, b: { text: '1' } });
      assert.equal(answer.status, 404, file);
      assert.match(String(answer.json.error), /operand A: no such file in the list/);
    }
    const id = await fileId('seven.txt');
    const run = await calc('add', { file: id }, { text: '1' });
    assert.equal(run.state, 'done');
  });
});

describe('limits', () => {
  test('body, typed digits, result digits', async () => {
    const big = await post('/api/calc', { op: 'add', a: { text: '1'.repeat(70_000) }, b: { text: '1' } });
    assert.equal(big.status, 413);
    assert.match(String(big.json.error), /request too large: the limit is 64 KiB/);
    const digits = await post('/api/calc', { op: 'add', a: { text: '1' }, b: { text: '9'.repeat(1001) } });
    assert.equal(digits.status, 413);
    assert.match(String(digits.json.error), /operand B: .*a literal of 1,001 digits; the limit is 1,000/);
    const tokens = await post('/api/calc', { op: 'add', a: { text: Array(6000).fill('1').join('+') }, b: { text: '1' } });
    assert.equal(tokens.status, 413);
    const result = await calc('pow', { text: '10' }, { text: '2000000' });
    assert.equal(result.state, 'failed');
    assert.match(JSON.stringify(result.last), /the result would have about 2,000,001 digits; this app's limit is 1,000,000/);
    for (const [base, exponent, pattern] of [
      ['2', '10^7', /about 3,010,301 digits/],
      ['2', '10^20', /about too many digits/],
      ['-7', '2*10^6', /about 1,690,197 digits/],
    ] as const) {
      const refused = await calc('pow', { text: base }, { text: exponent });
      assert.equal(refused.state, 'failed');
      assert.match(JSON.stringify(refused.last), pattern);
    }
    // The limit is an estimate from sizes: trivial powers stay allowed.
    const trivial = await calc('pow', { text: '-1' }, { text: '10^15+1' });
    assert.equal(trivial.state, 'done', JSON.stringify(trivial.last));
  });

  test('concurrent runs are limited across pages', async () => {
    const long = await post('/api/calc', { op: 'pow', a: { text: '3' }, b: { text: '1800000' } });
    assert.equal(long.status, 201);
    const id = long.json.id as string;
    for (const [path, body] of [
      ['/api/calc', { op: 'add', a: { text: '1' }, b: { text: '1' } }],
      ['/api/runs', { input: '27' }],
      ['/api/pi/compute', {}],
    ] as const) {
      const answer = await post(path, body);
      assert.equal(answer.status, 429, path);
      assert.match(String(answer.json.error), /1 runs are already computing/);
    }
    assert.equal((await post(`/api/runs/${id}/cancel`)).status, 200);
    const final = await finished(id);
    assert.ok(final.state === 'cancelled' || final.state === 'done', final.state);
  });
});

describe('bad input on each route', () => {
  test('calculator requests', async () => {
    const cases: Array<[unknown, number, RegExp]> = [
      [{ op: 'root', a: { text: '1' } }, 400, /choose an operation: add, sub, mul, div, mod, pow, isqrt/],
      [{ op: 'add', b: { text: '1' } }, 400, /operand A: expected \{"text"/],
      [{ op: 'add', a: { text: '1' } }, 400, /operand B: expected \{"text"/],
      [{ op: 'add', a: { text: ' ' }, b: { text: '1' } }, 400, /operand A: type a number/],
      [{ op: 'add', a: { text: '1.5' }, b: { text: '1' } }, 400, /only integers are supported/],
      [{ op: 'add', a: 7, b: { text: '1' } }, 400, /operand A: expected/],
      [[1, 2], 400, /expected a JSON object/],
    ];
    for (const [body, status, pattern] of cases) {
      const answer = await post('/api/calc', body);
      assert.equal(answer.status, status, JSON.stringify(body));
      assert.match(String(answer.json.error), pattern);
    }
    assert.equal((await raw('POST', '/api/calc', { 'Content-Type': 'text/plain' }, 'op=add')).status, 415);
    assert.equal((await raw('POST', '/api/calc', {}, '{"op":')).status, 400);
    assert.equal((await raw('GET', '/api/calc')).status, 405);
    for (const [a, op, b, pattern] of [
      ['1', 'div', '0', /division by zero/],
      ['2', 'pow', '-3', /negative exponent/],
      ['-9', 'isqrt', undefined, /isqrt: -9 is negative/],
    ] as const) {
      const run = await calc(op, { text: a }, b === undefined ? undefined : { text: b });
      assert.equal(run.state, 'failed');
      assert.match(JSON.stringify(run.last), pattern);
    }
  });

  test('pi search', async () => {
    const none = await raw('GET', '/api/pi/search?q=14159');
    assert.equal(none.status, 409);
    assert.equal(none.json.setup, true);
    mkdirSync(join(home, 'pi'), { recursive: true });
    writeFileSync(join(home, 'pi', 'pi-50.txt'), '3.14159265358979323846264338327950288419716939937510\n');
    for (const [query, pattern] of [
      ['q=', /empty query/],
      ['q=12a', /only the digits 0-9 may be searched/],
      ['q=2023-13-01', /month/],
      [`q=${'1'.repeat(201)}`, /at most 200 are searched/],
      ['q=14159&n=0', /occurrence n must be a whole number from 1 to 100,000/],
      ['q=14159&n=x', /occurrence n must be/],
      ['q=14159&n=2', /"14159" occurs once; there is no occurrence number 2/],
      [`q=${'1'.repeat(60)}`, /longer than/],
    ] as const) {
      const answer = await raw('GET', `/api/pi/search?${query}`);
      assert.equal(answer.status, 400, query);
      assert.match(String(answer.json.error), pattern, query);
    }
    const found = await raw('GET', '/api/pi/search?q=9323');
    assert.equal(found.status, 200);
    const match = (found.json.matches as Array<Record<string, unknown>>)[0]!;
    assert.deepEqual([match.position, match.count, match.before, match.after], [14, 1, '1415926535897', '84626433832795028841']);
  });

  test('save, download, release, collector', async () => {
    const run = await calc('mul', { text: '2^64' }, { text: '-3' });
    assert.equal(run.state, 'done');
    const download = await raw('GET', `/api/results/${run.id}/download`);
    assert.equal(download.status, 200);
    assert.equal(download.text, `${-3n * 2n ** 64n}\n`);
    for (const name of ['', '.hidden', '../x', 'a/b', 'x'.repeat(101), 'we ird']) {
      const answer = await post(`/api/results/${run.id}/save`, { name });
      assert.equal(answer.status, 400, name);
      assert.match(String(answer.json.error), /a name is 1-100 letters/);
    }
    assert.equal((await post(`/api/results/${run.id}/save`, { name: 'neg' })).status, 201);
    const again = await post(`/api/results/${run.id}/save`, { name: 'neg.txt' });
    assert.equal(again.status, 409);
    assert.match(String(again.json.error), /neg\.txt already exists/);
    // The collector at threshold 0 removes unreferenced staged files only: the held result stays.
    for (const threshold of [-1, 'x', null]) assert.equal((await post('/api/gc', { threshold })).status, 400);
    const resultFile = (run.last as unknown as { result: { file: string } }).result.file;
    assert.equal((await post('/api/gc', { threshold: 0 })).status, 200);
    assert.ok(logFiles(home).includes(resultFile));
    assert.ok(existsSync(join(home, 'saved', 'neg.txt')));
    assert.ok(existsSync(join(folder, 'seven.txt')));
    // Released, it is an ordinary unreferenced staged file: kept, tracked, and the collector may now take it.
    assert.equal((await post(`/api/results/${run.id}/release`)).status, 200);
    assert.ok(logFiles(home).includes(resultFile), 'releasing deletes nothing');
    assert.equal(trackerStatus().files.find((f) => f.path.endsWith(resultFile))?.refCount, 0);
    // Picked as an operand, the kept result is read, not consumed: still there, still at 0 references.
    const reuse = await calc('add', { file: await fileId(resultFile) }, { text: '1' });
    assert.equal(reuse.state, 'done', JSON.stringify(reuse.last));
    assert.equal((reuse.last as unknown as { result: { first: string } }).result.first, `${3n * 2n ** 64n - 1n}`);
    assert.ok(logFiles(home).includes(resultFile), 'an operand file is never deleted');
    assert.equal(trackerStatus().files.find((f) => f.path.endsWith(resultFile))?.refCount, 0);
    await post(`/api/results/${reuse.id}/release`);
    assert.equal((await raw('GET', `/api/results/${run.id}/download`)).status, 404);
    const gc = await post('/api/gc', { threshold: 0 });
    assert.ok((gc.json.removed as string[]).includes(resultFile), JSON.stringify(gc.json));
    assert.ok(existsSync(join(home, 'saved', 'neg.txt')), 'saved files are never collected');
    const homeState = (await raw('GET', '/api/home')).json as { totals: { files: number } };
    assert.equal(typeof homeState.totals.files, 'number');
  });
});

describe('pi file', () => {
  test('cancelling the computation leaves no file', async () => {
    const started = await post('/api/pi/compute');
    assert.equal(started.status, 201);
    const id = started.json.id as string;
    const joined = await post('/api/pi/compute');
    assert.deepEqual([joined.status, joined.json.id], [200, id], 'a second request joins the running computation');
    for (;;) {
      const snapshot = (await raw('GET', `/api/runs/${id}`)).json as unknown as RunSnapshot;
      if (snapshot.last?.type === 'progress' || snapshot.state !== 'running') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal((await post(`/api/runs/${id}/cancel`)).status, 200);
    const final = await finished(id);
    assert.equal(final.state, 'cancelled');
    assert.deepEqual(readdirSync(join(home, 'pi')).sort(), ['pi-50.txt']);
  });
});

describe('the ui command', () => {
  const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

  test('mathstream ui serves the app until SIGTERM; collatz-ui opens on the Collatz page', async () => {
    for (const [command, page] of [['ui', '/pi'], ['collatz-ui', '/collatz']] as const) {
      const child = spawn(process.execPath, [cli, command, '--port', '0', '--dir', folder], { env: { ...process.env, MATHSTREAM_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.setEncoding('utf8');
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: string) => {
          out += chunk;
          const found = /(http:\/\/127\.0\.0\.1:\d+\/\w+)/.exec(out);
          if (found) resolve(found[1]!);
        });
        child.on('exit', (code) => reject(new Error(`${command} exited with ${code}: ${out}`)));
      });
      assert.ok(url.endsWith(page), url);
      const response = await fetch(url);
      assert.equal(response.status, 200);
      const files = (await (await fetch(new URL('/api/files', url))).json()) as { files: Array<{ name: string }> };
      assert.ok(files.files.some((f) => f.name === 'seven.txt'), '--dir is offered');
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    }
  });

  test('bad options exit 2 with a message', () => {
    for (const [args, pattern] of [
      [['--port', '70000'], /--port: expected 0\.\.65535, got "70000"/],
      [['--port', '0', '--dir', join(home, 'missing')], /--dir: ".*missing" is not a folder/],
    ] as const) {
      const result = spawnSync(process.execPath, [cli, 'ui', ...args], { encoding: 'utf8', env: { ...process.env, MATHSTREAM_HOME: home } });
      assert.equal(result.status, 2, result.stderr);
      assert.match(result.stderr, pattern);
    }
  });
});
