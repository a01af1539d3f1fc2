/**
 * What a run's samples say over time: CPU utilisation between successive
 * samples (the cgroup counts CPU time, not a rate) and a one-line summary.
 */
import { bytes, millis } from './human.js';
import type { Sample } from './types.js';

/** CPU used between two samples, as a number of CPUs busy (0.5 = half of one CPU). */
export interface CpuInterval {
  fromMs: number;
  toMs: number;
  cpus: number;
}

export function cpuIntervals(samples: readonly Sample[]): CpuInterval[] {
  const out: CpuInterval[] = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    const dtMs = b.tMs - a.tMs;
    // A read skipped over (see the sampler) leaves a wider interval, never a zero one.
    if (dtMs <= 0) continue;
    out.push({ fromMs: a.tMs, toMs: b.tMs, cpus: Math.max(0, b.cpuUs - a.cpuUs) / 1000 / dtMs });
  }
  return out;
}

/** "43 samples over 2.150 s: memory up to 100.4 MiB (at 2.100 s), CPU up to 98 % of one CPU". */
export function timelineSummary(samples: readonly Sample[]): string {
  if (samples.length === 0) return 'no samples';
  const last = samples[samples.length - 1]!;
  const top = samples.reduce((m, s) => (s.memoryBytes > m.memoryBytes ? s : m), samples[0]!);
  const cpu = cpuIntervals(samples).reduce((m, c) => Math.max(m, c.cpus), 0);
  const n = samples.length;
  return `${n} sample${n === 1 ? '' : 's'} over ${millis(last.tMs)}: memory up to ${bytes(top.memoryBytes)} (at ${millis(top.tMs)}), CPU up to ${(cpu * 100).toFixed(0)} % of one CPU`;
}
