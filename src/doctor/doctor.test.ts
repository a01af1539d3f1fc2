import { describe, expect, it } from 'vitest';
import { doctor, essentialsPass, type Check, type ToolFacts } from './doctor.js';
import { V1_NAMES, fakeV1Caps } from '../host/fake-caps.js';
import type { HostCaps, V1Controller } from '../host/types.js';

const v1Caps = fakeV1Caps;

function v2Caps(controllers: string[], over: Partial<HostCaps> = {}): HostCaps {
  return v1Caps({
    cgroupMode: 'v2',
    driver: 2,
    v1: {},
    v2: { mount: '/sys/fs/cgroup', callerPath: '/ci.slice/runner.service', controllers },
    ...over,
  });
}

const TOOLS: ToolFacts = { init: { ok: true, path: '/opt/cgbox/native/bin/cgbox-init' }, cc: '/usr/bin/cc' };

function find(checks: Check[], feature: string): Check {
  const c = checks.find((x) => x.feature === feature);
  if (!c) throw new Error(`no check named ${feature}: ${checks.map((x) => x.feature).join(', ')}`);
  return c;
}

describe('doctor', () => {
  it('passes a complete v1 host, naming each controller mount and the caller path', () => {
    const checks = doctor(v1Caps({ v1: { ...v1Caps().v1, memory: { mount: '/sys/fs/cgroup/memory', callerPath: '/ci/job', controllers: ['memory'] } } }), TOOLS);
    expect(essentialsPass(checks)).toBe(true);
    expect(find(checks, 'cgroup mode').detail).toMatch(/^hybrid: .*v1 driver/);
    expect(find(checks, 'memory controller (v1)').detail).toBe('/sys/fs/cgroup/memory, caller at /ci/job');
    for (const c of V1_NAMES) expect(find(checks, `${c} controller (v1)`).ok).toBe(true);
    // No swap here: reported, with the fix, but not essential.
    const swap = find(checks, 'active swap');
    expect(swap).toMatchObject({ ok: false, essential: false });
    expect(swap.fix).toMatch(/swapon|zram-tools/);
    // v2-only files are not checked on the v1 driver.
    expect(checks.some((c) => c.feature === 'memory.peak' || c.feature === 'cgroup.kill')).toBe(false);
  });

  it('shows co-mounted hierarchies', () => {
    const both = { mount: '/sys/fs/cgroup/cpu,cpuacct', callerPath: '/', controllers: ['cpu', 'cpuacct'] };
    const checks = doctor(v1Caps({ v1: { ...v1Caps().v1, cpu: both, cpuacct: both } }), TOOLS);
    expect(find(checks, 'cpuacct controller (v1)').detail).toContain('co-mounted: cpu,cpuacct');
  });

  it('v1 without swap accounting: names swapaccount=1, still passes', () => {
    const checks = doctor(v1Caps({ swapAccounting: false, swapTotalBytes: 2 ** 30 }), TOOLS);
    const acct = find(checks, 'swap accounting');
    expect(acct).toMatchObject({ ok: false, essential: false });
    expect(acct.detail).toMatch(/spill into the active swap/);
    expect(acct.fix).toMatch(/swapaccount=1.*update-grub/);
    expect(find(checks, 'active swap')).toMatchObject({ ok: true, detail: '1024 MiB of swap (/proc/swaps)' });
    expect(essentialsPass(checks)).toBe(true);
  });

  it('v1 without an always-needed controller fails; without cpuset only warns', () => {
    const { freezer: _f, ...noFreezer } = v1Caps().v1;
    const checks = doctor(v1Caps({ v1: noFreezer }), TOOLS);
    expect(find(checks, 'freezer controller (v1)')).toMatchObject({ ok: false, essential: true });
    expect(find(checks, 'freezer controller (v1)').fix).toMatch(/mount -t cgroup -o freezer.*CONFIG_CGROUP_FREEZER/);
    expect(essentialsPass(checks)).toBe(false);

    const { cpuset: _c, ...noCpuset } = v1Caps().v1;
    const soft = doctor(v1Caps({ v1: noCpuset }), TOOLS);
    expect(find(soft, 'cpuset controller (v1)')).toMatchObject({ ok: false, essential: false });
    expect(find(soft, 'cpuset controller (v1)').detail).toContain('.cpus()');
    expect(essentialsPass(soft)).toBe(true);
  });

  it('v2 with missing controllers: memory is essential, io is not; both name delegation', () => {
    const checks = doctor(v2Caps(['cpu', 'cpuset', 'pids']), TOOLS);
    const memory = find(checks, 'memory controller (v2)');
    expect(memory).toMatchObject({ ok: false, essential: true });
    expect(memory.detail).toContain('/sys/fs/cgroup/ci.slice/runner.service/cgroup.controllers');
    expect(memory.fix).toMatch(/\+memory > cgroup.subtree_control.*Delegate=yes/);
    expect(find(checks, 'io controller (v2)')).toMatchObject({ ok: false, essential: false });
    expect(find(checks, 'cpu controller (v2)').ok).toBe(true);
    expect(essentialsPass(checks)).toBe(false);
  });

  it('v2 on an old kernel: memory.peak, cgroup.kill, pids.peak and swap accounting name the fix', () => {
    const checks = doctor(v2Caps(['cpu', 'cpuset', 'memory', 'pids', 'io'], { memoryPeak: false, cgroupKill: false, pidsPeak: false, swapAccounting: false, kernel: '5.10.0' }), TOOLS);
    expect(find(checks, 'memory.peak').fix).toMatch(/5\.19/);
    expect(find(checks, 'cgroup.kill').fix).toMatch(/5\.14/);
    expect(find(checks, 'pids.peak').fix).toMatch(/6\.1/);
    expect(find(checks, 'swap accounting').fix).toMatch(/CONFIG_MEMCG_SWAP/);
    expect(essentialsPass(checks)).toBe(true);
  });

  it('v2: says where sandboxes nest and that the processes there move into cgbox.leaf first', () => {
    const caps = v2Caps(['cpu', 'cpuset', 'memory', 'pids', 'io']);
    const before = find(doctor(caps, { ...TOOLS, nesting: { inLeaf: false, processes: 3 } }), 'nesting (v2)');
    expect(before).toMatchObject({ ok: true, essential: false });
    expect(before.detail).toMatch(/runner\.service, which holds 3 processes .*moves them into .*runner\.service\/cgbox\.leaf.*no process itself/);
    const after = find(doctor(caps, { ...TOOLS, nesting: { inLeaf: true, processes: 0 } }), 'nesting (v2)');
    expect(after.detail).toMatch(/its processes are in .*cgbox\.leaf/);
    const root = doctor(v2Caps(['memory'], { v2: { mount: '/sys/fs/cgroup', callerPath: '/', controllers: ['memory'] } }), TOOLS);
    expect(find(root, 'nesting (v2)').detail).toMatch(/root cgroup.*exempts/);
    expect(doctor(v1Caps(), TOOLS).some((c) => c.feature === 'nesting (v2)')).toBe(false);
  });

  it('v2 before 6.5: the swap peak is a lower bound', () => {
    const checks = doctor(v2Caps(['cpu', 'memory', 'pids'], { swapPeak: false, kernel: '6.1.0' }), TOOLS);
    expect(find(checks, 'memory.swap.peak')).toMatchObject({ ok: false, essential: false, fix: 'run Linux 6.5 or later' });
    expect(find(doctor(v2Caps(['cpu', 'memory', 'pids']), TOOLS), 'memory.swap.peak').ok).toBe(true);
  });

  it('not root fails', () => {
    const checks = doctor(v1Caps({ isRoot: false }), TOOLS);
    expect(find(checks, 'root')).toMatchObject({ ok: false, essential: true });
    expect(find(checks, 'root').fix).toMatch(/sudo/);
    expect(essentialsPass(checks)).toBe(false);
  });

  it('tools: a missing init helper fails and makes the compiler essential', () => {
    const tools: ToolFacts = { init: { ok: false, why: '/x/native/bin/cgbox-init is missing' }, cc: null };
    const checks = doctor(v1Caps(), tools);
    expect(find(checks, 'init helper')).toMatchObject({ ok: false, essential: true, detail: '/x/native/bin/cgbox-init is missing' });
    expect(find(checks, 'C compiler (cc)')).toMatchObject({ ok: false, essential: true, fix: 'apt-get install gcc libc6-dev' });
    expect(essentialsPass(checks)).toBe(false);
    expect(find(doctor(v1Caps(), { ...TOOLS, cc: null }), 'C compiler (cc)').essential).toBe(false);
  });

  it('host tools: each feature names its missing programs and the packages to install, never essential', () => {
    const features: ToolFacts['features'] = [
      { feature: '.net({...}) on a Linux bridge', missing: { tc: 'iproute2', nft: 'nftables' } },
      { feature: '.volume() on tmpfs', missing: {} },
    ];
    const checks = doctor(v1Caps(), { ...TOOLS, features });
    expect(find(checks, 'host tools: .net({...}) on a Linux bridge')).toMatchObject({ ok: false, essential: false, detail: 'tc, nft not installed', fix: 'apt-get install iproute2 nftables' });
    expect(find(checks, 'host tools: .volume() on tmpfs')).toMatchObject({ ok: true });
    expect(essentialsPass(checks)).toBe(true);
  });

  it('every failed check names a fix; passed ones carry none', () => {
    const checks = doctor(v2Caps([], { isRoot: false, swapAccounting: false, memoryPeak: false, pidsPeak: false }), { init: { ok: false, why: 'x' }, cc: null });
    expect(checks.filter((c) => !c.ok).length).toBeGreaterThan(5);
    for (const c of checks) {
      if (c.ok) expect(c.fix).toBeUndefined();
      else expect(c.fix, c.feature).toMatch(/\S{3}/);
    }
  });
});
