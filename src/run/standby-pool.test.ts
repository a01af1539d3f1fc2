/** Spares on hosts that lack a controller: made from what exists, never an unhandled rejection. */
import { describe, expect, it, vi } from 'vitest';
import { cgroupV1 } from '../cgroup/v1/driver.js';
import { fakeV1Caps } from '../host/fake-caps.js';
import type { HostCaps } from '../host/types.js';
import { emptySpec } from '../spec/types.js';
import { fits, type Spare } from './standby-pool.js';

/** This host, with or without a cpuset hierarchy. */
function caps(withCpuset: boolean): HostCaps {
  const c = fakeV1Caps();
  if (!withCpuset) delete c.v1.cpuset;
  return c;
}

describe('spare fitting', () => {
  it('a spare holds every hierarchy a plan on this host can need', () => {
    const c = caps(true);
    const spare = { name: 'cgbox-1-a', plan: cgroupV1.plan({ ...emptySpec(), cpus: [0, 1], cpuShares: 1024 }, c, 'cgbox-1-a') } as Spare;
    expect(fits(spare, cgroupV1.plan({ ...emptySpec(), cpus: [0], memoryBytes: 2 ** 26 }, c, 'cgbox-1-a'))).toBe(true);
    expect(fits(spare, cgroupV1.plan(emptySpec(), c, 'cgbox-1-a'))).toBe(true);
  });

  it('a spare without a stdin does not fit a run with input', () => {
    const c = caps(true);
    const plan = cgroupV1.plan(emptySpec(), c, 'cgbox-1-a');
    const spare = (stdin: boolean) => ({ name: 'cgbox-1-a', plan, stdin }) as Spare;
    expect(fits(spare(false), plan, true)).toBe(false);
    expect(fits(spare(false), plan)).toBe(true);
    expect(fits(spare(true), plan, true)).toBe(true);
  });

  it('a spare without a cpuset hierarchy does not fit a run that pins CPUs', () => {
    const c = caps(true);
    const narrow = { name: 'cgbox-1-a', plan: cgroupV1.plan(emptySpec(), c, 'cgbox-1-a') } as Spare;
    expect(fits(narrow, cgroupV1.plan({ ...emptySpec(), cpus: [0] }, c, 'cgbox-1-a'))).toBe(false);
  });
});

describe('what a spare holds', () => {
  it('the cpuset and cpu hierarchies only once a run of this process asked for them', async () => {
    vi.resetModules(); // the pool's memory of what was asked is the module's
    const pool = await import('./standby-pool.js');
    const c = caps(true);
    const hierarchies = () => cgroupV1.plan(pool.widest(c), c, 'cgbox-1-a').dirs.map((d) => d.hierarchy);
    expect(hierarchies()).toEqual(['cpuacct', 'memory', 'pids', 'blkio', 'freezer']);
    pool.noteRun({ ...emptySpec(), cpuQuota: { quotaUs: 50_000, periodUs: 100_000 } });
    expect(hierarchies()).toEqual(['cpu', 'cpuacct', 'memory', 'pids', 'blkio', 'freezer']);
    pool.noteRun({ ...emptySpec(), cpus: [1] });
    expect(hierarchies()).toEqual(['cpuset', 'cpu', 'cpuacct', 'memory', 'pids', 'blkio', 'freezer']);
    // Where the host lacks one, the spare goes without it, asked or not.
    expect(cgroupV1.plan(pool.widest(caps(false)), caps(false), 'cgbox-1-a').dirs.map((d) => d.hierarchy)).not.toContain('cpuset');
  });
});
