/**
 * common — helpers every page script shares (runs in the browser; served as /assets/common.js).
 */

export function element<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`page is missing #${id}`);
  return found as T;
}

/** An API answer that is not 2xx: the server's message (its `error` field). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** Calls the API; resolves to the JSON body of a 2xx answer, rejects with ApiError otherwise. */
export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const response = await fetch(path, {
    method: init.method ?? 'GET',
    headers: init.body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON: the status line says it all
  }
  if (!response.ok) throw new ApiError(response.status, typeof body.error === 'string' ? body.error : `${response.status} ${response.statusText}`, body);
  return body as T;
}

export function showError(box: HTMLElement, message: string | undefined): void {
  box.hidden = message === undefined;
  box.textContent = message ?? '';
}

export const format = (x: number): string => x.toLocaleString('en-US');

export function duration(ms: number): string {
  if (ms < 1000) return `${Math.max(1, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export interface RunHandlers {
  progress(event: { done: number; total: number; elapsedMs: number; phase?: string }): void;
  result(event: Record<string, unknown>): void;
  failed(error: { code: string; message: string }): void;
  cancelled(): void;
}

/** Follows a run's Server-Sent Events until its final event. Returns a function that stops listening. */
export function followRun(id: string, handlers: RunHandlers): () => void {
  const source = new EventSource(`/api/runs/${id}/events`);
  let finished = false;
  const end = (): void => {
    finished = true;
    source.close();
  };
  source.addEventListener('progress', (e) => handlers.progress(JSON.parse((e as MessageEvent<string>).data)));
  source.addEventListener('result', (e) => {
    end();
    handlers.result(JSON.parse((e as MessageEvent<string>).data));
  });
  source.addEventListener('failed', (e) => {
    end();
    handlers.failed((JSON.parse((e as MessageEvent<string>).data) as { error: { code: string; message: string } }).error);
  });
  source.addEventListener('cancelled', () => {
    end();
    handlers.cancelled();
  });
  source.onerror = () => {
    // The server closes the stream after the final event; EventSource would reconnect and replay it.
    if (finished) source.close();
  };
  return end;
}

/** "42 % · 12 s left" from progress so far (the ETA assumes the rate so far continues). */
export function progressText(done: number, total: number, elapsedMs: number): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 0;
  const percent = `${(fraction * 100).toFixed(fraction < 0.1 ? 1 : 0)} %`;
  if (fraction <= 0.01 || fraction >= 1) return percent;
  return `${percent} · about ${duration((elapsedMs / fraction) * (1 - fraction))} left`;
}
