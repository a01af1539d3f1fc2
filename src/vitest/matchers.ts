/**
 * The resource matchers: toUseAtMost, toBeOOMKilled, toHaveExitedWith,
 * toHaveTimedOut. Each message says what was expected and what the run did,
 * in the report's own units, and the `.not` forms say it the other way round.
 */
import type { MatcherState } from 'vitest';
import { formatBytes, parseBytes, parseDurationUs, type RunResult } from '../index.js';
import { METRICS, human, itDid, outcome, runResultOf, type Metric, type SyncExpectationResult } from './metrics.js';

/** The most a run may use: bytes as a number or Docker units, times as '2s' / '500ms' or a number of ms. */
export interface ResourceLimits {
  /** Peak memory charged: '100m', '1g' or bytes. */
  memory?: string | number;
  /** Peak swap. */
  swap?: string | number;
  /** CPU time of every task together: '2s', '500ms', or ms. */
  cpu?: string | number;
  /** Wall time of the run. */
  wall?: string | number;
  /** Most tasks at once. */
  pids?: number;
  readBytes?: string | number;
  writeBytes?: string | number;
  readOps?: number;
  writeOps?: number;
  /** Bytes the sandbox received / sent on its own network (a run without one has none measured). */
  rxBytes?: string | number;
  txBytes?: string | number;
  /** Bytes used on the sandbox's volume. */
  volume?: string | number;
}

const LIMITS: Record<keyof ResourceLimits, { metric: Metric; label: string }> = {
  memory: { metric: 'memory.peakBytes', label: 'peak' },
  swap: { metric: 'memory.swapPeakBytes', label: 'swap peak' },
  cpu: { metric: 'cpu.usageUs', label: 'CPU time' },
  wall: { metric: 'durationMs', label: 'wall time' },
  pids: { metric: 'pids.peak', label: 'tasks at once' },
  readBytes: { metric: 'io.readBytes', label: 'IO read' },
  writeBytes: { metric: 'io.writeBytes', label: 'IO written' },
  readOps: { metric: 'io.readOps', label: 'IO read ops' },
  writeOps: { metric: 'io.writeOps', label: 'IO write ops' },
  rxBytes: { metric: 'net.rxBytes', label: 'network received' },
  txBytes: { metric: 'net.txBytes', label: 'network sent' },
  volume: { metric: 'volume.usedBytes', label: 'volume used' },
};

const NOT_MEASURED: Partial<Record<Metric, string>> = {
  'net.rxBytes': 'the run had no network of its own',
  'net.txBytes': 'the run had no network of its own',
  'volume.usedBytes': 'the run had no volume',
};

/** A limit as a number in the metric's unit, or a TypeError that says what would do. */
function parseLimit(key: keyof ResourceLimits, value: unknown): number {
  const { kind } = METRICS[LIMITS[key].metric];
  const zero = value === 0 || value === '0';
  let n: number | null = null;
  let accepted = '';
  if (kind === 'bytes') {
    n = zero ? 0 : typeof value === 'string' || typeof value === 'number' ? parseBytes(value) : null;
    accepted = 'bytes, or Docker units such as "100m" or "1g"';
  } else if (kind === 'us' || kind === 'ms') {
    const us = zero ? 0 : typeof value === 'string' || typeof value === 'number' ? parseDurationUs(value) : null;
    n = us === null ? null : kind === 'us' ? us : us / 1000;
    accepted = 'a duration such as "2s" or "500ms", or a number of milliseconds';
  } else {
    n = typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : null;
    accepted = 'a whole number';
  }
  if (n === null) throw new TypeError(`toUseAtMost: ${key}: expected ${accepted}, got ${JSON.stringify(value)}`);
  return n;
}

function received(name: string, value: unknown): RunResult {
  const r = runResultOf(value);
  if (!r) throw new TypeError(`${name}: expected a RunResult (from run(), stop() or the output of b.$), got ${typeof value === 'object' ? JSON.stringify(value)?.slice(0, 80) : String(value)}`);
  return r;
}

