/**
 * Each volume driver this host has (tmpfs, loop, btrfs): the size holds —
 * writing past it fails inside the sandbox with ENOSPC or EDQUOT —, the
 * report's used bytes match what was written, the volume is seen at its path
 * inside the sandbox only, and afterwards none of its objects is left.
 *
 * Host tier only: volumes do not depend on the cgroup version, but for IO throttling, which
 * io.test.ts runs in the VM tier on v2 (and volume-lvm what this kernel lacks).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidSpecError, SetupError, sandbox } from '../src/index.js';
import { ddBytes, MiB, NOTHING, settledVolumeObjects, TEMPLATE, volumeObjects } from './volume-fixtures.js';
import { waitFor } from './wait.js';

// A directory of the host to mount over: the volume must hide it inside and leave it untouched.
const MNT = mkdtempSync('/tmp/cgbox-volume-test-');
afterAll(() => rmSync(MNT, { recursive: true, force: true }));

/** Used bytes may exceed the data by the filesystem's metadata: within 1 MiB + 2 %. */
const within = (used: number, written: number) => Math.abs(used - written) <= MiB + 0.02 * written;

const DRIVERS = [
  { driver: 'tmpfs', error: /No space left on device/ },
  { driver: 'loop', error: /No space left on device/ },
  { driver: 'btrfs', error: /Disk quota exceeded/ },
] as const;

describe.each(DRIVERS)('$driver volume', ({ driver, error }) => {
  it(`writing past the size fails with ${error.source}; usedBytes matches what was written; nothing is left`, async () => {
    const r = await sandbox()
      .volume(MNT, { size: '64m', driver })
      .run('dd', ['if=/dev/zero', `of=${MNT}/fill`, 'bs=64k', 'count=2000']);
    expect(r.stderr).toMatch(error);
    expect(r.exitCode).toBe(1);
    const written = ddBytes(r.stderr);
    expect(written).toBeGreaterThan(48 * MiB); // ext4 on 64 MiB keeps ~57 for data
    expect(written).toBeLessThanOrEqual(64 * MiB);
    expect(r.usage.volume?.sizeBytes).toBe(64 * MiB);
    console.log(`${driver}: wrote ${written} bytes before ${error.source}; usedBytes ${r.usage.volume?.usedBytes} (${((r.usage.volume!.usedBytes - written) / 1024).toFixed(0)} KiB more)`);
    expect(within(r.usage.volume!.usedBytes, written)).toBe(true);
    expect(r.limits.volume).toMatchObject({ value: 64 * MiB, enforced: true });
    expect(existsSync(`${MNT}/fill`)).toBe(false); // mounted in the sandbox's namespace only
    expect(await settledVolumeObjects()).toEqual(NOTHING);
  });

  it('usedBytes of 20 MiB written and synced is 20 MiB (within 1 MiB + 2 %)', async () => {
    const r = await sandbox().volume(MNT, { size: '64m', driver }).run('sh', ['-c', `dd if=/dev/zero of=${MNT}/f bs=1M count=20 && sync ${MNT}/f`]);
    expect(r.exitCode).toBe(0);
    console.log(`${driver}: 20 MiB written, usedBytes ${r.usage.volume?.usedBytes} (${((r.usage.volume!.usedBytes - 20 * MiB) / 1024).toFixed(0)} KiB more)`);
    expect(within(r.usage.volume!.usedBytes, 20 * MiB)).toBe(true);
    expect(await settledVolumeObjects()).toEqual(NOTHING);
  });
});

