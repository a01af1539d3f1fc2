import { describe, expect, it } from 'vitest';
import { viewArgs } from './args.js';
import { DEBIAN, fakeHost } from './fake-host.js';
import { planView } from './plan.js';
import type { ViewContext, ViewOp } from './types.js';

const ctx = (o: Partial<ViewContext> = {}): ViewContext => ({ mode: 'default', cgroupfs: ['cgroup2'], volumes: [], binds: [], devices: [], host: fakeHost(DEBIAN), ...o });
const targets = (ops: ViewOp[], op: ViewOp['op']) => ops.filter((o) => o.op === op).map((o) => ('target' in o ? o.target : 'path' in o ? o.path : o.op));
const index = (ops: ViewOp[], pred: (o: ViewOp) => boolean) => ops.findIndex(pred);

describe('planView (the default view)', () => {
  const ops = planView(ctx());

  it('pivots into a tmpfs root first, with a fresh /proc and /sys mounted in it before the pivot, and masks /proc right after', () => {
    expect(ops[0]).toEqual({ op: 'root', staging: '/tmp', kind: 'tmpfs', options: 'mode=755,size=1m', early: ['proc', 'sysfs'] });
    expect(ops[1]).toEqual({ op: 'mask', path: '/proc/acpi' });
    expect(ops.filter((o) => o.op === 'mount' && o.fstype === 'proc')).toEqual([]);
  });

  it("binds the host's top-level entries read-only, copies its symlinks, and leaves out what is fresh", () => {
    expect(ops).toContainEqual({ op: 'bind', source: '/usr', target: '/usr', flags: ['rec', 'ro', 'nosuid', 'nodev', 'try'] });
    expect(ops).toContainEqual({ op: 'bind', source: '/.dockerenv', target: '/.dockerenv', flags: ['ro', 'nosuid', 'nodev', 'try'] });
    expect(ops).toContainEqual({ op: 'symlink', target: 'usr/bin', path: '/bin' });
    for (const fresh of ['/proc', '/sys', '/dev', '/tmp', '/run']) expect(targets(ops, 'bind')).not.toContain(fresh);
    expect(ops).toContainEqual({ op: 'detach-pseudo', keep: ['/proc', '/sys'] });
  });

  it("masks Docker's paths and makes its read-only ones read-only", () => {
    expect(targets(ops, 'mask')).toEqual(['/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap']);
    expect(targets(ops, 'readonly')).toEqual(['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger']);
  });

  it('a minimal /dev (nodev tmpfs, bound character devices, a fresh devpts) and the private tmpfs dirs', () => {
    expect(ops).toContainEqual({ op: 'tmpfs', target: '/dev', options: 'mode=755,size=64k', flags: ['nosuid', 'noexec', 'nodev'] });
    expect(targets(ops, 'bind').filter((t) => t.startsWith('/dev/'))).toEqual(['/dev/null', '/dev/zero', '/dev/full', '/dev/random', '/dev/urandom', '/dev/tty']);
    expect(ops).toContainEqual({ op: 'mount', fstype: 'devpts', target: '/dev/pts', flags: ['nosuid', 'noexec'], data: 'newinstance,ptmxmode=0666,mode=0620' });
    expect(targets(ops, 'tmpfs')).toEqual(['/dev', '/tmp', '/var/tmp', '/dev/shm', '/run']);
  });

  it("joins the sandbox's cgroups before the tmpfs dirs: the tree work before is not the run's", () => {
    const join = index(ops, (o) => o.op === 'join');
    expect(ops[join - 1]).toEqual({ op: 'mask', path: '/sys/devices/virtual/powercap' }); // /sys is done before
    expect(ops[join + 1]).toEqual({ op: 'mkdir', path: '/tmp' });
    expect(ops.filter((o) => o.op === 'join')).toHaveLength(1);
  });

  it('/sys as a fresh read-only sysfs, the cgroupfs on it, and the root read-only at the end', () => {
    const sysfs = index(ops, (o) => o.op === 'sysfs');
    const cgroup = index(ops, (o) => o.op === 'mount' && o.fstype === 'cgroup2');
    expect(sysfs).toBeGreaterThan(0);
    expect(cgroup).toBeGreaterThan(sysfs);
    expect(ops.at(-1)).toEqual({ op: 'setattr', path: '/', flags: ['ro'] });
  });

  it('v1: a read-only tmpfs with one fresh hierarchy per controller group', () => {
    const v1 = planView(ctx({ cgroupfs: ['cgroup:cpu,cpuacct:cpu,cpuacct', 'cgroup:memory:memory'] }));
    expect(v1).toContainEqual({ op: 'mount', fstype: 'cgroup', target: '/sys/fs/cgroup/cpu,cpuacct', flags: ['ro', 'nosuid', 'nodev', 'noexec'], data: 'cpu,cpuacct' });
    expect(v1).toContainEqual({ op: 'setattr', path: '/sys/fs/cgroup', flags: ['ro'] });
  });
});

