import { describe, expect, it } from 'vitest';
import { refusedOomPolicy, scopeCommand, scopeUnitName } from './scope-command.js';

describe('scopeCommand', () => {
  it('a delegated, self-collecting scope with the ceilings, beside the caller', () => {
    expect(
      scopeCommand({
        manager: 'system',
        unit: 'cgbox-42-abcdef.scope',
        slice: 'user-1000.slice',
        description: 'cgbox sandboxes of process 42',
        properties: ['MemoryMax=536870912', 'CPUQuota=50%'],
        oomPolicy: true,
        holder: ['cat'],
      }),
    ).toEqual([
      '--scope',
      '--quiet',
      '--unit=cgbox-42-abcdef.scope',
      '--description=cgbox sandboxes of process 42',
      '--slice=user-1000.slice',
      '--property=Delegate=yes',
      '--property=CollectMode=inactive-or-failed',
      '--property=OOMPolicy=continue',
      '--property=MemoryMax=536870912',
      '--property=CPUQuota=50%',
      '--',
      'cat',
    ]);
  });
  it("a user's manager, its default slice, without OOMPolicy", () => {
    const argv = scopeCommand({ manager: 'user', unit: 'u.scope', description: 'd', properties: [], oomPolicy: false, holder: ['cat'] });
    expect(argv.slice(0, 2)).toEqual(['--user', '--scope']);
    expect(argv.some((a) => a.startsWith('--slice') || a.includes('OOMPolicy'))).toBe(false);
  });
});

describe('scopeUnitName', () => {
  it('names the owner and differs each time; the run reaper does not take it for a run', () => {
    const a = scopeUnitName(1234);
    expect(a).toMatch(/^cgbox-1234-[0-9a-f]{6}\.scope$/);
    expect(scopeUnitName(1234)).not.toBe(a);
  });
});

describe('refusedOomPolicy', () => {
  it("recognises systemd-run's refusal of the assignment", () => {
    expect(refusedOomPolicy('Unknown assignment: OOMPolicy=continue\n')).toBe(true);
    expect(refusedOomPolicy('Failed to start transient scope unit: Unit cgbox-1.scope already exists.\n')).toBe(false);
  });
});
