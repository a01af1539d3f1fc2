/** Spares on hosts that lack a controller: made from what exists, never an unhandled rejection. */
import { describe, expect, it } from 'vitest';
import { cgroupV1 } from '../cgroup/v1/driver.js';
import type { HostCaps } from '../host/types.js';
import { emptySpec } from '../spec/types.js';
import { fits, type Spare } from './standby-pool.js';

const h = (c: string) => ({ mount: `/sys/fs/cgroup/${c}`, callerPath: '/', controllers: [c] });
const caps = (withCpuset: boolean): HostCaps => ({
  cgroupMode: 'v1',
  driver: 1,
  v1: { cpu: h('cpu'), cpuacct: h('cpuacct'), memory: h('memory'), pids: h('pids'), blkio: h('blkio'), freezer: h('freezer'), ...(withCpuset ? { cpuset: h('cpuset') } : {}) },
  swapAccounting: true,
  swapTotalBytes: 0,
  memoryPeak: true,
  cgroupKill: false,
  pidsPeak: true,
  isRoot: true,
  onlineCpus: [0, 1],
  onlineMems: [0],
  kernel: '6.18.0',
});

describe('spare fitting', () => {
  it('a spare holds every hierarchy a plan on this host can need', () => {
    const c = caps(true);
    const spare = { name: 'cgbox-1-a', plan: cgroupV1.plan({ ...emptySpec(), cpus: [0, 1], cpuShares: 1024 }, c, 'cgbox-1-a') } as Spare;
    expect(fits(spare, cgroupV1.plan({ ...emptySpec(), cpus: [0], memoryBytes: 2 ** 26 }, c, 'cgbox-1-a'))).toBe(true);
    expect(fits(spare, cgroupV1.plan(emptySpec(), c, 'cgbox-1-a'))).toBe(true);
  });

  it('a spare without a cpuset hierarchy does not fit a run that pins CPUs', () => {
    const c = caps(true);
    const narrow = { name: 'cgbox-1-a', plan: cgroupV1.plan(emptySpec(), c, 'cgbox-1-a') } as Spare;
    expect(fits(narrow, cgroupV1.plan({ ...emptySpec(), cpus: [0] }, c, 'cgbox-1-a'))).toBe(false);
  });
});
