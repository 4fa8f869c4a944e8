/**
 * The web app (`mathstream ui`) in a real browser: Debian's Chromium driven by playwright-core
 * (never a downloaded browser). Pi search (the first-time computation, a deep link, a known
 * position with its highlight, next/previous), the calculator (a product of two 10^6-digit files
 * checked against BigInt, save, download, a cancelled pow that leaves nothing behind), every bad
 * input's message in the page, keyboard use, and the phone-width layout.
 * Screenshots at phone width go to MATHSTREAM_SCREENSHOT_DIR when set.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startWebApp, type WebApp } from '../../src/apps/web/server.js';
import { trackerStatus } from '../../src/tracker/index.js';
import { freshHome, logFiles, seededRandom } from '../helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const LAUNCH_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const PI_DECIMALS = 100_000;
const DIGITS = 1_000_000;

let home: string;
let folder: string;
let app: WebApp;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let base: string;
let a: string;
let b: string;

function randomDigits(count: number, random: () => number): string {
  const bytes = Buffer.alloc(count);
  for (let i = 0; i < count; i++) bytes[i] = 48 + Math.floor(random() * 10);
  if (bytes[0] === 48) bytes[0] = 49;
  return bytes.toString('latin1');
}

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does this)`);
  home = freshHome('ms-web-');
  folder = join(home, 'numbers');
  mkdirSync(folder);
  const random = seededRandom(15);
  a = randomDigits(DIGITS, random);
  b = randomDigits(DIGITS, random);
  writeFileSync(join(folder, 'a.txt'), `${a}\n`);
  writeFileSync(join(folder, 'b.txt'), `${b}\n`);
  app = await startWebApp({ port: 0, piDecimals: PI_DECIMALS, folders: [folder] });
  base = app.url.replace(/\/pi$/, '');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS, timeout: 30_000 });
  context = await browser.newContext({ viewport: { width: 1100, height: 1000 }, acceptDownloads: true });
  page = await context.newPage();
  page.setDefaultTimeout(30_000);
});

after(async () => {
  await browser?.close();
  await app?.close();
});

async function open(path: string): Promise<void> {
  await page.goto(base + path);
  await page.waitForSelector('body[data-ready="true"]');
}

async function errorText(): Promise<string> {
  await page.waitForSelector('#error:not([hidden])');
  return (await page.textContent('#error')) ?? '';
}

/** The first position (1-based after the point) of `query` after `after`, straight from the file. */
function positionInFile(digits: string, query: string, after = 0): number {
  return digits.indexOf(query, after) + 1;
}

test('pi: the first visit offers the pi file, computes it with progress, then a deep link answers', { timeout: 120_000 }, async () => {
  await open('/pi?q=999999');
  await page.waitForSelector('#setup:not([hidden])');
  assert.match((await page.textContent('#setup-text')) ?? '', /Compute 100,000 decimals/);
  await page.click('#compute');
  await page.waitForSelector('#compute-status[data-state="done"]', { state: 'attached', timeout: 90_000 });
  // The deep link's query is searched once the file is there: the Feynman point, 762.
  await page.waitForSelector('#answer:not([hidden])');
  assert.equal(await page.textContent('.match .position'), '762');
  const digits = readFileSync(join(home, 'pi', `pi-${PI_DECIMALS}.txt`), 'latin1').slice(2, 2 + PI_DECIMALS);
  assert.equal(positionInFile(digits, '999999'), 762);
});

