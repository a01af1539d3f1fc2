import { describe, expect, it } from 'vitest';
import { callerContextFrom, cgroupDir, nearestDelegated, parseDelegateXattrs, pathsUp, unitOf, type ProbeInputs } from './caller-context.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

/** Debian 12/13 and Ubuntu 24.04: the unified hierarchy alone, as systemd mounts it. */
const V2_MOUNTINFO = lines(
  '22 28 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:13 - proc proc rw',
  '25 23 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot',
);
/** A classic hybrid host (Ubuntu 20.04): v1 controllers, and a controller-less v2 tree at unified/. */
const HYBRID_MOUNTINFO = lines(
  '25 20 0:23 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755',
  '26 25 0:24 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate',
  '27 25 0:25 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,xattr,name=systemd',
  '30 25 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,cpu,cpuacct',
  '32 25 0:30 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,memory',
);
/** The same without unified/: legacy mode (systemd.legacy_systemd_cgroup_controller=1). */
const V1_MOUNTINFO = HYBRID_MOUNTINFO.split('\n').filter((l) => !l.includes('cgroup2')).join('\n');
/** Docker with its own cgroup namespace (the default on v2): cgroup2 mounted inside, read-only. */
const CONTAINER_MOUNTINFO = lines('612 603 0:28 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw,nsdelegate,memory_recursiveprot');

const HOST_NS = 'cgroup:[4026531835]';

/** A host's inputs with systemd as pid 1; `marks` are the directories carrying trusted.delegate. */
function inputs(procCgroup: string, over: Partial<ProbeInputs> = {}, marks: string[] = []): ProbeInputs & { asked: string[][] } {
  const asked: string[][] = [];
  return {
    mountinfo: V2_MOUNTINFO,
    procCgroup,
    pid1Comm: 'systemd',
    runSystemdSystem: true,
    cgroupNsLink: HOST_NS,
    uid: 0,
    delegatedDirs(dirs) {
      asked.push(dirs);
      return new Set(dirs.filter((d) => marks.includes(d)));
    },
    asked,
    ...over,
  };
}

