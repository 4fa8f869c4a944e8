/** pi-page — the pi search page's HTML (behaviour: pi.ts). */
import { escapeHtml, renderShell } from './layout.js';

export function renderPiPage(options: { nav: string; decimals: number }): string {
  const decimals = options.decimals.toLocaleString('en-US');
  return renderShell({
    title: 'Pi search',
    nav: options.nav,
    script: 'pi.js',
    data: { decimals: options.decimals },
    header: `<h1>Pi search</h1><p>Where does your birthday, or any digit string, first appear in pi?</p>`,
    main: `
  <form id="search-form" class="card wide" role="search" novalidate>
    <label for="q">Digits or a date</label>
    <input type="search" id="q" name="q" placeholder="14159, 1970-01-01, 14/03/1987" autocomplete="off" spellcheck="false" inputmode="text" aria-describedby="q-hint">
    <div class="row"><button type="submit" class="primary" id="search">Search</button></div>
    <p class="hint" id="q-hint">Positions count from the first digit after the point. A date is searched in each of its forms
      (DDMMYYYY, MMDDYYYY, YYYYMMDD, DDMMYY, MMDDYY, YYMMDD); dates are written 1970-01-01 or 01/01/1970.</p>
    <p id="error" class="error" role="alert" hidden></p>
  </form>
  <section id="setup" class="card wide" hidden aria-labelledby="setup-title">
    <h2 id="setup-title">No pi file yet</h2>
    <p id="setup-text">Searching needs pi's digits in the home. Compute ${escapeHtml(decimals)} decimals now (and an index, so every search answers at once)?</p>
    <div class="row">
      <button type="button" class="primary" id="compute">Compute pi</button>
      <button type="button" id="compute-cancel" disabled>Cancel</button>
    </div>
    <div aria-live="polite">
      <p class="status" id="compute-status" data-state="idle"></p>
      <progress id="compute-bar" max="1" value="0" aria-label="progress of the pi computation"></progress>
    </div>
  </section>
  <section id="answer" class="card wide" hidden aria-live="polite" aria-labelledby="answer-title">
    <h2 id="answer-title">Answer</h2>
    <p id="answer-summary"></p>
    <div id="matches"></div>
  </section>
  <footer id="file-line"></footer>`,
  });
}
