/**
 * owner — which process owns a temp file or a reference, and whether it is still alive.
 *
 * An owner token is `<pid>.<start>` where `<start>` is the process start time from
 * /proc/<pid>/stat (field 22, clock ticks since boot). The pid alone is not enough: after a
 * crash the pid may be reused by an unrelated process, which would make a dead owner look
 * alive forever. Where /proc is missing (non-Linux) the start part is `0` and only the pid is
 * checked with `kill(pid, 0)`.
 *
 * Temp files are named `.tmp-<owner>-<random>` (files) inside the log folder, so start-up
 * reconciliation can tell a dead writer's leftovers from a live writer's work in progress.
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

const TEMP_PREFIX = '.tmp-';

function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // A zombie (state Z, field 3) has finished, killed or not; only its parent has not collected its status yet.
    if (fields[0] === 'Z' || fields[0] === 'X') return 'dead';
    return fields[19]; // field 22 overall = index 19 after dropping pid and comm
  } catch {
    return undefined;
  }
}

let cachedOwner: string | undefined;

/** This process's owner token. */
export function currentOwner(): string {
  cachedOwner ??= `${process.pid}.${processStartTime(process.pid) ?? '0'}`;
  return cachedOwner;
}

/** True while the process that created `owner` is still running. */
export function isOwnerAlive(owner: string): boolean {
  const [pidText, start] = owner.split('.');
  const pid = Number(pidText);
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  if (owner === currentOwner()) return true;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (start === undefined || start === '0') return processStartTime(pid) !== 'dead';
  return processStartTime(pid) === start;
}

/** A fresh temp name (no directory) owned by this process. */
export function tempName(suffix = ''): string {
  return `${TEMP_PREFIX}${currentOwner()}-${randomBytes(6).toString('hex')}${suffix}`;
}

/** Exactly what `tempName()` makes (no suffix): `.tmp-<pid>.<start>-<12 hex digits>`. */
const EXACT_TEMP_NAME = /^\.tmp-(\d+\.\d+)-[0-9a-f]{12}$/;

/**
 * The owner of `name` when it is exactly a name `tempName()` makes, else undefined. Stricter
 * than `tempOwner`: used to clean temp files out of the user's folders, where a file that
 * merely starts with `.tmp-` may well be the user's.
 */
export function exactTempOwner(name: string): string | undefined {
  return EXACT_TEMP_NAME.exec(name)?.[1];
}

/** The owner token of a temp name, or undefined when `name` is not a temp name. */
export function tempOwner(name: string): string | undefined {
  if (!name.startsWith(TEMP_PREFIX)) return undefined;
  const rest = name.slice(TEMP_PREFIX.length);
  const dash = rest.indexOf('-');
  return dash > 0 ? rest.slice(0, dash) : undefined;
}