export function toUseAtMost(this: MatcherState, value: unknown, limits: ResourceLimits): SyncExpectationResult {
  const r = received('toUseAtMost', value);
  if (typeof limits !== 'object' || limits === null) throw new TypeError('toUseAtMost: expected limits such as { memory: "100m", cpu: "2s" }');
  const keys = Object.keys(limits) as Array<keyof ResourceLimits>;
  const unknown = keys.filter((k) => !Object.hasOwn(LIMITS, k));
  if (unknown.length) throw new TypeError(`toUseAtMost: unknown limit ${unknown.join(', ')}; expected any of ${Object.keys(LIMITS).join(', ')}`);
  if (keys.length === 0) throw new TypeError('toUseAtMost: give at least one limit, e.g. { memory: "100m" }');
  const over: string[] = [];
  const within: string[] = [];
  for (const key of keys) {
    const { metric, label } = LIMITS[key];
    const { kind, read } = METRICS[metric];
    const limit = parseLimit(key, limits[key]);
    const used = read(r);
    const name = `  ${key} (${label})`;
    if (used === null) over.push(`${name}: not measured (${NOT_MEASURED[metric]}), limit ${human(kind, limit)}`);
    else if (used > limit) over.push(`${name}: ${human(kind, used)} > ${human(kind, limit)}`);
    else within.push(`${name}: ${human(kind, used)} ≤ ${human(kind, limit)}`);
  }
  return {
    pass: over.length === 0,
    message: () =>
      this.isNot
        ? ['expected the run to use more than the given resources, but it stayed within them:', ...within].join('\n')
        : ['expected the run to use at most the given resources, but it used more:', ...over].join('\n'),
  };
}

function memoryNote(r: RunResult): string {
  const limit = r.limits.memory?.value;
  const peak = `memory peak ${formatBytes(r.usage.memory.peakBytes)}`;
  return typeof limit === 'number' ? `${peak} of a ${formatBytes(limit)} limit` : `${peak}, no memory limit`;
}

export function toBeOOMKilled(this: MatcherState, value: unknown): SyncExpectationResult {
  const r = received('toBeOOMKilled', value);
  return {
    pass: r.oomKilled,
    message: () =>
      this.isNot
        ? `expected the run not to be OOM-killed, but it was: ${outcome(r)}; ${memoryNote(r)}`
        : `expected the run to be OOM-killed, but it ${itDid(r)}; ${memoryNote(r)}`,
  };
}

/** The end of stderr, for a failure message: what the command said before it ended. */
function stderrTail(text: string | undefined): string {
  const lines = (text ?? '').trimEnd().split('\n').filter(Boolean).slice(-5);
  return lines.length ? `\nstderr (last lines):\n${lines.map((l) => `  ${l}`).join('\n')}` : '';
}

/** Exit status, for a RunResult, b.$'s output or box.exec()'s result. */
type Exited = { exitCode: number | null; signal: string | null; oomKilled?: boolean; timedOut?: boolean; stderr?: string };

export function toHaveExitedWith(this: MatcherState, value: unknown, code: number): SyncExpectationResult {
  const r = (runResultOf(value) ?? value) as Exited;
  if (typeof r !== 'object' || r === null || !('exitCode' in r) || !('signal' in r)) {
    throw new TypeError(`toHaveExitedWith: expected a RunResult or an exec result (with exitCode and signal), got ${String(value)}`);
  }
  if (!Number.isInteger(code) || code < 0 || code > 255) throw new TypeError(`toHaveExitedWith: expected an exit code from 0 to 255, got ${String(code)}`);
  return {
    pass: r.exitCode === code,
    message: () => (this.isNot ? `expected the run not to exit with ${code}, but it did` : `expected the run to exit with ${code}, but it ${itDid(r)}${stderrTail(r.stderr)}`),
  };
}

export function toHaveTimedOut(this: MatcherState, value: unknown): SyncExpectationResult {
  const r = received('toHaveTimedOut', value);
  const after = `after ${human('ms', r.durationMs)}`;
  return {
    pass: r.timedOut,
    message: () => (this.isNot ? `expected the run not to time out, but it did: ${outcome(r)} ${after}` : `expected the run to time out, but it ${itDid(r)} ${after}`),
  };
}
