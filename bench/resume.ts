/**
 * resume bench — the resume target: `mathstream pow B E` (default 9^(9^9), 369,693,100 digits) under
 * MATHSTREAM_MEMORY (default 1GiB) run in full, then run again and SIGKILLed at a fraction (default 60 %) of the
 * full run's time, then rerun: the rerun resumes from the killed run's checkpoint. Prints the wall and CPU time
 * (user + system of the child) and peak RSS (VmHWM), both sampled from /proc, of each run, the rerun/full ratios (target: the
 * rerun under 40 % of the full run) and whether the digits are identical (SHA-256 of both outputs) and end as
 * B^E mod 10^20 says. The machine's load average is printed before and after: on a shared machine wall time
 * varies, CPU time much less. `--kill-by cpu` kills the second run when its CPU time (not its wall time) reaches the
 * fraction of the full run's: on a machine so loaded that the wall time of two identical runs differs by a factor,
 * that is the kill at the same point of the work that the wall-time kill means on a quiet one.
 *
 * `--profile DIR` writes a V8 CPU profile of the full run and of the rerun into DIR (`node --cpu-prof`; the killed
 * run writes none), and keeps each run's stderr there (the phases' progress lines).
 *
 * `--cost N` measures instead what resumability costs a full run: N rounds of the library's `pow` with `-o`'s export
 * (`exportToFile`), once with `resume: true` and `onResult` (what the CLI does) and once without checkpoints, each in
 * its own process, alternating, with their CPU (user, system), wall time and peak RSS, and the ratio per round.
 *
 *   node dist/bench/resume.js [--base 9] [--exponent 387420489] [--memory 1GiB] [--kill-at 0.6] [--kill-by wall|cpu] [--dir /tmp] [--profile DIR]
 *   node dist/bench/resume.js --cost 2 [--base 9] [--exponent 387420489] [--memory 1GiB] [--dir /tmp]
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, readSync, openSync, closeSync, fstatSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printTable } from './util.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const SELF = fileURLToPath(import.meta.url);

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

interface Run {
  readonly wall: number;
  readonly cpu: number | undefined;
  /** User and system CPU seconds (the parts of `cpu`). */
  readonly user: number | undefined;
  readonly sys: number | undefined;
  readonly rssMiB: number | undefined;
  readonly killed: boolean;
  readonly stderr: string;
}

/** CPU seconds (user + system) and peak RSS (MiB) of a running process, from /proc (Linux; undefined elsewhere). */
function sampleProc(pid: number): { cpu: number; user: number; sys: number; rssMiB: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const user = Number(fields[11]) / 100, sys = Number(fields[12]) / 100; // utime, stime (fields 14 and 15), ticks of 1/100 s
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return { cpu: user + sys, user, sys, rssMiB: hwm ? Math.round(Number(hwm[1]) / 1024) : 0 };
  } catch {
    return undefined;
  }
}

/**
 * One CLI run, SIGKILLed after `killAfter` seconds (of wall time, or of its CPU time with `killBy` 'cpu') if given.
 * CPU time and peak RSS are sampled from /proc every 100 ms (the last sample before exit: at most 0.1 s of CPU is
 * missed).
 */
function runCli(args: readonly string[], env: NodeJS.ProcessEnv, killAfter?: number, killBy: 'wall' | 'cpu' = 'wall', nodeFlags: readonly string[] = [], script = CLI): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...nodeFlags, script, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let sample: { cpu: number; user: number; sys: number; rssMiB: number } | undefined;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Maxima over the samples: a last sample may catch the exited process (a zombie has no memory figures).
    const sampler = setInterval(() => {
      const now = sampleProc(child.pid!);
      if (now && now.cpu >= (sample?.cpu ?? 0)) sample = { ...now, rssMiB: Math.max(now.rssMiB, sample?.rssMiB ?? 0) };
      else if (now && sample) sample = { ...sample, rssMiB: Math.max(now.rssMiB, sample.rssMiB) };
      if (killBy === 'cpu' && killAfter !== undefined && sample && sample.cpu >= killAfter) child.kill('SIGKILL');
    }, 100);
    const timer = killAfter === undefined || killBy === 'cpu' ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfter * 1000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      clearInterval(sampler);
      const wall = (performance.now() - started) / 1000;
      const killed = signal === 'SIGKILL';
      if (!killed && code !== 0) reject(new Error(`mathstream ${args.join(' ')} failed (${code ?? signal}): ${stderr}`));
      else resolve({ wall, cpu: sample?.cpu, user: sample?.user, sys: sample?.sys, rssMiB: sample?.rssMiB, killed, stderr });
    });
  });
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 22 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function tailDigits(path: string, count: number): string {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const buffer = Buffer.alloc(count + 1);
    const read = readSync(fd, buffer, 0, buffer.length, Math.max(0, size - buffer.length));
    return buffer.subarray(0, read).toString('latin1').trim().slice(-count);
  } finally {
    closeSync(fd);
  }
}

function row(run: string, r: Run): Record<string, string | number> {
  const f = (x: number | undefined) => x?.toFixed(1) ?? '?';
  return { run, wall_s: f(r.wall), cpu_s: f(r.cpu), user_s: f(r.user), sys_s: f(r.sys), rss_MiB: r.rssMiB ?? '?' };
}

