import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidSpecError } from './errors.js';
import { emptySpec } from './types.js';
import { capabilityMask, checkBind, checkCaps, checkDevice, checkWritable, defaultPids, keptCapabilities, withCaps } from './view.js';

const caps = (add: string[] = [], drop: string[] = []) => ({ ...emptySpec(), ...withCaps(emptySpec(), add, drop) });

describe('capabilities', () => {
  it("Docker's default 14, as the mask cgbox-init keeps", () => {
    expect(keptCapabilities(emptySpec())).toHaveLength(14);
    expect(capabilityMask(emptySpec())).toBe('0xa80425fb');
    expect(capabilityMask({ ...emptySpec(), privileged: true })).toBeUndefined();
  });

  it("takes Docker's names, with or without CAP_, any case, and ALL", () => {
    expect(checkCaps('.capAdd', ['net_admin', 'CAP_SYS_PTRACE', 'all'])).toEqual(['NET_ADMIN', 'SYS_PTRACE', 'ALL']);
    expect(() => checkCaps('.capAdd', ['NET_ADMINN'])).toThrow(InvalidSpecError);
    expect(() => checkCaps('.capAdd', ['NET_ADMINN'])).toThrow(/accepted: CHOWN, .*CHECKPOINT_RESTORE, ALL/);
    expect(() => checkCaps('.capDrop', [])).toThrow(/at least one/);
  });

  it("Docker's rules: ALL first, then the names; the later call wins for a name", () => {
    expect(keptCapabilities(caps(['NET_ADMIN']))).toContain('NET_ADMIN');
    expect(keptCapabilities(caps([], ['ALL']))).toEqual([]);
    expect(keptCapabilities({ ...caps([], ['ALL']), ...withCaps(caps([], ['ALL']), ['KILL'], []) })).toEqual(['KILL']);
    expect(keptCapabilities(caps(['ALL'], ['SYS_ADMIN']))).toHaveLength(40);
    const s = { ...emptySpec(), ...withCaps(emptySpec(), ['NET_ADMIN'], []) };
    expect(withCaps(s, [], ['NET_ADMIN'])).toEqual({ capAdd: [], capDrop: ['NET_ADMIN'] });
  });
});

describe('host paths', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cgbox-spec-view-'));
  symlinkSync(dir, `${dir}-link`);
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(`${dir}-link`, { force: true });
  });

  it('.writable(): an existing host path, resolved on the host, seen at the path given', () => {
    expect(checkWritable(`${dir}-link`)).toEqual({ source: dir, target: `${dir}-link`, readonly: false });
    expect(() => checkWritable(join(dir, 'missing'))).toThrow(/create it first/);
    expect(() => checkWritable('relative')).toThrow(InvalidSpecError);
    expect(() => checkWritable('/proc/sys')).toThrow(/kernel's/);
    expect(() => checkWritable('/')).toThrow(/not "\/"/);
  });

  it('.bind(): another inside path, read-only on request; ".." refused inside', () => {
    expect(checkBind(dir, '/data', { readonly: true })).toEqual({ source: dir, target: '/data', readonly: true });
    expect(checkBind(dir, undefined, undefined)).toEqual({ source: dir, target: dir, readonly: false });
    expect(() => checkBind(dir, '/a/../etc', undefined)).toThrow(/without "\.\."/);
    expect(() => checkBind(dir, '/x', { ro: true })).toThrow(/readonly\?/);
  });

  it('.device(): a device node under /dev only', () => {
    expect(checkDevice('/dev/null', undefined)).toEqual({ path: '/dev/null', readonly: false });
    expect(() => checkDevice('/dev/null', { readonly: true })).toThrow(/read-write only/);
    expect(() => checkDevice(dir, undefined)).toThrow(/under \/dev/);
    expect(() => checkDevice('/dev/no-such-device', undefined)).toThrow(/existing block or character device/);
  });
});

describe('defaultPids', () => {
  it('4096, or 15 % of a small pid_max', () => {
    expect(defaultPids(4_194_304)).toBe(4096);
    expect(defaultPids(32_768)).toBe(4096);
    expect(defaultPids(10_000)).toBe(1500);
    expect(defaultPids(undefined)).toBe(4096);
  });
});
