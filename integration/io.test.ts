import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { sandbox } from '../src/index.js';
import { resolveBlockDevice } from '../src/host/block-device.js';
import { hostCaps } from '../src/host/probe.js';
import { fixture } from './fixtures.js';
import { vmTier } from './requires.js';

const FILE = `/var/tmp/cgbox-test-io-${process.pid}`;
// O_DIRECT to the host's disk: /var/tmp is the sandbox's own tmpfs unless made writable.
const disk = resolveBlockDevice('/var/tmp');
const key = `${disk.major}:${disk.minor}`;

describe('block IO (O_DIRECT)', () => {
  afterEach(() => rmSync(FILE, { force: true }));

  it('iops 100 (write) on the disk of /var/tmp: 300 O_DIRECT 4k writes take ~3 s, counted exactly', async () => {
    const r = await sandbox().writable('/var/tmp').iops('/var/tmp', { write: 100 }).run(fixture('dwrite'), [FILE, '300']);
    expect(r.exitCode).toBe(0);
    // The throttle is the floor: 300 writes at 100/s cannot finish much before 3 s. Above it, the
    // VM tier's software emulation adds its own cost (measured 3.7 s there).
    expect(r.durationMs).toBeGreaterThan(2700);
    expect(r.durationMs).toBeLessThan(vmTier() ? 6000 : 3600);
    expect(r.usage.io.writeOps).toBe(300);
    expect(r.usage.io.writeBytes).toBe(300 * 4096);
    expect(r.usage.io.devices[key]).toMatchObject({ writeOps: 300, writeBytes: 300 * 4096 });
    if (hostCaps().driver === 1) {
      // v1 cannot hold buffered writeback to it, so a write limit is reported as not enforced, with why.
      expect(r.limits.iops).toMatchObject({ enforced: false });
      expect(r.limits.iops?.reason).toMatch(/O_DIRECT/);
    } else {
      // v2 throttles writeback too (the memory controller charges it to the sandbox): enforced, and says so.
      expect(r.limits.iops).toMatchObject({ enforced: true });
      expect(r.limits.iops?.reason).toMatch(/buffered writeback too/);
    }
  });

  it('counts IO without any limit set (cgbox switches the counters of each disk on itself)', async () => {
    const r = await sandbox().writable('/var/tmp').run(fixture('dwrite'), [FILE, '50', '8192']);
    expect(r.exitCode).toBe(0);
    expect(r.usage.io.devices[key]).toMatchObject({ writeOps: 50, writeBytes: 50 * 8192 });
  });

  it('bps 1m (read) throttles O_DIRECT reads to about 1 MiB/s', async () => {
    await sandbox().writable('/var/tmp').run(fixture('dwrite'), [FILE, '512']); // 2 MiB to read back
    const r = await sandbox().writable('/var/tmp').bps('/var/tmp', { read: '1m' }).run(fixture('dwrite'), ['--read', FILE, '512']);
    expect(r.exitCode).toBe(0);
    expect(r.usage.io.devices[key]?.readBytes).toBeGreaterThanOrEqual(512 * 4096);
    // 2 MiB at 1 MiB/s: ~2 s (blk-throttle lets the first slice through at once).
    expect(r.durationMs).toBeGreaterThan(1500);
    expect(r.durationMs).toBeLessThan(3000);
  });
});
