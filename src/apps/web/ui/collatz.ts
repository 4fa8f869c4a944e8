/**
 * collatz — the Collatz explorer page's behaviour (runs in the browser; served as /assets/collatz.js).
 *
 * Start posts the typed text (or the picked file's digits) to /api/runs, then listens to the
 * run's Server-Sent Events: progress updates the live figures and extends the plot, the
 * result fills the summary and redraws the plot from the run's sampled trajectory. Cancel
 * posts /api/runs/:id/cancel. Chart.js comes from the UMD script the page loads first.
 */
import type { Chart as ChartJs } from 'chart.js';
import type { CollatzProgress, CollatzResult } from '../../collatz/trajectory.js';
import type { RunEvent } from '../../collatz/protocol.js';
import { element, format } from './common.js';

type State = 'idle' | 'starting' | 'running' | 'done' | 'failed' | 'cancelled';
interface Point {
  x: number;
  y: number;
}

const LIVE_POINTS_MAX = 2000;

const form = element<HTMLFormElement>('run-form');
const numberInput = element<HTMLInputElement>('number');
const fileInput = element<HTMLInputElement>('file');
const fileInfo = element('file-info');
const startButton = element<HTMLButtonElement>('start');
const cancelButton = element<HTMLButtonElement>('cancel');
const errorBox = element('error');
const statusLine = element('status');
const bar = element<HTMLProgressElement>('bar');
const canvas = element<HTMLCanvasElement>('chart');
const maxBody = Number(document.body.dataset.maxBody);

let fileText: string | undefined;
let runId: string | undefined;
let events: EventSource | undefined;
let livePoints: Point[] = [];
let chart: ChartJs<'line', Point[]> | undefined;

