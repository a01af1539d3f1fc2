import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judge, verdict } from '../lib/goals.mjs';

const s = (median) => ({ n: 1, median, q1: median, q3: median, min: median, max: median });
const flat = (a, b, c, first, last) => ({ 10: { msPerRun: s(a) }, 100: { msPerRun: s(b) }, 1000: { msPerRun: s(c), firstTenthMs: s(first), lastTenthMs: s(last) } });
const byName = (goals, start) => goals.find((g) => g.name.startsWith(start));

test('each goal is met, NOT met, or not judged with the reason', () => {
  const goals = judge({
    latency: { cgbox: { ms: s(4) }, unshare: { ms: s(3) }, runc: { ms: s(20) }, 'cgbox-net': { ms: s(24) }, 'raw-net': { ms: s(30) }, 'cgbox-btrfs': { ms: s(8) } },
    throughput: {
      cgbox: { 1: { runsPerSec: s(300), cpuMsPerRun: s(0.4) }, 16: { runsPerSec: s(400), cpuMsPerRun: s(0.6) } },
      unshare: { 1: { runsPerSec: s(290) }, 16: { runsPerSec: s(500) } },
    },
    flatness: { cgbox: flat(4, 4.1, 4.2, 4, 4.3) },
  });
  assert.equal(verdict(byName(goals, 'start-up ≤ 1.0× unshare')), 'NOT met'); // 4 / 3
  assert.equal(verdict(byName(goals, 'throughput ≥ 1.0× unshare at 1 ')), 'met');
  assert.equal(verdict(byName(goals, 'throughput ≥ 1.0× unshare at 16')), 'NOT met');
  assert.equal(verdict(byName(goals, 'start-up ≥ 3× as fast as runc')), 'met'); // 20 / 4
  assert.equal(verdict(byName(goals, 'throughput ≥ 3× runc at 1 ')), 'not judged');
  assert.match(byName(goals, 'throughput ≥ 3× runc at 1 ').shown, /needs cgbox and runc/);
  assert.equal(verdict(byName(goals, 'Node-side CPU')), 'met'); // 0.4 ms one at a time
  assert.equal(verdict(byName(goals, 'cost per sandbox flat')), 'met');
  assert.equal(verdict(byName(goals, '.net(')), 'met'); // adds 24 − 4 = 20 ms, the raw steps 30
  const slow = judge({ latency: { cgbox: { ms: s(4) }, 'cgbox-net': { ms: s(40) }, 'raw-net': { ms: s(30) } } });
  assert.equal(verdict(byName(slow, '.net(')), 'NOT met');
});

test('a cost that grows over 1,000 in a row is not flat', () => {
  const goals = judge({ flatness: { cgbox: flat(4, 5, 6, 4, 4.2) } });
  assert.equal(verdict(byName(goals, 'cost per sandbox flat')), 'NOT met');
  const drift = judge({ flatness: { cgbox: flat(4, 4, 4.1, 3, 5) } }); // the last tenth slower than the first
  assert.equal(verdict(byName(drift, 'cost per sandbox flat')), 'NOT met');
});

test('the btrfs snapshot goal is what the volume adds to a run', () => {
  const under = judge({ latency: { cgbox: { ms: s(4) }, 'cgbox-btrfs': { ms: s(8.9) } } });
  assert.equal(verdict(byName(under, 'a btrfs snapshot')), 'met');
  const over = judge({ latency: { cgbox: { ms: s(4) }, 'cgbox-btrfs': { ms: s(9.1) } } });
  assert.equal(verdict(byName(over, 'a btrfs snapshot')), 'NOT met');
});
