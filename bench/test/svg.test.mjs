import { test } from 'node:test';
import assert from 'node:assert/strict';
import { throughputSvg } from '../lib/report/svg.mjs';

const s = (median) => ({ n: 3, median, q1: median, q3: median, min: median * 0.9, max: median * 1.1 });
const at = (a, b, c) => ({ 1: { runsPerSec: s(a) }, 4: { runsPerSec: s(b) }, 16: { runsPerSec: s(c) } });

test('one line per case measured, highest at 16 in flight first in the legend, within the plot', () => {
  const results = { throughput: { unshare: at(300, 480, 500), cgbox: at(250, 300, 290), runc: at(50, 90, 100) } };
  const cases = [{ id: 'cgbox', label: 'cgbox (no net)' }, { id: 'unshare', label: 'unshare' }, { id: 'runc', label: 'runc' }, { id: 'bwrap', label: 'bwrap' }];
  const svg = throughputSvg(results, cases, 'a machine');
  assert.equal(svg.match(/<polyline /g).length, 3); // bwrap was not measured: no line
  assert.equal(svg.match(/<circle /g).length, 9);
  const legend = [...svg.matchAll(/font-size="12" fill="#222"[^>]*>([^<]+)</g)].map((m) => m[1]);
  assert.deepEqual(legend, ['unshare', 'cgbox (no net)', 'runc']);
  for (const [, y] of svg.matchAll(/<circle cx="[\d.]+" cy="([\d.]+)"/g)) assert.ok(Number(y) >= 92 && Number(y) <= 472, y);
  assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"') && svg.trim().endsWith('</svg>'));
});
