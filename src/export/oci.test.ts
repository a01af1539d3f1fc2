import { describe, expect, it } from 'vitest';
import { emptySpec, type SandboxSpec } from '../spec/types.js';
import { DEFAULT_CAPABILITIES } from '../spec/view.js';
import { MASKED, READ_ONLY } from '../view/proc.js';
import { SYS_MASKED } from '../view/sys.js';
import { EVERY_LIMIT, MiB, fakeExportHost } from './fake-host.js';
import { toOCI } from './oci.js';
import { UNEXPRESSED_ANNOTATION } from './unexpressed.js';

const spec = (o: Partial<SandboxSpec> = {}): SandboxSpec => ({ ...emptySpec(), ...o });
const oci = (o: Partial<SandboxSpec> = {}, host = fakeExportHost()) => toOCI(spec(o), 'fixtures/bin/alloc', ['64'], host);
const mount = (e: ReturnType<typeof oci>, destination: string) => e.config.mounts.filter((m) => m.destination === destination);
const whats = (e: { unexpressed: { what: string }[] }) => e.unexpressed.map((u) => u.what);

describe('toOCI: the process', () => {
  const e = oci({ env: { A: '1' } });
  const p = e.config.process;

  it("runs the command as root in the caller's directory, with PATH and the .env() variables", () => {
    expect(e.config.ociVersion).toBe('1.0.2');
    expect(p.args).toEqual(['fixtures/bin/alloc', '64']);
    expect(p.user).toEqual({ uid: 0, gid: 0 });
    expect(p.cwd).toBe('/home/me/proj');
    expect(p.env).toEqual(['PATH=/usr/local/bin:/usr/bin:/bin', 'A=1']);
    expect(whats(e)).toContain("the caller's environment");
    expect(oci({ env: { A: '1' }, inheritEnv: false }).config.process.env).toEqual(['A=1']);
  });

  it("keeps Docker's default 14 capabilities, with no_new_privs; capAdd and capDrop as the sandbox has them", () => {
    expect(p.capabilities.bounding).toEqual(expect.arrayContaining(DEFAULT_CAPABILITIES.map((c) => `CAP_${c}`)));
    expect(p.capabilities.bounding).toHaveLength(14);
    expect(p.capabilities.effective).toEqual(p.capabilities.bounding);
    expect(p.capabilities.inheritable).toEqual([]);
    expect(p.capabilities.ambient).toEqual([]);
    expect(p.noNewPrivileges).toBe(true);
    const caps = oci({ capAdd: ['NET_ADMIN'], capDrop: ['NET_RAW'] }).config.process.capabilities.bounding;
    expect(caps).toContain('CAP_NET_ADMIN');
    expect(caps).not.toContain('CAP_NET_RAW');
    expect(caps).toHaveLength(14);
  });

  it("the caller's finite resource limits; the unlimited ones are said to be the runtime's", () => {
    expect(p.rlimits).toEqual([{ type: 'RLIMIT_NOFILE', soft: 1_048_576, hard: 1_048_576 }]);
    expect(whats(e)).toContain('the inherited limits RLIMIT_STACK');
  });

  it("says the command is pid 1: cgbox's init is not in a bundle", () => {
    expect(e.unexpressed.find((u) => u.what.startsWith("cgbox's init"))).toMatchObject({ effect: 'approximated' });
  });
});

