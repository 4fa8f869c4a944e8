/**
 * progress — one progress bar on stderr for long CLI work, via cli-progress.
 *
 * Shown only when stderr is a TTY and the work outlives a short grace period, so quick
 * commands and pipelines stay quiet. The returned callback has the engine's
 * `onProgress(done, total, phase?)` shape; a phase (the out-of-core product's 'spectra', 'columns', 'rows'; pow's
 * 'step 27/28 rows') is shown after the label, and the percentage and the time left stay those of the whole
 * operation (`timeLeft`: from this process's own rate).
 */
import cliProgress from 'cli-progress';

export interface ProgressHandle {
  /** `phase`: shown when it is a string (the engine's phases); other third arguments (Collatz's details) are ignored. */
  readonly onProgress: (done: number, total: number, phase?: unknown) => void;
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
 * The time-left text from the rate since this process's first report: a resumed run starts part-way, and counting
 * what an earlier process did as this one's speed would promise too early an end.
 */
export function timeLeft(first: { at: number; done: number }, now: number, done: number, total: number): string {
  const elapsed = now - first.at;
  const moved = done - first.done;
  return elapsed >= ETA_AFTER_MS && moved > 0 ? `${formatEta(((total - done) * elapsed) / moved / 1000)} left` : 'estimating time left';
}

/** How a phase appears after the label: ` (rows)`, nothing without one. */
export function phaseText(phase: unknown): string {
  return typeof phase === 'string' ? ` (${phase})` : '';
}

/**
 * Starts a progress bar labelled `label` on `stream`. Off a TTY both callbacks do nothing; on one, the
 * bar appears at the first update after the grace period. Call `stop()` when the work ends, also on
 * failure, or the bar stays on screen with the cursor hidden.
 * @example
 * const progress = startProgress('pi');
 * try { await computePiToFile(1e6, 'pi.txt', { onProgress: progress.onProgress }); } finally { progress.stop(); }
 */
export function startProgress(label: string, stream: NodeJS.WriteStream = process.stderr): ProgressHandle {
  if (!stream.isTTY) return { onProgress: () => {}, stop: () => {} };
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
        bar.start(Math.max(total, 1), 0, { phase: phaseText(phase), left: '' });
      }
      bar.setTotal(Math.max(total, 1));
      bar.update(Math.min(done, total), { phase: phaseText(phase), left: timeLeft(first, now, done, total) });
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
