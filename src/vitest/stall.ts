/**
 * toHaveStalledAtMost: pressure stall information (PSI) over the run, per
 * resource — how long at least one of the sandbox's tasks waited for CPU,
 * memory or IO ('some'), or with `{ full: true }` how long all of them did.
 * A host without PSI (cgroup v1, a kernel without CONFIG_PSI) fails the
 * assertion saying so: a stall that cannot be measured is never taken as none.
 */
import type { MatcherState } from 'vitest';
import { parseDurationUs, type RunResult } from '../index.js';
import { human, runResultOf, type SyncExpectationResult } from './metrics.js';

export interface StallLimits {
  cpu?: string | number;
  memory?: string | number;
  io?: string | number;
}

const RESOURCES = ['cpu', 'memory', 'io'] as const;

function limitUs(key: string, value: unknown): number {
  const us = value === 0 || value === '0' ? 0 : typeof value === 'string' || typeof value === 'number' ? parseDurationUs(value) : null;
  if (us === null) throw new TypeError(`toHaveStalledAtMost: ${key}: expected a duration such as "50ms" or "1s", or a number of milliseconds, got ${JSON.stringify(value)}`);
  return us;
}

export function toHaveStalledAtMost(this: MatcherState, value: unknown, limits: StallLimits, opts: { full?: boolean } = {}): SyncExpectationResult {
  const r: RunResult | null = runResultOf(value);
  if (!r) throw new TypeError('toHaveStalledAtMost: expected a RunResult (from run(), stop() or the output of b.$)');
  if (typeof limits !== 'object' || limits === null) throw new TypeError('toHaveStalledAtMost: expected limits such as { memory: "50ms" }');
  const keys = Object.keys(limits);
  const unknown = keys.filter((k) => !(RESOURCES as readonly string[]).includes(k));
  if (unknown.length || keys.length === 0) throw new TypeError(`toHaveStalledAtMost: expected any of ${RESOURCES.join(', ')}${unknown.length ? `, not ${unknown.join(', ')}` : ''}`);
  const which = opts.full ? 'full' : 'some';
  const over: string[] = [];
  const within: string[] = [];
  for (const key of keys as Array<(typeof RESOURCES)[number]>) {
    const limit = limitUs(key, limits[key]);
    const stall = r.usage.pressure?.[key];
    const name = `  ${key} (${which === 'some' ? 'some task stalled' : 'every task stalled'})`;
    if (!stall) over.push(`${name}: not measured (${r.usage.pressure ? `no ${key}.pressure in this kernel` : 'no PSI on this host: it needs cgroup v2 and a kernel with CONFIG_PSI, without psi=0'}), limit ${human('us', limit)}`);
    else if (stall[`${which}Us`] > limit) over.push(`${name}: ${human('us', stall[`${which}Us`])} > ${human('us', limit)}`);
    else within.push(`${name}: ${human('us', stall[`${which}Us`])} ≤ ${human('us', limit)}`);
  }
  return {
    pass: over.length === 0,
    message: () =>
      this.isNot
        ? ['expected the run to stall for longer than the given times, but it stayed within them:', ...within].join('\n')
        : ['expected the run to stall at most the given times, but it stalled longer, or could not be measured:', ...over].join('\n'),
  };
}
