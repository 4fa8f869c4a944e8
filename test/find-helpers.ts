/** find-helpers — pi files for the find tests, written from the independent Machin oracle (pi-oracle.ts). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { piDecimals } from './pi-oracle.js';

export { piDecimals };

/** Writes `3.<decimals>\n` to `<dir>/<name>` and returns the path. */
export function writePiFile(dir: string, decimals: number, name = `pi-${decimals}.txt`): string {
  const path = join(dir, name);
  writeFileSync(path, `3.${piDecimals(decimals)}\n`);
  return path;
}

/** Reference answer by brute force over a string: all overlapping 1-based positions. */
export function naivePositions(text: string, query: string): number[] {
  const out: number[] = [];
  for (let at = text.indexOf(query); at >= 0; at = text.indexOf(query, at + 1)) out.push(at + 1);
  return out;
}
