/**
 * The btrfs pool every btrfs volume is a subvolume of: an existing btrfs
 * mount named by CGBOX_BTRFS_POOL, or cgbox's own — a sparse image
 * (<state>/btrfs-pool.img) on a direct-IO loop device, mounted at
 * <state>/btrfs-pool, made once and kept (its names say 'pool', so leftover
 * checks know it is meant to stay). Quotas (qgroups) are switched on, since
 * they are what limits each subvolume's size.
 */
import { existsSync, realpathSync, statfsSync, statSync } from 'node:fs';
import { mkdir, open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveBlockDevice } from '../host/block-device.js';
import { SetupError, UnsupportedError } from '../spec/errors.js';
import { type BlockDevice, VOLUME_DEVICE } from '../spec/types.js';
import { parseBytes } from '../spec/units.js';
import type { VolumeConfig } from './config.js';
import { run } from './tool.js';
import { onPath } from '../host/tools.js';
import { kernelHasFs, mountAt } from './host.js';
import { withLock } from './lock.js';
import { attachLoop, attachedLoops, detachLoop, loopDeviceOf } from './loop-device.js';

const BTRFS_MAGIC = 0x9123683e;

export interface Pool {
  /** Where the pool is mounted: subvolumes are made right inside it. */
  path: string;
  /** The disk (or cgbox's loop device) under it: .iops('volume') on a btrfs volume throttles this. */
  device?: BlockDevice;
  /** 'configured': CGBOX_BTRFS_POOL; 'cgbox': the loop-backed pool cgbox made. */
  kind: 'configured' | 'cgbox';
}

export const poolImage = (c: VolumeConfig) => join(c.stateDir, 'btrfs-pool.img');
export const poolDir = (c: VolumeConfig) => join(c.stateDir, 'btrfs-pool');

function isBtrfs(dir: string): boolean {
  try {
    return statfsSync(dir).type === BTRFS_MAGIC;
  } catch {
    return false;
  }
}

/**
 * The device of each pool directory seen mounted in /proc/self/mountinfo. While the directory still
 * has that device and is a subvolume's root (inode 256) of a btrfs, it is that mount still — a stat,
 * instead of reading the whole mount table at every run (66 µs here with 22 mounts, and it grows
 * with them); unmounted, the directory shows the filesystem below, whose device is another.
 */
const seenMounted = new Map<string, number>();

function ownPoolMounted(dir: string): boolean {
  const dev = seenMounted.get(dir);
  if (dev !== undefined) {
    try {
      const st = statSync(dir);
      if (st.dev === dev && st.ino === 256 && isBtrfs(dir)) return true;
    } catch {
      // gone: asked of the mount table below
    }
    seenMounted.delete(dir);
  }
  if (mountAt(dir)?.fstype !== 'btrfs') return false;
  try {
    seenMounted.set(dir, statSync(dir).dev);
  } catch {
    // unmounted and removed since: seen again next time
  }
  return true;
}

/** Why a btrfs pool cannot be had on this host, or undefined when it can (configured, mounted, or makeable). */
export function poolUnavailable(c: VolumeConfig): string | undefined {
  if (c.btrfsPool) return isBtrfs(c.btrfsPool) ? undefined : `CGBOX_BTRFS_POOL=${c.btrfsPool} is not a mounted btrfs filesystem`;
  if (ownPoolMounted(poolDir(c))) return undefined;
  if (!kernelHasFs('btrfs')) return 'the kernel has no btrfs (CONFIG_BTRFS_FS)';
  if (!onPath('mkfs.btrfs') || !onPath('btrfs')) return 'btrfs-progs is not installed (apt-get install btrfs-progs)';
  if (!existsSync('/dev/loop-control')) return 'there are no loop devices for the pool image (CONFIG_BLK_DEV_LOOP)';
  return undefined;
}

/** The device under a mount source: cgbox's loop device as itself, a partition as its whole disk. */
async function deviceOf(source: string): Promise<BlockDevice | undefined> {
  try {
    if (/^\/dev\/loop\d+$/.test(source)) return await loopDeviceOf(source, VOLUME_DEVICE);
    return { ...resolveBlockDevice(source), given: VOLUME_DEVICE };
  } catch {
    return undefined; // a btrfs on several devices, or a source we cannot resolve: no 'volume' device
  }
}

