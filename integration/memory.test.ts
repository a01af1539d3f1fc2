import { describe, expect, it } from 'vitest';
import { sandbox } from '../src/index.js';
import { MiB, fixture } from './fixtures.js';

describe('memory', () => {
  it('reports the peak within 4 MiB of a 100 MiB allocation', async () => {
    const r = await sandbox().memory('256m').run(fixture('alloc'), ['100']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('allocated 100 MiB\n');
    // The peak includes the binary, libc and page tables: measured 0.4–2 MiB above.
    expect(r.usage.memory.peakBytes).toBeGreaterThanOrEqual(100 * MiB);
    expect(r.usage.memory.peakBytes).toBeLessThan(104 * MiB);
    expect(r.usage.memory.oomKills).toBe(0);
    expect(r.oomKilled).toBe(false);
    expect(r.limits.memory).toMatchObject({ value: 256 * MiB, enforced: true });
  });

  it('OOM-kills a 100 MiB allocation at a 64m limit: SIGKILL, no exit code, oomKilled', async () => {
    const r = await sandbox().memory('64m').run(fixture('alloc'), ['100']);
    expect(r.signal).toBe('SIGKILL');
    expect(r.exitCode).toBeNull();
    expect(r.oomKilled).toBe(true);
    expect(r.usage.memory.oomKills).toBe(1);
    expect(r.ok).toBe(false);
    expect(r.usage.memory.peakBytes).toBeLessThanOrEqual(64 * MiB);
  });

  it('gives every run fresh counters', async () => {
    const b = sandbox().memory('64m');
    await b.run(fixture('alloc'), ['100']);
    const r = await b.run(fixture('alloc'), ['10']);
    expect(r.oomKilled).toBe(false);
    expect(r.usage.memory.peakBytes).toBeLessThan(14 * MiB);
  });
});