test('pi: a known position comes back right, the match is highlighted, next and previous step', { timeout: 60_000 }, async () => {
  const digits = readFileSync(join(home, 'pi', `pi-${PI_DECIMALS}.txt`), 'latin1').slice(2, 2 + PI_DECIMALS);
  await open('/pi');
  // Keyboard only: focus the field, type, Enter.
  await page.focus('#q');
  await page.keyboard.type('26535');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#answer:not([hidden])');
  const first = positionInFile(digits, '26535');
  assert.equal(first, 6);
  assert.equal(await page.textContent('.match .position'), '6');
  assert.equal(page.url(), `${base}/pi?q=26535`);
  assert.match((await page.textContent('.match .where')) ?? '', /· 1 occurrence$/);
  // The highlight: the query in a <mark>, visible, with a coloured background, inside its context.
  const mark = page.locator('.match mark');
  assert.equal(await mark.textContent(), '26535');
  assert.ok(await mark.isVisible());
  const box = await mark.boundingBox();
  assert.ok(box !== null && box.width > 20 && box.height > 8, `mark box ${JSON.stringify(box)}`);
  const background = await mark.evaluate((node) => getComputedStyle(node).backgroundColor);
  assert.notEqual(background, 'rgba(0, 0, 0, 0)');
  assert.equal(await page.textContent('.match .digits'), `…${digits.slice(0, 5)}26535${digits.slice(10, 30)}…`);
  // Next: the second occurrence, straight from the file; previous: back to the first.
  await page.fill('#q', '14159');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('.match mark')?.textContent === '14159');
  const count = digits.split('14159').length - 1;
  assert.ok(count >= 2);
  assert.match((await page.textContent('.match .where')) ?? '', new RegExp(`first at position 1 · ${count} occurrences`));
  const second = positionInFile(digits, '14159', 1);
  await page.click('button:has-text("Next")');
  await page.waitForFunction((p) => document.querySelector('.match .position')?.textContent === p, second.toLocaleString('en-US'));
  assert.match((await page.textContent('.match .where')) ?? '', new RegExp(`occurrence 2 of ${count}`));
  await page.click('button:has-text("Previous")');
  await page.waitForFunction(() => document.querySelector('.match .position')?.textContent === '1');
  // Focus is visible: Tab from the field to the button draws an outline.
  await page.focus('#q');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'search');
  const outline = await page.$eval('#search', (node) => getComputedStyle(node).outlineStyle);
  assert.notEqual(outline, 'none');
});

test('pi: a date is searched in each of its forms', { timeout: 30_000 }, async () => {
  await open('/pi?q=14%2F03%2F1987');
  await page.waitForSelector('#answer:not([hidden])');
  const titles = await page.locator('.match h3').allTextContents();
  assert.deepEqual(titles, ['14031987 (DDMMYYYY)', '03141987 (MMDDYYYY)', '19870314 (YYYYMMDD)', '140387 (DDMMYY)', '031487 (MMDDYY)', '870314 (YYMMDD)']);
  assert.match((await page.textContent('#answer-summary')) ?? '', /The date 1987-03-14/);
});

test('calculator: the product of two 10^6-digit files is right; saved and downloaded', { timeout: 120_000 }, async () => {
  await open('/calc');
  await page.selectOption('#a-file', { label: `a.txt (numbers, ${(DIGITS + 1).toLocaleString('en-US')} bytes)` });
  await page.selectOption('#b-file', { label: `b.txt (numbers, ${(DIGITS + 1).toLocaleString('en-US')} bytes)` });
  await page.selectOption('#op', 'mul');
  await page.click('#run');
  await page.waitForSelector('#status[data-state="done"]', { timeout: 90_000 });
  const expected = (BigInt(a) * BigInt(b)).toString();
  assert.equal(await page.textContent('#result-digits'), expected.length.toLocaleString('en-US'));
  assert.equal(await page.textContent('#result-first'), `${expected.slice(0, 50)}…`);
  assert.equal(await page.textContent('#result-last'), `…${expected.slice(-50)}`);
  assert.match((await page.textContent('#result-time')) ?? '', /\d+(\.\d+)? (ms|s)/);
  // Save under a name: an ordinary file in the save folder, the whole product.
  await page.fill('#save-name', 'product');
  await page.click('#save');
  await page.waitForFunction(() => /Saved as product\.txt/.test(document.getElementById('save-status')?.textContent ?? ''));
  assert.equal(readFileSync(join(home, 'saved', 'product.txt'), 'latin1'), `${expected}\n`);
  // Download: streamed by the server, the same digits.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  const downloaded = await download.path();
  assert.equal(readFileSync(downloaded, 'latin1'), `${expected}\n`);
  // The saved file is now offered as an operand, and the home counts the result as tracked and referenced.
  await page.waitForFunction(() => Array.from(document.querySelectorAll('#a-file option')).some((o) => o.textContent?.startsWith('product.txt') ?? false));
  assert.ok(Number((await page.textContent('#home-refs'))?.replace(/,/g, '')) >= 1);
});

test('calculator: cancelling a long pow leaves no file and no row', { timeout: 90_000 }, async () => {
  await open('/calc');
  const filesBefore = logFiles(home);
  const rowsBefore = trackerStatus().files.map((f) => f.path);
  await page.fill('#a-text', '3');
  await page.selectOption('#op', 'pow');
  await page.fill('#b-text', '40000000');
  await page.click('#run');
  await page.waitForSelector('#status[data-state="running"]');
  await page.waitForFunction(() => document.getElementById('percent')?.textContent !== '–', undefined, { timeout: 60_000 });
  assert.ok(await page.isEnabled('#cancel'));
  await page.click('#cancel');
  await page.waitForSelector('#status[data-state="cancelled"]', { timeout: 30_000 });
  assert.equal(await page.isVisible('#result'), false);
  // Nothing new at all: no partial result, and the staged operands (literals 3 and 40000000) are gone too.
  assert.deepEqual(logFiles(home), filesBefore);
  assert.deepEqual(trackerStatus().files.map((f) => f.path), rowsBefore);
});

