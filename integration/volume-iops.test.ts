/**
 * .iops('volume', n): the throttle acts on the sandbox's own volume device —
 * the loop device of a loop volume, the pool's loop device for a btrfs one —
 * and holds to ±5 % for O_DIRECT writes (the loop device is attached with
 * direct IO, so the writes leave when the throttle lets them). Timing: other
 * test runs on the machine can slow a run down, never speed it up.
 *
 * Host tier only: volumes do not depend on the cgroup version, but for IO throttling, which
 * io.test.ts runs in the VM tier on v2 (and volume-lvm what this kernel lacks).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { sandbox } from '../src/index.js';
import { fixture } from './fixtures.js';
import { NOTHING, settledVolumeObjects } from './volume-fixtures.js';

const MNT = mkdtempSync('/tmp/cgbox-volume-test-');
afterAll(() => rmSync(MNT, { recursive: true, force: true }));

const BLOCKS = 500; // 5 s at 100/s: the throttle's first slice (~10 writes at once) is 2 % of it

describe.each(['loop', 'btrfs'] as const)(".iops('volume', 100) on a %s volume", (driver) => {
  it(`${BLOCKS} O_DIRECT 4 KiB writes go at 100/s ± 5 %, counted on the volume's device`, async () => {
    const r = await sandbox().volume(MNT, { size: '64m', driver }).iops('volume', 100).run(fixture('dwrite'), [`${MNT}/f`, String(BLOCKS)]);
    expect(r.exitCode, r.stderr).toBe(0);
    const ms = Number(/elapsed_ms=(\d+)/.exec(r.stdout)?.[1]);
    const rate = (BLOCKS / ms) * 1000;
    const dev = /\((\d+:\d+)\)/.exec(String(r.limits.iops?.value))?.[1];
    console.log(`${driver}: ${BLOCKS} writes in ${ms} ms = ${rate.toFixed(2)}/s (throttle on ${dev}); devices ${JSON.stringify(r.usage.io.devices)}`);
    expect(rate).toBeGreaterThanOrEqual(95);
    expect(rate).toBeLessThanOrEqual(105);
    expect(dev).toMatch(/^7:\d+$/); // a loop device, not the disk
    expect(r.usage.io.devices[dev!]?.writeOps).toBe(BLOCKS);
    expect(await settledVolumeObjects()).toEqual(NOTHING);
  });
});

it('without the throttle the same writes take a fraction of the time (the test can tell)', async () => {
  const r = await sandbox().volume(MNT, { size: '64m', driver: 'loop' }).run(fixture('dwrite'), [`${MNT}/f`, String(BLOCKS)]);
  expect(Number(/elapsed_ms=(\d+)/.exec(r.stdout)?.[1])).toBeLessThan(2500);
});
