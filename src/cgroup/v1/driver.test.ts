import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HostCaps, Hierarchy, V1Controller } from '../../host/types.js';
import { SandboxError, UnsupportedError } from '../../spec/errors.js';
import { emptySpec, type BlockDevice, type SandboxSpec } from '../../spec/types.js';
import { INIT_TASKS } from '../tasks.js';
import { cgroupV1 } from './driver.js';

const MiB = 2 ** 20;
const CALLER = '/process_api/abc';

/** Every v1 controller on its own hierarchy, as on this host; memory's caller sits in a sub-cgroup. */
function separate(root = '/sys/fs/cgroup'): HostCaps['v1'] {
  const h = (c: V1Controller, callerPath = '/'): Hierarchy => ({ mount: `${root}/${c}`, callerPath, controllers: [c] });
  return {
    cpu: h('cpu'),
    cpuacct: h('cpuacct'),
    cpuset: h('cpuset'),
    memory: h('memory', CALLER),
    pids: h('pids'),
    blkio: h('blkio'),
    freezer: h('freezer'),
  };
}

/** The classic layout: cpu,cpuacct co-mounted, the caller in /user.slice everywhere. */
function coMounted(): HostCaps['v1'] {
  const h = (name: string): Hierarchy => ({ mount: `/sys/fs/cgroup/${name}`, callerPath: '/user.slice', controllers: name.split(',') });
  const cpu = h('cpu,cpuacct');
  return { cpu, cpuacct: cpu, cpuset: h('cpuset'), memory: h('memory'), pids: h('pids'), blkio: h('blkio'), freezer: h('freezer') };
}

/** HostCaps for a cgroup v1 host (this one by default: hybrid, no swap accounting, one disk). */
function fakeCaps(overrides: Partial<HostCaps> = {}): HostCaps {
  return {
    cgroupMode: 'hybrid',
    driver: 1,
    v1: separate(),
    v2: { mount: '/sys/fs/cgroup/unified', callerPath: '/', controllers: [] },
    swapAccounting: false,
    swapTotalBytes: 0,
    memoryPeak: true,
    cgroupKill: false,
    pidsPeak: true,
    isRoot: true,
    onlineCpus: [0, 1, 2, 3],
    onlineMems: [0],
    kernel: '6.18.44-fc',
    disks: [{ major: 254, minor: 0, name: 'vda' }],
    ...overrides,
  };
}

const vda: BlockDevice = { major: 254, minor: 0, given: '/dev/vda', name: 'vda' };
const sda: BlockDevice = { major: 8, minor: 0, given: '/var/lib/x', name: 'sda' };
const spec = (s: Partial<SandboxSpec> = {}): SandboxSpec => ({ ...emptySpec(), ...s });
const full = spec({
  cpus: [0, 1, 3],
  cpuShares: 512,
  cpuQuota: { quotaUs: 50_000, periodUs: 100_000 },
  memoryBytes: 256 * MiB,
  pids: 64,
  iops: [{ device: vda, read: 100, write: 200 }],
});
const files = (plan: ReturnType<typeof cgroupV1.plan>, hierarchy: string) => plan.dirs.find((d) => d.hierarchy === hierarchy)?.writes.map((w) => w.file);

