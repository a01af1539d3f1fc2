import { describe, expect, it } from 'vitest';
import { formatReport } from './format.js';
import { cpuIntervals, timelineSummary } from './timeline.js';
import type { RunResult, Sample } from './types.js';

const MiB = 2 ** 20;
const samples: Sample[] = [
  { tMs: 5, cpuUs: 0, memoryBytes: MiB, tasks: 1 },
  { tMs: 55, cpuUs: 50_000, memoryBytes: 40 * MiB, tasks: 1 },
  { tMs: 105, cpuUs: 75_000, memoryBytes: 80 * MiB, tasks: 2 },
  { tMs: 105, cpuUs: 75_000, memoryBytes: 80 * MiB, tasks: 2 }, // same instant: no interval
  { tMs: 205, cpuUs: 75_000, memoryBytes: 60 * MiB, tasks: 1 },
];

describe('timeline', () => {
  it('derives CPU utilisation from successive cumulative CPU times', () => {
    expect(cpuIntervals(samples)).toEqual([
      { fromMs: 5, toMs: 55, cpus: 1 },
      { fromMs: 55, toMs: 105, cpus: 0.5 },
      { fromMs: 105, toMs: 205, cpus: 0 },
    ]);
    expect(cpuIntervals(samples.slice(0, 1))).toEqual([]);
  });

  it('sums a timeline up in one line', () => {
    expect(timelineSummary(samples)).toBe('5 samples over 205.0 ms: memory up to 80.0 MiB (at 105.0 ms), CPU up to 100 % of one CPU');
    expect(timelineSummary([])).toBe('no samples');
  });

  it('formatReport adds the timeline line only when the run was sampled', () => {
    const r = {
      command: ['x'], exitCode: 0, signal: null, ok: true, timedOut: false, oomKilled: false, durationMs: 210, stdout: '', stderr: '', stdoutTruncated: false, stderrTruncated: false,
      usage: {
        cpu: { usageUs: 75_000, userUs: 75_000, systemUs: 0, throttledPeriods: 0, throttledUs: 0 },
        memory: { peakBytes: 80 * MiB, swapPeakBytes: 0, oomKills: 0 },
        pids: { peak: 2 },
        io: { readBytes: 0, writeBytes: 0, readOps: 0, writeOps: 0, devices: {} },
        net: null,
        volume: null,
        pressure: null,
      },
      limits: {},
      privileged: false,
    } satisfies RunResult;
    expect(formatReport(r)).not.toContain('Timeline');
    expect(formatReport({ ...r, samples })).toContain('\tIO written: 0 B in 0 ops\n\tTimeline: 5 samples over 205.0 ms: memory up to 80.0 MiB (at 105.0 ms), CPU up to 100 % of one CPU\n');
  });
});
