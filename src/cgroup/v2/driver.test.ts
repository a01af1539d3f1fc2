import { afterEach, describe, expect, it } from 'vitest';
import { emptySpec, type SandboxSpec } from '../../spec/types.js';
import { UnsupportedError } from '../../spec/errors.js';
import { cgroupV2 } from './driver.js';
import { fakeCaps, fakeCgroupfs, SAMPLE, type FakeTree } from './fake-cgroupfs.js';

const sda = { major: 8, minor: 0, given: '/dev/sda', name: 'sda' };
const full: SandboxSpec = {
  ...emptySpec(),
  cpus: [0, 1, 3],
  cpuShares: 1024,
  cpuQuota: { quotaUs: 50_000, periodUs: 100_000 },
  memoryBytes: 256 * 2 ** 20,
  swapBytes: 64 * 2 ** 20,
  pids: 64,
  iops: [{ device: sda, read: 100, write: 100 }],
  bps: [],
};
const CALLER = '/sys/fs/cgroup/user.slice/user-1000.slice/cgbox.scope';

describe('cgroupV2.plan', () => {
  it('enables the controllers in the parent and writes every limit, in order', () => {
    const plan = cgroupV2.plan(full, fakeCaps(), 'cgbox-r1');
    expect(plan.version).toBe(2);
    // One write enables them all at once: their order in it means nothing to the kernel.
    const [enable] = plan.parentWrites;
    expect({ ...enable, writes: [] }).toEqual({ path: CALLER, writes: [], leaf: `${CALLER}/cgbox.leaf` });
    expect(enable?.writes.map((w) => w.file)).toEqual(['cgroup.subtree_control']);
    expect(enable?.writes[0]?.value.split(' ').sort()).toEqual(['+cpu', '+cpuset', '+io', '+memory', '+pids']);
    expect(plan.dirs).toEqual([
      {
        hierarchy: 'unified',
        path: `${CALLER}/cgbox-r1`,
        writes: [
          { file: 'cpuset.cpus', value: '0-1,3' },
          { file: 'cpuset.mems', value: '0' },
          { file: 'cpu.weight', value: '100' },
          { file: 'cpu.max', value: '50000 100000' },
          { file: 'memory.max', value: '268435456' },
          { file: 'memory.swap.max', value: '67108864' },
          { file: 'pids.max', value: '65' },
          { file: 'io.max', value: '8:0 riops=100 wiops=100' },
        ],
      },
    ]);
    expect(plan.procsFiles).toEqual([`${CALLER}/cgbox-r1/cgroup.procs`]);
    expect(Object.keys(plan.limits).sort()).toEqual(['cpuQuota', 'cpuShares', 'cpus', 'iops', 'memory', 'pids', 'swap']);
    expect(Object.values(plan.limits).every((l) => l.enforced)).toBe(true);
  });

  it('places the sandbox under spec.cgroupParent when given, and never empties a parent the user named', () => {
    const plan = cgroupV2.plan({ ...emptySpec(), cgroupParent: '/cgbox.slice' }, fakeCaps(), 'cgbox-r2');
    expect(plan.parentWrites[0]?.path).toBe('/sys/fs/cgroup/cgbox.slice');
    expect(plan.parentWrites[0]?.leaf).toBeUndefined();
    expect(plan.dirs[0]?.path).toBe('/sys/fs/cgroup/cgbox.slice/cgbox-r2');
  });

  it("never plans to move processes on a hybrid host (v1 controllers, the v2 hierarchy is not cgbox's)", () => {
    const plan = cgroupV2.plan(emptySpec(), fakeCaps({ cgroupMode: 'hybrid', driver: 1 }), 'cgbox-r5');
    expect(plan.parentWrites[0]?.leaf).toBeUndefined();
  });

  it('enables only what is needed and available for an unlimited spec', () => {
    const caps = fakeCaps();
    caps.v2!.controllers = ['cpu', 'memory', 'pids'];
    const plan = cgroupV2.plan(emptySpec(), caps, 'cgbox-r3');
    expect(plan.parentWrites[0]?.writes).toEqual([{ file: 'cgroup.subtree_control', value: '+cpu +memory +pids' }]);
    expect(plan.dirs[0]?.writes).toEqual([]);
    expect(plan.limits).toEqual({});
  });

  it('refuses a controller the parent does not delegate, naming it', () => {
    const caps = fakeCaps();
    caps.v2!.controllers = ['cpu', 'memory', 'pids'];
    const plan = () => cgroupV2.plan(full, caps, 'cgbox-r4');
    expect(plan).toThrow(UnsupportedError);
    expect(plan).toThrow(/'cpuset' is missing from .*cgroup\.controllers.*delegate/);
    caps.v2!.controllers = ['cpuset', 'cpu', 'io', 'memory'];
    expect(plan).toThrow(/'pids' is missing/);
  });

  it('refuses offline CPUs and hosts without cgroup2', () => {
    expect(() => cgroupV2.plan({ ...emptySpec(), cpus: [4, 5] }, fakeCaps(), 'x')).toThrow(/online CPUs are 0-3/);
    const { v2: _v2, ...noV2 } = fakeCaps();
    expect(() => cgroupV2.plan(emptySpec(), noV2, 'x')).toThrow(UnsupportedError);
  });
});

describe('cgroupV2 reading a fake cgroupfs', () => {
  let tree: FakeTree | undefined;
  afterEach(() => tree?.remove());

  const planIn = (root: string) =>
    cgroupV2.plan(emptySpec(), fakeCaps({ v2: { mount: root, callerPath: '/', controllers: ['cpu', 'memory', 'pids'] } }), 'box');

  it('reads the whole usage', async () => {
    tree = await fakeCgroupfs(Object.fromEntries(Object.entries(SAMPLE).map(([f, text]) => [`box/${f}`, text])));
    const usage = await cgroupV2.readUsage(planIn(tree.root));
    expect(usage.cpu.usageUs).toBe(1523040);
    expect(usage.memory.peakBytes).toBe(62914560);
    expect(usage.pids.peak).toBe(64);
    expect(usage.io.writeOps).toBe(96);
  });

  it('lists cgroup.procs, empty once the cgroup is gone', async () => {
    tree = await fakeCgroupfs({ 'box/cgroup.procs': '4242\n4250\n' });
    expect(await cgroupV2.procs(planIn(tree.root))).toEqual([4242, 4250]);
    expect(await cgroupV2.procs(planIn(`${tree.root}/gone`))).toEqual([]);
  });
});
