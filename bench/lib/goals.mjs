// The goals, judged on one run's ratios: met or NOT met, never a failure (a shared machine's
// numbers are noisy; the table beside them shows how much).
import { ratio } from './stats.mjs';

const med = (s) => s?.median;

/** One goal: `value` the measured number, `ok(value)` the test, or why it could not be judged. */
function goal(name, value, ok, shown, missing) {
  if (value == null || !Number.isFinite(value)) return { name, met: null, value: null, shown: `not judged: ${missing}` };
  return { name, met: ok(value), value, shown };
}

export function judge({ latency = {}, throughput = {}, flatness = {} }) {
  const lat = (id) => med(latency[id]?.ms);
  const tp = (id, k) => med(throughput[id]?.[k]?.runsPerSec);
  const x = (v) => `${v.toFixed(2)}×`;
  const goals = [];

  const su = ratio(lat('cgbox'), lat('unshare'));
  goals.push(goal('start-up ≤ 1.0× unshare', su, (v) => v <= 1, su && `${x(su)} (${lat('cgbox').toFixed(2)} ms against ${lat('unshare').toFixed(2)} ms)`, 'needs cgbox and unshare in start-up'));
  for (const k of [1, 16]) {
    const t = ratio(tp('cgbox', k), tp('unshare', k));
    goals.push(goal(`throughput ≥ 1.0× unshare at ${k} in flight`, t, (v) => v >= 1, t && `${x(t)} (${tp('cgbox', k).toFixed(0)} against ${tp('unshare', k).toFixed(0)} runs/s)`, 'needs cgbox and unshare in throughput'));
  }
  const sr = ratio(lat('runc'), lat('cgbox'));
  goals.push(goal('start-up ≥ 3× as fast as runc', sr, (v) => v >= 3, sr && `${x(sr)} (runc ${lat('runc').toFixed(2)} ms, cgbox ${lat('cgbox').toFixed(2)} ms)`, 'needs cgbox and runc in start-up'));
  for (const k of [1, 16]) {
    const t = ratio(tp('cgbox', k), tp('runc', k));
    goals.push(goal(`throughput ≥ 3× runc at ${k} in flight`, t, (v) => v >= 3, t && `${x(t)} (${tp('cgbox', k).toFixed(0)} against ${tp('runc', k).toFixed(0)} runs/s)`, 'needs cgbox and runc in throughput'));
  }
  const cpu = med(throughput.cgbox?.[1]?.cpuMsPerRun);
  const cpu16 = med(throughput.cgbox?.[16]?.cpuMsPerRun);
  goals.push(goal('Node-side CPU ≤ 0.5 ms per sandbox', cpu, (v) => v <= 0.5, cpu != null && `${cpu.toFixed(2)} ms one at a time${cpu16 != null ? `, ${cpu16.toFixed(2)} ms at 16 in flight` : ''}`, 'needs cgbox in throughput'));

  const f = flatness.cgbox;
  const grow = ratio(med(f?.[1000]?.msPerRun), med(f?.[10]?.msPerRun));
  const drift = ratio(med(f?.[1000]?.lastTenthMs), med(f?.[1000]?.firstTenthMs));
  const u = flatness.unshare;
  const ug = ratio(med(u?.[1000]?.msPerRun), med(u?.[10]?.msPerRun));
  goals.push(
    goal('cost per sandbox flat from 10 to 1,000 in a row (≤ 1.2×)', grow == null || drift == null ? null : Math.max(grow, drift), (v) => v <= 1.2,
      grow != null && drift != null && `${f[10].msPerRun.median.toFixed(2)} → ${f[100].msPerRun.median.toFixed(2)} → ${f[1000].msPerRun.median.toFixed(2)} ms per sandbox (${x(grow)}); last tenth of 1,000 ${x(drift)} its first${ug != null ? `; unshare alike ${x(ug)}` : ''}`,
      'needs cgbox in the in-a-row phase'),
  );

  const netAdds = lat('cgbox-net') != null && lat('cgbox') != null ? lat('cgbox-net') - lat('cgbox') : null;
  const nr = ratio(netAdds, lat('raw-net'));
  goals.push(goal('.net({ bandwidth }) adds ≤ 1.0× the raw ip/tc steps', nr, (v) => v <= 1,
    nr != null && `${x(nr)}: adds ${netAdds.toFixed(1)} ms, the raw steps take ${lat('raw-net').toFixed(1)} ms${lat('raw-net-batch') != null ? ` (batched: ${lat('raw-net-batch').toFixed(1)} ms)` : ''}`,
    'needs cgbox, cgbox-net and raw-net in start-up'));

  const snap = lat('cgbox-btrfs') != null && lat('cgbox') != null ? lat('cgbox-btrfs') - lat('cgbox') : null;
  goals.push(goal('a btrfs snapshot volume adds ≤ 5 ms', snap, (v) => v <= 5, snap != null && `adds ${snap.toFixed(2)} ms`, 'needs cgbox and cgbox-btrfs in start-up'));
  return goals;
}

export const verdict = (g) => (g.met === null ? 'not judged' : g.met ? 'met' : 'NOT met');
