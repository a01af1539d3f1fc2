/**
 * Finds what runs of dead owners left, by the run name every object carries,
 * and removes it in teardown's order: mounts (deepest first), loop devices,
 * image files, btrfs subvolumes, LVM thin volumes, then the per-run
 * directories. Never makes anything (the btrfs pool is only looked into when
 * it is already mounted) and never waits for btrfs's cleaner: a subvolume
 * being dropped is gone from the pool's directory already, and its qgroup is
 * cleared once the cleaner is done (by the kernel since 6.x; by
 * `btrfs qgroup clear-stale` here for older ones, which skips those still
 * being dropped).
 */
import { readdir, rm, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { mountedPool } from './btrfs-pool.js';
import { deleteSubvolume } from './btrfs-subvolume.js';
import { imagesDir, type VolumeConfig } from './config.js';
import { run, tryRun } from './exec.js';
import { mountTable } from './host.js';
import { attachedLoops, detachLoop } from './loop-device.js';
import { OWN_VG, listCommand, removeCommand } from './lvm-commands.js';
import { lvmUnavailable, probeLvmHost } from './lvm.js';
import { unmount } from './mounts.js';
import { reapable } from './names.js';

const list = (dir: string) => readdir(dir).catch(() => [] as string[]);

/** The run directory a path is in: <run dir>/<run>/… → <run>. */
const runDirOf = (config: VolumeConfig, path: string) => path.slice(config.runDir.length + 1).split('/')[0] ?? '';

async function reapMounts(config: VolumeConfig, all: boolean, out: string[]): Promise<void> {
  const ours = mountTable().filter((m) => m.target.startsWith(`${config.runDir}/`) && reapable(runDirOf(config, m.target), all));
  for (const m of ours.reverse()) if (await unmount(m.target).then(() => true, () => false)) out.push(`mount ${m.target}`);
}

async function reapLoops(config: VolumeConfig, all: boolean, out: string[]): Promise<void> {
  for (const l of await attachedLoops()) {
    if (dirname(l.backing) !== imagesDir(config) || !reapable(basename(l.backing), all)) continue;
    if (await detachLoop(l.path).then(() => true, () => false)) out.push(`loop device ${l.path} (${l.backing})`);
  }
}

async function reapFiles(config: VolumeConfig, all: boolean, out: string[]): Promise<void> {
  for (const f of await list(imagesDir(config))) {
    if (!reapable(f, all)) continue;
    await unlink(join(imagesDir(config), f)).catch(() => {});
    out.push(`image ${join(imagesDir(config), f)}`);
  }
}

async function reapSubvolumes(config: VolumeConfig, all: boolean, out: string[]): Promise<void> {
  const pool = mountedPool(config);
  if (!pool) return;
  const dead = (await list(pool)).filter((n) => reapable(n, all));
  for (const n of dead) if (await deleteSubvolume(join(pool, n)).then(() => true, () => false)) out.push(`btrfs subvolume ${join(pool, n)}`);
  if (dead.length) await tryRun('btrfs', ['qgroup', 'clear-stale', pool]);
}

async function reapThinVolumes(config: VolumeConfig, all: boolean, out: string[]): Promise<void> {
  if (lvmUnavailable(probeLvmHost())) return;
  const vg = config.lvmVg ?? OWN_VG;
  const [file, args] = listCommand(vg);
  const names = (await run(file, args).catch(() => '')).split('\n').map((l) => l.trim());
  for (const lv of names.filter((n) => reapable(n, all))) {
    const [rmFile, rmArgs] = removeCommand(vg, lv);
    if (await tryRun(rmFile, rmArgs)) out.push(`thin volume ${vg}/${lv}`);
  }
}

async function reapRunDirs(config: VolumeConfig, all: boolean, out: string[]): Promise<void> {
  const mounted = mountTable().map((m) => m.target);
  for (const d of await list(config.runDir)) {
    const dir = join(config.runDir, d);
    // Never remove through a mount that would not go: its content may be somebody's.
    if (!reapable(d, all) || mounted.some((m) => m.startsWith(`${dir}/`))) continue;
    await rm(dir, { recursive: true, force: true });
    out.push(`directory ${dir}`);
  }
}

export async function reapVolumes(config: VolumeConfig, opts: { all: boolean }): Promise<string[]> {
  const out: string[] = [];
  for (const step of [reapMounts, reapLoops, reapFiles, reapSubvolumes, reapThinVolumes, reapRunDirs]) await step(config, opts.all, out);
  return out;
}
