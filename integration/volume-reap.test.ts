/**
 * What a crashed run leaves — a Node process killed with SIGKILL while its
 * sandboxes ran: host-side mounts, a loop device, an image file, a btrfs
 * subvolume, an overlay and the per-run directories. The reaper finds each
 * by the run name it carries and removes it, and does not trip over a btrfs
 * deletion the cleaner has not finished.
 *
 * Host tier only: volumes do not depend on the cgroup version, but for IO throttling, which
 * io.test.ts runs in the VM tier on v2 (and volume-lvm what this kernel lacks).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { hostCaps, reapAll } from '../src/index.js';
import { ensurePool } from '../src/volume/btrfs-pool.js';
import { imagesDir, volumeConfig } from '../src/volume/config.js';
import { reapVolumes } from '../src/volume/reap.js';
import { busyboxRoot, NOTHING, settledVolumeObjects, volumeObjects } from './volume-fixtures.js';
import { waitFor } from './wait.js';

const CHILD = fileURLToPath(new URL('./volume-reap.child.ts', import.meta.url));
const MNT = mkdtempSync('/tmp/cgbox-volume-test-');
afterAll(() => rmSync(MNT, { recursive: true, force: true }));

/**
 * Other test runs on the machine reap too (`cgbox reap`, their own copy of this test), and a dead
 * owner's objects are theirs to remove as much as this test's: when one got there first — fewer
 * objects than the crash leaves, or a kind missing from this reaper's list — the crash is done again.
 */
const ATTEMPTS = 3;

/** Starts the child, kills it with SIGKILL once its sandboxes run, and says what was left, then what the reaper removed. */
async function crashAndReap() {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, MNT, busyboxRoot()], { stdio: ['ignore', 'pipe', 'inherit'] });
  onTestFinished(() => void child.kill('SIGKILL')); // a failing test must not leave it running
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  await waitFor('the child to say its sandboxes are running', () => out.includes('running'));
  process.kill(child.pid!, 'SIGKILL');
  await new Promise((r) => child.on('exit', r));
  await sleep(300); // the sandboxes die by the parent-death chain
  const left = await volumeObjects(child.pid!);
  const removed = (await reapAll(hostCaps())).filter((l) => l.includes(`cgbox-${child.pid}-`));
  return { pid: child.pid!, left, removed };
}

const KINDS = ['mount', 'loop device', 'image', 'btrfs subvolume', 'directory'];

describe('reaping volumes of dead runs', () => {
  it('kill -9 of the owner leaves mounts, a loop device, an image, a subvolume, an overlay; the reaper removes every one', async () => {
    for (let attempt = 1; ; attempt++) {
      const { pid, left, removed } = await crashAndReap();
      const counts = [left.mounts.length, left.loops.length, left.images.length, left.subvolumes.length, left.runDirs.length];
      const missing = KINDS.filter((kind) => !removed.some((l) => l.startsWith(kind)));
      if (attempt < ATTEMPTS && (counts.join() !== '3,1,1,1,2' || missing.length)) {
        console.log(`volume-reap: left ${counts.join()}, this reaper removed no ${missing.join(', ') || '-'}: another process's reaper got there first? Again.`);
        expect(await settledVolumeObjects(pid)).toEqual(NOTHING);
        continue;
      }
      expect(left.mounts.length).toBe(3); // loop, tmpfs, overlay root (the btrfs volume is a subvolume, no mount)
      expect(left.loops.length).toBe(1);
      expect(left.images.length).toBe(1);
      expect(left.subvolumes.length).toBe(1);
      expect(left.runDirs.length).toBe(2);
      for (const kind of KINDS) expect(removed.some((l) => l.startsWith(kind)), kind).toBe(true);
      expect(await settledVolumeObjects(pid)).toEqual(NOTHING);
      // Again at once: the subvolume's blocks may still be with btrfs's cleaner, and that is not an error.
      expect((await reapVolumes(volumeConfig(), { all: false })).filter((l) => l.includes(`cgbox-${pid}-`))).toEqual([]);
      return;
    }
  }, ATTEMPTS * 40_000);

  it('a template a crashed run was building, and a stray image, are reaped too; live owners are left alone', async () => {
    const pool = await ensurePool(volumeConfig());
    const dead = 'cgbox-4194304999-deadbeef'; // above any pid_max: never alive
    const mine = `cgbox-${process.pid}-0badc0de`;
    execFileSync('btrfs', ['subvolume', 'create', join(pool.path, `${dead}-tmpl`)]);
    mkdirSync(imagesDir(volumeConfig()), { recursive: true });
    writeFileSync(join(imagesDir(volumeConfig()), `${dead}-v0.img`), '');
    writeFileSync(join(imagesDir(volumeConfig()), `${mine}-v0.img`), '');
    try {
      const removed = await reapVolumes(volumeConfig(), { all: false });
      expect(removed).toContain(`btrfs subvolume ${join(pool.path, `${dead}-tmpl`)}`);
      expect(removed).toContain(`image ${join(imagesDir(volumeConfig()), `${dead}-v0.img`)}`);
      expect(removed.some((l) => l.includes(mine))).toBe(false);
    } finally {
      rmSync(join(imagesDir(volumeConfig()), `${mine}-v0.img`), { force: true });
    }
  });
});
