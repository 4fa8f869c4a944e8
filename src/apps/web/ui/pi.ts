/**
 * pi — the pi search page's behaviour (runs in the browser; served as /assets/pi.js).
 *
 * A search goes to /api/pi/search and the address becomes /pi?q=…, so it can be shared. Each
 * digit form found gets its position, count and context with the match marked, and previous /
 * next buttons that ask for occurrence n−1 / n+1. Without a pi file the page offers to compute
 * one (a run with live progress and cancel).
 */
import type { PiMatch, PiSearchAnswer } from '../routes/pi.js';
import { ApiError, api, element, followRun, format, progressText, showError } from './common.js';

interface PiStatus {
  file: { name: string; decimals: number } | null;
  index: 'missing' | 'stale' | 'fresh';
  offered: number;
}

const form = element<HTMLFormElement>('search-form');
const input = element<HTMLInputElement>('q');
const searchButton = element<HTMLButtonElement>('search');
const errorBox = element('error');
const setup = element('setup');
const setupText = element('setup-text');
const computeButton = element<HTMLButtonElement>('compute');
const cancelButton = element<HTMLButtonElement>('compute-cancel');
const computeStatus = element('compute-status');
const computeBar = element<HTMLProgressElement>('compute-bar');
const answer = element('answer');
const summary = element('answer-summary');
const matchesBox = element('matches');
const fileLine = element('file-line');

let runId: string | undefined;

function matchBlock(match: PiMatch, decimals: number): HTMLElement {
  const block = document.createElement('article');
  block.className = 'match';
  block.dataset.query = match.query;
  const title = document.createElement('h3');
  title.textContent = match.forms.length > 0 ? `${match.query} (${match.forms.join(', ')})` : match.query;
  block.append(title);
  const line = document.createElement('p');
  line.className = 'where';
  if (match.position === null) {
    line.textContent = `does not occur in the first ${format(decimals)} decimals`;
    block.append(line);
    return block;
  }
  line.innerHTML = '';
  line.append(
    match.n === 1 ? 'first at position ' : `occurrence ${format(match.n)} of ${format(match.count)} at position `,
    Object.assign(document.createElement('strong'), { className: 'position', textContent: format(match.position) }),
    match.n === 1 ? ` · ${format(match.count)} occurrence${match.count === 1 ? '' : 's'}` : '',
  );
  block.append(line);
  const digits = document.createElement('p');
  digits.className = 'digits';
  const mark = document.createElement('mark');
  mark.textContent = match.query;
  digits.append(`…${match.before}`, mark, `${match.after}…`);
  digits.setAttribute('aria-label', `${match.before} then ${match.query} then ${match.after}`);
  block.append(digits);
  const row = document.createElement('div');
  row.className = 'row';
  const step = (label: string, n: number, disabled: boolean): HTMLButtonElement => {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = label;
    button.disabled = disabled;
    button.setAttribute('aria-label', `${label} occurrence of ${match.query}`);
    button.addEventListener('click', () => void stepTo(block, match.query, match.forms, n, decimals));
    return button;
  };
  row.append(step('Previous', match.n - 1, match.n <= 1), step('Next', match.n + 1, match.n >= match.count));
  block.append(row);
  return block;
}

async function stepTo(block: HTMLElement, query: string, forms: readonly string[], n: number, decimals: number): Promise<void> {
  try {
    const result = await api<PiSearchAnswer>(`/api/pi/search?q=${encodeURIComponent(query)}&n=${n}`);
    const fresh = matchBlock({ ...result.matches[0]!, forms }, decimals);
    block.replaceWith(fresh);
    fresh.querySelector<HTMLButtonElement>(n > 1 ? 'button:not([disabled])' : 'button:last-child')?.focus();
    showError(errorBox, undefined);
  } catch (error) {
    showError(errorBox, error instanceof Error ? error.message : String(error));
  }
}

