/**
 * Templates: `from: dir` on a btrfs volume becomes a read-only subvolume of
 * the pool, <pool>/templates/<tree hash>, made once; each sandbox then gets
 * a snapshot of it in milliseconds, whatever its size. Making one is
 * serialised per hash across processes by a lock, and built under the run's
 * name (<pool>/cgbox-<pid>-<hex>-tmpl), so that a crash halfway leaves
 * something the reaper recognises, never a half-filled template.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { keepAlive } from '../host/keep-alive.js';
import { ensurePool, type Pool } from './btrfs-pool.js';
import { createSubvolume, deleteSubvolume, readOnlySnapshot } from './btrfs-subvolume.js';
import { volumeConfig, type VolumeConfig } from './config.js';
import { withLock } from './lock.js';
import { copyInto } from './mounts.js';
import { adHocRunName, templateBuildName } from './names.js';
import { treeHash } from './tree-hash.js';

export const templatesDir = (pool: Pool) => join(pool.path, 'templates');

export async function ensureTemplate(pool: Pool, from: string, c: VolumeConfig, run: string): Promise<string> {
  const final = join(templatesDir(pool), await treeHash(from));
  if (existsSync(final)) return final;
  return withLock(c, `template-${final.slice(final.lastIndexOf('/') + 1)}`, async () => {
    if (existsSync(final)) return final; // made by another process while we waited
    await mkdir(templatesDir(pool), { recursive: true });
    const build = join(pool.path, templateBuildName(run));
    await createSubvolume(build);
    try {
      await copyInto(from, build);
      await readOnlySnapshot(build, final); // appears complete and read-only, or not at all
    } finally {
      await deleteSubvolume(build);
    }
    return final;
  });
}

/** Is `dir` a template in the pool (so a rootfs can be a snapshot of it)? */
export function isTemplate(pool: Pool, dir: string): boolean {
  const parent = templatesDir(pool);
  return dir.startsWith(`${parent}/`) && !dir.slice(parent.length + 1).includes('/');
}

/**
 * Public: puts `dir` into the btrfs pool as a template (once per content) and
 * returns its path. `.rootfs(path)` of that path runs on a btrfs snapshot
 * instead of an overlay; `.volume(…, { from: dir })` does this by itself.
 */
export function btrfsTemplate(dir: string): Promise<string> {
  const c = volumeConfig();
  return keepAlive(ensurePool(c).then((pool) => ensureTemplate(pool, dir, c, adHocRunName())));
}
