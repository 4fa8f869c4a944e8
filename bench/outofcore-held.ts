/**
 * outofcore-held bench — does an engine operation planned in memory stay within MATHSTREAM_MEMORY? For division
 * (divmod and mod, 2N/N), power (9^e), the file product's budget split and the square root in memory, the bench asks the planner where the
 * operation stops running in memory at the given budget (the largest size kernel/budget.ts's charges let through),
 * then runs it at fractions of that size (--at, default 0.95 and 1.1: just in memory, just out of core), each in its
 * own child process under `/usr/bin/time -v`. Each row: the route the engine took, the operation's wall and CPU time
 * (process.cpuUsage, the machine is shared), the process's peak RSS and its excess over the budget (the promise:
 * peak RSS ≤ budget + 150 MiB, docs/ARCHITECTURE.md §5). The digits are checked: q·b + r ≡ a modulo a prime with
 * 0 ≤ r < b, 9^e modulo a prime, the product modulo a prime.
 *
 *   node dist/bench/outofcore-held.js [--memory 256MiB] [--ops div,mod,pow,split,isqrt] [--at 0.95,1.1] [--dir /tmp]
 *     --sizes 4e6,1.6e7   absolute sizes (dividend, power or operand digits) instead of --at's fractions of the edge
 *     --ratio 2           div, mod: dividend digits / divisor digits
 *     --force             split: the loaded in-memory route (mulInMemory) whatever the plan, to measure a budget split
 *   node dist/bench/outofcore-held.js --child OP ARG... (internal: one operation with the ambient budget)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { argOption, printTable, residueMod, rootIsFloor, runWithBudget, writeRandomDigitFile } from './util.js';

/** A fixed prime below 2^26 for the bench's own checks (independent of the engine's random one). */
const CHECK_PRIME = 67_108_859;

interface ChildResult {
  readonly route: string;
  readonly seconds: number;
  readonly cpu: number;
  readonly digits: number;
  readonly check: string;
}

async function child(op: string, args: string[]): Promise<void> {
  const { StreamNumber } = await import('../src/number.js');
  const engine = await import('../src/engine/index.js');
  const { divisionPlannedOutOfCore, mulInMemory, planFileProduct, powerPlannedOutOfCore } = await import('../src/engine/outofcore/index.js');
  const started = performance.now();
  const cpuAt = process.cpuUsage();
  const elapsed = (): { seconds: number; cpu: number } => {
    const used = process.cpuUsage(cpuAt);
    return { seconds: (performance.now() - started) / 1000, cpu: (used.user + used.system) / 1e6 };
  };
  let result: ChildResult;
  if (op === 'div' || op === 'mod') {
    const [x, y] = await Promise.all(args.map((f) => StreamNumber.fromPath(f)));
    const route = divisionPlannedOutOfCore(x!.digitCount, y!.digitCount) ? 'out of core' : 'in memory';
    if (op === 'mod') {
      const r = await engine.mod(x!, y!);
      const time = elapsed();
      const bounded = !r.isNegative && (await engine.compare(r, y!)) < 0;
      result = { route, ...time, digits: r.digitCount, check: bounded ? '0 ≤ r < b' : 'FAILED' };
      r.free();
    } else {
      const [q, r] = await engine.divmod(x!, y!);
      const time = elapsed();
      const [ra, rb, rq, rr] = await Promise.all([x!, y!, q, r].map((n) => residueMod(n, CHECK_PRIME)));
      const congruent = (((rq! * rb!) % CHECK_PRIME) + rr!) % CHECK_PRIME === ra;
      const bounded = !r.isNegative && (await engine.compare(r, y!)) < 0;
      result = { route, ...time, digits: q.digitCount, check: congruent && bounded ? 'q·b + r ≡ a, 0 ≤ r < b' : 'FAILED' };
      q.free();
      r.free();
    }
  } else if (op === 'isqrt') {
    const x = await StreamNumber.fromPath(args[0]!);
    const route = engine.plannedOutOfCore(x.digitCount, x.digitCount) ? 'out of core' : 'in memory';
    const s = await engine.isqrt(x);
    const time = elapsed();
    const ok = await rootIsFloor(x, s);
    result = { route, ...time, digits: s.digitCount, check: ok ? 's² ≤ a < (s+1)²' : 'FAILED' };
    s.free();
  } else if (op === 'pow') {
    const exponent = Number(args[0]);
    const digits = Math.floor(exponent * Math.log10(9)) + 1;
    const route = powerPlannedOutOfCore(digits) ? 'out of core' : 'in memory';
    const p = await engine.pow(9, exponent);
    const time = elapsed();
    const { powMod } = await import('../src/engine/outofcore/residue.js');
    const ok = (await residueMod(p, CHECK_PRIME)) === powMod(9, exponent, CHECK_PRIME);
    result = { route, ...time, digits: p.digitCount, check: ok ? '≡ 9^e' : 'FAILED' };
    p.free();
  } else {
    // split: the engine's product, or (--force) the loaded in-memory route whatever the plan says
    const [x, y] = await Promise.all(args.slice(0, 2).map((f) => StreamNumber.fromPath(f)));
    const forced = args[2] === 'force';
    const planned = planFileProduct(x!, y!).method;
    const route = forced ? `loaded (planned ${planned})` : planned === 'fft' ? 'streamed fft' : planned === 'outOfCore' ? 'out of core' : `loaded ${planned}`;
    const p = forced ? await mulInMemory(x!, y!, false, {}) : await engine.mul(x!, y!);
    const time = elapsed();
    const [rx, ry, rp] = await Promise.all([x!, y!, p].map((n) => residueMod(n, CHECK_PRIME)));
    result = { route, ...time, digits: p.digitCount, check: (rx! * ry!) % CHECK_PRIME === rp ? 'x·y ≡ p' : 'FAILED' };
    p.free();
  }
  console.log(JSON.stringify(result));
}

