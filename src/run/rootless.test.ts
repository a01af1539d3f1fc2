import { describe, expect, it } from 'vitest';
import { UnsupportedError } from '../spec/errors.js';
import { emptySpec, type SandboxSpec } from '../spec/types.js';
import { rootlessRefusal, undelegatedRefusal, type RootlessFacts } from './rootless.js';

const ok: RootlessFacts = { driver: 2, placement: 'systemd-scope' };
const spec = (more: Partial<SandboxSpec>): SandboxSpec => ({ ...emptySpec(), ...more });
const disk = { major: 254, minor: 0, given: '/dev/vda', name: 'vda' };

describe('rootlessRefusal', () => {
  it('none for namespaces, limits and net none/host on a v2 host with a user manager', () => {
    expect(rootlessRefusal(spec({ memoryBytes: 64 << 20, pids: 32 }), ok)).toBeUndefined();
    expect(rootlessRefusal(spec({ net: 'host' }), ok)).toBeUndefined();
    expect(rootlessRefusal(spec({}), { ...ok, placement: 'delegated' })).toBeUndefined();
  });
  it('user namespaces refused: the reason and its fix, or root', () => {
    const e = rootlessRefusal(spec({}), { ...ok, usernsOff: 'kernel.apparmor_restrict_unprivileged_userns is 1 (fix: …)' });
    expect(e).toBeInstanceOf(UnsupportedError);
    expect(e?.message).toMatch(/apparmor_restrict_unprivileged_userns is 1.*run as root/);
  });
  it('cgroup v1, or nowhere to put the cgroups: names the fix; a parent of its own is the user\'s', () => {
    expect(rootlessRefusal(spec({}), { ...ok, driver: 1 })?.message).toMatch(/cgroup v2.*systemd.unified_cgroup_hierarchy=1/);
    expect(rootlessRefusal(spec({}), { ...ok, placement: 'caller' })?.message).toMatch(/login session.*loginctl enable-linger/);
    expect(rootlessRefusal(spec({ cgroupParent: '/mine' }), { ...ok, placement: 'caller' })).toBeUndefined();
  });
  it('a bridge network and shaping: root only', () => {
    const bridge = { bridge: { kind: 'linux' as const, name: 'cgbox0' }, shaping: 'veth' };
    expect(rootlessRefusal(spec({ net: bridge }), ok)?.message).toMatch(/\.net\(\{ bridge \}\).*\.net\('none'\).*run as root/);
    expect(rootlessRefusal(spec({ net: { ...bridge, bandwidth: { egressBits: 1e7 } } }), ok)?.message).toMatch(/shaping/);
  });
});

describe('undelegatedRefusal', () => {
  it('cpuset and io without the drop-in: names it', () => {
    const e = undelegatedRefusal(spec({ cpus: [0], iops: [{ device: disk, read: 100 }] }), ['cpu', 'memory', 'pids']);
    expect(e).toBeInstanceOf(UnsupportedError);
    expect(e?.message).toMatch(/\.cpus\(\) \(the cpuset controller\) and \.iops\(\) \(the io controller\)/);
    expect(e?.message).toMatch(/user@\.service\.d\/delegate\.conf.*Delegate=cpu cpuset io memory pids/);
  });
  it('none when delegated, or not asked for', () => {
    expect(undelegatedRefusal(spec({ cpus: [0], bps: [{ device: disk, write: 1 }] }), ['cpuset', 'cpu', 'io', 'memory', 'pids'])).toBeUndefined();
    expect(undelegatedRefusal(spec({ memoryBytes: 1, cpuQuota: { quotaUs: 50_000, periodUs: 100_000 } }), ['cpu', 'memory', 'pids'])).toBeUndefined();
    expect(undelegatedRefusal(spec({ cpuShares: 512 }), ['memory', 'pids'])?.message).toMatch(/cpuShares/);
  });
});
