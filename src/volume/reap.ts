/**
 * Finds what runs of dead owners left, by the run name every object carries,
 * and removes it in teardown's order: mounts (deepest first), then each
 * backend's own objects (backends.ts: loop devices and image files, btrfs
 * subvolumes, LVM thin volumes), then the per-run directories. Never makes
 * anything and never waits for btrfs's cleaner.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { VOLUME_BACKENDS } from './backends.js';
import type { VolumeConfig } from './config.js';
import { mountTable } from './host.js';
import { unmount } from './mounts.js';
import { reapable } from './names.js';
import { SetupError } from '../spec/errors.js';

/** The run directory a path is in: <run dir>/<run>/… → <run>. */
const runDirOf = (config: VolumeConfig, path: string) => path.slice(config.runDir.length + 1).split('/')[0] ?? '';

async function reapMounts(config: VolumeConfig, all: boolean): Promise<string[]> {
  const out: string[] = [];
  const ours = mountTable().filter((m) => m.target.startsWith(`${config.runDir}/`) && reapable(runDirOf(config, m.target), all));
  for (const m of ours.reverse()) if (await unmount(m.target).then(() => true, () => false)) out.push(`mount ${m.target}`);
  return out;
}

async function reapRunDirs(config: VolumeConfig, all: boolean): Promise<string[]> {
  const out: string[] = [];
  const mounted = mountTable().map((m) => m.target);
  for (const d of await readdir(config.runDir).catch(() => [] as string[])) {
    const dir = join(config.runDir, d);
    // Never remove through a mount that would not go: its content may be somebody's.
    if (!reapable(d, all) || mounted.some((m) => m.startsWith(`${dir}/`))) continue;
    await rm(dir, { recursive: true, force: true });
    out.push(`directory ${dir}`);
  }
  return out;
}

export async function reapVolumes(config: VolumeConfig, opts: { all: boolean }): Promise<string[]> {
  // A normal user's runs leave only directories: their tmpfs went with the sandbox's namespaces.
  const steps = config.rootless ? [reapRunDirs] : [reapMounts, ...VOLUME_BACKENDS.map((b) => b.reap), reapRunDirs];
  const out: string[] = [];
  const failed: string[] = [];
  for (const step of steps) {
    try {
      out.push(...(await step(config, opts.all)));
    } catch (e) {
      failed.push((e as Error).message);
    }
  }
  // Every step was tried: the failures are reported once all is done.
  if (failed.length) throw Object.assign(new SetupError('reap', `volumes: removed ${out.length}, but: ${failed.join('; ')}`), { removed: out });
  return out;
}
