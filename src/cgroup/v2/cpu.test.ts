import { afterEach, describe, expect, it } from 'vitest';
import { emptySpec } from '../../spec/types.js';
import { cpuSharesToWeight, cpuValues, readCpuUsage } from './cpu.js';
import { fakeCgroupfs, SAMPLE, type FakeTree } from './fake-cgroupfs.js';

describe('cpuSharesToWeight (runc ≥ 1.3.2 / opencontainers/cgroups conversion)', () => {
  it('maps the ends and the default exactly', () => {
    expect(cpuSharesToWeight(2)).toBe(1);
    expect(cpuSharesToWeight(1024)).toBe(100);
    expect(cpuSharesToWeight(262144)).toBe(10000);
  });

  it('matches the values runc and opencontainers/cgroups publish', () => {
    expect(cpuSharesToWeight(3)).toBe(2); // utils_test.go: just above the minimum
    expect(cpuSharesToWeight(262143)).toBe(10000); // just below the maximum
    expect(cpuSharesToWeight(2000)).toBe(170); // runc issue #4896 (was 77 with the linear formula)
  });

  it('is monotonic in between and clamps out-of-range shares', () => {
    expect([16, 128, 512, 2048, 4096, 65536].map(cpuSharesToWeight)).toEqual([5, 21, 59, 174, 303, 3023]);
    expect(cpuSharesToWeight(1)).toBe(1);
    expect(cpuSharesToWeight(10 ** 6)).toBe(10000);
  });
});

describe('cpuValues', () => {
  it('writes nothing for an unlimited spec', () => {
    expect(cpuValues(emptySpec())).toEqual({ writes: [], limits: {} });
  });

  it('writes cpu.weight, then cpu.max as "quota period"', () => {
    const t = cpuValues({ ...emptySpec(), cpuShares: 256, cpuQuota: { quotaUs: 50_000, periodUs: 100_000 } });
    expect(t.writes).toEqual([
      { file: 'cpu.weight', value: '35' },
      { file: 'cpu.max', value: '50000 100000' },
    ]);
    expect(t.limits.cpuShares).toMatchObject({ value: 35, enforced: true });
    expect(t.limits.cpuQuota).toEqual({ value: 0.5, enforced: true });
  });
});

describe('readCpuUsage', () => {
  let tree: FakeTree | undefined;
  afterEach(() => tree?.remove());

  it('reads cpu.stat and scales the tick-sampled split to the exact total', async () => {
    tree = await fakeCgroupfs({ 'cpu.stat': SAMPLE['cpu.stat'] });
    const cpu = await readCpuUsage(tree.root);
    expect(cpu).toEqual({
      usageUs: 1523040,
      userUs: 1204496,
      systemUs: 318544,
      throttledPeriods: 12,
      throttledUs: 402118,
    });
    expect(cpu.userUs + cpu.systemUs).toBe(cpu.usageUs);
  });

  it('counts a run with no sampled ticks as user time, and no throttling without the cpu controller', async () => {
    tree = await fakeCgroupfs({ 'cpu.stat': 'usage_usec 812\nuser_usec 0\nsystem_usec 0\n' });
    expect(await readCpuUsage(tree.root)).toEqual({
      usageUs: 812, userUs: 812, systemUs: 0, throttledPeriods: 0, throttledUs: 0,
    });
  });
});
