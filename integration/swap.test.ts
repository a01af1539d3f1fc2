/**
 * Swap needs swap: the test adds a temporary swap file, and removes it
 * whatever happens. Without swap accounting the builder's .swap() is refused
 * (unit-tested with a host double in src/cgroup/v1/driver.test.ts).
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandbox } from '../src/index.js';
import { hostCaps } from '../src/host/probe.js';
import { MiB, fixture } from './fixtures.js';
import { requires } from './requires.js';

const SWAPFILE = `/var/tmp/cgbox-test-swap-${process.pid}`;
const caps = hostCaps();

describe.runIf(requires('swap'))('swap (with a temporary swap file)', () => {
  beforeAll(() => {
    execFileSync('dd', ['if=/dev/zero', `of=${SWAPFILE}`, 'bs=1M', 'count=256', 'status=none']);
    execFileSync('chmod', ['600', SWAPFILE]);
    execFileSync('mkswap', [SWAPFILE], { stdio: 'ignore' });
    execFileSync('swapon', [SWAPFILE]);
  });
  afterAll(() => {
    try {
      execFileSync('swapoff', [SWAPFILE]);
    } finally {
      rmSync(SWAPFILE, { force: true });
    }
  });

  it('memory 64m + swap 64m lets 100 MiB pass, and the swap peak shows it', async () => {
    const r = await sandbox().memory('64m').swap('64m').run(fixture('alloc'), ['100']);
    expect(r.exitCode).toBe(0);
    expect(r.oomKilled).toBe(false);
    expect(r.limits.swap).toMatchObject({ value: 64 * MiB, enforced: true });
    if (caps.swapPeak !== false) {
      // At least what did not fit in memory went to swap (a lower bound on v1).
      expect(r.usage.memory.swapPeakBytes).toBeGreaterThan(30 * MiB);
    } else {
      // v2 before Linux 6.5 keeps no swap high-water mark (no memory.swap.peak): the report says so.
      expect(r.limits.swap?.reason).toMatch(/memory\.swap\.peak needs Linux 6\.5/);
    }
  });

  it('memory 64m + swap 64m OOM-kills 150 MiB', async () => {
    const r = await sandbox().memory('64m').swap('64m').run(fixture('alloc'), ['150']);
    expect(r.signal).toBe('SIGKILL');
    expect(r.oomKilled).toBe(true);
  });

  it('memory 64m without .swap() allows no swap at all, even with swap on the host', async () => {
    const r = await sandbox().memory('64m').run(fixture('alloc'), ['100']);
    expect(r.oomKilled).toBe(true);
    expect(r.usage.memory.swapPeakBytes).toBe(0);
  });
});

describe.runIf(!caps.swapAccounting)('swap', () => {
  it('is refused without swap accounting, naming swapaccount=1', async () => {
    await expect(sandbox().memory('64m').swap('64m').run('true')).rejects.toThrow(/swapaccount=1/);
  });
});
