/**
 * tmpfs volumes: memory, sized with size=. Mounted on the host side (not by
 * the init) so that its usage can still be read once the sandbox is gone.
 * Its pages are charged to the memory cgroup of whoever writes them: a
 * sandbox writing into its tmpfs volume spends its own memory limit.
 *
 * A rootless run (a normal user's) cannot mount on the host: the sandbox's
 * outer helper mounts it over the same directory inside the sandbox's user
 * namespace, and its usage is read there (src/launch/inner-volumes.ts).
 */
import { mkdir, rmdir } from 'node:fs/promises';
import { forgetInnerTmpfs, innerTmpfsUsed, registerInnerTmpfs } from '../launch/inner-volumes.js';
import { InvalidSpecError } from '../spec/errors.js';
import { kernelHasFs } from './host.js';
import { copyInto, mountAt, mountPointOf } from './mounts.js';
import { usedBytes } from './statfs.js';
import type { BackendContext, MadeVolume, VolumeBackend } from './types.js';
import type { VolumeSpec } from '../spec/types.js';

/** Rootless: the directory only; the outer mounts the tmpfs on it in the sandbox's namespaces, and copies a template in. */
async function insideSandbox(v: VolumeSpec, ctx: BackendContext, dir: string): Promise<MadeVolume> {
  await mkdir(dir);
  ctx.teardown.push(`rmdir ${dir}`, () => rmdir(dir));
  registerInnerTmpfs(dir, `size=${v.sizeBytes},mode=0755`, v.from);
  ctx.teardown.push(`forget ${dir}`, async () => forgetInnerTmpfs(dir));
  const where = 'mounted inside the sandbox\'s user namespace (a rootless run)';
  return {
    hostPath: dir,
    limit: { value: v.sizeBytes, enforced: true, reason: `${TMPFS_MEMORY_NOTE}; ${where}` },
    usage: async () => ({ usedBytes: await innerTmpfsUsed(dir), sizeBytes: v.sizeBytes }),
  };
}

export const TMPFS_MEMORY_NOTE =
  "tmpfs: size= is a hard limit (ENOSPC), and every page written counts against the sandbox's memory limit as page cache (content copied in from a template is charged to the caller instead)";

export const tmpfsBackend: VolumeBackend<'tmpfs'> = {
  kind: 'tmpfs',
  // A tmpfs volume is only its mount, which the volume reaper unmounts before any backend's turn.
  reap: async () => [],
  unavailable: () => (kernelHasFs('tmpfs') ? undefined : 'the kernel has no tmpfs (CONFIG_TMPFS)'),
  check(v) {
    if (v.fs !== 'ext4') throw new InvalidSpecError('.volume', v.fs, 'fs: applies to loop and lvm volumes only; a tmpfs volume is tmpfs');
  },
  async create(v, ctx) {
    const dir = mountPointOf(ctx);
    if (ctx.config.rootless) return insideSandbox(v, ctx, dir);
    // The object name as the mount source: /proc/mounts then says whose it is.
    await mountAt(ctx, dir, { fstype: 'tmpfs', source: ctx.name, flags: ['nosuid', 'nodev'], data: `size=${v.sizeBytes},mode=0755` });
    if (v.from) await copyInto(v.from, dir);
    return {
      hostPath: dir,
      limit: { value: v.sizeBytes, enforced: true, reason: TMPFS_MEMORY_NOTE },
      usage: async () => ({ usedBytes: await usedBytes(dir), sizeBytes: v.sizeBytes }),
    };
  },
};
