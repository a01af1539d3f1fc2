/**
 * btrfs subvolume commands. Deletion is lazy: `btrfs subvolume delete`
 * unlinks the subvolume at once and the kernel's cleaner frees its blocks
 * later, so nothing here waits for a commit (no -c/-C). Snapshots are made
 * without `-i`: inheriting into a qgroup makes qgroups inconsistent, and then
 * limits stop holding (DESIGN.md).
 */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './tool.js';

export const createSubvolume = (path: string) => run('btrfs', ['subvolume', 'create', path]);
export const snapshot = (from: string, to: string) => run('btrfs', ['subvolume', 'snapshot', from, to]);
/** A read-only snapshot: appears complete and read-only at once (a read-only subvolume cannot be renamed). */
export const readOnlySnapshot = (from: string, to: string) => run('btrfs', ['subvolume', 'snapshot', '-r', from, to]);
/** Sets max referenced bytes: writing past it fails with EDQUOT. */
export const limitQgroup = (path: string, bytes: number) => run('btrfs', ['qgroup', 'limit', String(bytes), path]);

/** Deletes, and first any subvolumes a sandbox made inside it (a subvolume with children cannot go). */
export async function deleteSubvolume(path: string): Promise<void> {
  try {
    await run('btrfs', ['subvolume', 'delete', path]);
  } catch (e) {
    const nested = await nestedSubvolumes(path).catch(() => []);
    if (!nested.length) throw e;
    await run('btrfs', ['subvolume', 'delete', ...nested.reverse()]);
    await run('btrfs', ['subvolume', 'delete', path]);
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

/** Referenced bytes of the path's own qgroup (0/<id>), after a commit so that the numbers are current. */
export async function referencedBytes(path: string): Promise<number> {
  const out = await run('btrfs', ['qgroup', 'show', '-f', '--raw', '--sync', path]);
  const line = out.split('\n').find((l) => /^0\/\d+\s/.test(l));
  const rfer = Number(line?.trim().split(/\s+/)[1]);
  if (!Number.isSafeInteger(rfer)) throw new Error(`btrfs qgroup show ${path}: no qgroup line in ${JSON.stringify(out)}`);
  return rfer;
}
