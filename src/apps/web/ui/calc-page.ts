/** calc-page — the calculator page's HTML (behaviour: calc.ts). */
import { escapeHtml, renderShell } from './layout.js';

function operand(key: 'a' | 'b', title: string): string {
  return `<fieldset class="operand" id="operand-${key}">
      <legend>${title}</legend>
      <label for="${key}-text">Number or expression</label>
      <input type="text" id="${key}-text" placeholder="12345, 2^1000-1, 3*(10^50+7)" autocomplete="off" spellcheck="false">
      <label for="${key}-file">or a digit file</label>
      <select id="${key}-file"><option value="">— none: use the number above —</option></select>
    </fieldset>`;
}

export function renderCalcPage(options: { nav: string; maxDigits: number; maxResultDigits: number; saveFolder: string }): string {
  return renderShell({
    title: 'Calculator',
    nav: options.nav,
    script: 'calc.js',
    data: { 'max-digits': options.maxDigits },
    header: `<h1>Calculator on digit files</h1><p>Exact integer arithmetic on numbers of any size, stored as files of decimal digits.</p>`,
    main: `
  <form id="calc-form" class="card" novalidate>
    <h2>Operation</h2>
    ${operand('a', 'A')}
    <label for="op">Operation</label>
    <select id="op">
      <option value="add">A + B (add)</option>
      <option value="sub">A − B (sub)</option>
      <option value="mul" selected>A × B (mul)</option>
      <option value="div">⌊A / B⌋ (div, floor)</option>
      <option value="mod">A mod B (mod, sign of B)</option>
      <option value="pow">A ^ B (pow)</option>
      <option value="isqrt">⌊√A⌋ (isqrt)</option>
    </select>
    ${operand('b', 'B')}
    <div class="row">
      <button type="submit" class="primary" id="run">Run</button>
      <button type="button" id="cancel" disabled>Cancel</button>
    </div>
    <p id="error" class="error" role="alert" hidden></p>
    <p class="hint">Typed numbers and expressions up to ${escapeHtml(options.maxDigits.toLocaleString('en-US'))} digits; files of any size;
      results up to ${escapeHtml(options.maxResultDigits.toLocaleString('en-US'))} digits. Floor division as in Python.</p>
  </form>
  <section class="card" aria-labelledby="progress-title">
    <h2 id="progress-title">Progress</h2>
    <div aria-live="polite"><p class="status" id="status" data-state="idle">Ready.</p></div>
    <progress id="bar" max="1" value="0" aria-label="progress of the operation"></progress>
    <dl class="stats"><div><dt>Done</dt><dd id="percent">–</dd></div><div><dt>Time left</dt><dd id="eta">–</dd></div></dl>
    <section id="result" hidden aria-labelledby="result-title">
      <h2 id="result-title" style="margin-top:18px">Result</h2>
      <dl class="stats">
        <div><dt>Digits</dt><dd id="result-digits"></dd></div>
        <div><dt>Time</dt><dd id="result-time"></dd></div>
      </dl>
      <p class="hint">First digits</p><p class="digits" id="result-first"></p>
      <p class="hint">Last digits</p><p class="digits" id="result-last"></p>
      <form id="save-form" novalidate>
        <label for="save-name">Save as (in ${escapeHtml(options.saveFolder)})</label>
        <input type="text" id="save-name" placeholder="product.txt" autocomplete="off" spellcheck="false">
        <div class="row">
          <button type="submit" id="save">Save</button>
          <a id="download" class="button" href="#" download>Download</a>
        </div>
        <p id="save-status" class="hint" aria-live="polite"></p>
      </form>
    </section>
  </section>
  <section class="card wide" aria-labelledby="home-title">
    <h2 id="home-title">Home</h2>
    <dl class="stats">
      <div><dt>Tracked files</dt><dd id="home-files">–</dd></div>
      <div><dt>References</dt><dd id="home-refs">–</dd></div>
      <div><dt>Bytes</dt><dd id="home-bytes">–</dd></div>
    </dl>
    <form id="gc-form" class="row" novalidate>
      <label for="threshold" style="margin:0">Collector threshold</label>
      <input type="text" id="threshold" value="3600" inputmode="decimal" style="width:9em" aria-describedby="gc-hint">
      <button type="submit" id="gc">Run the collector</button>
    </form>
    <p class="hint" id="gc-hint">Deletes unreferenced staged files whose score (idle seconds / ((refs+1)(accesses+1))) is at least the threshold; 0 removes every unreferenced one. Results shown here are referenced and stay.</p>
    <p id="gc-status" class="hint" aria-live="polite"></p>
    <table><caption class="hint" style="text-align:left">Most recent tracked files</caption>
      <thead><tr><th scope="col">File</th><th scope="col">Bytes</th><th scope="col">Refs</th></tr></thead>
      <tbody id="home-table"></tbody></table>
  </section>`,
  });
}