/** `--child resume|temporary --out FILE`: one library pow and its export, in this process (what `--cost` measures). */
async function child(mode: string): Promise<void> {
  const { pow, exportToFile } = await import('../src/index.js');
  let exported = false;
  const out = option('out', '');
  const options = mode === 'resume'
    ? { resume: true, onResult: async (r: import('../src/index.js').StreamNumber) => { await exportToFile(r, out); exported = true; } }
    : {};
  const result = await pow(option('base', '9'), option('exponent', '387420489'), options);
  if (!exported) await exportToFile(result, out);
  result.free();
}

/** `--cost N`: resumable against temporary full runs, alternating (see the module comment). */
async function cost(rounds: number): Promise<void> {
  const memory = option('memory', '1GiB');
  const dir = mkdtempSync(join(option('dir', '/tmp'), 'ms-bench-resume-cost-'));
  const env = { ...process.env, MATHSTREAM_HOME: join(dir, 'home'), MATHSTREAM_MEMORY: memory };
  const base = option('base', '9'), exponent = option('exponent', '387420489');
  try {
    console.log(`pow ${base} ${exponent} at MATHSTREAM_MEMORY=${memory} with its export, resumable vs temporary; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    const rows: Array<Record<string, string | number>> = [];
    for (let round = 1; round <= rounds; round++) {
      const runs: Run[] = [];
      for (const mode of round % 2 === 1 ? ['resume', 'temporary'] : ['temporary', 'resume']) {
        const out = join(dir, `${mode}.txt`);
        const run = await runCli(['--child', mode, '--out', out, '--base', base, '--exponent', exponent], env, undefined, 'wall', [], SELF);
        rows.push(row(`${round}: ${mode}`, run));
        runs[mode === 'resume' ? 0 : 1] = run;
        rmSync(out, { force: true });
      }
      const [r, t] = runs as [Run, Run];
      console.log(`round ${round}: resumable / temporary CPU ${r.cpu && t.cpu ? (r.cpu / t.cpu).toFixed(3) : '?'}, wall ${(r.wall / t.wall).toFixed(3)}`);
    }
    printTable(rows);
    console.log(`load after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const childMode = option('child', '');
  if (childMode) return child(childMode);
  const rounds = Number(option('cost', '0'));
  if (rounds > 0) return cost(rounds);
  const base = BigInt(option('base', '9'));
  const exponent = BigInt(option('exponent', '387420489'));
  const memory = option('memory', '1GiB');
  const killAt = Number(option('kill-at', '0.6'));
  const killBy = option('kill-by', 'wall') === 'cpu' ? 'cpu' : 'wall';
  const dir = mkdtempSync(join(option('dir', '/tmp'), 'ms-bench-resume-'));
  const env = { ...process.env, MATHSTREAM_HOME: join(dir, 'home'), MATHSTREAM_MEMORY: memory };
  const full = join(dir, 'full.txt');
  const rerun = join(dir, 'rerun.txt');
  const command = ['pow', String(base), String(exponent)];
  const profile = option('profile', '');
  const profiled = (name: string): string[] => (profile ? ['--cpu-prof', '--cpu-prof-dir', profile, '--cpu-prof-name', `${name}.cpuprofile`] : []);
  try {
    console.log(`pow ${base} ${exponent} at MATHSTREAM_MEMORY=${memory}, killed at ${killAt * 100}% of the full run's ${killBy} time; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    const a = await runCli([...command, '-o', full, '--fresh'], env, undefined, 'wall', profiled('full'));
    const killAfter = killBy === 'cpu' ? (a.cpu ?? a.wall) * killAt : a.wall * killAt;
    const b = await runCli([...command, '-o', rerun], env, killAfter, killBy);
    const c = await runCli([...command, '-o', rerun], env, undefined, 'wall', profiled('rerun'));
    if (profile) for (const [name, run] of [['full', a], ['killed', b], ['rerun', c]] as const) writeFileSync(join(profile, `${name}.stderr`), run.stderr);
    const resumed = /resuming from checkpoint: .*/.exec(c.stderr)?.[0] ?? '(did not resume)';
    const m = 10n ** 20n;
    let r = 1n;
    for (let b2 = base % m, e = exponent; e > 0n; e >>= 1n, b2 = (b2 * b2) % m) if (e & 1n) r = (r * b2) % m;
    const expectedTail = r.toString().padStart(20, '0');
    const identical = (await sha256(full)) === (await sha256(rerun));
    const tailOk = tailDigits(full, 20) === expectedTail;
    printTable([
      row('full', a),
      row(`killed at ${killAfter.toFixed(1)} s ${killBy}`, b),
      row('rerun (resumed)', c),
    ]);
    console.log(resumed);
    console.log(`rerun / full: wall ${(c.wall / a.wall).toFixed(3)}, cpu ${a.cpu && c.cpu ? (c.cpu / a.cpu).toFixed(3) : '?'} (target < 0.4)`);
    console.log(`digits identical: ${identical}; last 20 digits ${tailOk ? 'match' : 'DO NOT match'} ${base}^${exponent} mod 10^20 = ${expectedTail}`);
    console.log(`load after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    if (!identical || !tailOk) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
