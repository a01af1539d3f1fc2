import { describe, expect, it } from 'vitest';
import { formatReport } from './format.js';
import { MiB, fakeResult, type FakeResult } from './fake-result.js';
import type { RunResult } from './types.js';

/** A run of a program that allocated past its 256 MiB limit and was OOM-killed. */
function oomRun(overrides: FakeResult = {}): RunResult {
  return fakeResult({
    command: ['node', 'alloc.js', '300 MiB'],
    exitCode: null,
    signal: 'SIGKILL',
    ok: false,
    oomKilled: true,
    usage: {
      cpu: { usageUs: 625_000, userUs: 500_000, systemUs: 125_000, throttledPeriods: 0, throttledUs: 0 },
      memory: { peakBytes: 256 * MiB, swapPeakBytes: 0, oomKills: 1 },
      pids: { peak: 3 },
      io: { readBytes: 4096, writeBytes: 0, readOps: 1, writeOps: 0, devices: {} },
    },
    limits: {
      memory: { value: 256 * MiB, enforced: true, reason: 'counts page cache and tmpfs pages as well as the process memory' },
      swap: { value: 0, enforced: false, reason: 'the kernel has no swap accounting: boot with swapaccount=1' },
      pids: { value: 64, enforced: true },
      cpuQuota: { value: 0.5, enforced: true },
      iops: { value: '/dev/vda (254:0) read=100 write=-', enforced: true, reason: 'O_DIRECT only' },
    },
    ...overrides,
  });
}

describe('formatReport', () => {
  it('prints an OOM-killed run, line by line', () => {
    expect(formatReport(oomRun())).toBe(
      [
        '\tCommand: node alloc.js "300 MiB"',
        '\tOutcome: killed by SIGKILL (OOM kill)',
        '\tWall time: 1.250 s',
        '\tCPU time: 625.0 ms (user 500.0 ms, system 125.0 ms)',
        '\tCPU utilisation: 50 %',
        '\tCPU throttled: 0 periods, 0 µs',
        '\tMemory peak: 256.0 MiB',
        '\tSwap peak: 0 B',
        '\tOOM kills: 1',
        '\tTasks peak: 3',
        '\tIO read: 4.0 KiB in 1 ops',
        '\tIO written: 0 B in 0 ops',
        '\tLimits:',
        '\t\tmemory: 256.0 MiB [enforced] — counts page cache and tmpfs pages as well as the process memory',
        '\t\tswap: 0 B [NOT ENFORCED] — the kernel has no swap accounting: boot with swapaccount=1',
        '\t\tpids: 64 [enforced]',
        '\t\tcpuQuota: 0.5 [enforced]',
        '\t\tiops: /dev/vda (254:0) read=100 write=- [enforced] — O_DIRECT only',
        '',
      ].join('\n'),
    );
  });

  it('tells an exit from a signal, and notes a timeout', () => {
    const exited = formatReport(oomRun({ signal: null, exitCode: 137, oomKilled: false }));
    expect(exited).toContain('\tOutcome: exited with 137\n');
    const timedOut = formatReport(oomRun({ signal: 'SIGTERM', oomKilled: false, timedOut: true }));
    expect(timedOut).toContain('\tOutcome: killed by SIGTERM (timed out)\n');
    const both = formatReport(oomRun({ timedOut: true }));
    expect(both).toContain('\tOutcome: killed by SIGKILL (OOM kill, timed out)\n');
  });

  it('shows memory sizes in 1024-based units', () => {
    const r = oomRun();
    r.usage.memory = { peakBytes: 1536 * 1024, swapPeakBytes: 3 * 2 ** 30, oomKills: 0 };
    const text = formatReport(r);
    expect(text).toContain('\tMemory peak: 1.5 MiB\n');
    expect(text).toContain('\tSwap peak: 3.0 GiB\n');
  });

  it('adds net and volume lines when the run had them', () => {
    const r = oomRun();
    r.usage.net = { rxBytes: 2048, txBytes: 10 * MiB, rxPackets: 2, txPackets: 7000, rxDropped: 0, txDropped: 0 };
    r.usage.volume = { usedBytes: 50 * MiB, sizeBytes: 100 * MiB };
    const text = formatReport(r);
    expect(text).toContain('\tNet rx: 2.0 KiB (2 pkts), tx: 10.0 MiB (7000 pkts)\n');
    expect(text).toContain('\tVolume: 50.0 MiB of 100.0 MiB\n');
  });

  it('leaves out the limits section when no limit was set', () => {
    const text = formatReport(oomRun({ limits: {} }));
    expect(text).not.toContain('Limits:');
    expect(text.endsWith('\tIO written: 0 B in 0 ops\n')).toBe(true);
  });

  it('reports a run of zero duration without dividing by zero', () => {
    expect(formatReport(oomRun({ durationMs: 0 }))).toContain('\tCPU utilisation: 0 %\n');
  });
});
