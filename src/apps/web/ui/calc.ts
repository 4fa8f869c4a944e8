/**
 * calc — the calculator page's behaviour (runs in the browser; served as /assets/calc.js).
 *
 * Run posts the operation and both operands (typed text, or a file id from /api/files) to
 * /api/calc, then follows the run's events: progress gives the bar, the percentage and the ETA;
 * the result gives the digit count, the first and last 50 digits and the time, and enables save
 * and download. Cancel asks the server to stop the run; the engine leaves no file behind.
 */
import type { CalcResult } from '../protocol.js';
import { api, duration, element, followRun, format, progressText, showError } from './common.js';

interface FileEntry {
  id: string;
  name: string;
  where: string;
  bytes: number;
}
interface HomeState {
  home: string;
  totals: { files: number; bytes: number; references: number };
  files: Array<{ name: string; bytes: number | null; refs: number }>;
}

const form = element<HTMLFormElement>('calc-form');
const opSelect = element<HTMLSelectElement>('op');
const runButton = element<HTMLButtonElement>('run');
const cancelButton = element<HTMLButtonElement>('cancel');
const errorBox = element('error');
const statusLine = element('status');
const bar = element<HTMLProgressElement>('bar');
const resultBox = element('result');
const saveForm = element<HTMLFormElement>('save-form');
const saveName = element<HTMLInputElement>('save-name');
const saveStatus = element('save-status');
const download = element<HTMLAnchorElement>('download');
const gcForm = element<HTMLFormElement>('gc-form');
const gcStatus = element('gc-status');

let runId: string | undefined;
let resultId: string | undefined;

function setState(state: string, text: string): void {
  statusLine.dataset.state = state;
  statusLine.textContent = text;
  const busy = state === 'running' || state === 'starting';
  runButton.disabled = busy;
  cancelButton.disabled = !busy || runId === undefined;
}

function operand(key: 'a' | 'b'): { text: string } | { file: string } {
  const file = element<HTMLSelectElement>(`${key}-file`).value;
  return file !== '' ? { file } : { text: element<HTMLInputElement>(`${key}-text`).value };
}

async function loadFiles(): Promise<void> {
  const { files } = await api<{ files: FileEntry[] }>('/api/files');
  for (const key of ['a', 'b'] as const) {
    const select = element<HTMLSelectElement>(`${key}-file`);
    const chosen = select.value;
    const options = files.map((f) => {
      const option = document.createElement('option');
      option.value = f.id;
      option.textContent = `${f.name} (${f.where}, ${format(f.bytes)} bytes)`;
      return option;
    });
    select.replaceChildren(select.options[0]!, ...options);
    select.value = files.some((f) => f.id === chosen) ? chosen : '';
  }
}

async function loadHome(): Promise<void> {
  const home = await api<HomeState>('/api/home');
  element('home-files').textContent = format(home.totals.files);
  element('home-refs').textContent = format(home.totals.references);
  element('home-bytes').textContent = format(home.totals.bytes);
  element('home-table').replaceChildren(
    ...home.files.map((f) => {
      const row = document.createElement('tr');
      for (const cell of [f.name, f.bytes === null ? '–' : format(f.bytes), format(f.refs)]) {
        const td = document.createElement('td');
        td.textContent = cell;
        row.append(td);
      }
      return row;
    }),
  );
}

function refresh(): void {
  void Promise.all([loadFiles(), loadHome()]).catch((error: unknown) => showError(errorBox, String(error)));
}

function showResult(result: CalcResult, id: string): void {
  resultId = id;
  const sign = result.negative ? '−' : '';
  element('result-digits').textContent = format(result.digits);
  element('result-time').textContent = duration(result.elapsedMs);
  element('result-first').textContent = sign + result.first + (result.digits > result.first.length ? '…' : '');
  element('result-last').textContent = (result.digits > result.last.length ? '…' : sign) + result.last;
  download.href = `/api/results/${id}/download`;
  saveStatus.textContent = '';
  resultBox.hidden = false;
}

