/**
 * outofcore bench — two random 5·10^7-digit files multiplied in memory and out of core
 * (MATHSTREAM_MEMORY=256MiB), each in its own process under `/usr/bin/time -v` for the peak RSS,
 * in the same run. Checks that both products are identical and prints time, peak RSS and ratio.
 * Targets (issue): out-of-core peak RSS <= 400 MiB and time <= 3x the in-memory product.
 *
 *   node dist/bench/outofcore.js [DIGITS]        (default 50000000)
 *   node dist/bench/outofcore.js --child A B     (internal: one product with the ambient budget)
 */
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeRandomDigitFile, printTable, runWithBudget } from './util.js';

async function child(a: string, b: string): Promise<void> {
  const { StreamNumber } = await import('../src/number.js');
  const { mul } = await import('../src/engine/index.js');
  const x = await StreamNumber.fromPath(a);
  const y = await StreamNumber.fromPath(b);
  const started = performance.now();
  const product = await mul(x, y);
  const seconds = (performance.now() - started) / 1000;
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(product.path)) hash.update(chunk as Buffer);
  console.log(JSON.stringify({ seconds, digits: product.digitCount, sha: hash.digest('hex') }));
  product.free();
}

interface Run {
  seconds: number;
  digits: number;
  sha: string;
  rssMiB: number;
}

function measure(a: string, b: string, home: string, memory: string): Run {
  return runWithBudget<Omit<Run, 'rssMiB'>>(fileURLToPath(import.meta.url), [a, b], home, memory);
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return child(process.argv[3]!, process.argv[4]!);
  const digits = Number(process.argv[2] ?? 50_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'ms-bench-ooc-'));
  try {
    const a = join(dir, 'a.txt');
    const b = join(dir, 'b.txt');
    writeRandomDigitFile(a, digits);
    writeRandomDigitFile(b, digits);
    const inMemory = measure(a, b, join(dir, 'home-mem'), '16GiB');
    const outOfCore = measure(a, b, join(dir, 'home-ooc'), '256MiB');
    if (inMemory.sha !== outOfCore.sha) throw new Error('products differ between in-memory and out-of-core runs');
    printTable([
      { route: 'in memory (16GiB budget)', seconds: inMemory.seconds.toFixed(1), 'peak RSS MiB': inMemory.rssMiB.toFixed(0), ratio: '1.00' },
      {
        route: 'out of core (256MiB)',
        seconds: outOfCore.seconds.toFixed(1),
        'peak RSS MiB': outOfCore.rssMiB.toFixed(0),
        ratio: (outOfCore.seconds / inMemory.seconds).toFixed(2),
      },
    ]);
    console.log(`${digits.toLocaleString('en-US')}-digit operands, ${inMemory.digits.toLocaleString('en-US')}-digit product; results identical`);
    console.log(`targets: peak RSS <= 400 MiB: ${outOfCore.rssMiB <= 400 ? 'met' : 'MISSED'}; time <= 3x: ${outOfCore.seconds <= 3 * inMemory.seconds ? 'met' : 'MISSED'}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