/** A sparse image with a fresh btrfs on it; renamed into place only when complete. */
async function makeImage(c: VolumeConfig, image: string): Promise<void> {
  const size = parseBytes(c.btrfsPoolSize);
  if (size === null) throw new UnsupportedError('the btrfs pool', `CGBOX_BTRFS_POOL_SIZE=${c.btrfsPoolSize} is not a size (e.g. 16g)`);
  const tmp = `${image}.new`;
  const f = await open(tmp, 'w', 0o600);
  await f.truncate(size).finally(() => f.close());
  await run('mkfs.btrfs', ['-q', '-f', '-K', tmp]);
  await rename(tmp, image);
}

/**
 * discard=async: what sandboxes free goes back to the host disk (the loop
 * device punches holes in the image). nobarrier: the pool holds only
 * disposable subvolumes and templates that can be made again, so its
 * commits (one per snapshot, one per usage read) need not wait for the host
 * disk to flush — measured: a snapshot 4–10 ms → 2.5–3.5 ms. The price: after
 * a host crash the pool may not mount; the error then says to remove the
 * image, and cgbox makes a new one — never by itself, since a mount can also
 * fail for reasons that leave the pool sound.
 */
const POOL_MOUNT_OPTIONS = 'discard=async,noatime,nobarrier';

async function makeOwnPool(c: VolumeConfig): Promise<void> {
  const [image, dir] = [poolImage(c), poolDir(c)];
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const fresh = !existsSync(image);
  if (fresh) await makeImage(c, image);
  // After a reboot the image is there but not attached; after a crash it may be attached but not mounted.
  const attached = (await attachedLoops()).find((l) => l.backing === realpathSync(image));
  const loop = attached ? attached.path : (await attachLoop(image, VOLUME_DEVICE)).path;
  try {
    await run('mount', ['-t', 'btrfs', '-o', POOL_MOUNT_OPTIONS, loop, dir]);
  } catch (e) {
    if (!attached) await detachLoop(loop).catch(() => {});
    if (fresh) throw e;
    const why = e instanceof Error ? e.message : String(e);
    throw new SetupError('volume', `${why}. The btrfs pool ${image} does not mount (after a host crash it may be damaged): it holds only spare subvolumes and templates, so remove it (rm ${image}) and cgbox makes a new one`);
  }
}

const pools = new Map<string, Promise<Pool>>();

/**
 * The pool, made and mounted if need be (a lock keeps concurrent processes
 * from racing), then remembered — until it is found unmounted (say by an
 * administrator): then it is opened again, on whatever loop device it gets.
 */
export function ensurePool(c: VolumeConfig): Promise<Pool> {
  const key = c.btrfsPool ?? poolDir(c);
  let p = pools.get(key);
  if (p && !c.btrfsPool && !ownPoolMounted(key)) p = undefined;
  if (!p) {
    p = openPool(c);
    pools.set(key, p);
    p.catch(() => pools.delete(key)); // a failure is not cached: the next run tries again
  }
  return p;
}

async function openPool(c: VolumeConfig): Promise<Pool> {
  const why = poolUnavailable(c);
  if (why) throw new UnsupportedError('a btrfs volume', why);
  const path = c.btrfsPool ? realpathSync(c.btrfsPool) : poolDir(c);
  if (!c.btrfsPool && mountAt(path)?.fstype !== 'btrfs') {
    await withLock(c, 'btrfs-pool', async () => {
      if (mountAt(path)?.fstype !== 'btrfs') await makeOwnPool(c);
    });
  }
  // Idempotent, 4 ms; on a pool with data it starts a rescan (then limits count existing data too).
  await run('btrfs', ['quota', 'enable', path]);
  const source = mountAt(path)?.source ?? '';
  const device = await deviceOf(source);
  return { path, kind: c.btrfsPool ? 'configured' : 'cgbox', ...(device ? { device } : {}) };
}

/** The pool if it is already mounted (the reaper never makes one): synchronous, no commands. */
export function mountedPool(c: VolumeConfig): string | undefined {
  if (c.btrfsPool) return isBtrfs(c.btrfsPool) ? realpathSync(c.btrfsPool) : undefined;
  return ownPoolMounted(poolDir(c)) ? poolDir(c) : undefined;
}