describe('cgroupV1.plan: directories', () => {
  it('makes one directory per hierarchy the run needs, under each hierarchy’s caller path', () => {
    const plan = cgroupV1.plan(emptySpec(), fakeCaps(), 'cgbox-r1');
    expect(plan.version).toBe(1);
    expect(plan.parentWrites).toEqual([]);
    expect(plan.dirs.map((d) => [d.hierarchy, d.path])).toEqual([
      ['cpuacct', '/sys/fs/cgroup/cpuacct/cgbox-r1'],
      ['memory', `/sys/fs/cgroup/memory${CALLER}/cgbox-r1`],
      ['pids', '/sys/fs/cgroup/pids/cgbox-r1'],
      ['blkio', '/sys/fs/cgroup/blkio/cgbox-r1'],
      ['freezer', '/sys/fs/cgroup/freezer/cgbox-r1'],
    ]);
    expect(plan.procsFiles).toEqual(plan.dirs.map((d) => `${d.path}/cgroup.procs`));
    expect(plan.limits).toEqual({});
  });

  it('adds cpuset only with .cpus() and cpu only with shares or a quota', () => {
    expect(cgroupV1.plan(spec({ cpus: [0] }), fakeCaps(), 'r').dirs.map((d) => d.hierarchy)).toEqual(['cpuset', 'cpuacct', 'memory', 'pids', 'blkio', 'freezer']);
    expect(cgroupV1.plan(spec({ cpuShares: 512 }), fakeCaps(), 'r').dirs.map((d) => d.hierarchy)).toEqual(['cpu', 'cpuacct', 'memory', 'pids', 'blkio', 'freezer']);
    expect(cgroupV1.plan(spec({ cpuQuota: { quotaUs: 1000, periodUs: 100_000 } }), fakeCaps(), 'r').dirs[0]!.hierarchy).toBe('cpu');
  });

  it('separate cpu and cpuacct hierarchies get two directories', () => {
    const plan = cgroupV1.plan(full, fakeCaps(), 'cgbox-r2');
    expect(plan.dirs.map((d) => d.path)).toEqual([
      '/sys/fs/cgroup/cpuset/cgbox-r2',
      '/sys/fs/cgroup/cpu/cgbox-r2',
      '/sys/fs/cgroup/cpuacct/cgbox-r2',
      `/sys/fs/cgroup/memory${CALLER}/cgbox-r2`,
      '/sys/fs/cgroup/pids/cgbox-r2',
      '/sys/fs/cgroup/blkio/cgbox-r2',
      '/sys/fs/cgroup/freezer/cgbox-r2',
    ]);
    expect(plan.procsFiles).toEqual(plan.dirs.map((d) => `${d.path}/cgroup.procs`));
  });

  it('co-mounted cpu,cpuacct get one directory holding the cpu writes', () => {
    const plan = cgroupV1.plan(full, fakeCaps({ v1: coMounted() }), 'cgbox-r3');
    expect(plan.dirs.map((d) => [d.hierarchy, d.path])).toEqual([
      ['cpuset', '/sys/fs/cgroup/cpuset/user.slice/cgbox-r3'],
      ['cpu,cpuacct', '/sys/fs/cgroup/cpu,cpuacct/user.slice/cgbox-r3'],
      ['memory', '/sys/fs/cgroup/memory/user.slice/cgbox-r3'],
      ['pids', '/sys/fs/cgroup/pids/user.slice/cgbox-r3'],
      ['blkio', '/sys/fs/cgroup/blkio/user.slice/cgbox-r3'],
      ['freezer', '/sys/fs/cgroup/freezer/user.slice/cgbox-r3'],
    ]);
    expect(plan.dirs[1]!.writes).toEqual([
      { file: 'cpu.shares', value: '512' },
      { file: 'cpu.cfs_period_us', value: '100000' },
      { file: 'cpu.cfs_quota_us', value: '50000' },
    ]);
    expect(plan.procsFiles).toHaveLength(6);
  });

  it('co-mounted cpu,cpuacct still get their directory when only cpuacct is needed', () => {
    const plan = cgroupV1.plan(emptySpec(), fakeCaps({ v1: coMounted() }), 'r');
    expect(plan.dirs[0]).toEqual({ hierarchy: 'cpu,cpuacct', path: '/sys/fs/cgroup/cpu,cpuacct/user.slice/r', writes: [] });
  });

  it('places every directory under spec.cgroupParent instead of the caller’s path', () => {
    const plan = cgroupV1.plan({ ...full, cgroupParent: '/ci/tests' }, fakeCaps(), 'cgbox-r4');
    expect(plan.dirs.map((d) => d.path)).toEqual(
      ['cpuset', 'cpu', 'cpuacct', 'memory', 'pids', 'blkio', 'freezer'].map((c) => `/sys/fs/cgroup/${c}/ci/tests/cgbox-r4`),
    );
    expect(plan.procsFiles).toEqual(plan.dirs.map((d) => `${d.path}/cgroup.procs`));
  });

  it.each(['cpuacct', 'memory', 'pids', 'blkio', 'freezer'] as const)('refuses with UnsupportedError when %s is not mounted', (c) => {
    const v1 = separate();
    delete v1[c];
    const plan = () => cgroupV1.plan(emptySpec(), fakeCaps({ v1 }), 'r');
    expect(plan).toThrow(UnsupportedError);
    expect(plan).toThrow(SandboxError);
    expect(plan).toThrow(`the ${c} cgroup controller is not supported on this host: it is not mounted`);
  });

  it('needs cpuset and cpu mounted only when the spec uses them', () => {
    const v1 = separate();
    delete v1.cpuset;
    delete v1.cpu;
    expect(() => cgroupV1.plan(emptySpec(), fakeCaps({ v1 }), 'r')).not.toThrow();
    expect(() => cgroupV1.plan(spec({ cpus: [0] }), fakeCaps({ v1 }), 'r')).toThrow(/the cpuset cgroup controller .*not mounted/);
    expect(() => cgroupV1.plan(spec({ cpuShares: 2 }), fakeCaps({ v1 }), 'r')).toThrow(/the cpu cgroup controller .*not mounted/);
  });
});

