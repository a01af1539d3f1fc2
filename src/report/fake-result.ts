/**
 * Test helper: a RunResult with every field filled, each usage section and
 * the rest overridable. The tests of the report's faces (table, plot,
 * matchers) build theirs from it.
 */
import type { RunResult, Usage } from './types.js';

export const MiB = 2 ** 20;

export type FakeResult = Partial<Omit<RunResult, 'usage'>> & { usage?: Partial<Usage> };

export function fakeResult(o: FakeResult = {}): RunResult {
  const { usage, ...rest } = o;
  return {
    command: ['node', 'app.js'],
    exitCode: 0,
    signal: null,
    ok: true,
    timedOut: false,
    oomKilled: false,
    durationMs: 1250,
    stdout: '',
    stderr: '',
    stdoutTruncated: false,
    stderrTruncated: false,
    limits: {},
    privileged: false,
    ...rest,
    usage: {
      cpu: { usageUs: 0, userUs: 0, systemUs: 0, throttledPeriods: 0, throttledUs: 0 },
      memory: { peakBytes: 0, swapPeakBytes: 0, oomKills: 0 },
      pids: { peak: 1 },
      io: { readBytes: 0, writeBytes: 0, readOps: 0, writeOps: 0, devices: {} },
      net: null,
      volume: null,
      pressure: null,
      ...usage,
    },
  };
}