describe('volumes', () => {
  it("tmpfs pages count against the sandbox's memory limit: 48 MiB into a 64 MiB tmpfs under memory('32m') is an OOM kill", async () => {
    const r = await sandbox().memory('32m').volume(MNT, { size: '64m', driver: 'tmpfs' }).run('dd', ['if=/dev/zero', `of=${MNT}/f`, 'bs=1M', 'count=48']);
    expect(r.oomKilled).toBe(true);
    expect(r.limits.volume?.reason).toMatch(/memory limit/);
  });

  it('several per sandbox, each at its path; a nested one inside its parent; usage is their sum', async () => {
    const r = await sandbox()
      .volume(MNT, { size: '32m', driver: 'loop' })
      .volume(`${MNT}/cache`, { size: '16m', driver: 'tmpfs' })
      .volume(`${MNT}/data`, { size: '16m', driver: 'btrfs' })
      .run('sh', ['-c', `dd if=/dev/zero of=${MNT}/a bs=1M count=4 && dd if=/dev/zero of=${MNT}/cache/b bs=1M count=2 && dd if=/dev/zero of=${MNT}/data/c bs=1M count=3 && sync && df -T ${MNT} ${MNT}/cache ${MNT}/data`]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/ext4/);
    expect(r.stdout).toMatch(/tmpfs/);
    expect(r.stdout).toMatch(/btrfs/);
    expect(r.usage.volume?.sizeBytes).toBe(64 * MiB);
    expect(within(r.usage.volume!.usedBytes, 9 * MiB)).toBe(true);
    expect(Object.keys(r.limits).filter((k) => k.startsWith('volume'))).toEqual(['volume', `volume ${MNT}`, `volume ${MNT}/cache`, `volume ${MNT}/data`]);
    expect(existsSync(`${MNT}/cache`)).toBe(false); // the mount point was made in the parent volume, not on the host
    expect(await settledVolumeObjects()).toEqual(NOTHING);
  });

  it('auto says what it chose (btrfs: this host has btrfs-progs and btrfs)', async () => {
    const r = await sandbox().volume(MNT, { size: '16m' }).run('true');
    expect(r.limits.volume?.reason).toMatch(/auto chose btrfs/);
    const xfs = await sandbox().volume(MNT, { size: '300m', fs: 'xfs' }).run('sh', ['-c', `df -T ${MNT}`]);
    expect(xfs.stdout).toMatch(/xfs/);
    expect(xfs.limits.volume?.reason).toMatch(/auto chose loop: fs xfs/);
    expect(await settledVolumeObjects()).toEqual(NOTHING);
  });

  it('xfs and btrfs loop images below what their mkfs accepts are refused before anything exists', async () => {
    const before = await volumeObjects();
    await expect(sandbox().volume(MNT, { size: '64m', driver: 'loop', fs: 'xfs' }).run('true')).rejects.toThrow(/mkfs.xfs needs at least 300 MiB/);
    await expect(sandbox().volume(MNT, { size: '64m', driver: 'loop', fs: 'btrfs' }).run('true')).rejects.toThrow(/mkfs.btrfs needs at least 109 MiB/);
    expect(await volumeObjects()).toEqual(before);
  });

  it('a mount point missing on the host is made inside the view, nothing on the host; privileged, it is refused, naming the fix', async () => {
    const missing = `${MNT}/not-there`;
    const r = await sandbox().volume(missing, { size: '16m', driver: 'loop' }).run('sh', ['-c', `touch ${missing}/f && echo ok`]);
    expect(r.stdout.trim()).toBe('ok');
    expect(existsSync(missing)).toBe(false);
    const err = await sandbox().privileged().volume(missing, { size: '16m', driver: 'loop' }).run('true').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidSpecError);
    expect((err as Error).message).toMatch(/never creates one there/);
    expect((err as Error).message).toContain(`mkdir -p ${missing}`);
    expect(existsSync(missing)).toBe(false);
    expect(await settledVolumeObjects()).toEqual(NOTHING);
  });

  it("a started sandbox's stats() include its volume's used bytes so far", async () => {
    const out = new PassThrough();
    let said = '';
    out.on('data', (d: Buffer) => (said += d.toString()));
    const box = await sandbox().volume(MNT, { size: '32m', driver: 'loop' }).start('sh', ['-c', `dd if=/dev/zero of=${MNT}/f bs=1M count=6 2>/dev/null && sync && echo synced && sleep 30`], { stdout: out });
    try {
      // Once dd and sync are done inside (seconds, on a busy machine): what stats() says then.
      await waitFor('dd and sync inside the sandbox', () => said.includes('synced'));
      const used = (await box.stats()).usage.volume?.usedBytes ?? 0;
      expect(within(used, 6 * MiB)).toBe(true);
    } finally {
      await box.stop({ signal: 'SIGKILL' });
    }
    expect(await settledVolumeObjects()).toEqual(NOTHING);
  });

  it('a failure halfway through setup removes the volumes already made, in reverse order', async () => {
    // The second volume's mount point is a file of the first one's template: found only once both exist.
    const err = await sandbox()
      .volume(MNT, { size: '16m', driver: 'loop', from: TEMPLATE })
      .volume(`${MNT}/hello.txt`, { size: '16m', driver: 'btrfs' })
      .run('true')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SetupError);
    expect((err as Error).message).toMatch(/hello.txt is not a directory/);
    expect(await settledVolumeObjects()).toEqual(NOTHING);
  });

  it(".iops('volume') needs a volume with a block device", async () => {
    mkdirSync(`${MNT}`, { recursive: true });
    await expect(sandbox().iops('volume', 100).run('true')).rejects.toThrow(/add a \.volume\(\) first/);
    await expect(sandbox().volume(MNT, { size: '16m', driver: 'tmpfs' }).iops('volume', 100).run('true')).rejects.toThrow(/no block device/);
  });
});
