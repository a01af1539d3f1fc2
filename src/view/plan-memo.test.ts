import { describe, expect, it } from 'vitest';
import { DEBIAN, fakeHost } from './fake-host.js';
import { planView, preparedView } from './plan.js';
import { keptPlanView, keptPreparedView } from './plan-memo.js';
import type { HostFs, ViewContext } from './types.js';

/** A fake host whose tree a test may change between plans, counting the lookups. */
function changingHost(tree: Record<string, string>) {
  const calls = { n: 0 };
  const host: HostFs = {
    kind: (p) => (calls.n++, fakeHost(tree).kind(p)),
    readlink: (p) => (calls.n++, fakeHost(tree).readlink(p)),
    list: (p) => (calls.n++, fakeHost(tree).list(p)),
    mode: (p) => (calls.n++, fakeHost(tree).mode(p)),
  };
  return { host, calls };
}

const ctx = (host: HostFs, o: Partial<ViewContext> = {}): ViewContext => ({ mode: 'default', cgroupfs: ['cgroup2'], volumes: [], binds: [], devices: [], host, ...o });

describe('kept plans', () => {
  it('hands back the same plan for the same context while the host answers alike, and asks it no more than planning did', () => {
    const { host, calls } = changingHost({ ...DEBIAN });
    const first = keptPlanView(ctx(host));
    const planning = calls.n;
    expect(first).toEqual(planView(ctx(fakeHost(DEBIAN))));
    calls.n = 0;
    expect(keptPlanView(ctx(host))).toBe(first);
    expect(calls.n).toBe(planning);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('plans afresh once an answer changed: a top-level entry gone, a symlink pointed elsewhere, a directory below the root', () => {
    const tree: Record<string, string> = { ...DEBIAN };
    const { host } = changingHost(tree);
    const before = keptPlanView(ctx(host));
    delete tree['/.dockerenv'];
    const gone = keptPlanView(ctx(host));
    expect(gone).not.toBe(before);
    expect(gone).toEqual(planView(ctx(fakeHost(tree))));
    tree['/bin'] = '-> usr/local/bin';
    const relinked = keptPlanView(ctx(host));
    expect(relinked).toContainEqual({ op: 'symlink', target: 'usr/local/bin', path: '/bin' });
    delete tree['/var/tmp'];
    expect(keptPlanView(ctx(host))).toEqual(planView(ctx(fakeHost(tree))));
  });

  it('keeps one plan per context: a bind or another mode is planned on its own', () => {
    const { host } = changingHost({ ...DEBIAN });
    const plain = keptPlanView(ctx(host));
    const bound = keptPlanView(ctx(host, { binds: [{ source: '/home/me/proj', target: '/src', readonly: true }] }));
    expect(bound).not.toBe(plain);
    expect(bound).toEqual(planView(ctx(fakeHost(DEBIAN), { binds: [{ source: '/home/me/proj', target: '/src', readonly: true }] })));
    expect(keptPlanView(ctx(host, { mode: 'privileged' }))).toEqual(planView(ctx(fakeHost(DEBIAN), { mode: 'privileged' })));
    expect(keptPlanView(ctx(host))).toBe(plain);
  });

  it('plans afresh when a lookup that failed would now succeed', () => {
    const tree: Record<string, string> = { ...DEBIAN };
    let failing = true;
    const base = fakeHost(tree);
    const host: HostFs = {
      ...base,
      readlink: (p) => {
        if (failing && p === '/bin') throw new Error('EIO');
        return base.readlink(p);
      },
    };
    expect(() => keptPlanView(ctx(host))).toThrow('EIO');
    failing = false;
    expect(keptPlanView(ctx(host))).toEqual(planView(ctx(fakeHost(tree))));
  });

  it("keeps a spare's prepared view alike", () => {
    const tree: Record<string, string> = { ...DEBIAN };
    const { host } = changingHost(tree);
    const first = keptPreparedView(host, ['cgroup2']);
    expect(first).toEqual(preparedView(fakeHost(tree), ['cgroup2']));
    expect(keptPreparedView(host, ['cgroup2'])).toBe(first);
    delete tree['/.dockerenv'];
    expect(keptPreparedView(host, ['cgroup2'])).not.toBe(first);
  });
});
