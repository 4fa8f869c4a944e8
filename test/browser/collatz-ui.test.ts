/**
 * The Collatz explorer in a real browser: Debian's Chromium driven by playwright-core
 * (never a downloaded browser). Types 27 and reads 111 steps and a drawn plot, types garbage
 * and sees the error, starts a long run and cancels it.
 * Set MATHSTREAM_SCREENSHOT=/path.png to keep a screenshot of the finished 27 run.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startCollatzServer, type CollatzServer } from '../../src/apps/collatz/server.js';

const CHROMIUM = '/usr/bin/chromium';
const LAUNCH_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let server: CollatzServer;
let browser: Browser;
let page: Page;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does this)`);
  server = await startCollatzServer({ port: 0 });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS, timeout: 30_000 });
  page = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
  page.setDefaultTimeout(15_000);
  await page.goto(server.url);
  await page.waitForSelector('body[data-ready="true"]');
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Non-blank pixels on the chart canvas: proof that Chart.js actually drew something. */
async function inkedPixels(): Promise<number> {
  return page.evaluate(() => {
    const canvas = document.getElementById('chart') as HTMLCanvasElement;
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    let count = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) count++;
    return count;
  });
}

async function startWith(text: string): Promise<void> {
  await page.fill('#number', text);
  await page.click('#start');
}

test('27: 111 steps, 41 odd steps, peak 9232 (4 digits), and a drawn plot', { timeout: 30_000 }, async () => {
  const blank = await inkedPixels();
  await startWith('27');
  await page.waitForSelector('#status[data-state="done"]');
  assert.equal(await page.textContent('#steps'), '111');
  assert.equal(await page.textContent('#odd-steps'), '41');
  assert.match((await page.textContent('#peak')) ?? '', /^9232 \(4 digits\) at step 77$/);
  assert.equal(await page.isVisible('#error'), false);
  const points = Number(await page.getAttribute('#chart', 'data-points'));
  assert.ok(points > 50, `${points} plotted points`);
  const inked = await inkedPixels();
  assert.ok(inked > blank + 2000, `chart drew ${inked} pixels (blank: ${blank})`);
  const screenshot = process.env.MATHSTREAM_SCREENSHOT;
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
});

test('garbage shows a clear error in the page', { timeout: 30_000 }, async () => {
  await startWith('12abc');
  await page.waitForSelector('#error:not([hidden])');
  const message = (await page.textContent('#error')) ?? '';
  assert.match(message, /invalid number in expression "12abc" at byte 2: unexpected 'a'/);
  assert.equal(await page.getAttribute('#status', 'data-state'), 'failed');
  // A too-large expression is refused with its size, also shown in the page.
  await startWith('10^10^10');
  await page.waitForFunction(() => /10,000,000,000 digits/.test(document.getElementById('error')?.textContent ?? ''));
  assert.equal(await page.isEnabled('#start'), true);
});

test('a long run shows live progress and can be cancelled', { timeout: 45_000 }, async () => {
  await startWith('2^3000000-1');
  await page.waitForSelector('#status[data-state="running"]');
  await page.waitForFunction(() => Number((document.getElementById('live-steps')?.textContent ?? '').replace(/,/g, '')) > 0);
  assert.equal(await page.textContent('#start-digits'), '903,090');
  assert.equal(await page.isEnabled('#cancel'), true);
  // The server answers other requests while the worker computes.
  const response = await page.request.get(server.url);
  assert.equal(response.status(), 200);
  await page.click('#cancel');
  await page.waitForSelector('#status[data-state="cancelled"]');
  assert.equal(await page.isEnabled('#start'), true);
  assert.equal(await page.isEnabled('#cancel'), false);
  assert.equal(await page.isVisible('#result'), false);
});