describe('callerContextFrom', () => {
  it('a Delegate=yes service (the VM tier job, a CI runner unit with Delegate=yes): delegated at its own cgroup', () => {
    const i = inputs('0::/system.slice/vmjob.service\n', {}, ['/sys/fs/cgroup/system.slice/vmjob.service']);
    expect(callerContextFrom(i)).toEqual({
      cgroupVersion: 2,
      cgroup: '/system.slice/vmjob.service',
      mount: { dir: '/sys/fs/cgroup', root: '/' },
      systemd: true,
      unit: 'vmjob.service',
      delegatedAt: '/system.slice/vmjob.service',
      cgroupNamespace: false,
      uid: 0,
    });
    // Every cgroup from the caller's up to the root is asked about, nearest first.
    expect(i.asked).toEqual([['/sys/fs/cgroup/system.slice/vmjob.service', '/sys/fs/cgroup/system.slice', '/sys/fs/cgroup']]);
  });

  it('a caller already in cgbox.leaf of a delegated service is still delegated there', () => {
    const ctx = callerContextFrom(inputs('0::/system.slice/vmjob.service/cgbox.leaf\n', {}, ['/sys/fs/cgroup/system.slice/vmjob.service']));
    expect(ctx.delegatedAt).toBe('/system.slice/vmjob.service');
    expect(ctx.unit).toBe('vmjob.service');
  });

  it('a login session scope (sudo npx vitest): a unit systemd owns, nothing delegated', () => {
    const ctx = callerContextFrom(inputs('0::/user.slice/user-1000.slice/session-3.scope\n'));
    expect(ctx).toMatchObject({ cgroupVersion: 2, systemd: true, unit: 'session-3.scope', cgroupNamespace: false });
    expect(ctx.delegatedAt).toBeUndefined();
  });

  it('a plain service (a CI runner, systemd-run --wait --pipe): not delegated', () => {
    const ctx = callerContextFrom(inputs('0::/system.slice/ci-runner.service\n'));
    expect(ctx.unit).toBe('ci-runner.service');
    expect(ctx.delegatedAt).toBeUndefined();
  });

  it("inside user@1000.service: delegated, but to the user's own manager, which owns the scope the caller is in", () => {
    const path = '/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-terminal-1234.scope';
    const ctx = callerContextFrom(inputs(`0::${path}\n`, {}, ['/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service']));
    expect(ctx.unit).toBe('user@1000.service');
    expect(ctx.delegatedAt).toBeUndefined();
  });

  it("in a scope the user's manager delegated (user.delegate on it): delegated there", () => {
    const scope = '/user.slice/user-1000.slice/user@1000.service/user.slice/podman-42.scope';
    const ctx = callerContextFrom(
      inputs(`0::${scope}/container\n`, { uid: 1000 }, ['/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service', `/sys/fs/cgroup${scope}`]),
    );
    expect(ctx.delegatedAt).toBe(scope);
    expect(ctx.uid).toBe(1000);
  });

  it('a container with its own cgroup namespace and no systemd: its root is the caller\'s "/"', () => {
    const ctx = callerContextFrom(
      inputs('0::/\n', { mountinfo: CONTAINER_MOUNTINFO, pid1Comm: 'node', runSystemdSystem: false, cgroupNsLink: 'cgroup:[4026532461]' }),
    );
    expect(ctx).toEqual({
      cgroupVersion: 2,
      cgroup: '/',
      mount: { dir: '/sys/fs/cgroup', root: '/' },
      systemd: false,
      cgroupNamespace: true,
      uid: 0,
    });
  });

  it('a container running systemd as pid 1, delegated by the host: the container\'s systemd owns its units', () => {
    const ctx = callerContextFrom(
      inputs('0::/system.slice/app.service\n', { mountinfo: CONTAINER_MOUNTINFO, cgroupNsLink: 'cgroup:[4026532461]' }, ['/sys/fs/cgroup']),
    );
    expect(ctx).toMatchObject({ systemd: true, cgroupNamespace: true, unit: 'app.service' });
    expect(ctx.delegatedAt).toBeUndefined();
  });

  it('/run/systemd/system without systemd as pid 1 (a container that bind-mounts it) is not a systemd host', () => {
    expect(callerContextFrom(inputs('0::/\n', { pid1Comm: 'tini' })).systemd).toBe(false);
  });

  it('a hybrid host: the v2 path of the controller-less tree, no delegation asked', () => {
    const i = inputs(lines('4:memory:/user.slice', '1:name=systemd:/user.slice/user-1000.slice/session-2.scope', '0::/user.slice/user-1000.slice/session-2.scope'), {
      mountinfo: HYBRID_MOUNTINFO,
    });
    const ctx = callerContextFrom(i);
    expect(ctx).toMatchObject({ cgroupVersion: 'hybrid', cgroup: '/user.slice/user-1000.slice/session-2.scope', unit: 'session-2.scope' });
    expect(ctx.mount).toEqual({ dir: '/sys/fs/cgroup/unified', root: '/' });
    expect(i.asked).toEqual([]);
  });

  it("a v1-only host: systemd's own hierarchy names the unit", () => {
    const ctx = callerContextFrom(inputs(lines('4:memory:/system.slice', '1:name=systemd:/system.slice/ci.service'), { mountinfo: V1_MOUNTINFO }));
    expect(ctx).toMatchObject({ cgroupVersion: 1, cgroup: '/system.slice/ci.service', unit: 'ci.service' });
    expect(ctx.mount).toBeUndefined();
  });

  it('this development host (hybrid, no systemd as pid 1)', () => {
    const ctx = callerContextFrom(inputs(lines('4:memory:/process_api/abc', '0::/'), { mountinfo: HYBRID_MOUNTINFO, pid1Comm: 'process_api', runSystemdSystem: false }));
    expect(ctx).toMatchObject({ cgroupVersion: 'hybrid', cgroup: '/', systemd: false, cgroupNamespace: false });
    expect(ctx.unit).toBeUndefined();
  });
});

