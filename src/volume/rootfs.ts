/**
 * `.rootfs(dir)`: the sandbox runs in a copy-on-write copy of dir. A
 * template in the btrfs pool gets a snapshot (<pool>/<run>-root); any other
 * directory gets an overlay whose upper and work directories are under the
 * run's own directory and go at teardown — so dir itself is never written.
 * The init then pivots into the copy and gives it the default view's
 * hardening (src/view/): a minimal /dev, a fresh /proc with Docker's masked
 * paths, a read-only /sys and cgroupfs, private tmpfs dirs, Docker's
 * capabilities.
 */
import { realpathSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { faultPoint } from '../host/faults.js';
import type { LimitReport } from '../report/types.js';
import type { Teardown } from '../resource/teardown.js';
import { type Pool } from './btrfs-pool.js';
import { deleteSubvolume, snapshot } from './btrfs-subvolume.js';
import type { VolumeConfig } from './config.js';
import { mkdirInside } from './inside.js';
import { mountAt } from './mounts.js';
import { rootName } from './names.js';
import { isTemplate } from './template.js';

export interface RootfsCopy {
  /** The copy on the host: what the init pivots into; rootless: the directory itself, which the init overlays. */
  path: string;
  /** Rootless: no copy on the host — the init overlays `path` inside the sandbox's user namespace (src/view/root.ts). */
  inside?: boolean;
  limit: LimitReport;
}

interface Ctx {
  config: VolumeConfig;
  run: string;
  runPath: string;
  teardown: Teardown;
}

async function snapshotCopy(pool: Pool, template: string, ctx: Ctx): Promise<RootfsCopy> {
  const path = join(pool.path, rootName(ctx.run));
  await snapshot(template, path);
  ctx.teardown.push(`btrfs subvolume delete ${path}`, () => deleteSubvolume(path));
  return { path, limit: { value: template, enforced: false, reason: `a btrfs snapshot of the template (${path}); no size limit on / — put sized data on a .volume()` } };
}

async function overlayCopy(dir: string, ctx: Ctx): Promise<RootfsCopy> {
  const [upper, work, path] = ['upper', 'work', 'root'].map((d) => join(ctx.runPath, d)) as [string, string, string];
  for (const d of [upper, work]) {
    faultPoint('rootfs: overlay directory');
    await mkdir(d, { mode: 0o755 });
    ctx.teardown.push(`rm -r ${d}`, () => rm(d, { recursive: true, force: true }));
  }
  const options = `lowerdir=${dir},upperdir=${upper},workdir=${work}`;
  await mountAt({ ...ctx, name: rootName(ctx.run) }, path, { fstype: 'overlay', source: rootName(ctx.run), data: options });
  const reason = `an overlay of ${dir}: writes to / land in ${upper} on the host's disk and go at teardown; no size limit on / — put sized data on a .volume()`;
  return { path, limit: { value: dir, enforced: false, reason } };
}

/**
 * Rootless: the init makes the overlay itself, in the sandbox's user namespace (overlayfs there: Linux
 * 5.11), with its upper directory on a tmpfs of the sandbox's — nothing on the host to make or remove.
 * Files of ids the namespace does not map (root's, in a root filesystem unpacked by root) read as
 * nobody's inside: readable as the user may read them, not writable.
 */
function insideCopy(dir: string): RootfsCopy {
  const reason = `an overlay of ${dir} made inside the sandbox's user namespace (a rootless run): writes to / land in a tmpfs charged to the sandbox's memory and go with it; files owned by ids outside the namespace are read-only inside; no size limit on / but the memory limit — put sized data on a .volume()`;
  return { path: dir, inside: true, limit: { value: dir, enforced: false, reason } };
}

/** The copy, with the mount points the init needs (/proc, /dev) made in it if the template lacks them. */
export async function copyRootfs(dir: string, pool: Pool | undefined, ctx: Ctx): Promise<RootfsCopy> {
  const real = realpathSync(dir);
  if (ctx.config.rootless) return insideCopy(real);
  const copy = pool && isTemplate(pool, real) ? await snapshotCopy(pool, real, ctx) : await overlayCopy(real, ctx);
  for (const d of ['/proc', '/dev']) await mkdirInside(copy.path, d);
  return copy;
}

/** overlayfs splits its options on ',' and its lower dirs on ':'. */
export function rootfsPathProblem(dir: string): string | undefined {
  return /[,:\\]/.test(dir) ? 'the path may not contain ",", ":" or "\\" (overlayfs option syntax)' : undefined;
}
