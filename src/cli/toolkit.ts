/**
 * cli/toolkit — the pieces of the `mathstream` command that other command-line programs built on the package
 * reuse (the examples do): the progress bar on stderr and the error boundary's one-line report.
 * Published as `mathstream/cli`.
 */
export { startProgress, type ProgressHandle } from './progress.js';
export { reportError } from './error-boundary.js';
