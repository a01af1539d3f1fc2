/**
 * .iops('volume', n): the throttle acts on the sandbox's own volume device —
 * the loop device of a loop volume, the pool's loop device for a btrfs one —
 * and holds to ±5 % for O_DIRECT writes (the loop device is attached with
 * direct IO, so the writes leave when the throttle lets them).
 *
 * The ceiling is the throttle's guarantee, whatever else runs: the writes the
 * kernel counted on the device ≤ the limit × the writer's own wall time + the
 * throttle's first slice (blk-throttle budgets whole 100 ms slices, so it
 * runs up to about one slice ahead: 500 writes in 4.88 s, 102.4/s, measured).
 * A busy machine can only make that wall time longer.
 *
 * The floor — 95/s — needs what the machine could give at that moment: the
 * disk (the same writes unthrottled just before, at least 4× the limit) and
 * the CPU (each write waits for its turn, then for its writer to be woken: a
 * saturated CPU adds that wait to every write, measured 93/s with the disk
 * idle). Otherwise a quarter of the limit, loudly.
 *
 * Host tier only: volumes do not depend on the cgroup version, but for IO throttling, which
 * io.test.ts runs in the VM tier on v2 (and volume-lvm what this kernel lacks).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { sandbox } from '../src/index.js';
import { fixture } from './fixtures.js';
import { idleNeed, roomFor, runWatched } from './load.js';
import { NOTHING, settledVolumeObjects } from './volume-fixtures.js';

const MNT = mkdtempSync('/tmp/cgbox-volume-test-');
afterAll(() => rmSync(MNT, { recursive: true, force: true }));

const BLOCKS = 500; // 5 s at 100/s: the throttle's first slice (~10 writes at once) is 2 % of it
const LIMIT = 100;
/** Writes the throttle may let through ahead of the limit: its first slice, and the next one's rounding. */
const FIRST_SLICE = 20;

const elapsedMs = (stdout: string) => Number(/elapsed_ms=(\d+)/.exec(stdout)?.[1]);

describe.each(['loop', 'btrfs'] as const)(".iops('volume', 100) on a %s volume", (driver) => {
  it(`${BLOCKS} O_DIRECT 4 KiB writes go at 100/s ± 5 %, counted on the volume's device`, async () => {
    const volume = sandbox().volume(MNT, { size: '64m', driver });
    // What the disk gives the same writes without the throttle, just before.
    const free = await volume.run(fixture('dwrite'), [`${MNT}/f`, String(BLOCKS)]);
    expect(free.exitCode, free.stderr).toBe(0);
    const freeRate = (BLOCKS / elapsedMs(free.stdout)) * 1000;

    const { result: r, machine } = await runWatched(volume.iops('volume', LIMIT), fixture('dwrite'), [`${MNT}/f`, String(BLOCKS)]);
    expect(r.exitCode, r.stderr).toBe(0);
    const ms = elapsedMs(r.stdout);
    const rate = (BLOCKS / ms) * 1000;
    const dev = /\((\d+:\d+)\)/.exec(String(r.limits.iops?.value))?.[1];
    console.log(
      `${driver}: ${BLOCKS} writes in ${ms} ms = ${rate.toFixed(2)}/s (throttle on ${dev}; unthrottled just before: ${freeRate.toFixed(0)}/s); ` +
        `devices ${JSON.stringify(r.usage.io.devices)}`,
    );
    expect(dev).toMatch(/^7:\d+$/); // a loop device, not the disk
    const ops = r.usage.io.devices[dev!]?.writeOps;
    expect(ops).toBe(BLOCKS);

    // The ceiling, counted by the kernel, over the writer's own wall time.
    expect(ops!).toBeLessThanOrEqual((LIMIT * ms) / 1000 + FIRST_SLICE);
    expect(rate).toBeLessThanOrEqual(LIMIT * 1.05);

    const room = roomFor(`${driver} volume iops floor`, [{ could: freeRate, needs: 4 * LIMIT, unit: 'unthrottled writes/s just before' }, idleNeed(machine)], {
      tight: '≥ 95/s',
      relaxed: '≥ 25/s',
    });
    expect(rate).toBeGreaterThanOrEqual(room ? LIMIT * 0.95 : LIMIT / 4);
    expect(await settledVolumeObjects()).toEqual(NOTHING);
  });
});
