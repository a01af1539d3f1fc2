import { readFlatKeyed } from '../files.js';
import type { V1ControllerDef } from './controller.js';

export const cpu: V1ControllerDef<'cpu'> = {
  name: 'cpu',
  needed: (spec) => spec.cpuShares !== undefined || spec.cpuQuota !== undefined,
  writes: (spec) => [
    ...(spec.cpuShares !== undefined ? [{ file: 'cpu.shares', value: String(spec.cpuShares) }] : []),
    // The period first: the kernel checks the quota against the period in force.
    ...(spec.cpuQuota
      ? [
          { file: 'cpu.cfs_period_us', value: String(spec.cpuQuota.periodUs) },
          { file: 'cpu.cfs_quota_us', value: String(spec.cpuQuota.quotaUs) },
        ]
      : []),
  ],
  limits: (spec) => ({
    ...(spec.cpuShares !== undefined
      ? { cpuShares: { value: spec.cpuShares, enforced: true, reason: 'a relative weight: it only matters while CPUs are contended' } }
      : {}),
    ...(spec.cpuQuota ? { cpuQuota: { value: spec.cpuQuota.quotaUs / spec.cpuQuota.periodUs, enforced: true } } : {}),
  }),
  usage: async (dir) => ({ cpu: await readThrottling(dir) }),
  doctor: { neededBy: '.cpuShares() and .cpuQuota()', config: 'CONFIG_CGROUP_SCHED, CONFIG_CFS_BANDWIDTH' },
};

/** cpu.stat throttled_time is in nanoseconds. */
export async function readThrottling(dir: string): Promise<{ throttledPeriods: number; throttledUs: number }> {
  const stat = await readFlatKeyed(`${dir}/cpu.stat`);
  return { throttledPeriods: stat['nr_throttled'] ?? 0, throttledUs: Math.round((stat['throttled_time'] ?? 0) / 1000) };
}