describe('mount points are made inside the view, never on the host', () => {
  it('at the top: a directory in the view\'s own root', () => {
    const ops = planView(ctx({ volumes: [{ source: '/run/cgbox/r/v0', target: '/data' }] }));
    const mk = index(ops, (o) => o.op === 'mkdir' && o.path === '/data');
    expect(mk).toBeGreaterThan(0);
    expect(ops[mk + 1]).toEqual({ op: 'bind', source: '/run/cgbox/r/v0', target: '/data', flags: ['rec', 'nosuid', 'nodev'] });
    expect(ops[mk + 2]).toEqual({ op: 'detach-pseudo', keep: ['/proc', '/dev', '/sys'] }); // nothing of the host's pseudo filesystems comes along
  });

  it('inside a read-only host directory: that directory becomes a tmpfs mirroring its entries, made before anything below it', () => {
    const ops = planView(ctx({ volumes: [{ source: '/run/cgbox/r/v0', target: '/var/cache/x' }] }));
    const mirror = index(ops, (o) => o.op === 'tmpfs' && o.target === '/var');
    const varTmp = index(ops, (o) => o.op === 'tmpfs' && o.target === '/var/tmp');
    expect(mirror).toBeGreaterThan(0);
    expect(varTmp).toBeGreaterThan(mirror); // the /var/tmp tmpfs is not covered by the mirror
    expect(ops).toContainEqual({ op: 'bind', source: '/var/lib', target: '/var/lib', flags: ['rec', 'ro', 'nosuid', 'nodev', 'try'] });
    expect(ops).toContainEqual({ op: 'symlink', target: '/run', path: '/var/run' });
    expect(ops).toContainEqual({ op: 'mkdir', path: '/var/cache/x' });
    expect(ops).toContainEqual({ op: 'setattr', path: '/var', flags: ['ro'] });
    expect(ops.filter((o) => o.op === 'tmpfs' && o.target === '/var')).toHaveLength(1);
    expect(index(ops, (o) => o.op === 'detach-pseudo')).toBeGreaterThan(mirror); // the mirror's binds' copies go too
  });

  it("follows the view's symlinks: /var/run/x is made in the view's /run", () => {
    const ops = planView(ctx({ binds: [{ source: '/home/me/proj', target: '/var/run/x', readonly: true }] }));
    expect(ops).toContainEqual({ op: 'mkdir', path: '/run/x' });
    expect(ops).toContainEqual({ op: 'bind', source: '/home/me/proj', target: '/run/x', flags: ['rec', 'nosuid', 'nodev', 'ro'] });
    expect(ops.some((o) => o.op === 'tmpfs' && o.target === '/var')).toBe(false);
  });

  it('.writable() of an existing host path: bound read-write at the same path, no mount point made; under /tmp, made in the view\'s /tmp', () => {
    const ops = planView(ctx({ binds: [{ source: '/home/me/proj', target: '/home/me/proj', readonly: false }, { source: '/tmp/canary', target: '/tmp/canary', readonly: false }] }));
    expect(ops.filter((o) => o.op === 'mkdir' && o.path.startsWith('/home'))).toEqual([{ op: 'mkdir', path: '/home' }]);
    expect(ops).toContainEqual({ op: 'bind', source: '/home/me/proj', target: '/home/me/proj', flags: ['rec', 'nosuid', 'nodev'] });
    expect(index(ops, (o) => o.op === 'mkdir' && o.path === '/tmp/canary')).toBeGreaterThan(index(ops, (o) => o.op === 'tmpfs' && o.target === '/tmp'));
  });

  it('shallowest first across kinds: a volume inside a bind lands on top of it', () => {
    const ops = planView(ctx({ volumes: [{ source: '/run/cgbox/r/v0', target: '/src/build' }], binds: [{ source: '/home/me/proj', target: '/src', readonly: false }] }));
    const bind = index(ops, (o) => o.op === 'bind' && o.target === '/src');
    const vol = index(ops, (o) => o.op === 'bind' && o.target === '/src/build');
    expect(bind).toBeLessThan(vol);
    expect(ops[vol - 1]).toEqual({ op: 'mkdir', path: '/src/build' }); // made by the init inside the writable bind
  });

  it('a device: a file mount point in /dev, bound without nodev', () => {
    const ops = planView(ctx({ devices: [{ path: '/dev/loop7', readonly: true }] }));
    expect(ops).toContainEqual({ op: 'file', path: '/dev/loop7' });
    expect(ops).toContainEqual({ op: 'bind', source: '/dev/loop7', target: '/dev/loop7', flags: ['nosuid', 'ro'] });
  });

  it('refuses a mount point under a file, or inside /proc', () => {
    expect(() => planView(ctx({ volumes: [{ source: '/v', target: '/etc/hosts/x' }] }))).toThrow(/is a file/);
    expect(() => planView(ctx({ volumes: [{ source: '/v', target: '/proc/x/y' }] }))).toThrow(/kernel's own/);
  });
});

describe('planView (rootfs and privileged)', () => {
  it('rootfs: the copy is the root, hardened the same way, and stays writable', () => {
    const ops = planView(ctx({ mode: 'rootfs', rootfs: '/run/cgbox/r/root', volumes: [{ source: '/v', target: '/data' }] }));
    expect(ops[0]).toEqual({ op: 'root', staging: '/tmp', kind: 'bind', source: '/run/cgbox/r/root', early: ['proc', 'sysfs'] });
    expect(ops.some((o) => o.op === 'bind' && o.source === '/usr')).toBe(false);
    expect(targets(ops, 'mask')).toContain('/proc/kcore');
    expect(ops).toContainEqual({ op: 'mkdir', path: '/data' });
    expect(ops.some((o) => o.op === 'setattr' && o.path === '/')).toBe(false);
  });

  it('rootfs in a user namespace (rootless): the directory itself, overlaid by the init, its writes on a tmpfs', () => {
    const ops = planView(ctx({ mode: 'rootfs', rootfs: '/home/u/root', userns: true, volumes: [{ source: '/v', target: '/data' }] }));
    expect(ops[0]).toEqual({ op: 'root', staging: '/tmp', kind: 'overlay', lower: '/home/u/root', early: ['proc', 'sysfs'] });
    expect(viewArgs([ops[0]!]).slice(0, 6)).toEqual(['--op', 'root', '/tmp', 'overlay', '/home/u/root', 'proc,sysfs']);
    expect(ops).toContainEqual({ op: 'mkdir', path: '/data' });
  });

  it("privileged: the host's tree as it is — a fresh /proc, the cgroupfs, the volumes at their paths, nothing else", () => {
    const ops = planView(ctx({ mode: 'privileged', volumes: [{ source: '/v', target: '/data' }] }));
    expect(ops).toEqual([
      { op: 'mount', fstype: 'proc', target: '/proc', flags: ['nosuid', 'nodev', 'noexec'] },
      { op: 'detach', path: '/sys/fs/cgroup' },
      { op: 'mount', fstype: 'cgroup2', target: '/sys/fs/cgroup', flags: ['ro', 'nosuid', 'nodev', 'noexec'] },
      { op: 'bind', source: '/v', target: '/data', flags: ['rec'] },
    ]);
  });
});

describe('viewArgs', () => {
  it("one '--op NAME ARG...' per step, '-' for no flags or data", () => {
    expect(viewArgs([{ op: 'root', staging: '/tmp', kind: 'tmpfs', options: 'size=1m', early: ['proc'] }, { op: 'mount', fstype: 'proc', target: '/proc', flags: [] }, { op: 'bind', source: '/a', target: '/b', flags: ['ro', 'rec'] }])).toEqual([
      '--op', 'root', '/tmp', 'tmpfs', 'size=1m', 'proc', '--op', 'mount', 'proc', '/proc', '-', '-', '--op', 'bind', '/a', '/b', 'ro,rec',
    ]);
  });

  it('are made once per plan: the same plan gives the same array, another plan its own', () => {
    const plan = planView(ctx());
    const args = viewArgs(plan);
    expect(viewArgs(plan)).toBe(args);
    const other = planView(ctx({ volumes: [{ source: '/v', target: '/data' }] }));
    expect(viewArgs(other)).not.toBe(args);
    expect(viewArgs(other)).toEqual(other.flatMap((o) => viewArgs([o])));
    expect(viewArgs(other).join(' ')).toContain('/v /data');
  });
});

describe('preparedView (what a spare builds ahead)', () => {
  it('is exactly the start of a default run\'s view, and excludes everything that depends on the orders', async () => {
    const { preparedView } = await import('./plan.js');
    const ahead = preparedView(fakeHost(DEBIAN), ['cgroup2']);
    const run = planView(ctx({ cgroupfs: ['cgroup2'], volumes: [{ source: '/v', target: '/data' }] }));
    expect(run.slice(0, ahead.length)).toEqual(ahead);
    expect(ahead.some((o) => o.op === 'bind' && o.source === '/v')).toBe(false);
    expect(ahead.at(-1)).toEqual({ op: 'mount', fstype: 'cgroup2', target: '/sys/fs/cgroup', flags: ['ro', 'nosuid', 'nodev', 'noexec'] });
  });

  it('a run needing a mirror does not start with it (the mirror goes before /var/tmp): the spare builds afresh', async () => {
    const { preparedView } = await import('./plan.js');
    const ahead = preparedView(fakeHost(DEBIAN), ['cgroup2']);
    const run = planView(ctx({ volumes: [{ source: '/v', target: '/var/cache/x' }] }));
    expect(run.slice(0, ahead.length)).not.toEqual(ahead);
  });
});
