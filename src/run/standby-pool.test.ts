/** Spares on hosts that lack a controller: made from what exists, never an unhandled rejection. */
import { describe, expect, it } from 'vitest';
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

  it('a spare without a cpuset hierarchy does not fit a run that pins CPUs', () => {
    const c = caps(true);
    const narrow = { name: 'cgbox-1-a', plan: cgroupV1.plan(emptySpec(), c, 'cgbox-1-a') } as Spare;
    expect(fits(narrow, cgroupV1.plan({ ...emptySpec(), cpus: [0] }, c, 'cgbox-1-a'))).toBe(false);
  });
});
