import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { sandbox } from '../src/index.js';
import { resolveBlockDevice } from '../src/host/block-device.js';
import { hostCaps } from '../src/host/probe.js';
import { fixture } from './fixtures.js';
import { idleNeed, type Need, roomFor, runWatched } from './load.js';
import { vmTier } from './requires.js';

const FILE = `/var/tmp/cgbox-test-io-${process.pid}`;
// O_DIRECT to the host's disk: /var/tmp is the sandbox's own tmpfs unless made writable.
const disk = resolveBlockDevice('/var/tmp');
const key = `${disk.major}:${disk.minor}`;

const elapsedMs = (stdout: string) => Number(/elapsed_ms=(\d+)/.exec(stdout)?.[1]);
/** The disk's rate for `blocks` requests without a throttle, against the `perSecond` a tight floor needs of it. */
const diskNeed = (stdout: string, blocks: number, perSecond: number): Need => ({ could: (blocks / elapsedMs(stdout)) * 1000, needs: perSecond, unit: 'unthrottled requests/s just before' });

describe('block IO (O_DIRECT)', () => {
  afterEach(() => rmSync(FILE, { force: true }));

  it('iops 100 (write) on the disk of /var/tmp: 300 O_DIRECT 4k writes take ~3 s, counted exactly', async () => {
    // What the disk gives the same writes without the throttle, just before.
    const free = await sandbox().writable('/var/tmp').run(fixture('dwrite'), [FILE, '300']);
    expect(free.exitCode).toBe(0);
    const { result: r, machine } = await runWatched(sandbox().writable('/var/tmp').iops('/var/tmp', { write: 100 }), fixture('dwrite'), [FILE, '300']);
    expect(r.exitCode).toBe(0);
    const ms = elapsedMs(r.stdout);
    console.log(`300 writes at iops 100 in ${ms} ms; unthrottled just before: ${elapsedMs(free.stdout)} ms`);
    // The throttle is the ceiling: 300 writes at 100/s cannot finish much before 3 s (its first slice
    // goes at once). A busy machine can only make the writer's own wall time longer.
    expect(ms).toBeGreaterThan(2700);
    // The floor needs the disk (the unthrottled writes at 4× the limit) and CPU to spare at every moment
    // (each throttled write waits for its writer to be woken). Above it, the VM tier's software
    // emulation adds its own cost (measured 3.7 s there).
    const room = roomFor('iops 100 on the disk floor', [diskNeed(free.stdout, 300, 400), idleNeed(machine)], { tight: 'within 3.3 s', relaxed: 'within 12 s (25/s)' });
    expect(ms).toBeLessThan(room ? (vmTier() ? 6000 : 3300) : 12_000);
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
    const free = await sandbox().writable('/var/tmp').run(fixture('dwrite'), ['--read', FILE, '512']);
    expect(free.exitCode).toBe(0);
    const { result: r, machine } = await runWatched(sandbox().writable('/var/tmp').bps('/var/tmp', { read: '1m' }), fixture('dwrite'), ['--read', FILE, '512']);
    expect(r.exitCode).toBe(0);
    expect(r.usage.io.devices[key]?.readBytes).toBeGreaterThanOrEqual(512 * 4096);
    const ms = elapsedMs(r.stdout);
    console.log(`2 MiB read at bps 1m in ${ms} ms; unthrottled just before: ${elapsedMs(free.stdout)} ms`);
    // 2 MiB at 1 MiB/s: ~2 s (blk-throttle lets the first slice through at once) — the ceiling.
    expect(ms).toBeGreaterThan(1500);
    // The floor, when the disk read 4× faster unthrottled just before and the CPU had room.
    const room = roomFor('bps 1m read floor', [diskNeed(free.stdout, 512, 512 * 4), idleNeed(machine)], { tight: 'within 3 s', relaxed: 'within 8 s' });
    expect(ms).toBeLessThan(room ? 3000 : 8000);
  });
});
