import { describe, expect, it } from 'vitest';
import type { CallerContext } from '../host/caller-context.js';
import { caller } from './caller.js';
import { delegated } from './delegated.js';
import { chooseStrategy } from './strategies.js';

const MOUNT = { dir: '/sys/fs/cgroup', root: '/' };
const ctx = (over: Partial<CallerContext>): CallerContext => ({
  cgroupVersion: 2,
  cgroup: '/system.slice/ci.service',
  mount: MOUNT,
  systemd: true,
  unit: 'ci.service',
  cgroupNamespace: false,
  uid: 0,
  ...over,
});

describe('chooseStrategy', () => {
  it('a delegated unit: nest beneath it', () => {
    expect(chooseStrategy(ctx({ delegatedAt: '/system.slice/ci.service' })).name).toBe('delegated');
  });
  it('a unit systemd owns and did not delegate (session scope, plain service): a scope of its own', () => {
    expect(chooseStrategy(ctx({})).name).toBe('systemd-scope');
    expect(chooseStrategy(ctx({ cgroup: '/user.slice/user-1000.slice/session-3.scope', unit: 'session-3.scope' })).name).toBe('systemd-scope');
  });
  it("a container's own cgroup namespace without systemd: nest at its root", () => {
    expect(chooseStrategy(ctx({ cgroup: '/', systemd: false, cgroupNamespace: true })).name).toBe('delegated');
  });
  it('a container running systemd: ask that systemd', () => {
    expect(chooseStrategy(ctx({ cgroup: '/system.slice/app.service', cgroupNamespace: true })).name).toBe('systemd-scope');
  });
  it('no systemd, nothing delegated: the caller\'s own cgroup', () => {
    expect(chooseStrategy(ctx({ systemd: false, cgroup: '/some/where' })).name).toBe('caller');
  });
  it('cgroup v1 and hybrid hosts: the caller strategy, whatever manages them', () => {
    expect(chooseStrategy(ctx({ cgroupVersion: 'hybrid', mount: { dir: '/sys/fs/cgroup/unified', root: '/' } })).name).toBe('caller');
    expect(chooseStrategy(ctx({ cgroupVersion: 1, delegatedAt: '/x' })).name).toBe('caller');
  });
});

describe('delegated.acquire', () => {
  it("the caller's cgroup, its leaf beneath it", async () => {
    const p = await delegated.acquire(ctx({ cgroup: '/system.slice/vmjob.service', delegatedAt: '/system.slice/vmjob.service' }));
    expect(p).toMatchObject({ kind: 'delegated', parent: '/sys/fs/cgroup/system.slice/vmjob.service', leaf: '/sys/fs/cgroup/system.slice/vmjob.service/cgbox.leaf' });
    expect(p.describe).toMatch(/delegated at \/system.slice\/vmjob.service \(ci.service has Delegate=yes\)/);
  });
  it('a caller already in the leaf nests above it', async () => {
    const p = await delegated.acquire(ctx({ cgroup: '/system.slice/vmjob.service/cgbox.leaf', delegatedAt: '/system.slice/vmjob.service' }));
    expect(p.parent).toBe('/sys/fs/cgroup/system.slice/vmjob.service');
  });
  it('at the root of a cgroup namespace: the mount itself', async () => {
    const p = await delegated.acquire(ctx({ cgroup: '/', systemd: false, cgroupNamespace: true }));
    expect(p).toMatchObject({ parent: '/sys/fs/cgroup', leaf: '/sys/fs/cgroup/cgbox.leaf' });
    expect(p.describe).toMatch(/cgroup namespace/);
  });
});

describe('caller.acquire', () => {
  it('v2 without systemd: beneath the caller, processes may move to the leaf', async () => {
    const p = await caller.acquire(ctx({ systemd: false, cgroup: '/work' }));
    expect(p).toMatchObject({ kind: 'caller', parent: '/sys/fs/cgroup/work', leaf: '/sys/fs/cgroup/work/cgbox.leaf' });
    expect(p.describe).toMatch(/no systemd/);
  });
  it('v1 or hybrid: nothing ever moves', async () => {
    const p = await caller.acquire(ctx({ cgroupVersion: 'hybrid', cgroup: '/', mount: { dir: '/sys/fs/cgroup/unified', root: '/' } }));
    expect(p.leaf).toBeUndefined();
    expect(p.describe).toMatch(/hybrid/);
  });
});

describe('explain (doctor: without acquiring)', () => {
  it('a scope is described, not made', () => {
    const session = ctx({ cgroup: '/user.slice/user-1000.slice/session-3.scope', unit: 'session-3.scope', mount: { dir: '/nonexistent', root: '/' } });
    const text = chooseStrategy(session).explain(session);
    expect(text).toMatch(/would live in a transient scope with Delegate=yes/);
    expect(text).toMatch(/session-3.scope \(\/user.slice\/user-1000.slice\/session-3.scope\) is systemd's and was not delegated; in user-1000.slice/);
    expect(text).toMatch(/no ceilings to copy/);
  });
  it('nesting is described as acquire would place it', async () => {
    const c = ctx({ delegatedAt: '/system.slice/ci.service' });
    expect(delegated.explain(c)).toBe((await delegated.acquire(c)).describe);
  });
});
