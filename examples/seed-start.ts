/**
 * seed-start — the Python prototype's test.py (its "seed" script, docs/ARCHITECTURE.md) as a demo anyone can read (`npm start`).
 *
 * Seeds a few numbers, runs every operation and checks each result against BigInt, shows that
 * division by zero is a typed error, frees everything, runs the collector, and prints what
 * is still alive in this process (activeStreams) and in the tracker (trackedFiles).
 */
import {
  DivideByZeroError,
  StreamNumber,
  activeStreams,
  add,
  compare,
  div,
  divmod,
  isqrt,
  mod,
  mul,
  neg,
  pow,
  sub,
  getConfig,
} from 'mathstream';
import { collectGarbage, trackedFiles } from 'mathstream/tracker';

let failures = 0;

function check(label: string, got: StreamNumber | number, expected: bigint | number): void {
  const value = typeof got === 'number' ? BigInt(got) : got.toBigInt();
  const ok = value === BigInt(expected);
  if (!ok) failures++;
  const shown = value.toString();
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${label.padEnd(22)} = ${shown.length > 60 ? `${shown.slice(0, 28)}...${shown.slice(-28)} (${shown.length} digits)` : shown}`);
}

console.log(`mathstream seed-start — home ${getConfig().home}\n`);

const aValue = 123456789012345678901234567890n;
const bValue = -987654321987654321n;
const a = await StreamNumber.fromLiteral(aValue);
const b = await StreamNumber.fromLiteral(bValue);
const seven = await StreamNumber.fromLiteral('+0007');
console.log(`seeded a = ${a}, b = ${b}, seven = ${seven} (from "+0007")\n`);

const staged: StreamNumber[] = [];
const keep = (x: StreamNumber) => (staged.push(x), x);

check('a + b', keep(await add(a, b)), aValue + bValue);
check('a - b', keep(await sub(a, b)), aValue - bValue);
check('a * b', keep(await mul(a, b)), aValue * bValue);
check('a // b (floor)', keep(await div(a, b)), floorDiv(aValue, bValue));
check('a % b (sign of b)', keep(await mod(a, b)), aValue - floorDiv(aValue, bValue) * bValue);
const [q, r] = await divmod(b, seven);
check('divmod(b, 7).q', keep(q), floorDiv(bValue, 7n));
check('divmod(b, 7).r', keep(r), bValue - floorDiv(bValue, 7n) * 7n);
check('a ** 7', keep(await pow(a, seven)), aValue ** 7n);
check('-b', keep(await neg(b)), -bValue);
const root = keep(await isqrt(a));
const s = root.toBigInt();
check('isqrt(a), s² <= a < (s+1)²', root, s * s <= aValue && aValue < (s + 1n) * (s + 1n) ? s : -1n);
check('compare(a, b)', await compare(a, b), 1);
const big = keep(await pow(2, 100_000));
check('digits of 2^100000', big.digitCount, 30_103);

try {
  await div(a, 0);
  failures++;
  console.log('FAIL division by zero did not throw');
} catch (error) {
  const ok = error instanceof DivideByZeroError;
  if (!ok) failures++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} a // 0                 -> ${(error as Error).name}: ${(error as Error).message}`);
}

console.log(`\nbefore free: ${Object.keys(activeStreams()).length} live handles, ${Object.keys(trackedFiles()).length} tracked files`);
for (const x of [a, b, seven, ...staged]) x.free();
const swept = collectGarbage(0);
console.log(`after free + collectGarbage(0): swept ${swept.length} unreferenced files`);
console.log('activeStreams():', activeStreams());
console.log('trackedFiles():', trackedFiles());

if (failures > 0 || Object.keys(trackedFiles()).length > 0 || Object.keys(activeStreams()).length > 0) {
  console.log(`\n${failures} check(s) failed or something was left behind`);
  process.exitCode = 1;
} else {
  console.log('\nall checks passed; nothing left behind');
}

function floorDiv(x: bigint, y: bigint): bigint {
  const quotient = x / y;
  return (x % y !== 0n && (x < 0n) !== (y < 0n)) ? quotient - 1n : quotient;
}