async function run(): Promise<void> {
  showError(errorBox, undefined);
  const op = opSelect.value;
  resultBox.hidden = true;
  bar.value = 0;
  element('percent').textContent = '–';
  element('eta').textContent = '–';
  setState('starting', 'Starting…');
  try {
    const body = op === 'isqrt' ? { op, a: operand('a') } : { op, a: operand('a'), b: operand('b') };
    const { id } = await api<{ id: string }>('/api/calc', { method: 'POST', body });
    runId = id;
    setState('running', `Running ${op}…`);
    followRun(id, {
      progress: (p) => {
        const fraction = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
        bar.value = fraction;
        const [percent, eta] = progressText(p.done, p.total, p.elapsedMs).split(' · ');
        element('percent').textContent = percent ?? '–';
        element('eta').textContent = eta?.replace(/^about /, '') ?? '–';
        statusLine.textContent = `Running ${op}: ${duration(p.elapsedMs)} so far`;
      },
      result: (event) => {
        runId = undefined;
        bar.value = 1;
        element('percent').textContent = '100 %';
        element('eta').textContent = '–';
        const result = (event as unknown as { result: CalcResult }).result;
        setState('done', `Done: ${op} in ${duration(result.elapsedMs)}.`);
        showResult(result, id);
        refresh();
      },
      failed: (error) => {
        runId = undefined;
        setState('failed', 'Failed.');
        showError(errorBox, error.message);
        refresh();
      },
      cancelled: () => {
        runId = undefined;
        bar.value = 0;
        setState('cancelled', 'Cancelled; no result was kept.');
        refresh();
      },
    });
  } catch (error) {
    runId = undefined;
    setState('failed', 'Not started.');
    showError(errorBox, error instanceof Error ? error.message : String(error));
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  void run();
});
opSelect.addEventListener('change', () => {
  element<HTMLFieldSetElement>('operand-b').disabled = opSelect.value === 'isqrt';
});
cancelButton.addEventListener('click', () => {
  if (runId === undefined) return;
  cancelButton.disabled = true;
  statusLine.textContent = 'Cancelling…';
  void api(`/api/runs/${runId}/cancel`, { method: 'POST' }).catch((error: unknown) => showError(errorBox, String(error)));
});
saveForm.addEventListener('submit', (event) => {
  event.preventDefault();
  if (resultId === undefined) return;
  saveStatus.textContent = 'Saving…';
  api<{ name: string; folder: string }>(`/api/results/${resultId}/save`, { method: 'POST', body: { name: saveName.value.trim() } }).then(
    (saved) => {
      saveStatus.textContent = `Saved as ${saved.name} in ${saved.folder}.`;
      refresh();
    },
    (error: unknown) => {
      saveStatus.textContent = '';
      showError(errorBox, error instanceof Error ? error.message : String(error));
    },
  );
});
gcForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = element<HTMLInputElement>('threshold').value.trim();
  const threshold = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(threshold)) {
    showError(errorBox, `the threshold must be a number >= 0, got "${text}"`);
    return;
  }
  showError(errorBox, undefined);
  api<{ removed: string[] }>('/api/gc', { method: 'POST', body: { threshold } }).then(
    ({ removed }) => {
      gcStatus.textContent = removed.length === 0 ? 'The collector removed nothing.' : `The collector removed ${removed.length} file${removed.length === 1 ? '' : 's'}: ${removed.join(', ')}`;
      refresh();
    },
    (error: unknown) => showError(errorBox, error instanceof Error ? error.message : String(error)),
  );
});

void Promise.all([loadFiles(), loadHome()])
  .catch((error: unknown) => showError(errorBox, error instanceof Error ? error.message : String(error)))
  .finally(() => {
    document.body.dataset.ready = 'true';
  });
