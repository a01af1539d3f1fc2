import { describe, expect, it } from 'vitest';
import { InvalidSpecError } from '../index.js';
import { builderFrom, parseBandwidthFlag } from './run-flags.js';

describe('cgbox run network flags', () => {
  it('maps --net forms, --address, --bandwidth and --shaping to .net()', () => {
    expect(builderFrom({ net: 'none' }).spec.net).toBe('none');
    expect(builderFrom({ net: 'host' }).spec.net).toBe('host');
    expect(builderFrom({ net: 'bridge' }).spec.net).toEqual({ bridge: { kind: 'linux', name: 'cgbox0' }, shaping: 'veth' });
    expect(builderFrom({ net: 'bridge=br7', address: '10.88.3.7/16', bandwidth: '10mbit', shaping: 'bridge' }).spec.net).toEqual({
      bridge: { kind: 'linux', name: 'br7' },
      address: { ip: '10.88.3.7', prefix: 16 },
      bandwidth: { egressBits: 10e6, ingressBits: 10e6 },
      shaping: 'bridge',
    });
    expect(builderFrom({ net: 'ovs=br0' }).spec.net).toMatchObject({ bridge: { kind: 'ovs', name: 'br0' } });
    // --bandwidth alone means a bridge.
    expect(builderFrom({ bandwidth: 'egress=1mbit,ingress=2mbit' }).spec.net).toMatchObject({ bandwidth: { egressBits: 1e6, ingressBits: 2e6 } });
  });

  it('refuses what does not fit, naming the flag or the builder method', () => {
    expect(() => builderFrom({ net: 'none', bandwidth: '10mbit' })).toThrow(/--net\("none"\): --address, --bandwidth and --shaping need/);
    expect(() => builderFrom({ net: 'wifi' })).toThrow(InvalidSpecError);
    expect(() => builderFrom({ net: 'ovs' })).toThrow(/ovs=NAME/);
    expect(() => parseBandwidthFlag('up=1mbit')).toThrow(/egress=RATE,ingress=RATE/);
    expect(parseBandwidthFlag('ingress=5mbit')).toEqual({ ingress: '5mbit' });
    expect(() => builderFrom({ bandwidth: 'fast' })).toThrow(/^\.net\(/);
    expect(() => builderFrom({ address: '10.88.3.7' })).toThrow(/^\.net\(/);
  });
});