describe("toOCI: the view, from the sandbox's view plan", () => {
  const e = oci();

  it("a root directory of its own with the host's top-level symlinks, read-only once the mounts are made", () => {
    expect(e.config.root).toEqual({ path: 'rootfs', readonly: true });
    expect(e.rootfs).toEqual({ path: 'rootfs', inBundle: true, symlinks: [{ path: '/bin', target: 'usr/bin' }] });
  });

  it("binds each host directory read-only, nosuid, nodev, recursively; never /proc, /sys, /dev, /tmp or /run", () => {
    expect(mount(e, '/usr')).toEqual([{ destination: '/usr', type: 'bind', source: '/usr', options: ['rbind', 'ro', 'nosuid', 'nodev', 'rro', 'rnosuid', 'rnodev'] }]);
    expect(mount(e, '/.dockerenv')[0]!.options).toEqual(['bind', 'ro', 'nosuid', 'nodev']);
    for (const fresh of ['/proc', '/sys', '/dev', '/tmp', '/run']) expect(mount(e, fresh).every((m) => m.type !== 'bind')).toBe(true);
    expect(whats(e)).toContain("the host's root, read-only");
  });

  it('a fresh /proc, a minimal /dev (the runtime makes the nodes), devpts, /sys and the cgroupfs read-only, private tmpfs dirs', () => {
    expect(mount(e, '/proc')).toEqual([{ destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'nodev', 'noexec'] }]);
    expect(mount(e, '/dev')).toEqual([{ destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'noexec', 'mode=755', 'size=64k'] }]);
    expect(e.config.mounts.filter((m) => m.destination.startsWith('/dev/') && m.type === 'bind')).toEqual([]);
    expect(mount(e, '/dev/pts')[0]).toMatchObject({ type: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'] });
    expect(mount(e, '/sys')[0]).toMatchObject({ type: 'sysfs', options: ['ro', 'nosuid', 'nodev', 'noexec'] });
    expect(mount(e, '/sys/fs/cgroup')).toEqual([{ destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro', 'nosuid', 'nodev', 'noexec'] }]);
    for (const dir of ['/tmp', '/var/tmp', '/dev/shm', '/run']) expect(mount(e, dir)[0]).toMatchObject({ type: 'tmpfs', options: ['nosuid', 'nodev', expect.stringMatching(/^mode=/)] });
  });

  it("Docker's masked and read-only paths, as the sandbox's view has them", () => {
    expect(e.config.linux.maskedPaths).toEqual([...MASKED, ...SYS_MASKED]);
    expect(e.config.linux.readonlyPaths).toEqual(READ_ONLY);
  });

  it('volumes as tmpfs of their size (a disk volume said to be one), binds as binds, .device() as a node the runtime makes', () => {
    const v = oci({
      volumes: [
        { path: '/data', sizeBytes: 64 * MiB, driver: 'btrfs', fs: 'ext4' },
        { path: '/scratch', sizeBytes: 8 * MiB, driver: 'tmpfs', fs: 'ext4', from: '/srv/data' },
      ],
      binds: [{ source: '/srv/data', target: '/data/in', readonly: true }],
      devices: [{ path: '/dev/kvm', readonly: false }],
    });
    expect(mount(v, '/data')).toEqual([{ destination: '/data', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=755', `size=${64 * MiB}`] }]);
    expect(mount(v, '/scratch')[0]!.options).toContain(`size=${8 * MiB}`);
    // Shallowest first, as the view mounts them: the bind lands in the volume.
    expect(v.config.mounts.findIndex((m) => m.destination === '/data/in')).toBeGreaterThan(v.config.mounts.findIndex((m) => m.destination === '/data'));
    expect(mount(v, '/data/in')[0]).toEqual({ destination: '/data/in', type: 'bind', source: '/srv/data', options: ['rbind', 'ro', 'nosuid', 'nodev', 'rro', 'rnosuid', 'rnodev'] });
    expect(mount(v, '/dev/kvm')).toEqual([]);
    expect(v.config.linux.devices).toEqual([{ path: '/dev/kvm', type: 'c', major: 10, minor: 232, fileMode: 0o660, uid: 0, gid: 108 }]);
    expect(v.config.linux.resources.devices).toEqual([{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 10, minor: 232, access: 'rwm' }]);
    const volume = v.unexpressed.find((u) => u.what.startsWith('.volume(/data,'));
    expect(volume).toMatchObject({ effect: 'approximated', instead: expect.stringMatching(/tmpfs of the same size/) });
    expect(v.unexpressed.find((u) => u.what.includes('from: /srv/data'))).toMatchObject({ effect: 'dropped' });
    expect(whats(v).filter((w) => w.startsWith('.volume(/scratch'))).toEqual(['.volume(/scratch, { from: /srv/data })']);
  });

  it('a mount point inside a host directory: the mirror the view makes, and what a bundle cannot of it', () => {
    const v = oci({ volumes: [{ path: '/var/lib/x', sizeBytes: 8 * MiB, driver: 'tmpfs', fs: 'ext4' }] });
    expect(mount(v, '/var/lib')[0]).toMatchObject({ type: 'tmpfs' });
    expect(mount(v, '/var/lib/x')[0]).toMatchObject({ type: 'tmpfs', options: expect.arrayContaining([`size=${8 * MiB}`]) });
    expect(whats(v)).toContain('the mirror of /var/lib, read-only');
  });

  it('the working directory: .cwd(), else the caller\'s where the view shows it, else /', () => {
    expect(oci({ cwd: '/data' }).config.process.cwd).toBe('/data');
    expect(oci({}, fakeExportHost({ cwd: '/tmp/canary' })).config.process.cwd).toBe('/');
    expect(oci({ rootfs: '/srv/data' }).config.process.cwd).toBe('/');
  });

  it('.rootfs(dir): dir itself as the root, read-only, and said to be no copy', () => {
    const r = oci({ rootfs: '/srv/data' });
    expect(r.config.root).toEqual({ path: '/srv/data', readonly: true });
    expect(r.rootfs.inBundle).toBe(false);
    expect(mount(r, '/usr')).toEqual([]);
    expect(r.unexpressed.find((u) => u.what.startsWith('.rootfs('))).toMatchObject({ effect: 'approximated' });
  });

  it(".privileged(): the host's tree read-write, its /dev, every capability, nothing masked, every device allowed", () => {
    const p = oci({ privileged: true });
    expect(p.config.root).toEqual({ path: 'rootfs' });
    expect(mount(p, '/usr')[0]!.options).toEqual(['rbind']);
    expect(mount(p, '/dev')).toEqual([{ destination: '/dev', type: 'bind', source: '/dev', options: ['rbind'] }]);
    expect(mount(p, '/proc')[0]).toMatchObject({ type: 'proc' });
    expect(p.config.process.capabilities.bounding).toHaveLength(41);
    expect(p.config.process.noNewPrivileges).toBe(false);
    expect(p.config.linux.maskedPaths).toBeUndefined();
    expect(p.config.linux.resources.devices).toEqual([{ allow: true, access: 'rwm' }]);
  });
});

describe('toOCI: linux.resources', () => {
  it('every limit: cpus, shares, quota over period, memory with swap as memory + swap, pids, block IO per device', () => {
    const r = oci(EVERY_LIMIT).config.linux.resources;
    expect(r.cpu).toEqual({ shares: 512, quota: 50_000, period: 100_000, cpus: '0-1,3' });
    expect(r.memory).toEqual({ limit: 32 * MiB, swap: 48 * MiB });
    // The command's own tasks: no cgbox init in a bundle (cgbox writes pids.max = 33).
    expect(r.pids).toEqual({ limit: 32 });
    expect(r.blockIO).toEqual({
      throttleWriteBpsDevice: [{ major: 254, minor: 0, rate: 10 * MiB }],
      throttleReadIOPSDevice: [{ major: 254, minor: 0, rate: 100 }],
      throttleWriteIOPSDevice: [{ major: 254, minor: 0, rate: 50 }],
    });
  });

  it("no .swap() is no swap at all; no .pids() is cgbox's default ceiling", () => {
    const r = oci({ memoryBytes: 32 * MiB }).config.linux.resources;
    expect(r.memory).toEqual({ limit: 32 * MiB, swap: 32 * MiB });
    expect(r.pids).toEqual({ limit: 4096 });
    expect(oci({}, fakeExportHost({ pidMax: 10_000 })).config.linux.resources.pids).toEqual({ limit: 1500 });
    expect(r.cpu).toBeUndefined();
    expect(r.blockIO).toBeUndefined();
  });

  it("a throttle of the sandbox's own volume is dropped, and said to be; shares on v2 are said to depend on the runtime", () => {
    const e = oci({ cpuShares: 512, iops: [{ device: { major: 0, minor: 0, given: 'volume', name: 'volume' }, write: 100 }], volumes: [{ path: '/data', sizeBytes: 8 * MiB, driver: 'tmpfs', fs: 'ext4' }] });
    expect(e.config.linux.resources.blockIO).toBeUndefined();
    expect(e.unexpressed.find((u) => u.what === ".iops('volume', …)")).toMatchObject({ effect: 'dropped' });
    expect(whats(e)).toContain('.cpuShares() on cgroup v2');
  });
});

describe('toOCI: namespaces, network and the rest', () => {
  it("pid, mount, uts, ipc, cgroup and network namespaces; net('host') keeps the host's network", () => {
    expect(oci().config.linux.namespaces.map((n) => n.type)).toEqual(['pid', 'mount', 'uts', 'ipc', 'cgroup', 'network']);
    expect(oci({ net: 'host' }).config.linux.namespaces.map((n) => n.type)).not.toContain('network');
    expect(oci().config.hostname).toBe('cgbox');
    expect(oci({ hostname: 'box' }).config.hostname).toBe('box');
  });

  it('a network of its own and its shaping are listed: a config names no interfaces', () => {
    const e = oci({ net: { bridge: { kind: 'ovs', name: 'br0' }, shaping: 'veth', bandwidth: { egressBits: 10e6, ingressBits: 1e6 }, address: { ip: '10.88.3.7', prefix: 16 } } });
    expect(e.config.linux.namespaces.map((n) => n.type)).toContain('network');
    expect(e.unexpressed.find((u) => u.what.startsWith('.net({ bridge'))).toMatchObject({ effect: 'approximated', what: ".net({ bridge: { ovs: 'br0' }, address: '10.88.3.7/16' })" });
    expect(e.unexpressed.find((u) => u.what.startsWith('.net({ bandwidth'))).toMatchObject({ effect: 'dropped' });
  });

  it('timeout and sampling are listed; .cgroupParent() is the cgroupsPath', () => {
    const e = oci({ timeoutUs: 10_000_000, sampleUs: 100_000, cgroupParent: '/ci/tests' });
    expect(e.unexpressed.find((u) => u.what.startsWith('.timeout('))).toMatchObject({ effect: 'dropped', instead: expect.stringContaining('timeout --kill-after=2s 10s runc run') });
    expect(whats(e)).toContain('.sample()');
    expect(e.config.linux.cgroupsPath).toMatch(/^\/ci\/tests\/oci-export-[0-9a-f]{8}$/);
  });

  it('the config carries its unexpressed list in an annotation', () => {
    const e = oci({ timeoutUs: 10_000_000 });
    expect(JSON.parse(e.config.annotations[UNEXPRESSED_ANNOTATION]!)).toEqual(e.unexpressed);
    for (const u of e.unexpressed) {
      expect(u.why.length).toBeGreaterThan(10);
      expect(u.instead.length).toBeGreaterThan(10);
    }
  });
});
