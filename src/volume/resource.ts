/**
 * The 'volume' resource: a run's volumes and root filesystem copy. Made
 * before the cgroups and the init, each undo pushed the moment its object
 * exists; mounted inside the sandbox by the init (bind mounts of the
 * host-side volumes, at their paths as the sandbox sees them), so they are
 * in the sandbox's mount namespace only; torn down after every task is gone.
 */
import { mkdir, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { MountRequest } from '../launch/spawn.js';
import type { Limits } from '../report/types.js';
import type { ResourceContext, ResourceDriver } from '../resource/types.js';
import { faultPoint } from '../host/faults.js';
import { ensurePrivateDir } from '../host/state-dir.js';
import { SetupError } from '../spec/errors.js';
import { type SandboxSpec, VOLUME_DEVICE } from '../spec/types.js';
import { ensurePool, mountedPool } from './btrfs-pool.js';
import { runPath, volumeConfig } from './config.js';
import { mountTable } from './host.js';
import { mkdirInside } from './inside.js';
import { volumeName } from './names.js';
import { mountOrder, parentVolume, planVolumes, type PlannedVolume } from './plan.js';
import { reapVolumes } from './reap.js';
import { copyRootfs, type RootfsCopy } from './rootfs.js';
import type { MadeVolume } from './types.js';

interface Made {
  spec: PlannedVolume['spec'];
  planned: PlannedVolume;
  volume: MadeVolume;
  /** Where the init mounts it, as the sandbox sees it (symlinks of a rootfs copy resolved). */
  target: string;
}

/** Removes the run's directory once everything in it is unmounted — never through a mount. */
async function removeRunDir(dir: string): Promise<void> {
  // Empty (a btrfs volume's run: its subvolume lives in the pool) goes with one rmdir, which never crosses a mount.
  if (await rmdir(dir).then(() => true, (e: NodeJS.ErrnoException) => e.code === 'ENOENT')) return;
  const still = mountTable().filter((m) => m.target.startsWith(`${dir}/`));
  if (still.length) throw new SetupError('teardown', `${dir} still has mounts (${still.map((m) => m.target).join(', ')}); left for \`cgbox reap\``);
  await rm(dir, { recursive: true, force: true });
}

/**
 * The mount point as the sandbox sees it: made inside its parent volume or the rootfs copy (both
 * disposable); else the view makes it inside the sandbox (src/view/), or, privileged, it exists on the host.
 */
async function mountTarget(p: PlannedVolume, made: readonly Made[], root: RootfsCopy | undefined, rootless: boolean): Promise<string> {
  // Rootless: a volume is the outer's tmpfs and the rootfs the init's overlay, both only inside the sandbox:
  // the view makes the mount point there (inside a volume or a rootfs it is writable: src/view/tree.ts).
  if (rootless) return p.spec.path;
  const parent = parentVolume(p.spec.path, made);
  if (parent) return join(parent.target, await mkdirInside(parent.volume.hostPath, p.spec.path.slice(parent.spec.path.length)));
  if (root) return mkdirInside(root.path, p.spec.path);
  return p.spec.path;
}

function limitsOf(made: readonly Made[], root: RootfsCopy | undefined): Limits {
  const limits: Limits = {};
  const line = (m: Made) => `${m.spec.path}: ${m.planned.chosen ? `${m.planned.chosen}; ` : ''}${m.volume.limit.reason ?? ''}`;
  if (made.length) {
    limits.volume = {
      value: made.reduce((n, m) => n + m.spec.sizeBytes, 0),
      enforced: made.every((m) => m.volume.limit.enforced),
      reason: made.map(line).join('; '),
    };
  }
  if (made.length > 1) for (const m of made) limits[`volume ${m.spec.path}`] = { ...m.volume.limit, reason: line(m) };
  if (root) limits.rootfs = root.limit;
  return limits;
}

async function setup(ctx: ResourceContext) {
  const config = volumeConfig();
  const planned = planVolumes(ctx.spec, config);
  if (!planned.length && !ctx.spec.rootfs) return {};
  const dir = runPath(config, ctx.name);
  faultPoint('volume: run directory');
  ensurePrivateDir(config.runDir);
  await mkdir(dir, { mode: 0o700 });
  ctx.teardown.push(`rm -r ${dir}`, () => removeRunDir(dir));
  const base = { config, run: ctx.name, runPath: dir, teardown: ctx.teardown };

  const pool = ctx.spec.rootfs && !config.rootless && mountedPool(config) ? await ensurePool(config) : undefined;
  const root = ctx.spec.rootfs ? await copyRootfs(ctx.spec.rootfs, pool, base) : undefined;
  const made: Made[] = [];
  for (const p of mountOrder(planned)) {
    const volume = await p.backend.create(p.spec, { ...base, name: volumeName(ctx.name, p.index) });
    made.push({ spec: p.spec, planned: p, volume, target: await mountTarget(p, made, root, config.rootless) });
  }
  const mounts: MountRequest[] = made.map((m) => ({ kind: 'bind', source: m.volume.hostPath, target: m.target }));
  // 'volume' in .iops()/.bps() is the first volume in .volume() call order.
  const first = made.find((m) => m.planned.index === 0)?.volume.device;
  return {
    mounts,
    ...(root ? { rootfs: root.path } : {}),
    ...(first ? { devices: { [VOLUME_DEVICE]: first } } : {}),
    limits: limitsOf(made, root),
    usage: async () => {
      if (!made.length) return {};
      const all = await Promise.all(made.map((m) => m.volume.usage()));
      // Several volumes: the sandbox's disposable storage in total (each one's size and kind: limits['volume <path>']).
      return { volume: { usedBytes: all.reduce((n, u) => n + u.usedBytes, 0), sizeBytes: all.reduce((n, u) => n + u.sizeBytes, 0) } };
    },
  };
}

const namesVolume = (spec: SandboxSpec) => [...spec.iops, ...spec.bps].some((r) => r.device.given === VOLUME_DEVICE);

export const volumeResource: ResourceDriver = {
  name: 'volume',
  // Also when only .iops('volume') is given: check() then says a .volume() is missing.
  wanted: (spec) => spec.volumes.length > 0 || spec.rootfs !== undefined || namesVolume(spec),
  check: (spec) => void planVolumes(spec, volumeConfig()),
  setup,
  reap: (opts) => reapVolumes(volumeConfig(), opts),
};
