/**
 * layout — the HTML shell and styles shared by the web app's pages (rendered on the server;
 * the behaviour is in the page scripts pi.ts, calc.ts and common.ts).
 *
 * Plain and accessible: every control has a label, focus is always visible, live figures are in
 * aria-live regions, errors use role="alert", and the layout is one column below 760 px so a
 * phone-width window never scrolls sideways (long digit strings wrap anywhere).
 */

/** Styles of the navigation bar and the focus ring, for every page (the Collatz page too). */
export const NAV_CSS = `
.app-nav { display: flex; flex-wrap: wrap; gap: 4px 18px; align-items: center; padding: 10px 24px; background: #1d2330; }
.app-nav .brand { color: #fff; font-weight: 700; margin-right: 8px; }
.app-nav a { color: #d7def0; text-decoration: none; padding: 4px 2px; border-bottom: 2px solid transparent; }
.app-nav a[aria-current=page] { color: #fff; border-bottom-color: #8fb0ff; }
.app-nav a:hover { color: #fff; }
:focus-visible { outline: 3px solid #2f62d0; outline-offset: 2px; }
.app-nav a:focus-visible { outline-color: #8fb0ff; }
`;

const CSS = `
:root { --ink: #1d2330; --muted: #5d6678; --line: #dfe3ea; --accent: #2f62d0; --accent-ink: #fff;
  --bad: #b42318; --bad-bg: #fef3f2; --good: #067647; --card: #fff; --bg: #f4f6fa; --mark: #ffe08a; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
header { padding: 24px 24px 8px; max-width: 980px; margin: 0 auto; }
h1 { margin: 0 0 4px; font-size: 26px; letter-spacing: -0.01em; }
h2 { margin: 0 0 12px; font-size: 16px; color: var(--muted); font-weight: 600; text-transform: uppercase; letter-spacing: 0.04em; }
h3 { margin: 0 0 8px; font-size: 15px; }
header p { margin: 0; color: var(--muted); }
main { max-width: 980px; margin: 0 auto; padding: 12px 24px 40px; display: grid; gap: 16px; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 18px 20px; min-width: 0; }
.wide { grid-column: 1 / -1; }
label { font-weight: 600; display: block; margin: 10px 0 4px; }
input[type=text], input[type=search], input[type=number], select { width: 100%; max-width: 100%; font: 16px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  padding: 9px 11px; border: 1px solid #b9c1d0; border-radius: 8px; background: #fff; color: var(--ink); }
input:focus, select:focus { border-color: var(--accent); }
.row { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; margin-top: 14px; }
.row > * { min-width: 0; }
button { font: inherit; font-weight: 600; padding: 8px 18px; border-radius: 8px; border: 1px solid var(--accent); cursor: pointer;
  background: #fff; color: var(--accent); }
button.primary { background: var(--accent); color: var(--accent-ink); }
a.button { display: inline-block; font-weight: 600; padding: 8px 18px; border-radius: 8px; border: 1px solid var(--accent); color: var(--accent); text-decoration: none; }
button:disabled { opacity: 0.45; cursor: default; }
.error { margin: 14px 0 0; padding: 10px 12px; border-radius: 8px; background: var(--bad-bg); color: var(--bad); border: 1px solid #fecdca; overflow-wrap: anywhere; }
.hint { margin: 10px 0 0; color: var(--muted); font-size: 13px; overflow-wrap: anywhere; }
.status { font-weight: 600; margin-bottom: 8px; }
.status[data-state=done] { color: var(--good); }
.status[data-state=failed] { color: var(--bad); }
progress { width: 100%; height: 10px; accent-color: var(--accent); }
dl.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(140px, 1fr)); gap: 10px 16px; margin: 12px 0 0; }
dl.stats div { min-width: 0; }
dt { color: var(--muted); font-size: 13px; }
dd { margin: 0; font: 600 18px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
.digits { font: 15px/1.6 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; word-break: break-all; margin: 6px 0; }
mark { background: var(--mark); color: inherit; padding: 1px 0; border-radius: 3px; outline: 1px solid #e0b000; }
table { width: 100%; border-collapse: collapse; font-size: 14px; table-layout: fixed; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
th { color: var(--muted); font-weight: 600; }
.operand { border: 1px solid var(--line); border-radius: 8px; padding: 4px 12px 12px; margin: 0 0 12px; min-width: 0; }
.operand legend { font-weight: 700; padding: 0 4px; }
.choices { display: flex; flex-wrap: wrap; gap: 4px 16px; }
.choices label { font-weight: 400; margin: 4px 0; display: inline-flex; gap: 6px; align-items: center; }
footer { grid-column: 1 / -1; color: var(--muted); font-size: 13px; }
@media (max-width: 760px) { main { grid-template-columns: minmax(0, 1fr); padding: 12px 12px 32px; } header { padding: 18px 12px 4px; } .app-nav { padding: 10px 12px; } }
`;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface Shell {
  readonly title: string;
  readonly nav: string;
  /** Page script under /assets (a module). */
  readonly script: string;
  /** data-* attributes of <body> (limits the script reads). */
  readonly data: Record<string, string | number>;
  readonly header: string;
  readonly main: string;
}

/** One complete page. */
export function renderShell(shell: Shell): string {
  const data = Object.entries(shell.data)
    .map(([key, value]) => ` data-${key}="${escapeHtml(String(value))}"`)
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(shell.title)} · mathstream</title>
<style>${CSS}</style>
<script type="module" src="/assets/${shell.script}"></script>
</head>
<body${data}>
${shell.nav}
<header>${shell.header}</header>
<main>
${shell.main}
</main>
</body>
</html>
`;
}
