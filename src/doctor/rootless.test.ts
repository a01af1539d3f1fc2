import { describe, expect, it } from 'vitest';
import { rootlessChecks, type RootlessFacts } from './rootless.js';

const user: RootlessFacts = {
  uid: 1000,
  name: 'tester',
  apparmorRestricted: false,
  idMaps: 'root inside is tester (uid 1000); ids 1-65536 inside are 100000-165535 on the host',
  userBus: true,
  delegated: ['cpu', 'memory', 'pids'],
  placement: 'systemd-scope',
};
const byName = (f: RootlessFacts, driver: 1 | 2 = 2) => Object.fromEntries(rootlessChecks(f, driver).map((c) => [c.feature, c]));

describe('doctor as a normal user', () => {
  it('Debian 13 out of the box: user namespaces and the manager work; cpuset and io need the drop-in, which it prints', () => {
    const c = byName(user);
    expect(c['user namespaces']).toMatchObject({ ok: true, essential: true, detail: expect.stringMatching(/100000-165535/) });
    expect(c["the user's systemd manager"]).toMatchObject({ ok: true, essential: true });
    const d = c['controllers delegated to user@1000.service']!;
    expect(d).toMatchObject({ ok: false, essential: false });
    expect(d.detail).toMatch(/enforced rootless: \.memory\(\) and \.swap\(\), \.pids\(\), \.cpuQuota\(\) and \.cpuShares\(\); refused: \.cpus\(\) \(cpuset\), \.iops\(\) and \.bps\(\) \(io\)/);
    expect(d.fix).toMatch(/user@\.service\.d\/delegate\.conf.*Delegate=cpu cpuset io memory pids.*daemon-reload/);
    expect(c['needs root']!.detail).toMatch(/bridge.*bandwidth.*loop, btrfs and LVM/);
  });
  it('with the drop-in: every controller', () => {
    expect(byName({ ...user, delegated: ['cpuset', 'cpu', 'io', 'memory', 'pids'] })['controllers delegated to user@1000.service']!.ok).toBe(true);
  });
  it("Ubuntu's AppArmor restriction without the profile: the fix names the shipped profile and the sysctl", () => {
    const off = 'the kernel refused it (unshare: Operation not permitted): kernel.apparmor_restrict_unprivileged_userns is 1 (fix: install the profile cgbox ships for its init helper, apparmor/cgbox-init — or sysctl -w kernel.apparmor_restrict_unprivileged_userns=0)';
    const c = byName({ ...user, usernsOff: off, apparmorRestricted: true })['user namespaces']!;
    expect(c).toMatchObject({ ok: false, essential: true });
    expect(c.fix).toMatch(/apparmor\/cgbox-init.*sysctl -w kernel.apparmor_restrict_unprivileged_userns=0/);
    // With the profile installed, the probe passes and doctor says why.
    expect(byName({ ...user, apparmorRestricted: true })['user namespaces']!.detail).toMatch(/AppArmor profile lets it through/);
  });
  it('no login session, or cgroup v1: essential, with the fix', () => {
    expect(byName({ ...user, userBus: false })["the user's systemd manager"]).toMatchObject({ ok: false, fix: expect.stringMatching(/login session.*enable-linger/) });
    expect(byName(user, 1)["the user's systemd manager"]).toMatchObject({ ok: false, fix: expect.stringMatching(/unified_cgroup_hierarchy=1/) });
  });
});
