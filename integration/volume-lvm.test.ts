/**
 * driver: 'lvm' — thin volumes in a thin pool. They need device-mapper with
 * dm-thin, which this project's container host lacks: here the driver must
 * refuse before anything exists, and the real tests run in the VM tier
 * (vagrant/), where they say so if they were skipped.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandbox, UnsupportedError } from '../src/index.js';
import { volumeConfig } from '../src/volume/config.js';
import { OWN_VG } from '../src/volume/lvm-commands.js';
import { lvmUnavailable, probeLvmHost } from '../src/volume/lvm.js';
import { ddBytes, MiB, NOTHING, settledVolumeObjects, volumeObjects } from './volume-fixtures.js';

// Made when the tests run, not when they are collected (the VM tier lists them on the host first).
let MNT = '';
beforeAll(() => void (MNT = mkdtempSync('/tmp/cgbox-volume-test-')));
afterAll(() => rmSync(MNT, { recursive: true, force: true }));

const missing = lvmUnavailable(probeLvmHost());

describe.runIf(missing)('lvm volumes on a host without device-mapper', () => {
  it('are refused with an UnsupportedError naming device-mapper, the kernel options and packages; nothing is created', async () => {
    const err = await sandbox().volume(MNT, { size: '64m', driver: 'lvm' }).run('true').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedError);
    expect((err as Error).message).toMatch(/device-mapper/);
    expect((err as Error).message).toMatch(/CONFIG_BLK_DEV_DM/);
    expect((err as Error).message).toMatch(/lvm2 and thin-provisioning-tools/);
    expect(await volumeObjects()).toEqual(NOTHING);
    expect(existsSync(join(volumeConfig().stateDir, 'lvm-pool.img'))).toBe(false);
  });
});

if (missing) {
  // Loud, so that a green run here is never mistaken for LVM having been tested.
  console.warn(`\n⚠ integration/volume-lvm.test.ts: the LVM thin-volume tests DID NOT RUN on this host — ${missing}\n`);
}

describe.skipIf(missing)('lvm volumes (device-mapper with dm-thin: the VM tier)', () => {
  const lvs = () => execFileSync('lvs', ['--noheadings', '-o', 'lv_name', volumeConfig().lvmVg ?? OWN_VG], { encoding: 'utf8' });

  it('writing past the size fails with ENOSPC; usedBytes matches; the thin volume is removed afterwards', async () => {
    const r = await sandbox().volume(MNT, { size: '64m', driver: 'lvm' }).run('dd', ['if=/dev/zero', `of=${MNT}/fill`, 'bs=64k', 'count=2000']);
    expect(r.stderr).toMatch(/No space left on device/);
    const written = ddBytes(r.stderr);
    expect(written).toBeGreaterThan(48 * MiB);
    expect(Math.abs(r.usage.volume!.usedBytes - written)).toBeLessThanOrEqual(MiB + 0.02 * written);
    expect(r.limits.volume).toMatchObject({ value: 64 * MiB, enforced: true });
    expect(r.limits.volume?.reason).toMatch(/thin volume/);
    expect(lvs()).not.toMatch(new RegExp(`cgbox-${process.pid}-`));
    expect(await settledVolumeObjects()).toEqual(NOTHING);
  });

  it('xfs on a thin volume', async () => {
    const r = await sandbox().volume(MNT, { size: '320m', driver: 'lvm', fs: 'xfs' }).run('sh', ['-c', `df -T ${MNT}`]);
    expect(r.stdout).toMatch(/xfs/);
    expect(lvs()).not.toMatch(new RegExp(`cgbox-${process.pid}-`));
  });
});
