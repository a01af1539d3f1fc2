import { describe, expect, it } from 'vitest';
import { InvalidSpecError } from '../index.js';
import { builderFrom, parseVolume } from './run-flags.js';

describe('cgbox run --volume and --rootfs', () => {
  it('parses PATH:SIZE and PATH:SIZE:DRIVER, from the right', () => {
    expect(parseVolume('/data:100m')).toEqual({ path: '/data', size: '100m' });
    expect(parseVolume('/data:100m:btrfs')).toEqual({ path: '/data', size: '100m', driver: 'btrfs' });
    expect(parseVolume('/odd:name:64m:tmpfs')).toEqual({ path: '/odd:name', size: '64m', driver: 'tmpfs' });
  });

  it('refuses a volume without a size, naming the flag and the form', () => {
    for (const bad of ['/data', ':100m', '/data:']) expect(() => parseVolume(bad)).toThrow(InvalidSpecError);
    expect(() => parseVolume('/data')).toThrow(/--volume\("\/data"\): expected PATH:SIZE/);
  });

  it('maps to .volume() (repeatable) and .rootfs(), with the builder checking the values', () => {
    const { spec } = builderFrom({ volume: ['/tmp:16m:tmpfs', '/var/tmp:1g'], rootfs: '/' });
    expect(spec.volumes).toEqual([
      { path: '/tmp', sizeBytes: 16 * 2 ** 20, driver: 'tmpfs', fs: 'ext4' },
      { path: '/var/tmp', sizeBytes: 2 ** 30, driver: 'auto', fs: 'ext4' },
    ]);
    expect(spec.rootfs).toBe('/');
    expect(() => builderFrom({ volume: ['/data:lots'] })).toThrow(/^\.volume\("lots"\)/);
    expect(() => builderFrom({ volume: ['/data:1m:zfs'] })).toThrow(/^\.volume\("zfs"\)|^\.volume\("1m:zfs"\)/);
  });
});
