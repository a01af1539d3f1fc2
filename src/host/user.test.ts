import { describe, expect, it } from 'vitest';
import { parseSubids, usernsRefusal } from './user.js';

describe('parseSubids', () => {
  const text = 'alice:100000:65536\nbob:165536:65536\n1002:231072:65536\nbroken:x:1\n';
  it("finds the user's range by name, else by uid, as newuidmap does", () => {
    expect(parseSubids(text, 'bob', 1001)).toEqual({ start: 165536, count: 65536 });
    expect(parseSubids(text, 'nobody-by-name', 1002)).toEqual({ start: 231072, count: 65536 });
  });
  it('none for a user without one, or a line that is not a range', () => {
    expect(parseSubids(text, 'carol', 1003)).toBeUndefined();
    expect(parseSubids(text, 'broken', 9)).toBeUndefined();
    expect(parseSubids('', 'alice', 1000)).toBeUndefined();
  });
});

describe('usernsRefusal', () => {
  const with_ = (files: Record<string, string>) => (path: string) => files[path] ?? null;
  it('nothing when no sysctl says no (Debian 13: unprivileged_userns_clone 1)', () => {
    expect(usernsRefusal(with_({ '/proc/sys/kernel/unprivileged_userns_clone': '1\n', '/proc/sys/user/max_user_namespaces': '7855\n' }))).toBeUndefined();
    expect(usernsRefusal(with_({}))).toBeUndefined();
  });
  it('names the sysctl and its fix', () => {
    expect(usernsRefusal(with_({ '/proc/sys/kernel/unprivileged_userns_clone': '0\n' }))).toMatch(/unprivileged_userns_clone is 0.*sysctl -w kernel.unprivileged_userns_clone=1/);
    expect(usernsRefusal(with_({ '/proc/sys/user/max_user_namespaces': '0' }))).toMatch(/max_user_namespaces is 0.*sysctl -w user.max_user_namespaces=/);
  });
  it("Ubuntu's AppArmor restriction: the shipped profile, or the sysctl", () => {
    const why = usernsRefusal(with_({ '/proc/sys/kernel/apparmor_restrict_unprivileged_userns': '1' }));
    expect(why).toMatch(/apparmor_restrict_unprivileged_userns is 1/);
    expect(why).toMatch(/apparmor\/cgbox-init/);
    expect(why).toMatch(/sysctl -w kernel.apparmor_restrict_unprivileged_userns=0/);
  });
});
