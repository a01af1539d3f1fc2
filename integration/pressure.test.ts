/**
 * Pressure stall information in the report: on cgroup v2 with PSI, two
 * burners on one CPU make one of them wait all the time, so the cpu "some"
 * stall is most of the run; on cgroup v1 the report says null.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hostCaps, sandbox } from '../src/index.js';
import { fixture } from './fixtures.js';
import { requires } from './requires.js';

describe.runIf(requires('cgroup2'))('PSI on cgroup v2', () => {
  it('two burners on one CPU: cpu some-stall of most of the run, every resource reported', async () => {
    expect(existsSync('/proc/pressure/cpu'), 'this kernel has PSI (CONFIG_PSI, not psi=0)').toBe(true);
    const burn = fixture('burn');
    const r = await sandbox().cpus('0').run('sh', ['-c', `${burn} 400 & ${burn} 400; wait`]);
    expect(r.exitCode).toBe(0);
    const p = r.usage.pressure;
    expect(p).not.toBeNull();
    console.log(`PSI of two 400 ms burners on one CPU: cpu some ${p!.cpu?.someUs} µs, full ${p!.cpu?.fullUs} µs; memory ${p!.memory?.someUs}; io ${p!.io?.someUs}`);
    // One waits while the other runs: about 400 ms of some-stall; a loaded host only adds to it.
    expect(p!.cpu!.someUs).toBeGreaterThan(200_000);
    expect(p!.memory).not.toBeNull();
    expect(p!.io).not.toBeNull();
    expect(r.usage.memory.events).toEqual({ high: 0, max: 0, oom: 0, oomKill: 0 });
  });

  it('memory.events counts a limit hit and the OOM kill', async () => {
    const r = await sandbox().memory('32m').run(fixture('alloc'), ['64']);
    expect(r.oomKilled).toBe(true);
    expect(r.usage.memory.events!.max).toBeGreaterThan(0);
    expect(r.usage.memory.events!.oomKill).toBe(1);
  });
});

// Not a need: which kind of host this is (the v2 VM runs the part above instead).
describe.runIf(hostCaps().driver === 1)('PSI on cgroup v1', () => {
  it('is null: v1 keeps no pressure per cgroup, and no memory.events', async () => {
    const r = await sandbox().run('true');
    expect(r.usage.pressure).toBeNull();
    expect(r.usage.memory.events).toBeUndefined();
  });
});
