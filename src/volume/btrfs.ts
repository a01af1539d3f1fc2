/**
 * btrfs volumes: one subvolume of the pool per sandbox volume, its size held
 * by a qgroup limit on referenced bytes (EDQUOT past it). With `from:` it is
 * a snapshot of the template — milliseconds whatever the template's size;
 * the template's content counts toward the size, as it does on a copy.
 * Usage is the qgroup's referenced bytes, read after a commit — one with
 * nothing to write unless the sandbox wrote, as a spare is committed when
 * made. From the second volume of a kind on, a spare made in the background
 * is taken instead (btrfs-spares.ts).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidSpecError, UnsupportedError } from '../spec/errors.js';
import { ensurePool, mountedPool, poolUnavailable } from './btrfs-pool.js';
import { commit, createSubvolume, deleteSubvolume, limitQgroup, referencedBytes, snapshot } from './btrfs-subvolume.js';
import { refillSpare, releaseSpareVolumes, takeSpare } from './btrfs-spares.js';
import type { VolumeConfig } from './config.js';
import { tryRun } from './tool.js';
import { reapable } from './names.js';
import { ensureTemplate } from './template.js';
import type { VolumeBackend } from './types.js';

/**
 * Subvolumes of dead owners in the pool, when it is mounted (the reaper never makes one). A
 * subvolume being dropped is gone from the pool's directory already; its qgroup is cleared by
 * the kernel since 6.x, by `btrfs qgroup clear-stale` here for older ones.
 */
async function reapSubvolumes(config: VolumeConfig, all: boolean): Promise<string[]> {
  const pool = mountedPool(config);
  if (!pool) return [];
  const out: string[] = [];
  const dead = (await readdir(pool).catch(() => [] as string[])).filter((n) => reapable(n, all));
  for (const n of dead) if (await deleteSubvolume(join(pool, n)).then(() => true, () => false)) out.push(`btrfs subvolume ${join(pool, n)}`);
  if (dead.length) await tryRun('btrfs', ['qgroup', 'clear-stale', pool]);
  return out;
}

export const btrfsBackend: VolumeBackend<'btrfs'> = {
  kind: 'btrfs',
  reap: reapSubvolumes,
  release: releaseSpareVolumes,
  unavailable: poolUnavailable,
  check(v, config) {
    if (v.fs === 'xfs') throw new InvalidSpecError('.volume', v.fs, 'fs: a btrfs volume is a btrfs subvolume; xfs needs driver "loop" or "lvm"');
    const why = poolUnavailable(config);
    if (why) throw new UnsupportedError('a btrfs volume', why);
  },
  async create(v, ctx) {
    const pool = await ensurePool(ctx.config);
    const template = v.from ? await ensureTemplate(pool, v.from, ctx.config, ctx.run) : undefined;
    const make = async (at: string) => {
      await (template ? snapshot(template, at) : createSubvolume(at));
      await limitQgroup(at, v.sizeBytes).catch(async (e: unknown) => {
        await deleteSubvolume(at);
        throw e;
      });
    };
    const kind = `${template ?? ''}@${v.sizeBytes}`;
    const spare = await takeSpare(kind);
    const path = spare ?? join(pool.path, ctx.name);
    if (!spare) await make(path);
    // Pushed before the deletion, so done after it: the next spare's snapshot then commits the deletion too.
    ctx.teardown.push('next spare volume', async () =>
      refillSpare(pool.path, kind, async (at) => {
        await make(at);
        await commit(at);
      }),
    );
    ctx.teardown.push(`btrfs subvolume delete ${path}`, () => deleteSubvolume(path));
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
