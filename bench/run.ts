/**
 * bench/run — `npm run bench`: every benchmark at a size that finishes in minutes, one after the
 * other (each in its own process, so peak RSS figures stay separate). The full-size figures of
 * the issues come from running a bench directly with its own arguments (see each file's header).
 *
 *   npm run bench [-- NAME ...]     e.g. `npm run bench -- mul pi`
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const QUICK: ReadonlyArray<[name: string, args: string[]]> = [
  ['engine', ['--only', '1e5,1e6,4e6', '--bigint-max', '1e6']],
  ['mul', ['--kernel', '4e6', '--files', '2.5e5,1e6,4e6', '--runs', '1']],
  ['div', ['--only', '1e5,1e6', '--bigint-max', '1e6']],
  ['linear', ['1e8', '--no-bigint']],
  ['outofcore', ['5000000']],
  ['outofcore-mul', ['--sizes', '1e7,2e7', '--budgets', '32MiB', '--reference', '1GiB']],
  ['rounding-2d', ['--sizes', '1e6,4e6', '--digits', '3,4', '--block', '65536']],
  ['outofcore-div', ['--sizes', '2e6', '--memory', '64MiB', '--isqrt']],
  ['outofcore-held', ['--memory', '128MiB', '--at', '0.97']],
  ['pi', ['--digits', '1e6', '--runs', '1']],
  ['find', ['1e7']],
  ['collatz', ['1']],
  ['tracker', ['1']],
  ['resume', ['--exponent', '20000000', '--memory', '32MiB']],
  ['web', ['1e6', '--decimals', '1e6']],
];

const wanted = new Set(process.argv.slice(2));
let failed = 0;
for (const [name, args] of QUICK) {
  if (wanted.size > 0 && !wanted.has(name)) continue;
  console.log(`\n=== bench/${name} ${args.join(' ')}`);
  const script = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, `${name}.js`);
  const result = spawnSync(process.execPath, ['--expose-gc', script, ...args], { stdio: 'inherit' });
  if (result.status !== 0) {
    failed++;
    console.log(`bench/${name} exited with ${result.status ?? result.signal}`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
