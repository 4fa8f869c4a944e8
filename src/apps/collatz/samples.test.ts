import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SampleSeries } from './samples.js';

test('a long series is thinned to at most maxPoints, keeping first and last points', () => {
  const series = new SampleSeries(100);
  for (let step = 0; step < 100_000; step++) series.add(step, step % 37);
  series.finish(100_000, 1);
  const { steps, digits } = series.snapshot();
  assert.ok(steps.length <= 100 && steps.length >= 50, `length ${steps.length}`);
  assert.equal(steps[0], 0);
  assert.equal(steps[steps.length - 1], 100_000);
  assert.equal(digits[digits.length - 1], 1);
  for (let i = 1; i < steps.length; i++) assert.ok(steps[i]! > steps[i - 1]!);
});

test('maxPoints below 4 is refused', () => {
  assert.throws(() => new SampleSeries(2), RangeError);
});
