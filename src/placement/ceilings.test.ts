import { describe, expect, it } from 'vitest';
import { ceilingProperties, cpuQuotaPercent, describeCeilings, tightestCeilings, type LevelFiles } from './ceilings.js';

const level = (path: string, files: Partial<LevelFiles> = {}): LevelFiles => ({ path, memoryMax: 'max\n', swapMax: 'max\n', pidsMax: 'max\n', cpuMax: 'max 100000\n', ...files });

describe('tightestCeilings', () => {
  it('the smallest of each over the chain, naming where it comes from', () => {
    const c = tightestCeilings([
      level('/user.slice/user-1000.slice/session-3.scope', { memoryMax: '536870912\n', cpuMax: '150000 100000\n' }),
      level('/user.slice/user-1000.slice', { memoryMax: '1073741824\n', pidsMax: '10813\n', cpuMax: '50000 100000\n' }),
      level('/user.slice', { pidsMax: '20000\n', swapMax: '0\n' }),
      { path: '/', memoryMax: null, swapMax: null, pidsMax: null, cpuMax: null },
    ]);
    expect(c).toEqual({
      memory: { value: 536870912, from: '/user.slice/user-1000.slice/session-3.scope' },
      swap: { value: 0, from: '/user.slice' },
      tasks: { value: 10813, from: '/user.slice/user-1000.slice' },
      cpuPerSecUs: { value: 500000, from: '/user.slice/user-1000.slice' },
    });
  });
  it('none where every level says max (or has no such file)', () => {
    expect(tightestCeilings([level('/system.slice/ci.service'), { path: '/', memoryMax: null, swapMax: null, pidsMax: null, cpuMax: null }])).toEqual({});
  });
  it('a quota with another period is compared per second of wall time', () => {
    const c = tightestCeilings([level('/a', { cpuMax: '20000 50000\n' }), level('/', { cpuMax: '300000 1000000\n' })]);
    expect(c.cpuPerSecUs).toEqual({ value: 300000, from: '/' });
  });
});

describe('ceilingProperties', () => {
  it('as systemd-run -p assignments', () => {
    const c = tightestCeilings([level('/x', { memoryMax: '536870912', swapMax: '0', pidsMax: '64', cpuMax: '150000 100000' })]);
    expect(ceilingProperties(c)).toEqual(['MemoryMax=536870912', 'MemorySwapMax=0', 'TasksMax=64', 'CPUQuota=150%']);
    expect(ceilingProperties({ tasks: { value: 0, from: '/x' } })).toEqual(['TasksMax=1']);
    expect(ceilingProperties({})).toEqual([]);
  });
  it('a CPU quota to the hundredth of a percent, never tighter than the original', () => {
    expect(cpuQuotaPercent(500000)).toBe('50%');
    expect(cpuQuotaPercent(333400)).toBe('33.34%');
    expect(cpuQuotaPercent(333330)).toBe('33.34%');
    expect(cpuQuotaPercent(2_000_000)).toBe('200%');
    expect(cpuQuotaPercent(290000)).toBe('29%');
  });
  it('described with their sources', () => {
    expect(describeCeilings({ memory: { value: 1024, from: '/a' }, cpuPerSecUs: { value: 500000, from: '/' } })).toBe('MemoryMax=1024 (from /a), CPUQuota=50% (from /)');
    expect(describeCeilings({})).toMatch(/no ceilings/);
  });
});