describe('cgroupV1.plan: writes and their order', () => {
  it('writes cpuset.cpus before cpuset.mems (a child starts empty; both are needed before a task joins)', () => {
    const plan = cgroupV1.plan(full, fakeCaps({ onlineMems: [0, 1] }), 'r');
    expect(plan.dirs[0]!.writes).toEqual([
      { file: 'cpuset.cpus', value: '0-1,3' },
      { file: 'cpuset.mems', value: '0-1' },
    ]);
    expect(plan.limits.cpus).toEqual({ value: '0-1,3', enforced: true });
  });

  it('writes cfs_period_us before cfs_quota_us', () => {
    const plan = cgroupV1.plan(spec({ cpuQuota: { quotaUs: 150_000, periodUs: 100_000 } }), fakeCaps(), 'r');
    expect(plan.dirs[0]).toEqual({
      hierarchy: 'cpu',
      path: '/sys/fs/cgroup/cpu/r',
      writes: [
        { file: 'cpu.cfs_period_us', value: '100000' },
        { file: 'cpu.cfs_quota_us', value: '150000' },
      ],
    });
    expect(plan.limits.cpuQuota).toEqual({ value: 1.5, enforced: true });
  });

  it('writes cpu.shares as given, reported as a weight that matters only under contention', () => {
    const plan = cgroupV1.plan(spec({ cpuShares: 256 }), fakeCaps(), 'r');
    expect(files(plan, 'cpu')).toEqual(['cpu.shares']);
    expect(plan.dirs[0]!.writes[0]!.value).toBe('256');
    expect(plan.limits.cpuShares).toMatchObject({ value: 256, enforced: true });
    expect(plan.limits.cpuShares!.reason).toContain('contended');
  });

  it('without swap accounting: memory.limit_in_bytes only', () => {
    const plan = cgroupV1.plan(spec({ memoryBytes: 256 * MiB }), fakeCaps(), 'r');
    expect(plan.dirs.find((d) => d.hierarchy === 'memory')!.writes).toEqual([{ file: 'memory.limit_in_bytes', value: '268435456' }]);
    expect(plan.limits.memory).toMatchObject({ value: 256 * MiB, enforced: true });
    // No swap on the host: nothing to limit, and that is said.
    expect(plan.limits.swap).toEqual({ value: 0, enforced: true, reason: 'the host has no active swap' });
  });

  it('with swap accounting: memory.limit_in_bytes, then memsw = memory + swap', () => {
    const caps = fakeCaps({ swapAccounting: true, swapTotalBytes: 2 ** 30 });
    const plan = cgroupV1.plan(spec({ memoryBytes: 256 * MiB, swapBytes: 64 * MiB }), caps, 'r');
    expect(plan.dirs.find((d) => d.hierarchy === 'memory')!.writes).toEqual([
      { file: 'memory.limit_in_bytes', value: '268435456' },
      { file: 'memory.memsw.limit_in_bytes', value: '335544320' },
    ]);
    expect(plan.limits.swap).toEqual({ value: 64 * MiB, enforced: true });
  });

  it('with swap accounting and no .swap(): memsw = memory, i.e. no swap at all', () => {
    const plan = cgroupV1.plan(spec({ memoryBytes: 64 * MiB }), fakeCaps({ swapAccounting: true }), 'r');
    expect(plan.dirs.find((d) => d.hierarchy === 'memory')!.writes).toEqual([
      { file: 'memory.limit_in_bytes', value: '67108864' },
      { file: 'memory.memsw.limit_in_bytes', value: '67108864' },
    ]);
    expect(plan.limits.swap).toEqual({ value: 0, enforced: true });
  });

  it('says when swap is allowed but the host has none', () => {
    const plan = cgroupV1.plan(spec({ memoryBytes: 64 * MiB, swapBytes: MiB }), fakeCaps({ swapAccounting: true, swapTotalBytes: 0 }), 'r');
    expect(plan.limits.swap).toEqual({ value: MiB, enforced: true, reason: 'the host has no active swap, so none can be used' });
  });

  it('refuses .swap() > 0 without swap accounting, naming swapaccount=1', () => {
    const plan = () => cgroupV1.plan(spec({ memoryBytes: 64 * MiB, swapBytes: 64 * MiB }), fakeCaps(), 'r');
    expect(plan).toThrow(UnsupportedError);
    expect(plan).toThrow(SandboxError);
    expect(plan).toThrow(/swapaccount=1/);
    expect(() => cgroupV1.plan(spec({ memoryBytes: 64 * MiB, swapBytes: 0 }), fakeCaps(), 'r')).not.toThrow();
  });

  it('warns in the memory limit when the host swaps without accounting', () => {
    const plan = cgroupV1.plan(spec({ memoryBytes: 64 * MiB }), fakeCaps({ swapTotalBytes: 2 ** 30 }), 'r');
    expect(plan.limits.memory!.reason).toContain('swapaccount=1');
    const quiet = cgroupV1.plan(spec({ memoryBytes: 64 * MiB }), fakeCaps(), 'r');
    expect(quiet.limits.memory!.reason).toContain('page cache');
  });

  it('writes pids.max = n + cgbox’s init, and reports n', () => {
    expect(INIT_TASKS).toBe(1);
    const plan = cgroupV1.plan(spec({ pids: 64 }), fakeCaps(), 'r');
    expect(plan.dirs.find((d) => d.hierarchy === 'pids')!.writes).toEqual([{ file: 'pids.max', value: '65' }]);
    expect(plan.limits.pids).toMatchObject({ value: 64, enforced: true });
  });

  it('writes nothing to pids, memory, cpuacct or freezer for an unlimited spec', () => {
    const plan = cgroupV1.plan(emptySpec(), fakeCaps({ disks: [] }), 'r');
    expect(plan.dirs.every((d) => d.writes.length === 0)).toBe(true);
  });
});

