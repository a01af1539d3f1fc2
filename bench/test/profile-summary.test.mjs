import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summarise } from '../lib/profile/summary.mjs';

const frame = (functionName, url = '', lineNumber = 0) => ({ functionName, url, lineNumber, columnNumber: 0, scriptId: '0' });
// root → launch (cgbox) → ChildProcess.spawn (node) ; root → (garbage collector) ; root → (idle)
const nodes = [
  { id: 1, callFrame: frame('(root)'), hitCount: 0, children: [2, 4, 5] },
  { id: 2, callFrame: frame('launch', 'file:///nowhere/dist/launch/spawn.js', 54), hitCount: 1, children: [3] },
  { id: 3, callFrame: frame('ChildProcess.spawn', 'node:internal/child_process', 353), hitCount: 6, children: [] },
  { id: 4, callFrame: frame('(garbage collector)'), hitCount: 2, children: [] },
  { id: 5, callFrame: frame('(idle)'), hitCount: 1, children: [] },
];
// Ten samples 100 µs apart: spawn ×6, launch, GC ×2, idle.
const samples = [3, 3, 3, 2, 3, 3, 4, 3, 4, 5];
const profile = { nodes, startTime: 1000, endTime: 2000, samples, timeDeltas: samples.map(() => 100) };

test('self time, categories and the cgbox caller come from the hits', () => {
  const s = summarise(profile);
  assert.equal(s.samples, 10);
  assert.equal(s.usPerSample, 100);
  assert.equal(s.self[0].what, 'ChildProcess.spawn node:internal/child_process:354');
  assert.equal(s.self[0].ms, 0.6);
  const cat = Object.fromEntries(s.categories.map((c) => [c.what, c.ms]));
  assert.equal(cat['spawns (child_process)'], 0.6);
  assert.equal(cat.GC, 0.2);
  assert.equal(cat["cgbox's own JS (dist/)"], 0.1);
  assert.equal(s.busyMs, 0.9); // all but the idle sample
  assert.equal(s.inclusive[0].ms, 0.7); // launch and the spawn beneath it
  assert.equal(s.callers[0].category, 'spawns (child_process)');
  assert.match(s.callers[0].top[0].what, /^launch /);
});

test('a window keeps only the samples inside it', () => {
  // Samples at 1100, 1200, … 2000: the window 1650–2000 holds the last four.
  const s = summarise(profile, { window: { fromUs: 1650, toUs: 2000 } });
  assert.equal(s.samples, 4); // at 1700 (GC), 1800 (spawn), 1900 (GC), 2000 (idle)
  const cat = Object.fromEntries(s.categories.map((c) => [c.what, c.ms]));
  assert.ok(!('cgbox\'s own JS (dist/)' in cat));
  assert.equal(s.self.find((f) => f.what.startsWith('ChildProcess.spawn')).ms * 1000, 87.5); // 1 of 4 samples over 350 µs
});
