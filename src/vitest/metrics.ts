/**
 * The numbers of a RunResult that cgbox/vitest asserts on: each with a name,
 * where it is read from, and how a person reads it (bytes, time, a count).
 */
import { formatBytes, formatMicros, formatMillis, type RunResult } from '../index.js';

export type Kind = 'bytes' | 'us' | 'ms' | 'count';

/** What a matcher returns to expect.extend. */
export interface SyncExpectationResult {
  pass: boolean;
  message: () => string;
}

/** A metric of the report by its path, e.g. 'memory.peakBytes'. */
export const METRICS = {
  'memory.peakBytes': { kind: 'bytes', read: (r) => r.usage.memory.peakBytes },
  'memory.swapPeakBytes': { kind: 'bytes', read: (r) => r.usage.memory.swapPeakBytes },
  'cpu.usageUs': { kind: 'us', read: (r) => r.usage.cpu.usageUs },
  'cpu.userUs': { kind: 'us', read: (r) => r.usage.cpu.userUs },
  'cpu.systemUs': { kind: 'us', read: (r) => r.usage.cpu.systemUs },
  'cpu.throttledUs': { kind: 'us', read: (r) => r.usage.cpu.throttledUs },
  'pids.peak': { kind: 'count', read: (r) => r.usage.pids.peak },
  'io.readBytes': { kind: 'bytes', read: (r) => r.usage.io.readBytes },
  'io.writeBytes': { kind: 'bytes', read: (r) => r.usage.io.writeBytes },
  'io.readOps': { kind: 'count', read: (r) => r.usage.io.readOps },
  'io.writeOps': { kind: 'count', read: (r) => r.usage.io.writeOps },
  'net.rxBytes': { kind: 'bytes', read: (r) => r.usage.net?.rxBytes ?? null },
  'net.txBytes': { kind: 'bytes', read: (r) => r.usage.net?.txBytes ?? null },
  'volume.usedBytes': { kind: 'bytes', read: (r) => r.usage.volume?.usedBytes ?? null },
  durationMs: { kind: 'ms', read: (r) => r.durationMs },
} satisfies Record<string, { kind: Kind; read: (r: RunResult) => number | null }>;

export type Metric = keyof typeof METRICS;

export const isMetric = (m: unknown): m is Metric => typeof m === 'string' && Object.hasOwn(METRICS, m);

export function human(kind: Kind, n: number): string {
  switch (kind) {
    case 'bytes':
      return formatBytes(n);
    case 'us':
      return formatMicros(n);
    case 'ms':
      return formatMillis(n);
    case 'count':
      return String(n);
  }
}

/** A RunResult, or what carries one: b.$'s output (`.report`). */
export function runResultOf(received: unknown): RunResult | null {
  const r = (typeof received === 'object' && received !== null && 'report' in received ? (received as { report: unknown }).report : received) as RunResult;
  return typeof r === 'object' && r !== null && typeof r.usage === 'object' && r.usage !== null && typeof r.limits === 'object' ? r : null;
}

/** The run's outcome in the words of formatReport: "exited with 0", "killed by SIGKILL (OOM kill)". */
export function outcome(r: { exitCode: number | null; signal: string | null; oomKilled?: boolean; timedOut?: boolean }): string {
  const how = r.signal ? `killed by ${r.signal}` : `exited with ${r.exitCode}`;
  const notes = [r.oomKilled ? 'OOM kill' : '', r.timedOut ? 'timed out' : ''].filter(Boolean);
  return notes.length ? `${how} (${notes.join(', ')})` : how;
}

/** The same after "but it": "exited with 0", "was killed by SIGKILL (OOM kill)". */
export function itDid(r: Parameters<typeof outcome>[0]): string {
  return (r.signal ? 'was ' : '') + outcome(r);
}