describe('cgroupV1.plan: blkio', () => {
  const disks = [
    { major: 254, minor: 0, name: 'vda' },
    { major: 8, minor: 0, name: 'sda' },
    { major: 8, minor: 16, name: 'sdb' },
  ];
  const blkioWrites = (s: SandboxSpec, caps = fakeCaps({ disks })) => cgroupV1.plan(s, caps, 'r').dirs.find((d) => d.hierarchy === 'blkio')!.writes;

  it('turns the counters on for every disk and direction with an iops limit no disk reaches', () => {
    expect(blkioWrites(emptySpec())).toEqual(
      ['254:0', '8:0', '8:16'].flatMap((d) => [
        { file: 'blkio.throttle.read_iops_device', value: `${d} 4294967294` },
        { file: 'blkio.throttle.write_iops_device', value: `${d} 4294967294` },
      ]),
    );
    expect(blkioWrites(emptySpec(), fakeCaps({ disks: undefined }))).toEqual([]);
  });

  it('writes rules per direction, and no counting rule in a direction that has a rule', () => {
    const s = spec({
      iops: [{ device: vda, read: 100, write: 200 }],
      bps: [{ device: sda, write: 10 * MiB }],
    });
    expect(blkioWrites(s)).toEqual([
      { file: 'blkio.throttle.read_iops_device', value: '8:0 4294967294' },
      { file: 'blkio.throttle.read_iops_device', value: '8:16 4294967294' },
      { file: 'blkio.throttle.write_iops_device', value: '8:16 4294967294' },
      { file: 'blkio.throttle.read_iops_device', value: '254:0 100' },
      { file: 'blkio.throttle.write_iops_device', value: '254:0 200' },
      { file: 'blkio.throttle.write_bps_device', value: '8:0 10485760' },
    ]);
  });

  it('writes a rule for a device the probe did not list', () => {
    const loop = { major: 7, minor: 0, given: '7:0', name: 'loop0' };
    expect(blkioWrites(spec({ iops: [{ device: loop, read: 5 }] }), fakeCaps({ disks: [] }))).toEqual([
      { file: 'blkio.throttle.read_iops_device', value: '7:0 5' },
    ]);
  });

  it('a host with swap but no swap accounting: swap is reported as not enforced, naming swapaccount=1', () => {
    const plan = cgroupV1.plan(spec({ memoryBytes: 64 * MiB }), fakeCaps({ swapAccounting: false, swapTotalBytes: 1024 * MiB }), 'r');
    expect(plan.limits.swap).toMatchObject({ value: 0, enforced: false });
    expect(plan.limits.swap!.reason).toContain('swapaccount=1');
    expect(plan.limits.memory!.reason).toContain('swap');
  });

  it('reports read limits as enforced, and write limits as not (buffered writeback escapes v1), with why', () => {
    const plan = cgroupV1.plan(spec({ iops: [{ device: vda, read: 100 }], bps: [{ device: sda, read: MiB, write: 2 * MiB }] }), fakeCaps({ disks }), 'r');
    expect(plan.limits.iops).toMatchObject({ value: '/dev/vda (254:0) read=100 write=-', enforced: true });
    expect(plan.limits.iops!.reason).toContain('page-cache hits');
    expect(plan.limits.bps).toMatchObject({ value: '/var/lib/x (8:0) read=1048576 write=2097152', enforced: false });
    expect(plan.limits.bps!.reason).toContain('O_DIRECT');
    expect(plan.limits.bps!.reason).toContain('writeback');
  });
});

