import { describe, expect, it } from 'vitest';
import { sandbox } from '../src/index.js';
import { fixture } from './fixtures.js';
import { wellBefore } from './wait.js';

describe('pids', () => {
  it('pids(32) holds a fork bomb to exactly 32 tasks of its own', async () => {
    const r = await sandbox().pids(32).timeout('20s').run(fixture('forkbomb'), ['1000']);
    expect(r.exitCode).toBe(0);
    const forked = Number(/forked=(\d+)/.exec(r.stdout)![1]);
    const failed = Number(/failed=(\d+)/.exec(r.stdout)![1]);
    expect(forked).toBe(31); // the bomb itself + 31 children = 32
    expect(failed).toBeGreaterThan(0);
    expect(r.usage.pids.peak).toBe(32);
    expect(r.limits.pids).toMatchObject({ value: 32, enforced: true });
  });

  it('kills the fork bomb\'s children when it exits, and the run ends', async () => {
    const r = await sandbox().pids(16).run(fixture('forkbomb'), ['200']);
    expect(r.exitCode).toBe(0);
    // Its children would pause for ever: that the run ends at all, well inside the test's own
    // timeout, is the point; a busy machine stretches the start and the teardown by seconds.
    expect(r.durationMs).toBeLessThan(wellBefore(60_000));
  });
});
