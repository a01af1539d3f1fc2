import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCpuList } from '../spec/units.js';
import { hostCaps, kernelAtLeast } from './probe.js';

describe('kernelAtLeast', () => {
  it.each([
    ['6.18.44-fc', 5, 19, true],
    ['6.18.44-fc', 6, 18, true],
    ['6.18.44-fc', 6, 19, false],
    ['6.18.44-fc', 7, 0, false],
    ['5.19.0', 5, 19, true],
    ['5.19.0', 5, 14, true],
    ['5.19.0', 6, 1, false],
    ['5.4.0', 5, 14, false], // 4 < 14: compared as numbers, not as text
    ['5.4.0', 5, 4, true],
    ['5.4.0', 4, 19, true],
    ['4.19.0-x', 5, 14, false],
    ['4.19.0-x', 4, 19, true],
    ['4.19.0-x', 4, 20, false],
    ['6.1', 6, 1, true],
  ])('%s ≥ %d.%d: %s', (release, major, minor, expected) => {
    expect(kernelAtLeast(major, minor, release)).toBe(expected);
  });

  it.each(['', 'linux', '6', 'v6.1.0'])('is false for a release it cannot read: %j', (release) => {
    expect(kernelAtLeast(1, 0, release)).toBe(false);
  });
});

describe('hostCaps', () => {
  it('is probed once and cached', () => {
    expect(hostCaps()).toBe(hostCaps());
  });

  it('reads the online CPUs from sysfs', () => {
    const online = parseCpuList(readFileSync('/sys/devices/system/cpu/online', 'utf8').trim());
    expect(hostCaps().onlineCpus).toEqual(online);
  });
});
