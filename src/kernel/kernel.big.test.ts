// Large-size kernel checks (npm run test:big): identities that need no reference implementation, so they run at
// sizes where BigInt would take minutes. n defaults to 5·10^7 digits; MATHSTREAM_KERNEL_BIG_N overrides it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { natAdd, natCompare, natDivMod, natIsqrt, natIsZero, natMul, natShiftDecimal, natSqr, natSub, NAT_ONE, natFromNumber } from './index.js';

const n = Number(process.env.MATHSTREAM_KERNEL_BIG_N ?? 5e7);
const pow10 = (k: number) => natShiftDecimal(NAT_ONE, k);

test(`(10^n − 1)² = 10^2n − 2·10^n + 1 at n = ${n}`, () => {
  const x = natSub(pow10(n), NAT_ONE);
  const sq = natSqr(x);
  const expected = natAdd(natSub(pow10(2 * n), natShiftDecimal(natFromNumber(2), n)), NAT_ONE);
  assert.equal(natCompare(sq, expected), 0);
  console.log(`peak RSS after square: ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`);
});

test(`division round trip at n = ${n / 2} digits`, () => {
  const m = Math.floor(n / 2);
  // b = 10^m − 7 (odd run of 9s ending ...93), a = b·(10^m + 12345) + (b − 1): q and r are known exactly.
  const b = natSub(pow10(m), natFromNumber(7));
  const q = natAdd(pow10(m), natFromNumber(12345));
  const r = natSub(b, NAT_ONE);
  const a = natAdd(natMul(b, q), r);
  const got = natDivMod(a, b);
  assert.equal(natCompare(got.q, q), 0);
  assert.equal(natCompare(got.r, r), 0);
  assert.ok(!natIsZero(got.r));
  console.log(`peak RSS after division: ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`);
});

test(`isqrt at ${n / 2}-digit roots: x² + 2x and x² both give x`, () => {
  const m = Math.floor(n / 2);
  const x = natSub(pow10(m), natFromNumber(7));
  const sq = natSqr(x);
  assert.equal(natCompare(natIsqrt(natAdd(sq, natAdd(x, x))), x), 0); // (x+1)² − 1
  assert.equal(natCompare(natIsqrt(sq), x), 0);
  console.log(`peak RSS after isqrt: ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`);
});
