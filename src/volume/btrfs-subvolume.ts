/**
 * btrfs subvolumes, snapshots and qgroups, by their ioctls through the
 * host-ops helper (src/host/host-ops.ts): a `btrfs` command costs a
 * process and its own start-up (3–9 ms here) for one ioctl. Deletion is lazy,
 * as `btrfs subvolume delete` without -c: the subvolume is unlinked at once
 * and the kernel's cleaner frees its blocks later, so nothing here waits for
 * a commit. Snapshots are made without inheriting into a qgroup: that makes
 * qgroups inconsistent, and then limits stop holding (DESIGN.md).
 */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { constants } from 'node:os';
import { hostOp } from '../host/host-ops.js';
import type { SetupError } from '../spec/errors.js';
import { run } from './tool.js';

const { ENOENT } = constants.errno;

export const createSubvolume = async (path: string) => void (await hostOp('volume', 'subvolume-create', path));
export const snapshot = async (from: string, to: string) => void (await hostOp('volume', 'snapshot', from, to, '0'));
/** A read-only snapshot: appears complete and read-only at once (a read-only subvolume cannot be renamed). */
export const readOnlySnapshot = async (from: string, to: string) => void (await hostOp('volume', 'snapshot', from, to, '1'));
/** Sets max referenced bytes: writing past it fails with EDQUOT. */
export const limitQgroup = async (path: string, bytes: number) => void (await hostOp('volume', 'qgroup-limit', path, String(bytes)));
/** Commits the filesystem: what was done so far is then not for the next usage read's commit to write. */
export const commit = async (path: string) => void (await hostOp('volume', 'commit', path));
const deleteOne = (path: string) => hostOp('volume', 'subvolume-delete', path);

/** Deletes, and first any subvolumes a sandbox made inside it (a subvolume with children cannot go). */
export async function deleteSubvolume(path: string): Promise<void> {
  try {
    await deleteOne(path);
  } catch (e) {
    const nested = await nestedSubvolumes(path).catch(() => []);
    if (!nested.length) throw e;
    for (const n of nested.reverse()) await deleteOne(n);
    await deleteOne(path);
  }
}

/** Subvolumes below `path`, parents first: a subvolume's root directory is inode 256. */
async function nestedSubvolumes(path: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      const p = join(dir, e.name);
      if ((await lstat(p)).ino === 256) found.push(p);
      await walk(p);
    }
  };
  await walk(path);
  return found;
}

/**
 * Referenced bytes of the path's own qgroup (0/<id>), after a commit so that the numbers are current:
 * the commit and a read of the qgroup in sysfs by the helper, or where the kernel has no qgroups in
 * sysfs (before 5.9) `btrfs qgroup show`, which searches the quota tree.
 */
export async function referencedBytes(path: string): Promise<number> {
  // Only a kernel without the qgroup in sysfs (ENOENT there) falls back; any other failure is the run's.
  const fast = await hostOp('volume', 'referenced', path).catch((e: unknown) => {
    if ((e as SetupError).errno === ENOENT && /\/sys\/fs\/btrfs\//.test((e as Error).message)) return '';
    throw e;
  });
  if (/^\d+$/.test(fast) && Number.isSafeInteger(Number(fast))) return Number(fast);
  const out = await run('btrfs', ['qgroup', 'show', '-f', '--raw', '--sync', path]);
  const line = out.split('\n').find((l) => /^0\/\d+\s/.test(l));
  const rfer = Number(line?.trim().split(/\s+/)[1]);
  if (!Number.isSafeInteger(rfer)) throw new Error(`btrfs qgroup show ${path}: no qgroup line in ${JSON.stringify(out)}`);
  return rfer;
}