test('every bad input shows its message in the page', { timeout: 60_000 }, async () => {
  await open('/calc');
  const calc = async (x: string, op: string, y: string, pattern: RegExp): Promise<void> => {
    await page.fill('#a-text', x);
    await page.selectOption('#op', op);
    if (op !== 'isqrt') await page.fill('#b-text', y);
    await page.click('#run');
    try {
      await page.waitForFunction((source) => new RegExp(source).test(document.getElementById('error')?.textContent ?? ''), pattern.source, { timeout: 20_000 });
    } catch {
      assert.fail(`${x} ${op} ${y}: expected ${pattern}, the page says ${JSON.stringify(await page.textContent('#error'))}`);
    }
    assert.equal(await page.isVisible('#error'), true);
  };
  await calc('', 'add', '1', /operand A: type a number or an expression/);
  await calc('12a', 'add', '1', /operand A: invalid number in expression "12a" at byte 2: unexpected 'a'/);
  await calc('1', 'add', '2^', /operand B: invalid number .* expected a number or '\(', found the end of the text/);
  await calc('7', 'div', '0', /division by zero/);
  await calc('7', 'mod', '0', /division by zero/);
  await calc('2', 'pow', '-1', /negative exponent/);
  await calc('-4', 'isqrt', '', /isqrt: .* is negative/);
  await calc('10^10^10', 'add', '1', /10,000,000,000 digits; the limit is 1,000,000/);
  await calc('1+'.repeat(6000) + '1', 'add', '1', /more than 10,000 numbers, operators and parentheses/);
  await calc('10', 'pow', '10^12', /the result would have about 1,000,000,000,001 digits; this app's limit is 1,000,000,000/);
  await page.fill('#threshold', 'soon');
  await page.click('#gc');
  assert.match(await errorText(), /the threshold must be a number >= 0, got "soon"/);

  await open('/pi');
  const search = async (q: string, pattern: RegExp): Promise<void> => {
    await page.fill('#q', q);
    await page.click('#search');
    try {
      await page.waitForFunction((source) => new RegExp(source).test(document.getElementById('error')?.textContent ?? ''), pattern.source, { timeout: 20_000 });
    } catch {
      assert.fail(`pi ${q}: expected ${pattern}, the page says ${JSON.stringify(await page.textContent('#error'))}`);
    }
  };
  await search('', /type digits/);
  await search('12a4', /only the digits 0-9 may be searched \(found 'a' at character 3\)/);
  await search('2023-02-30', /day 30 is not 1\.\.28 for month 2 of 2023/);
  await search('1'.repeat(201), /the query has 201 characters; at most 200 are searched/);
});

test('the keyboard reaches every control in order', { timeout: 30_000 }, async () => {
  const order = async (path: string, first: string, expected: string[]): Promise<void> => {
    await open(path);
    await page.focus(first);
    const seen: string[] = [];
    for (let i = 0; i < expected.length; i++) {
      await page.keyboard.press('Tab');
      seen.push(await page.evaluate(() => document.activeElement?.id ?? ''));
    }
    assert.deepEqual(seen, expected, path);
  };
  await order('/calc', '#a-text', ['a-file', 'op', 'b-text', 'b-file', 'run']);
  await order('/collatz', '#number', ['file', 'start']);
  await order('/pi', '#q', ['search']);
});

test('phone width: no page scrolls sideways', { timeout: 60_000 }, async () => {
  const phone = await context.newPage();
  await phone.setViewportSize({ width: 360, height: 780 });
  const shots = process.env.MATHSTREAM_SCREENSHOT_DIR;
  for (const path of ['/pi?q=1987-03-14', '/calc', '/collatz']) {
    await phone.goto(base + path);
    await phone.waitForSelector('body[data-ready="true"]');
    if (path.startsWith('/pi')) await phone.waitForSelector('#answer:not([hidden])');
    const { scrollWidth, clientWidth } = await phone.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
    assert.ok(scrollWidth <= clientWidth, `${path}: scrollWidth ${scrollWidth} > clientWidth ${clientWidth}`);
    if (shots) await phone.screenshot({ path: join(shots, `phone${path.replace(/[/?=%]+/g, '-')}.png`), fullPage: true });
  }
  await phone.close();
});
