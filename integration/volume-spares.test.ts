/**
 * Spare btrfs volumes: from the second volume of a kind (template, size) on,
 * one is kept made ahead, limit set; a sandbox takes it where it lies. It
 * must hold the same limit as a fresh one, and never outlive its process.
 *
 * Host tier only: volumes do not depend on the cgroup version, but for IO throttling, which
 * io.test.ts runs in the VM tier on v2 (and volume-lvm what this kernel lacks).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { sandbox } from '../src/index.js';
import { mountedPool } from '../src/volume/btrfs-pool.js';
import { releaseSpareVolumes } from '../src/volume/btrfs-spares.js';
import { volumeConfig } from '../src/volume/config.js';
import { ddBytes, MiB, NOTHING, settledVolumeObjects, TEMPLATE } from './volume-fixtures.js';
import { waitFor } from './wait.js';

const MNT = mkdtempSync('/tmp/cgbox-volume-test-');
afterAll(() => rmSync(MNT, { recursive: true, force: true }));
const spares = (owner = process.pid) => readdirSync(mountedPool(volumeConfig())!).filter((n) => n.startsWith(`cgbox-${owner}-`) && n.endsWith('-spare'));

describe('spare btrfs volumes', () => {
  it('are made from the second volume of a kind, hold the same limit, and go when released', async () => {
    const b = sandbox().volume(MNT, { size: '24m', driver: 'btrfs', from: TEMPLATE });
    await b.run('true');
    expect(spares()).toEqual([]); // one use: no spare
    await b.run('true');
    await waitFor('the spare, made in the background', () => spares().length === 1);
    const taken = spares()[0];
    const r = await b.run('sh', ['-c', `cat ${MNT}/hello.txt && dd if=/dev/zero of=${MNT}/f bs=64k count=1000`]);
    expect(spares()).not.toContain(taken); // this run took it (and a new one is on its way)
    expect(r.stdout).toBe('hello from the template\n');
    expect(r.stderr).toMatch(/Disk quota exceeded/);
    expect(ddBytes(r.stderr)).toBeLessThanOrEqual(24 * MiB);
    expect(ddBytes(r.stderr)).toBeGreaterThan(23 * MiB);
    await releaseSpareVolumes();
    expect(spares()).toEqual([]);
    expect(await settledVolumeObjects()).toEqual(NOTHING);
  });

  it('are deleted when their process exits', async () => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./volume-spares.child.ts', import.meta.url)), MNT], { encoding: 'utf8' });
    expect(child.stdout).toBe('done\n');
    expect(spares(child.pid)).toEqual([]);
  });

  it('are not made with CGBOX_STANDBY=0', async () => {
    process.env.CGBOX_STANDBY = '0';
    try {
      for (let i = 0; i < 3; i++) await sandbox().volume(MNT, { size: '8m', driver: 'btrfs' }).run('true');
      expect(spares()).toEqual([]);
    } finally {
      delete process.env.CGBOX_STANDBY;
    }
  });
});
