/** The arithmetic the floors rest on, on made-up readings: no sandbox, no root needed. */
import { describe, expect, it } from 'vitest';
import { couldHave, cpuBetween, type CpuSample, leastIdleCpus, parseCpuTimes, roomFor } from './load.js';
import { bulkSpan, type CounterSample, windowBetween, wireBytes, worstExcess } from './net-meter.js';

/** /proc/stat text for 2 CPUs: `busy` and `idle` ticks in all (10 ms each); only the CPU lines' number matters. */
const stat = (busy: number, idle: number) => `cpu  ${busy} 0 0 ${idle} 0 0 0 0 0 0\ncpu0 0 0 0 0 0 0 0 0 0 0\ncpu1 0 0 0 0 0 0 0 0 0 0\nintr 1\n`;

/** Samples every 500 ms: for each interval, the machine's idle CPUs and the sandbox's CPUs. */
function samples(intervals: Array<{ idle: number; used: number }>): CpuSample[] {
  let busy = 0;
  let idle = 0;
  let usageUs = 0;
  const out: CpuSample[] = [{ times: parseCpuTimes(stat(busy, idle)), usageUs }];
  for (const i of intervals) {
    idle += i.idle * 50; // 500 ms = 50 ticks per CPU
    busy += (2 - i.idle) * 50;
    usageUs += i.used * 500_000;
    out.push({ times: parseCpuTimes(stat(busy, idle)), usageUs });
  }
  return out;
}

describe('load: what the machine could give', () => {
  it('reads /proc/stat: idle and iowait are idle, steal is time, the CPUs are counted', () => {
    const t = parseCpuTimes('cpu  100 5 20 300 7 1 2 9 0 0\ncpu0 1 0 0 1 0 0 0 0 0 0\ncpu1 1 0 0 1 0 0 0 0 0 0\n');
    expect(t).toEqual({ idleMs: 3070, totalMs: 4440, cpus: 2 });
    expect(cpuBetween(parseCpuTimes(stat(0, 0)), parseCpuTimes(stat(100, 100)))).toEqual({ wallMs: 1000, idleCpuMs: 1000 });
  });

  it('leastIdleCpus sees one saturated moment in an otherwise idle span', () => {
    expect(leastIdleCpus(samples([{ idle: 1.5, used: 0.5 }, { idle: 1.5, used: 0.5 }, { idle: 0, used: 0.2 }, { idle: 1.5, used: 0.5 }]))).toBe(0);
    expect(leastIdleCpus(samples([{ idle: 1.5, used: 0.5 }, { idle: 1, used: 0.5 }]))).toBe(1);
  });

  it('couldHave counts idle time moment by moment: idle in one interval does not cover a shortfall in another', () => {
    // Calm half the time (the quota's 0.5, a CPU idle), saturated the other half (0.1, nothing idle).
    const s = samples([{ idle: 1, used: 0.5 }, { idle: 0, used: 0.1 }, { idle: 1, used: 0.5 }, { idle: 0, used: 0.1 }]);
    const c = couldHave(s, 0.5);
    expect(c.got).toBeCloseTo(0.3, 6);
    expect(c.could).toBeCloseTo(0.3, 6); // averaged instead, 0.3 used + 0.5 idle would say 0.5
    // A quota that starved the sandbox while the machine idled shows.
    expect(couldHave(samples([{ idle: 1, used: 0.1 }, { idle: 1, used: 0.1 }]), 0.5)).toMatchObject({ could: 0.5 });
  });

  it('roomFor asserts the tight floor only when every need is met, and says so', () => {
    expect(roomFor('x', [{ could: 1, needs: 0.5, unit: 'CPUs' }], { tight: 't', relaxed: 'r' })).toBe(true);
    expect(roomFor('x', [{ could: 1, needs: 0.5, unit: 'CPUs' }, { could: 10, needs: 400, unit: '/s' }], { tight: 't', relaxed: 'r' })).toBe(false);
  });
});

describe('net-meter: windows on sampled counters', () => {
  /** A counter read every 20 ms (each read taking 0.1 ms): `bytesAt(t)` bytes by t ms. */
  const counter = (ms: number, bytesAt: (t: number) => number): CounterSample[] =>
    Array.from({ length: ms / 20 + 1 }, (_, i) => ({ before: i * 20, after: i * 20 + 0.1, bytes: bytesAt(i * 20) }));

  it('wireBytes turns a super-frame counted once with its headers into its frames', () => {
    expect(wireBytes(1514, 1)).toBe(1514);
    expect(wireBytes(66 + 45 * 1448, 1)).toBe(45 * 1514);
  });

  it('worstExcess: a steady 1250 bytes/ms never exceeds 1250/ms; 10 % more shows over a few seconds', () => {
    const quiet = 100; // ms before the first frame
    const at = (rate: number) => (t: number) => Math.max(0, t - quiet) * rate;
    expect(worstExcess(counter(6000, at(1250)), 1250, 0).excess).toBeLessThanOrEqual(0);
    expect(worstExcess(counter(6000, at(1375)), 1250, 4).excess).toBeGreaterThan(600_000);
  });

  it('bulkSpan finds the sample before the bulk, its first, and its last', () => {
    const s = counter(2000, (t) => (t < 500 ? 300 : t < 1500 ? 300 + (t - 500) * 1250 : 1_250_300 + 2000));
    expect(bulkSpan(s, 64 * 1024)).toEqual({ before: 25, first: 28, last: 72 });
    expect(windowBetween(s, 30, 40)).toMatchObject({ bytes: 250_000 });
    expect(windowBetween(s, 30, 40).ms).toBeCloseTo(199.9, 6); // the shortest the window can have been
  });
});
