/** The builder's network, volume, rootfs and sampling options: parsed at the call, refused there. */
import { describe, expect, it } from 'vitest';
import { InvalidSpecError, sandbox } from './index.js';

const invalid = (f: () => unknown, method: string, text: RegExp) => {
  expect(f).toThrow(InvalidSpecError);
  try {
    f();
  } catch (e) {
    expect((e as InvalidSpecError).method).toBe(method);
    expect((e as Error).message).toMatch(text);
  }
};

describe('.net({...})', () => {
  it('defaults to the cgbox0 Linux bridge, shaped per veth', () => {
    expect(sandbox().net({}).spec.net).toEqual({ bridge: { kind: 'linux', name: 'cgbox0' }, shaping: 'veth' });
  });

  it('parses an address, a bridge, and a bandwidth for both directions or each', () => {
    const net = sandbox().net({ address: '10.88.3.7/16', bridge: 'br-test', bandwidth: '10mbit' }).spec.net;
    expect(net).toEqual({
      address: { ip: '10.88.3.7', prefix: 16 },
      bridge: { kind: 'linux', name: 'br-test' },
      bandwidth: { egressBits: 10_000_000, ingressBits: 10_000_000 },
      shaping: 'veth',
    });
    const split = sandbox().net({ bridge: { ovs: 'br0' }, bandwidth: { egress: '1mbit' } }).spec.net;
    expect(split).toMatchObject({ bridge: { kind: 'ovs', name: 'br0' }, bandwidth: { egressBits: 1_000_000 } });
  });

  it('refuses bad addresses, names, rates and options, naming what is accepted', () => {
    invalid(() => sandbox().net({ address: '10.88.3.7' }), '.net', /prefix length from 8 to 30/);
    invalid(() => sandbox().net({ address: '10.88.300.7/16' }), '.net', /IPv4/);
    invalid(() => sandbox().net({ address: '10.88.3.7/31' }), '.net', /8 to 30/);
    invalid(() => sandbox().net({ bridge: 'a-name-far-too-long' }), '.net', /1 to 15 characters/);
    invalid(() => sandbox().net({ bandwidth: 'fast' }), '.net', /"10mbit"/);
    invalid(() => sandbox().net({ bandwidth: {} }), '.net', /bandwidth/);
    invalid(() => sandbox().net({ bandwidth: '10mbit', speed: 1 } as never), '.net', /unknown option speed/);
    invalid(() => sandbox().net({ shaping: 'magic' as 'veth' }), '.net', /shaping/);
    invalid(() => sandbox().net({ bridge: { ovs: 'br0' }, shaping: 'bridge' }), '.net', /OVS/);
  });
});

describe('.volume()', () => {
  it('parses size, driver, fs and from; defaults to auto and ext4', () => {
    const b = sandbox().volume('/data', { size: '100m' }).volume('/cache', { size: 2 ** 21, driver: 'tmpfs', from: '/etc', fs: 'xfs' });
    expect(b.spec.volumes).toEqual([
      { path: '/data', sizeBytes: 100 * 2 ** 20, driver: 'auto', fs: 'ext4' },
      { path: '/cache', sizeBytes: 2 ** 21, driver: 'tmpfs', fs: 'xfs', from: '/etc' },
    ]);
  });

  it('refuses bad paths, sizes, drivers, filesystems and templates', () => {
    invalid(() => sandbox().volume('data', { size: '1m' }), '.volume', /absolute path/);
    invalid(() => sandbox().volume('/', { size: '1m' }), '.volume', /other than "\/"/);
    invalid(() => sandbox().volume('/a/../b', { size: '1m' }), '.volume', /without "\.\."/);
    invalid(() => sandbox().volume('/d', { size: '1m' }).volume('/d', { size: '1m' }), '.volume', /already mounted there/);
    invalid(() => sandbox().volume('/d', { size: '10k' }), '.volume', /at least 1 MiB/);
    invalid(() => sandbox().volume('/d', { size: 'big' }), '.volume', /at least 1 MiB/);
    invalid(() => sandbox().volume('/d', { size: '1m', driver: 'zfs' as 'loop' }), '.volume', /tmpfs, loop, btrfs, lvm/);
    invalid(() => sandbox().volume('/d', { size: '1m', fs: 'ntfs' as 'ext4' }), '.volume', /ext4, xfs, btrfs/);
    invalid(() => sandbox().volume('/d', { size: '1m', from: '/no/such/dir' }), '.volume', /existing directory/);
  });

  it("accepts 'volume' as the device of .iops() and .bps(), resolved when the volume exists", () => {
    expect(sandbox().iops('volume', 100).spec.iops[0]!.device).toMatchObject({ given: 'volume' });
  });
});

describe('.rootfs() and .sample()', () => {
  it('rootfs takes an existing directory', () => {
    expect(sandbox().rootfs('/etc').spec.rootfs).toBe('/etc');
    invalid(() => sandbox().rootfs('/no/such/root'), '.rootfs', /existing directory/);
    invalid(() => sandbox().rootfs('relative'), '.rootfs', /absolute path/);
  });

  it('sample takes an interval of at least 10ms', () => {
    expect(sandbox().sample('100ms').spec.sampleUs).toBe(100_000);
    expect(sandbox().sample(50).spec.sampleUs).toBe(50_000);
    invalid(() => sandbox().sample('1ms'), '.sample', /at least 10ms/);
    invalid(() => sandbox().sample('often'), '.sample', /at least 10ms/);
  });
});
