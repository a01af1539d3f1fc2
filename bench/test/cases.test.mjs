import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CASES, inPhase, select } from '../lib/cases/index.mjs';

test('--only takes ids and prefixes, and names the cases when one is unknown', () => {
  assert.deepEqual(select('cgbox,unshare').map((c) => c.id), ['cgbox', 'unshare']);
  assert.ok(select('cgbox*').every((c) => c.id.startsWith('cgbox')));
  assert.ok(select('cgbox*').length > 5);
  assert.throws(() => select('cgbox,docker'), /no case docker; the cases are spawn, cgbox/);
  assert.equal(select(undefined).length, CASES.length);
});

test('every peer and cgbox case named in the brief is there, ids unique', () => {
  const ids = CASES.map((c) => c.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ['spawn', 'unshare', 'bwrap', 'runc', 'systemd-run', 'unshare-rootless', 'cgbox', 'cgbox-net', 'cgbox-btrfs', 'cgbox-loop', 'cgbox-rootfs', 'cgbox-privileged', 'cgbox-rootless']) assert.ok(ids.includes(id), id);
});

test('references take part in start-up only; cgbox and unshare run 1,000 in a row', () => {
  const raw = CASES.find((c) => c.id === 'raw-net');
  assert.ok(inPhase(raw, 'latency') && !inPhase(raw, 'throughput'));
  assert.deepEqual(CASES.filter((c) => inPhase(c, 'flatness')).map((c) => c.id), ['cgbox', 'unshare']);
});
