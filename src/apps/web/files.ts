/**
 * files — the digit files the calculator may read: the home's pi files, the home's tracked
 * files (results and literals in the log folder), and the regular files directly inside the
 * folders named on the command line (plus the folder where the app saves results).
 *
 * The page never sends a path: it sends an id from this listing, and the server maps it back by
 * listing again. So no request can name a file outside these places — `../` and absolute paths
 * have nothing to travel through. Symbolic links are not listed (lstat), so a link inside a
 * chosen folder cannot lead out of it either.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { getConfig } from '../../config.js';
import { trackerStatus } from '../../tracker/index.js';

export interface OperandFile {
  /** Opaque id: a hash of the path (stable while the file stays). */
  readonly id: string;
  readonly name: string;
  /** 'pi', 'home' (tracked), or the folder's name. */
  readonly where: string;
  readonly bytes: number;
  readonly path: string;
}

/** Most files listed per place, newest first where it matters, so a huge folder cannot swamp the page. */
const MAX_PER_PLACE = 500;

function fileId(path: string): string {
  return createHash('sha256').update(path).digest('hex').slice(0, 24);
}

function regularFileSize(path: string): number | undefined {
  try {
    const stats = lstatSync(path);
    return stats.isFile() ? stats.size : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Every file the calculator may read, for the page's picker.
 * @throws TrackerError when the tracker database cannot be read
 * @example listOperandFiles(['/data/numbers']).map((f) => f.name) // ['result_….txt', 'a.txt']
 */
export function listOperandFiles(folders: readonly string[]): OperandFile[] {
  const files: OperandFile[] = [];
  const seen = new Set<string>();
  const push = (path: string, where: string): void => {
    if (seen.has(path)) return;
    const bytes = regularFileSize(path);
    if (bytes === undefined) return;
    seen.add(path);
    files.push({ id: fileId(path), name: basename(path), where, bytes, path });
  };
  // Pi files are not listed: `3.14…` is a decimal, not an integer, so it can be searched but not calculated with.
  const tracked = trackerStatus().files.filter((f) => f.size !== null && f.size > 0);
  tracked.sort((a, b) => (a.created < b.created ? 1 : -1));
  for (const file of tracked.slice(0, MAX_PER_PLACE)) push(file.path, 'home');
  for (const folder of folders) {
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      continue;
    }
    names = names.filter((name) => !name.startsWith('.')).sort().slice(0, MAX_PER_PLACE);
    for (const name of names) push(join(folder, name), basename(folder));
  }
  return files;
}

/**
 * The listed file with this id, or undefined: the only way a request names a file.
 * @example findOperandFile(id, folders)?.path
 */
export function findOperandFile(id: string, folders: readonly string[]): OperandFile | undefined {
  return listOperandFiles(folders).find((file) => file.id === id);
}

/** Where the app saves results by default: `<home>/saved`. */
export function defaultSaveFolder(): string {
  return resolve(getConfig().home, 'saved');
}