type Run = ReturnType<typeof runWithBudget<ChildResult>>;

function measure(op: string, args: string[], home: string, memory: string): Run {
  return runWithBudget<ChildResult>(fileURLToPath(import.meta.url), [op, ...args], home, memory);
}

/** The largest n (to 0.1%) for which `inMemory(n)` holds, assuming it holds below some n and not above. */
function boundary(inMemory: (n: number) => boolean): number {
  let lo = 1000, hi = 1e11;
  while (hi / lo > 1.001) {
    const mid = Math.floor(Math.sqrt(lo * hi));
    if (inMemory(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return child(process.argv[3]!, process.argv.slice(4));
  const memory = argOption('--memory') ?? '256MiB';
  process.env.MATHSTREAM_MEMORY = memory; // the planner below reads the budget the children get
  const { divisionPlannedOutOfCore, plannedOutOfCore, powerPlannedOutOfCore } = await import('../src/engine/outofcore/index.js');
  const { planProduct } = await import('../src/kernel/index.js');
  const { parseByteSize } = await import('../src/config.js');
  const budgetMiB = parseByteSize(memory) / 2 ** 20;
  const ops = (argOption('--ops') ?? 'div,mod,pow,split,isqrt').split(',');
  const at = (argOption('--at') ?? '0.95,1.1').split(',').map(Number);
  const sizes = argOption('--sizes')?.split(',').map(Number);
  const force = process.argv.includes('--force');
  const ratio = Number(argOption('--ratio') ?? 2);

  const edges: Record<string, number> = {
    div: boundary((L) => !divisionPlannedOutOfCore(L, Math.ceil(L / ratio))),
    pow: boundary((D) => !powerPlannedOutOfCore(D)),
    isqrt: boundary((d) => !plannedOutOfCore(d, d)),
    split: boundary((n) => planProduct(n, n, { operands: 'streamed' }).method !== 'outOfCore'),
  };
  edges.mod = edges.div!;
  console.log(
    `MATHSTREAM_MEMORY=${memory}; in memory up to: dividend ${edges.div} digits (divisor 1/${ratio} of it), power ${edges.pow} digits, ` +
      `file product ${edges.split} × ${edges.split}, radicand ${edges.isqrt} digits`,
  );
  console.log(`load average at start ${loadavg().map((v) => v.toFixed(2)).join(' ')} (2 cores shared)`);
  const rows: Array<Record<string, string | number>> = [];
  let failed = false;
  for (const op of ops) {
    for (const f of sizes ?? at) {
      const size = sizes ? f : Math.round(edges[op]! * f);
      const dir = mkdtempSync(join(argOption('--dir') ?? '/tmp', 'ms-bench-held-'));
      try {
        let args: string[];
        let name: string;
        if (op === 'pow') {
          const exponent = Math.round((size - 1) / Math.log10(9));
          args = [String(exponent)];
          name = `pow 9 ${exponent}`;
        } else if (op === 'isqrt') {
          const a = join(dir, 'a.txt');
          writeRandomDigitFile(a, size);
          args = [a];
          name = `isqrt ${size.toExponential(2)}`;
        } else if (op === 'split') {
          const [a, b] = [join(dir, 'a.txt'), join(dir, 'b.txt')];
          writeRandomDigitFile(a, size);
          writeRandomDigitFile(b, size);
          args = force ? [a, b, 'force'] : [a, b];
          name = `mul ${size.toExponential(2)} × same`;
        } else {
          const [a, b] = [join(dir, 'a.txt'), join(dir, 'b.txt')];
          writeRandomDigitFile(a, size);
          const divisor = Math.ceil(size / ratio);
          writeRandomDigitFile(b, divisor);
          args = [a, b];
          name = `${op} ${size.toExponential(2)} / ${divisor.toExponential(2)}`;
        }
        const run = measure(op, args, join(dir, 'home'), memory);
        if (run.check === 'FAILED') failed = true;
        rows.push({
          operation: name,
          'size/edge': (size / edges[op]!).toFixed(2),
          route: run.route,
          'op wall s': run.seconds.toFixed(1),
          'op CPU s': run.cpu.toFixed(1),
          'peak RSS MiB': run.rssMiB.toFixed(0),
          'RSS − budget MiB': (run.rssMiB - budgetMiB).toFixed(0),
          check: run.check,
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  printTable(rows);
  console.log(`load average at end ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
  if (failed) process.exitCode = 1;
}

await main();