describe('cgroupV1.readUsage / procs', () => {
  it('reads each counter from its own hierarchy’s directory', async () => {
    const root = await mkdtemp(join(tmpdir(), 'cgbox-v1-test-'));
    try {
      const caps = fakeCaps({ v1: separate(root) });
      const plan = cgroupV1.plan(spec({ cpuShares: 512 }), caps, 'box');
      const dir = (c: string) => plan.dirs.find((d) => d.hierarchy === c)!.path;
      const put = async (path: string, text: string) => {
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, text);
      };
      await put(`${dir('cpuacct')}/cpuacct.usage`, '1523040123\n');
      await put(`${dir('cpuacct')}/cpuacct.stat`, 'user 120\nsystem 30\n');
      await put(`${dir('cpu')}/cpu.stat`, 'nr_periods 31\nnr_throttled 12\nthrottled_time 402118000\n');
      await put(`${dir('memory')}/memory.max_usage_in_bytes`, '62914560\n');
      await put(`${dir('memory')}/memory.memsw.max_usage_in_bytes`, '67108864\n');
      await put(`${dir('memory')}/memory.oom_control`, 'oom_kill_disable 0\nunder_oom 0\noom_kill 1\n');
      await put(`${dir('memory')}/memory.stat`, 'cache 4096\nrss 8192\ntotal_cache 8388608\ntotal_rss 52428800\n');
      await put(`${dir('pids')}/pids.peak`, '65\n');
      await put(`${dir('blkio')}/blkio.throttle.io_service_bytes`, '254:0 Read 4096\n254:0 Write 8192\nTotal 12288\n');
      await put(`${dir('blkio')}/blkio.throttle.io_serviced`, '254:0 Read 1\n254:0 Write 2\nTotal 3\n');
      await put(`${dir('freezer')}/cgroup.procs`, '');

      expect(dir('memory')).toBe(`${root}/memory${CALLER}/box`);
      expect(await cgroupV1.readUsage(plan)).toEqual({
        cpu: { usageUs: 1_523_040, userUs: 1_218_432, systemUs: 304_608, throttledPeriods: 12, throttledUs: 402_118 },
        memory: { peakBytes: 62_914_560, swapPeakBytes: 4_194_304, oomKills: 1, cacheBytes: 8_388_608, rssBytes: 52_428_800 },
        pids: { peak: 64 },
        pressure: null,
        io: {
          readBytes: 4096,
          writeBytes: 8192,
          readOps: 1,
          writeOps: 2,
          devices: { '254:0': { readBytes: 4096, writeBytes: 8192, readOps: 1, writeOps: 2 } },
        },
      });
      expect(await cgroupV1.procs(plan)).toEqual([]);
      await put(`${dir('freezer')}/cgroup.procs`, '101\n102\n');
      expect(await cgroupV1.procs(plan)).toEqual([101, 102]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('reads no throttling without a cpu directory, and zeros for missing files', async () => {
    const root = await mkdtemp(join(tmpdir(), 'cgbox-v1-test-'));
    try {
      const plan = cgroupV1.plan(emptySpec(), fakeCaps({ v1: separate(root) }), 'box');
      const usage = await cgroupV1.readUsage(plan);
      expect(usage.cpu).toEqual({ usageUs: 0, userUs: 0, systemUs: 0, throttledPeriods: 0, throttledUs: 0 });
      expect(usage.memory).toEqual({ peakBytes: 0, swapPeakBytes: 0, oomKills: 0, cacheBytes: 0, rssBytes: 0 });
      expect(usage.pids.peak).toBe(0);
      expect(usage.io).toEqual({ readBytes: 0, writeBytes: 0, readOps: 0, writeOps: 0, devices: {} });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
