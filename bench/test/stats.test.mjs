import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median, quantile, ratio, summary } from '../lib/stats.mjs';

test('quantiles interpolate between neighbours', () => {
  assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
  assert.equal(quantile([1, 2, 3, 4], 0.25), 1.75);
  assert.equal(median([5, 1, 3]), 3);
});

test('a summary has the median and both spreads', () => {
  assert.deepEqual(summary([4, 1, 3, 2, 100]), { n: 5, median: 3, q1: 2, q3: 4, min: 1, max: 100 });
});

test('a ratio with a missing side is null, not NaN or Infinity', () => {
  assert.equal(ratio(2, 4), 0.5);
  assert.equal(ratio(undefined, 4), null);
  assert.equal(ratio(2, 0), null);
});
