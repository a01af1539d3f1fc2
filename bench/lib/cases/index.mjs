// Every case of the bench, in the order the rounds take them. Peers and cgbox's cases alternate
// so that the work cgbox does after a run (the next spare, made in the background) has time to
// finish before the next cgbox case, as it has between a suite's tests.
import { spawnTrue, unshare, bwrap, systemdRun } from './peers.mjs';
import { runc } from './runc.mjs';
import { cgbox, cgboxCold, cgboxNet, cgboxBtrfs, cgboxLoop, cgboxRootfs, cgboxPrivileged } from './cgbox.mjs';
import { rawNet, rawNetBatch } from './net-raw.mjs';
import { unshareRootless, cgboxRootless } from './rootless.mjs';

export const CASES = [spawnTrue, cgbox, unshare, cgboxNet, bwrap, cgboxBtrfs, runc, cgboxLoop, systemdRun, cgboxRootfs, rawNet, cgboxPrivileged, rawNetBatch, cgboxCold, unshareRootless, cgboxRootless];

export const ALL_PHASES = ['latency', 'throughput', 'flatness'];

/** The cases `--only` names (ids, or a prefix ending in `*`: `cgbox*`); all without it. */
export function select(only) {
  if (!only) return CASES;
  const wanted = only.split(',').map((s) => s.trim()).filter(Boolean);
  const matches = (id, w) => (w.endsWith('*') ? id.startsWith(w.slice(0, -1)) : id === w);
  const unknown = wanted.filter((w) => !CASES.some((c) => matches(c.id, w)));
  if (unknown.length) throw new Error(`--only: no case ${unknown.join(', ')}; the cases are ${CASES.map((c) => c.id).join(', ')}`);
  return CASES.filter((c) => wanted.some((w) => matches(c.id, w)));
}

/**
 * Whether a case takes part in a phase: a sandbox in start-up and throughput, a reference (a
 * network without a sandbox) in start-up only; 1,000 in a row for the cases marked `flat`.
 */
export const inPhase = (c, phase) => (c.phases ?? ['latency', 'throughput', ...(c.flat ? ['flatness'] : [])]).includes(phase);
