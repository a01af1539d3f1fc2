import { describe, expect, it } from 'vitest';
import { InvalidSpecError, sandbox } from '../index.js';
import { builderFrom, num, parseBind, parseDeviceRate, parseEnv } from './run-flags.js';

describe('cgbox run flags', () => {
  it('splits DEV:RATE on the last colon, so MAJ:MIN devices work', () => {
    expect(parseDeviceRate('--iops', '254:0:100')).toEqual({ dev: '254:0', rate: '100' });
    expect(parseDeviceRate('--iops', '/dev/vda:read=50')).toEqual({ dev: '/dev/vda', rate: { read: '50' } });
    expect(parseDeviceRate('--bps', '254:0:write=10m')).toEqual({ dev: '254:0', rate: { write: '10m' } });
  });

  it('refuses a device without a rate, naming the flag', () => {
    for (const bad of ['/dev/vda', '/dev/vda:', ':100', '254:0']) {
      expect(() => parseDeviceRate('--iops', bad)).toThrow(InvalidSpecError);
    }
    expect(() => parseDeviceRate('--iops', '254:0')).toThrow(/--iops\("254:0"\): a rate is missing.*254:0:100/);
  });

  it('parses env as NAME=VALUE, the value may hold "="', () => {
    expect(parseEnv('A=b=c')).toEqual(['A', 'b=c']);
    expect(parseEnv('A=')).toEqual(['A', '']);
    expect(() => parseEnv('A')).toThrow(/--env\("A"\): expected NAME=VALUE/);
  });

  it('passes non-numeric text through for the builder to reject by name', () => {
    expect(num('0.5')).toBe(0.5);
    expect(num('abc')).toBe('abc');
    expect(num('')).toBe('');
    expect(() => builderFrom({ cpuShares: 'abc' })).toThrow(/^\.cpuShares\("abc"\)/);
    expect(() => builderFrom({ memory: 'lots' })).toThrow(/^\.memory\("lots"\)/);
  });

  it('maps flags to the builder, memory before swap, a bare timeout in ms', () => {
    const { spec } = builderFrom({ swap: '16m', memory: '64m', pids: '10', env: ['A=1', 'B=2'], timeout: '300', net: 'host', cwd: '/tmp' });
    expect(spec).toMatchObject({ memoryBytes: 64 * 2 ** 20, swapBytes: 16 * 2 ** 20, pids: 10, env: { A: '1', B: '2' }, timeoutUs: 300_000, net: 'host', cwd: '/tmp' });
    expect(builderFrom({ timeout: '2s' }).spec.timeoutUs).toBe(2_000_000);
  });

  it('--plot samples every 50ms, so the plot has a timeline to draw', () => {
    expect(builderFrom({ plot: 'out.svg' }).spec.sampleUs).toBe(50_000);
    expect(builderFrom({}).spec.sampleUs).toBeUndefined();
  });
});

describe('the isolation flags', () => {
  it('--writable, --bind, --device, --cap-add, --cap-drop and --privileged go to their methods', () => {
    const b = builderFrom({ writable: ['/var/tmp'], bind: ['/usr/share:/data:ro', '/opt'], capAdd: ['NET_ADMIN'], capDrop: ['KILL'] });
    expect(b.spec).toEqual(
      sandbox().writable('/var/tmp').bind('/usr/share', '/data', { readonly: true }).bind('/opt').capAdd('NET_ADMIN').capDrop('KILL').spec,
    );
    expect(builderFrom({ privileged: true }).spec.privileged).toBe(true);
  });

  it("--bind: a malformed value is the builder's InvalidSpecError, naming the flag", () => {
    expect(parseBind('/a::ro')).toEqual({ host: '/a', readonly: true });
    expect(() => parseBind('/a:/b:/c')).toThrow(/--bind\("\/a:\/b:\/c"\): expected HOST/);
  });
});