async function search(q: string): Promise<void> {
  showError(errorBox, undefined);
  if (q.trim() === '') {
    showError(errorBox, 'type digits (such as 14159) or a date (such as 1970-01-01)');
    return;
  }
  searchButton.disabled = true;
  try {
    const result = await api<PiSearchAnswer>(`/api/pi/search?q=${encodeURIComponent(q)}`);
    summary.textContent =
      (result.date !== null ? `The date ${result.date}, in ${result.matches.length} digit forms,` : `"${result.input}"`) +
      ` in the first ${format(result.decimals)} decimals of pi (${result.elapsedMs < 1 ? '<1' : Math.round(result.elapsedMs)} ms):`;
    matchesBox.replaceChildren(...result.matches.map((m) => matchBlock(m, result.decimals)));
    answer.hidden = false;
  } catch (error) {
    answer.hidden = true;
    if (error instanceof ApiError && error.body.setup === true) await showSetup();
    showError(errorBox, error instanceof Error ? error.message : String(error));
  } finally {
    searchButton.disabled = false;
  }
}

async function showSetup(): Promise<PiStatus> {
  const status = await api<PiStatus>('/api/pi');
  fileLine.textContent = status.file === null ? '' : `Searching ${status.file.name} (${format(status.file.decimals)} decimals), index ${status.index}.`;
  const needed = status.file === null || status.index !== 'fresh';
  if (needed && runId === undefined) {
    setupText.textContent =
      status.file === null
        ? `Searching needs pi's digits in the home. Compute ${format(status.offered)} decimals now (and an index, so every search answers at once)?`
        : `${status.file.name} has no up-to-date index yet: searches scan the file. Build the index now so they answer at once?`;
    computeButton.textContent = status.file === null ? 'Compute pi' : 'Build the index';
    setup.hidden = false;
  }
  return status;
}

function setComputing(busy: boolean, text: string, state: string): void {
  computeButton.disabled = busy;
  cancelButton.disabled = !busy;
  computeStatus.textContent = text;
  computeStatus.dataset.state = state;
}

async function compute(): Promise<void> {
  showError(errorBox, undefined);
  setComputing(true, 'Starting…', 'running');
  try {
    const { id } = await api<{ id: string }>('/api/pi/compute', { method: 'POST' });
    runId = id;
    followRun(id, {
      progress: (p) => {
        computeBar.value = p.total > 0 ? p.done / p.total : 0;
        computeStatus.textContent = `${p.phase === 'index' ? 'Building the index' : 'Computing pi'}: ${progressText(p.done, p.total, p.elapsedMs)}`;
      },
      result: () => {
        runId = undefined;
        computeBar.value = 1;
        setComputing(false, 'Done: pi and its index are ready.', 'done');
        setup.hidden = true;
        void showSetup();
        if (input.value.trim() !== '') void search(input.value);
      },
      failed: (error) => {
        runId = undefined;
        setComputing(false, `Failed: ${error.message}`, 'failed');
      },
      cancelled: () => {
        runId = undefined;
        computeBar.value = 0;
        setComputing(false, 'Cancelled; nothing was kept.', 'cancelled');
      },
    });
  } catch (error) {
    setComputing(false, '', 'idle');
    showError(errorBox, error instanceof Error ? error.message : String(error));
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const q = input.value.trim();
  history.replaceState(null, '', q === '' ? '/pi' : `/pi?q=${encodeURIComponent(q)}`);
  void search(q);
});
computeButton.addEventListener('click', () => void compute());
cancelButton.addEventListener('click', () => {
  if (runId !== undefined) {
    cancelButton.disabled = true;
    computeStatus.textContent = 'Cancelling…';
    void api(`/api/runs/${runId}/cancel`, { method: 'POST' }).catch((error: unknown) => showError(errorBox, String(error)));
  }
});

async function start(): Promise<void> {
  const q = new URLSearchParams(location.search).get('q');
  try {
    const status = await showSetup();
    if (q !== null) {
      input.value = q;
      if (status.file !== null) await search(q);
    }
  } catch (error) {
    showError(errorBox, error instanceof Error ? error.message : String(error));
  }
  document.body.dataset.ready = 'true';
}
void start();
