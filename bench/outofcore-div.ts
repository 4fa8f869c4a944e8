/**
 * outofcore-div bench — division 2N/N (and with --isqrt the square root of a 2N-digit number) against the product
 * N × N, out of core at MATHSTREAM_MEMORY (default 1GiB), in the same run. Each operation runs in its own child
 * process under `/usr/bin/time -v` (the process's wall and CPU time, peak RSS); the child times the operation
 * itself (wall, and CPU from process.cpuUsage: the machine is shared, CPU shows what load did to wall), and the
 * table prints both as multiples of the product's. The division is checked by q·b + r ≡ a modulo a prime and
 * 0 ≤ r < b; the square root by s² ≤ a < (s + 1)² (one more product, outside the timed part).
 * Issue 12's target: div 2N/N at N = 4·10^8 with 1 GiB ≤ 4× the product at N.
 *
 *   node dist/bench/outofcore-div.js [--sizes 1e7,4e7] [--big] [--isqrt] [--memory 1GiB] [--dir /tmp]
 *     --big adds N = 4·10^8 (inputs 1.6 GB, outputs and scratch several GB more; about an hour on 2 cores)
 *   node dist/bench/outofcore-div.js --child OP FILE... (internal: one operation with the ambient budget)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { argOption, printTable, residueMod, rootIsFloor, runWithBudget, writeRandomDigitFile } from './util.js';

/** A fixed prime below 2^26 for the bench's own q·b + r ≡ a check (independent of the engine's random one). */
const CHECK_PRIME = 67_108_859;

interface ChildResult {
  readonly seconds: number;
  readonly cpu: number;
  readonly digits: number;
  readonly check: string;
}

async function child(op: string, files: string[]): Promise<void> {
  const { StreamNumber } = await import('../src/number.js');
  const { mul, divmod, isqrt, compare } = await import('../src/engine/index.js');
  const [x, y] = await Promise.all(files.map((f) => StreamNumber.fromPath(f)));
  const started = performance.now();
  const cpuAt = process.cpuUsage();
  const cpu = (): number => {
    const used = process.cpuUsage(cpuAt);
    return (used.user + used.system) / 1e6;
  };
  let result: ChildResult;
  if (op === 'mul') {
    const p = await mul(x!, y!);
    result = { seconds: (performance.now() - started) / 1000, cpu: cpu(), digits: p.digitCount, check: 'n/a' };
    p.free();
  } else if (op === 'div') {
    const [q, r] = await divmod(x!, y!);
    const seconds = (performance.now() - started) / 1000;
    const cpuSeconds = cpu();
    const [ra, rb, rq, rr] = await Promise.all([x!, y!, q, r].map((n) => residueMod(n, CHECK_PRIME)));
    const congruent = (((rq * rb) % CHECK_PRIME) + rr) % CHECK_PRIME === ra;
    const bounded = !r.isNegative && (await compare(r, y!)) < 0;
    result = { seconds, cpu: cpuSeconds, digits: q.digitCount, check: congruent && bounded ? 'q·b + r ≡ a, 0 ≤ r < b' : 'FAILED' };
    q.free();
    r.free();
  } else {
    const s = await isqrt(x!);
    const seconds = (performance.now() - started) / 1000;
    const cpuSeconds = cpu();
    const ok = await rootIsFloor(x!, s);
    result = { seconds, cpu: cpuSeconds, digits: s.digitCount, check: ok ? 's² ≤ a < (s+1)²' : 'FAILED' };
    s.free();
  }
  console.log(JSON.stringify(result));
}

type Run = ReturnType<typeof runWithBudget<ChildResult>>;

function measure(op: string, files: string[], home: string, memory: string): Run {
  return runWithBudget<ChildResult>(fileURLToPath(import.meta.url), [op, ...files], home, memory);
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return child(process.argv[3]!, process.argv.slice(4));
  const sizes = (argOption('--sizes') ?? '1e7,4e7').split(',').map(Number);
  if (process.argv.includes('--big')) sizes.push(4e8);
  const memory = argOption('--memory') ?? '1GiB';
  const withIsqrt = process.argv.includes('--isqrt');
  const load = (await import('node:os')).loadavg().map((v) => v.toFixed(2)).join(' ');
  console.log(`MATHSTREAM_MEMORY=${memory}; load average at start ${load} (2 cores shared)`);
  for (const N of sizes) {
    const dir = mkdtempSync(join(argOption('--dir') ?? '/tmp', 'ms-bench-oocdiv-'));
    try {
      const a = join(dir, 'a.txt');
      const b = join(dir, 'b.txt');
      const c = join(dir, 'c.txt');
      writeRandomDigitFile(a, 2 * N);
      writeRandomDigitFile(b, N);
      writeRandomDigitFile(c, N);
      const rows: Array<Record<string, string | number>> = [];
      const product = measure('mul', [b, c], join(dir, 'home-mul'), memory);
      const runs: Array<[string, Run]> = [[`mul ${N.toExponential()} × ${N.toExponential()}`, product]];
      runs.push([`div ${(2 * N).toExponential()} / ${N.toExponential()}`, measure('div', [a, b], join(dir, 'home-div'), memory)]);
      if (withIsqrt) runs.push([`isqrt ${(2 * N).toExponential()}`, measure('isqrt', [a], join(dir, 'home-isqrt'), memory)]);
      for (const [name, run] of runs) {
        rows.push({
          operation: name,
          'op wall s': run.seconds.toFixed(1),
          'op CPU s': run.cpu.toFixed(1),
          'process wall/CPU s': `${run.wall.toFixed(1)}/${run.processCpu.toFixed(1)}`,
          'peak RSS MiB': run.rssMiB.toFixed(0),
          '× product (wall)': (run.seconds / product.seconds).toFixed(2),
          '× product (CPU)': (run.cpu / product.cpu).toFixed(2),
          check: run.check,
        });
      }
      printTable(rows);
      const ratio = runs[1]![1].seconds / product.seconds;
      if (N === 4e8 && memory === '1GiB') console.log(`target div 2N/N ≤ 4× product at N = 4e8, 1 GiB: ${ratio <= 4 ? 'met' : 'MISSED'} (${ratio.toFixed(2)}×)`);
      if (runs.some(([, run]) => run.check === 'FAILED')) process.exitCode = 1;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(`load average at end ${(await import('node:os')).loadavg().map((v) => v.toFixed(2)).join(' ')}`);
}

await main();
