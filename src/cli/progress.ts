/**
 * progress — one progress bar on stderr for long CLI work, via cli-progress.
 *
 * Shown only when stderr is a TTY and the work outlives a short grace period, so quick
 * commands and pipelines stay quiet. The returned callback has the engine's
 * `onProgress(done, total)` shape.
 */
import cliProgress from 'cli-progress';

export interface ProgressHandle {
  /**
   * The engine's `onProgress(done, total)`; a string third argument is the phase of the work, shown beside the
   * label (other third arguments, such as collatz's details, are ignored).
   */
  readonly onProgress: (done: number, total: number, phase?: unknown) => void;
  /** Prints one line of news on the stream (a TTY or not), e.g. that a run resumes from a checkpoint. */
  note(text: string): void;
  stop(): void;
}

const GRACE_MS = 400;
/** The ETA is shown once the work has run this long and moved: a rate from less is noise. */
const ETA_AFTER_MS = 3000;

/**
 * Time left as `1h 02m`, `4m 10s` or `12s`.
 * @example formatEta(3725) // '1h 02m'
 */
export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/**
 * Starts a progress bar labelled `label` on `stream`: the phase the operation reports, the percentage, and the
 * time left, estimated from the rate since this run's first report (a resumed run starts part-way, so the rate
 * counts only what this process did). Off a TTY the bar is not drawn (notes still are); on one, the bar appears at
 * the first update after the grace period. Call `stop()` when the work ends, also on failure, or the bar stays on
 * screen with the cursor hidden.
 * @example
 * const progress = startProgress('pi');
 * try { await computePiToFile(1e6, 'pi.txt', { onProgress: progress.onProgress }); } finally { progress.stop(); }
 */
export function startProgress(label: string, stream: NodeJS.WriteStream = process.stderr): ProgressHandle {
  const note = (text: string) => {
    stream.write(stream.isTTY ? `\r\x1b[K${text}` : text);
  };
  if (!stream.isTTY) return { onProgress: () => {}, note, stop: () => {} };
  const started = Date.now();
  let bar: cliProgress.SingleBar | undefined;
  let first: { at: number; done: number } | undefined;
  return {
    onProgress(done, total, phase) {
      const now = Date.now();
      first ??= { at: now, done };
      if (!bar) {
        if (now - started < GRACE_MS) return;
        bar = new cliProgress.SingleBar(
          { stream, format: `${label}{phase} [{bar}] {percentage}% | {left}`, hideCursor: true, clearOnComplete: true },
          cliProgress.Presets.shades_classic,
        );
        bar.start(Math.max(total, 1), 0, { phase: '', left: '' });
      }
      const moved = done - first.done;
      const elapsed = now - first.at;
      const left = elapsed >= ETA_AFTER_MS && moved > 0 ? `${formatEta(((total - done) * elapsed) / moved / 1000)} left` : 'estimating';
      bar.setTotal(Math.max(total, 1));
      bar.update(Math.min(done, total), { phase: typeof phase === 'string' && phase !== '' ? ` ${phase}` : '', left });
    },
    note,
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
