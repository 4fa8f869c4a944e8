/**
 * progress — one progress bar on stderr for long CLI work, via cli-progress.
 *
 * Shown only when stderr is a TTY and the work outlives a short grace period, so quick
 * commands and pipelines stay quiet. The returned callback has the engine's
 * `onProgress(done, total, phase?)` shape; a phase (the out-of-core product's 'spectra', 'columns', 'rows') is
 * shown after the label, and the percentage and ETA stay those of the whole operation.
 */
import cliProgress from 'cli-progress';

export interface ProgressHandle {
  /** `phase`: shown when it is a string (the engine's phases); other third arguments (Collatz's details) are ignored. */
  readonly onProgress: (done: number, total: number, phase?: unknown) => void;
  stop(): void;
}

const GRACE_MS = 400;

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
  return {
    onProgress(done, total, phase) {
      if (!bar) {
        if (Date.now() - started < GRACE_MS) return;
        bar = new cliProgress.SingleBar(
          { stream, format: `${label}{phase} [{bar}] {percentage}% | {eta_formatted} left`, hideCursor: true, clearOnComplete: true },
          cliProgress.Presets.shades_classic,
        );
        bar.start(Math.max(total, 1), 0, { phase: phaseText(phase) });
      }
      bar.setTotal(Math.max(total, 1));
      bar.update(Math.min(done, total), { phase: phaseText(phase) });
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
