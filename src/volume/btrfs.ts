/**
 * btrfs volumes: one subvolume of the pool per sandbox volume, its size held
 * by a qgroup limit on referenced bytes (EDQUOT past it). With `from:` it is
 * a snapshot of the template — milliseconds whatever the template's size;
 * the template's content counts toward the size, as it does on a copy.
 * Usage is the qgroup's referenced bytes, read after a commit.
 */
import { join } from 'node:path';
import { InvalidSpecError, UnsupportedError } from '../spec/errors.js';
import { ensurePool, poolUnavailable } from './btrfs-pool.js';
import { createSubvolume, deleteSubvolume, limitQgroup, referencedBytes, snapshot } from './btrfs-subvolume.js';
import { ensureTemplate } from './template.js';
import type { VolumeBackend } from './types.js';

export const btrfsBackend: VolumeBackend = {
  kind: 'btrfs',
  check(v, config) {
    if (v.fs === 'xfs') throw new InvalidSpecError('.volume', v.fs, 'fs: a btrfs volume is a btrfs subvolume; xfs needs driver "loop" or "lvm"');
    const why = poolUnavailable(config);
    if (why) throw new UnsupportedError('a btrfs volume', why);
  },
  async create(v, ctx) {
    const pool = await ensurePool(ctx.config);
    const path = join(pool.path, ctx.name);
    const template = v.from ? await ensureTemplate(pool, v.from, ctx.config, ctx.run) : undefined;
    await (template ? snapshot(template, path) : createSubvolume(path));
    ctx.teardown.push(`btrfs subvolume delete ${path}`, () => deleteSubvolume(path));
    await limitQgroup(path, v.sizeBytes);
    const what = template ? `a snapshot of the template ${template}` : 'a subvolume';
    return {
      hostPath: path,
      ...(pool.device ? { device: pool.device } : {}),
      limit: {
        value: v.sizeBytes,
        enforced: true,
        reason: `btrfs: ${what} in the pool at ${pool.path}, limited by a qgroup on referenced bytes (EDQUOT past the size; a template's content counts toward it)`,
      },
      usage: async () => ({ usedBytes: await referencedBytes(path), sizeBytes: v.sizeBytes }),
    };
  },
};
