import { describe, expect, it } from 'vitest';
import { emptySpec } from '../../spec/types.js';
import { UnsupportedError } from '../../spec/errors.js';
import { cpusetValues } from './cpuset.js';
import { fakeCaps } from './fake-cgroupfs.js';

describe('cpusetValues', () => {
  it('writes cpuset.cpus, then the online memory nodes to cpuset.mems', () => {
    const t = cpusetValues({ ...emptySpec(), cpus: [0, 1, 3] }, fakeCaps({ onlineMems: [0, 1] }));
    expect(t.writes).toEqual([
      { file: 'cpuset.cpus', value: '0-1,3' },
      { file: 'cpuset.mems', value: '0-1' },
    ]);
    expect(t.limits).toEqual({ cpus: { value: '0-1,3', enforced: true } });
  });

  it('writes nothing without cpus, and leaves mems to inherit when the probe found none', () => {
    expect(cpusetValues(emptySpec(), fakeCaps())).toEqual({ writes: [], limits: {} });
    const t = cpusetValues({ ...emptySpec(), cpus: [2] }, fakeCaps({ onlineMems: [] }));
    expect(t.writes).toEqual([{ file: 'cpuset.cpus', value: '2' }]);
  });

  it('refuses CPUs that are not online', () => {
    expect(() => cpusetValues({ ...emptySpec(), cpus: [3, 4, 5] }, fakeCaps())).toThrow(UnsupportedError);
    expect(() => cpusetValues({ ...emptySpec(), cpus: [3, 4, 5] }, fakeCaps())).toThrow(/CPU 4-5 is not online/);
  });
});