describe('unitOf', () => {
  it('the first unit after the slices, and its slice', () => {
    expect(unitOf('/user.slice/user-1000.slice/session-3.scope')).toEqual({ unit: 'session-3.scope', slice: 'user-1000.slice' });
    expect(unitOf('/system.slice/ci.service/cgbox.leaf')).toEqual({ unit: 'ci.service', slice: 'system.slice' });
    expect(unitOf('/user.slice/user-1000.slice/user@1000.service/app.slice/x.scope')).toEqual({ unit: 'user@1000.service', slice: 'user-1000.slice' });
    expect(unitOf('/init.scope')).toEqual({ unit: 'init.scope', slice: '-.slice' });
  });
  it('no unit at the root or in a bare slice; an unknown first name is no unit', () => {
    expect(unitOf('/')).toEqual({ slice: '-.slice' });
    expect(unitOf('/machine.slice')).toEqual({ slice: 'machine.slice' });
    expect(unitOf('/docker/abc')).toEqual({ slice: '-.slice' });
  });
  it("undoes systemd's escape of names that could clash with kernel files", () => {
    expect(unitOf('/system.slice/_cpu.service')).toEqual({ unit: 'cpu.service', slice: 'system.slice' });
  });
});

describe('nearestDelegated', () => {
  it('the nearest marked cgroup at or above the caller', () => {
    expect(nearestDelegated('/system.slice/a.service/x/y', new Set(['/system.slice/a.service']))).toBe('/system.slice/a.service');
    expect(nearestDelegated('/system.slice/a.service', new Set())).toBeUndefined();
  });
  it('not through a unit of a nested manager', () => {
    expect(nearestDelegated('/u.slice/user@1.service/app.slice/t.scope/sub', new Set(['/u.slice/user@1.service']))).toBeUndefined();
  });
});

describe('parseDelegateXattrs', () => {
  it('directories with a true mark, either name; other values and lines ignored', () => {
    const text = lines(
      'trusted.delegate\t1\t/sys/fs/cgroup/system.slice/a.service',
      'user.delegate\t1\t/sys/fs/cgroup/system.slice/a.service',
      'user.delegate\t0\t/sys/fs/cgroup/system.slice/b.service',
      'trusted.delegate\tyes\t/sys/fs/cgroup/odd\tname',
      'trusted.invocation_id\t1\t/sys/fs/cgroup/c.service',
      'garbage',
    );
    expect([...parseDelegateXattrs(text)]).toEqual(['/sys/fs/cgroup/system.slice/a.service', '/sys/fs/cgroup/odd\tname']);
  });
});

describe('cgroupDir and pathsUp', () => {
  it('joins under a mount of the whole tree, or of a subtree', () => {
    expect(cgroupDir({ dir: '/sys/fs/cgroup', root: '/' }, '/system.slice/a.service')).toBe('/sys/fs/cgroup/system.slice/a.service');
    expect(cgroupDir({ dir: '/sys/fs/cgroup', root: '/docker/abc' }, '/docker/abc/x')).toBe('/sys/fs/cgroup/x');
    expect(cgroupDir({ dir: '/sys/fs/cgroup', root: '/docker/abc' }, '/docker/abc')).toBe('/sys/fs/cgroup');
    expect(cgroupDir({ dir: '/sys/fs/cgroup', root: '/docker/abc' }, '/docker')).toBeUndefined();
  });
  it('walks up to a top', () => {
    expect(pathsUp('/a/b/c')).toEqual(['/a/b/c', '/a/b', '/a', '/']);
    expect(pathsUp('/a/b/c', '/a')).toEqual(['/a/b/c', '/a/b', '/a']);
    expect(pathsUp('/')).toEqual(['/']);
  });
});
