/**
 * collatz-page — the Collatz explorer's HTML and CSS (one static page; the behaviour is collatz.ts,
 * the plot is Chart.js). Served by routes/collatz.ts with the configured limits filled in.
 */
import { formatBytes } from '../../../config.js';
import { escapeHtml } from './layout.js';

export interface PageLimits {
  readonly maxDigits: number;
  readonly maxBodyBytes: number;
  /** The web app's navigation bar (HTML), shown above the title. */
  readonly nav?: string;
}

const CSS = `
:root { --ink: #1d2330; --muted: #5d6678; --line: #dfe3ea; --accent: #2f62d0; --accent-ink: #fff;
  --bad: #b42318; --bad-bg: #fef3f2; --good: #067647; --card: #fff; --bg: #f4f6fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
header { padding: 28px 24px 8px; max-width: 980px; margin: 0 auto; }
h1 { margin: 0 0 4px; font-size: 26px; letter-spacing: -0.01em; }
h2 { margin: 0 0 12px; font-size: 16px; color: var(--muted); font-weight: 600; text-transform: uppercase; letter-spacing: 0.04em; }
header p { margin: 0; color: var(--muted); }
main { max-width: 980px; margin: 0 auto; padding: 12px 24px 40px; display: grid; gap: 16px; grid-template-columns: 1fr 1fr; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 18px 20px; }
.wide { grid-column: 1 / -1; }
label.main { font-weight: 600; display: block; margin-bottom: 6px; }
input[type=text] { width: 100%; font: 16px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; padding: 10px 12px;
  border: 1px solid var(--line); border-radius: 8px; outline: none; }
input[type=text]:focus { border-color: var(--accent); box-shadow: 0 0 0 3px rgba(47, 98, 208, 0.15); }
.file-row { display: flex; align-items: center; gap: 10px; margin-top: 10px; color: var(--muted); flex-wrap: wrap; }
.file-button { position: relative; border: 1px dashed #b9c1d0; border-radius: 8px; padding: 6px 12px; cursor: pointer; }
.file-button:focus-within { outline: 3px solid var(--accent); outline-offset: 2px; }
.file-button:hover { border-color: var(--accent); color: var(--accent); }
.file-button input { position: absolute; inset: 0; width: 100%; height: 100%; opacity: 0; cursor: pointer; }
.buttons { display: flex; gap: 10px; margin-top: 16px; }
button { font: inherit; font-weight: 600; padding: 9px 22px; border-radius: 8px; border: 1px solid var(--accent); cursor: pointer; }
button#start { background: var(--accent); color: var(--accent-ink); }
button#cancel { background: #fff; color: var(--ink); border-color: #b9c1d0; }
button:disabled { opacity: 0.45; cursor: default; }
#error { margin: 14px 0 0; padding: 10px 12px; border-radius: 8px; background: var(--bad-bg); color: var(--bad); border: 1px solid #fecdca;
  overflow-wrap: anywhere; }
.hint { margin: 12px 0 0; color: var(--muted); font-size: 13px; }
#status { font-weight: 600; margin-bottom: 8px; }
#status[data-state=done] { color: var(--good); }
#status[data-state=failed] { color: var(--bad); }
progress { width: 100%; height: 8px; accent-color: var(--accent); }
dl.stats { display: grid; grid-template-columns: 1fr 1fr; gap: 10px 16px; margin: 12px 0 0; }
dl.stats div { min-width: 0; }
dt { color: var(--muted); font-size: 13px; }
dd { margin: 0; font: 600 20px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
#result dd { font-size: 24px; }
.chart-box { position: relative; height: 340px; }
footer { grid-column: 1 / -1; color: var(--muted); font-size: 13px; }
@media (max-width: 760px) { main { grid-template-columns: minmax(0, 1fr); padding: 12px 12px 32px; } header { padding: 18px 12px 4px; } .card { min-width: 0; } }
`;

export function renderPage(limits: PageLimits): string {
  const digits = limits.maxDigits.toLocaleString('en-US');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Collatz explorer · mathstream</title>
<style>${CSS}</style>
<script src="/assets/chart.js" defer></script>
<script type="module" src="/assets/collatz.js"></script>
</head>
<body data-max-body="${limits.maxBodyBytes}" data-max-digits="${limits.maxDigits}">
${limits.nav ?? ''}
<header>
  <h1>Collatz explorer</h1>
  <p>Halve even numbers, send odd ones to 3n+1, and count the steps down to 1 — for numbers with up to ${escapeHtml(digits)} digits.</p>
</header>
<main>
  <form id="run-form" class="card" novalidate>
    <label class="main" for="number">Start number</label>
    <input type="text" id="number" name="number" placeholder="27, 2^1000-1, 3*(10^500+7)" autocomplete="off" spellcheck="false">
    <div class="file-row">
      <label class="file-button">or pick a digit file…<input type="file" id="file" accept=".txt,text/plain"></label>
      <span id="file-info"></span>
    </div>
    <div class="buttons">
      <button type="submit" id="start">Start</button>
      <button type="button" id="cancel" disabled>Cancel</button>
    </div>
    <p id="error" role="alert" hidden></p>
    <p class="hint">Digits, + − * ^ and parentheses. Starts up to ${escapeHtml(digits)} digits; digit files up to ${formatBytes(limits.maxBodyBytes)}.</p>
  </form>
  <section class="card" aria-live="polite">
    <h2>Progress</h2>
    <div id="status" data-state="idle">Ready.</div>
    <progress id="bar" max="1" value="0"></progress>
    <dl class="stats">
      <div><dt>Steps so far</dt><dd id="live-steps">–</dd></div>
      <div><dt>Current digits</dt><dd id="live-digits">–</dd></div>
      <div><dt>Start digits</dt><dd id="start-digits">–</dd></div>
      <div><dt>Elapsed</dt><dd id="elapsed">–</dd></div>
    </dl>
  </section>
  <section class="card wide" id="result" hidden>
    <h2>Result</h2>
    <dl class="stats">
      <div><dt>Steps (total stopping time)</dt><dd id="steps"></dd></div>
      <div><dt>Odd steps (3n+1)</dt><dd id="odd-steps"></dd></div>
      <div><dt>Peak</dt><dd id="peak"></dd></div>
      <div><dt>Time</dt><dd id="time"></dd></div>
    </dl>
  </section>
  <section class="card wide">
    <h2>Trajectory: decimal digits per step</h2>
    <div class="chart-box"><canvas id="chart" role="img" aria-label="plot of decimal digits per step"></canvas></div>
  </section>
  <footer>n/2 and 3n+1 each count as one step. Inside long jumps the plotted digit counts are estimates; the peak is exact.</footer>
</main>
</body>
</html>
`;
}
