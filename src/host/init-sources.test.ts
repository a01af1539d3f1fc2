import { describe, expect, it } from 'vitest';
import { initSources, prebuiltTarget } from './init-sources.js';

const ROOT = '/opt/app/node_modules/cgbox';
const linux = (arch: string) => ({ platform: 'linux', arch });

describe('initSources', () => {
  it('on linux-x64 and linux-arm64: a checkout build, then the prebuilt helper of that arch, then a source build', () => {
    for (const arch of ['x64', 'arm64']) {
      const s = initSources(ROOT, linux(arch), {});
      expect(s.map((c) => c.kind)).toEqual(['checkout', 'prebuilt', 'source']);
      expect(s[0]).toEqual({ kind: 'checkout', path: `${ROOT}/native/bin/cgbox-init` });
      expect(s[1]).toEqual({ kind: 'prebuilt', path: `${ROOT}/native/prebuilt/linux-${arch}/cgbox-init` });
      expect(s[2]).toMatchObject({ kind: 'source', why: expect.stringContaining(`native/prebuilt/linux-${arch}/cgbox-init is absent`) });
    }
  });

  it('where no prebuilt helper fits: straight to a source build, saying which ones exist', () => {
    for (const host of [linux('riscv64'), linux('ppc64'), { platform: 'darwin', arch: 'arm64' }]) {
      const s = initSources(ROOT, host, {});
      expect(s.map((c) => c.kind)).toEqual(['checkout', 'source']);
      expect(s[1]).toMatchObject({ why: `cgbox ships a prebuilt init helper for linux-x64 and linux-arm64, not for ${host.platform}-${host.arch}` });
    }
  });

  it('CGBOX_BUILD_FROM_SOURCE=1 skips the prebuilt helper', () => {
    const s = initSources(ROOT, linux('x64'), { CGBOX_BUILD_FROM_SOURCE: '1' });
    expect(s.map((c) => c.kind)).toEqual(['checkout', 'source']);
    expect(s[1]).toMatchObject({ why: 'CGBOX_BUILD_FROM_SOURCE=1 asks for a build from source' });
    expect(initSources(ROOT, linux('x64'), { CGBOX_BUILD_FROM_SOURCE: '0' }).map((c) => c.kind)).toContain('prebuilt');
  });

  it('CGBOX_INIT is the only candidate when set', () => {
    expect(initSources(ROOT, linux('x64'), { CGBOX_INIT: '/usr/lib/cgbox/init', CGBOX_BUILD_FROM_SOURCE: '1' })).toEqual([{ kind: 'override', path: '/usr/lib/cgbox/init' }]);
  });
});

describe('prebuiltTarget', () => {
  it('names the directory by process.platform and process.arch', () => {
    expect(prebuiltTarget(linux('x64'))).toBe('linux-x64');
    expect(prebuiltTarget(linux('arm64'))).toBe('linux-arm64');
    expect(prebuiltTarget(linux('arm'))).toBeNull();
    expect(prebuiltTarget({ platform: 'win32', arch: 'x64' })).toBeNull();
  });
});