const seconds = (ms: number): string => (ms < 1000 ? `${Math.max(1, Math.round(ms))} ms` : ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${(ms / 1000).toFixed(1)} s`);

function setText(id: string, text: string): void {
  element(id).textContent = text;
}

function showError(message: string | undefined): void {
  errorBox.hidden = message === undefined;
  errorBox.textContent = message ?? '';
}

function setState(state: State, text: string): void {
  statusLine.dataset.state = state;
  statusLine.textContent = text;
  const busy = state === 'starting' || state === 'running';
  startButton.disabled = busy;
  cancelButton.disabled = state !== 'running';
  document.body.dataset.state = state;
}

function getChart(): ChartJs<'line', Point[]> {
  if (chart !== undefined) return chart;
  const ChartCtor = (globalThis as unknown as { Chart: typeof ChartJs }).Chart;
  chart = new ChartCtor(canvas, {
    type: 'line',
    data: {
      datasets: [
        {
          label: 'decimal digits',
          data: [],
          borderColor: '#2f62d0',
          backgroundColor: 'rgba(47, 98, 208, 0.12)',
          fill: true,
          borderWidth: 1.6,
          pointRadius: 0,
          tension: 0,
        },
      ],
    },
    options: {
      animation: false,
      parsing: false,
      normalized: true,
      maintainAspectRatio: false,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      scales: {
        x: { type: 'linear', min: 0, title: { display: true, text: 'step' }, ticks: { callback: (v) => format(Number(v)) } },
        y: { beginAtZero: true, title: { display: true, text: 'decimal digits' }, ticks: { precision: 0, callback: (v) => format(Number(v)) } },
      },
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { title: (items) => `step ${format(items[0]?.parsed.x ?? 0)}`, label: (item) => `${format(item.parsed.y ?? 0)} digits` } },
      },
    },
  });
  return chart;
}

function plot(points: Point[]): void {
  const c = getChart();
  c.data.datasets[0]!.data = points;
  // End the axis at the last step rather than at the next round tick.
  const x = c.options.scales?.x;
  if (x !== undefined) x.max = points.length > 1 ? points[points.length - 1]!.x : undefined;
  c.update('none');
  canvas.dataset.points = String(points.length);
}

function addLivePoint(progress: CollatzProgress): void {
  const last = livePoints[livePoints.length - 1];
  if (last !== undefined && last.x === progress.steps) return;
  livePoints.push({ x: progress.steps, y: progress.digits });
  // Keep the live plot bounded: drop every second point, keeping the first and the newest.
  if (livePoints.length > LIVE_POINTS_MAX) livePoints = livePoints.filter((_, i) => i % 2 === 0 || i === livePoints.length - 1);
  plot(livePoints);
}

function showProgress(progress: CollatzProgress, elapsedMs: number): void {
  setText('live-steps', format(progress.steps));
  setText('live-digits', format(progress.digits));
  setText('start-digits', format(progress.startDigits));
  setText('elapsed', seconds(elapsedMs));
  bar.max = Math.max(1, progress.estimatedTotal);
  bar.value = progress.steps;
  setState('running', `Running… about ${Math.min(99, Math.floor((100 * progress.steps) / Math.max(1, progress.estimatedTotal)))}% (estimated)`);
  addLivePoint(progress);
}

function showResult(result: CollatzResult, elapsedMs: number): void {
  setText('steps', format(result.steps));
  setText('odd-steps', format(result.oddSteps));
  const peakDigits = `${format(result.maxDigits)} digit${result.maxDigits === 1 ? '' : 's'}`;
  // A peak of up to a few dozen digits is worth reading as a number (27 peaks at 9232); a larger one by its size.
  const peak = result.peakValue !== undefined ? `${result.peakValue} (${peakDigits})` : peakDigits;
  setText('peak', `${peak} at step ${format(result.peakStep)}`);
  setText('time', seconds(elapsedMs));
  setText('live-steps', format(result.steps));
  setText('live-digits', '1');
  setText('start-digits', format(result.startDigits));
  setText('elapsed', seconds(elapsedMs));
  element('result').hidden = false;
  bar.max = 1;
  bar.value = 1;
  setState('done', `Done: reached 1 after ${format(result.steps)} steps.`);
  const { steps, digits } = result.trajectory;
  plot(steps.map((x, i) => ({ x, y: digits[i]! })));
}

function stopListening(): void {
  events?.close();
  events = undefined;
}

function onEvent(event: RunEvent): void {
  switch (event.type) {
    case 'progress':
      showProgress(event.progress, event.elapsedMs);
      break;
    case 'result':
      stopListening();
      showResult(event.result, event.elapsedMs);
      break;
    case 'failed':
      stopListening();
      setState('failed', 'Failed.');
      showError(event.error.message);
      break;
    case 'cancelled':
      stopListening();
      setState('cancelled', 'Cancelled.');
      break;
  }
}

function listen(id: string): void {
  stopListening();
  const source = new EventSource(`/api/runs/${id}/events`);
  events = source;
  for (const type of ['progress', 'result', 'failed', 'cancelled'] as const) {
    source.addEventListener(type, (message) => {
      if (runId === id) onEvent(JSON.parse((message as MessageEvent<string>).data) as RunEvent);
    });
  }
  source.onerror = () => {
    if (source.readyState === EventSource.CLOSED && runId === id && events === source) {
      setState('failed', 'Failed.');
      showError('lost the connection to the server');
    }
  };
}

async function start(): Promise<void> {
  const text = fileText ?? numberInput.value;
  showError(undefined);
  if (text.trim() === '') {
    showError('Type a number (such as 27 or 2^1000-1) or pick a digit file.');
    return;
  }
  setState('starting', 'Starting…');
  element('result').hidden = true;
  for (const id of ['live-steps', 'live-digits', 'start-digits', 'elapsed']) setText(id, '–');
  bar.value = 0;
  livePoints = [];
  plot([]);
  try {
    const response = await fetch('/api/runs', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ input: text }),
    });
    const body = (await response.json()) as { id?: string; error?: string };
    if (!response.ok || body.id === undefined) {
      setState('failed', 'Not started.');
      showError(body.error ?? `the server answered ${response.status}`);
      return;
    }
    runId = body.id;
    setState('running', 'Running…');
    listen(body.id);
  } catch (error) {
    setState('failed', 'Not started.');
    showError(`cannot reach the server: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function cancel(): Promise<void> {
  if (runId === undefined) return;
  cancelButton.disabled = true;
  try {
    await fetch(`/api/runs/${runId}/cancel`, { method: 'POST' });
  } catch (error) {
    showError(`cannot reach the server: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function pickFile(): Promise<void> {
  const file = fileInput.files?.[0];
  fileText = undefined;
  fileInfo.textContent = '';
  showError(undefined);
  if (file === undefined) return;
  if (file.size > maxBody - 64) {
    showError(`${file.name} is ${(file.size / 2 ** 20).toFixed(1)} MiB; the limit is ${(maxBody / 2 ** 20).toFixed(1)} MiB.`);
    fileInput.value = '';
    return;
  }
  const text = await file.text();
  fileText = text;
  numberInput.value = '';
  const digits = text.replace(/[^0-9]/g, '').length;
  fileInfo.textContent = `${file.name} — ${format(digits)} digits`;
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  void start();
});
cancelButton.addEventListener('click', () => void cancel());
fileInput.addEventListener('change', () => void pickFile());
numberInput.addEventListener('input', () => {
  if (fileText !== undefined) {
    fileText = undefined;
    fileInput.value = '';
    fileInfo.textContent = '';
  }
});
setState('idle', 'Ready.');
document.body.dataset.ready = 'true';
