/** The shaping modes list: each mode shapes what a sandbox sends on its own terms, and says where. */
import { describe, expect, it } from 'vitest';
import { SetupError } from '../spec/errors.js';
import { netNames } from './names.js';
import { SHAPING_MODES, SHAPING_MODE_NAMES, shapingMode } from './shaping-modes.js';

const n = netNames('cgbox-7-0a1b2c3d');
const ctx = { names: n, bridge: 'cgbox0', minor: 0x1a, ip: '10.88.0.26', bits: 10e6 };

describe('the shaping modes', () => {
  it("are named once each, 'veth' first: the default", () => {
    expect(SHAPING_MODE_NAMES[0]).toBe('veth');
    expect(new Set(SHAPING_MODE_NAMES).size).toBe(SHAPING_MODES.length);
    for (const name of SHAPING_MODE_NAMES) expect(shapingMode(name)?.name).toBe(name);
    expect(shapingMode('police')).toBeUndefined();
  });

  it.each(SHAPING_MODES.map((m) => [m.name, m] as const))('%s shapes at the egress rate, says where, and reads its drops', (_, mode) => {
    const s = mode.egress(ctx);
    expect([...s.ip, ...s.tc, ...s.nft].join('\n')).toMatch(/10000000bit|1:1a/);
    expect(s.describe.length).toBeGreaterThan(10);
    expect(typeof s.drops).toBe('function');
  });

  it('bridge: a class on the uplink numbered by the address, and the mark that feeds it; undos for both', () => {
    const s = shapingMode('bridge')!.egress(ctx);
    expect(s.tc).toEqual([expect.stringMatching(/^class add dev cgu[0-9a-f]{8} parent 1: classid 1:1a htb rate 10000000bit ceil 10000000bit/)]);
    expect(s.nft).toEqual(['add element bridge cgbox txclass { "cgb0a1b2c3d" : 1:1a }']);
    expect(s.undos.map((u) => u.step)).toEqual(['net uplink class', 'net mark']);
    expect(() => shapingMode('bridge')!.egress({ ...ctx, minor: 0xffff })).toThrow(SetupError);
  });
});
