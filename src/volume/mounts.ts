/**
 * Host-side mounts under the run's own directory (<run dir>/<run>/v0, …):
 * made with mount(2) by the host-ops helper (src/launch/host-ops.ts), each
 * undo pushed as soon as its object exists.
 */
import { mkdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { hostOp } from '../launch/host-ops.js';
import { run } from './tool.js';
import type { BackendContext } from './types.js';

/** <run dir>/<run>/v0 for the object <run>-v0. */
export function mountPointOf(ctx: BackendContext): string {
  return join(ctx.runPath, ctx.name.slice(ctx.run.length + 1));
}

/** Unmounts; a mount still busy (a straggler's open file) is detached lazily, as it is ours alone. */
export async function unmount(path: string): Promise<void> {
  await hostOp('volume', 'umount', path);
}

/** mount(8)'s words for mount flags (<sys/mount.h> MS_*; rw and defaults are none); every other option is the filesystem's data. */
const FLAGS: Readonly<Record<string, number>> = {
  rw: 0,
  defaults: 0,
  ro: 1,
  nosuid: 2,
  nodev: 4,
  noexec: 8,
  sync: 16,
  dirsync: 128,
  noatime: 1024,
  nodiratime: 2048,
  relatime: 1 << 21,
  strictatime: 1 << 24,
  lazytime: 1 << 25,
};

/** A mount(8)-style option list as mount(2) takes it: the flags, and the rest joined again as data. */
export function mountOptions(options: string): { flags: number; data: string } {
  let flags = 0;
  const data: string[] = [];
  for (const o of options.split(',').filter(Boolean)) {
    const f = FLAGS[o];
    if (f === undefined) data.push(o);
    else flags |= f;
  }
  return { flags, data: data.join(',') };
}

export interface MountSpec {
  fstype: string;
  /** A device, or for tmpfs and overlay the name /proc/mounts shows. */
  source: string;
  /** mount(8)-style: flags (nosuid, ro, …) and the filesystem's own options, comma-separated. */
  options?: string;
}

/** mkdir `dir`, then mount on it; undos: umount, rmdir. */
export async function mountAt(ctx: BackendContext, dir: string, m: MountSpec): Promise<void> {
  await mkdir(dir);
  ctx.teardown.push(`rmdir ${dir}`, () => rmdir(dir));
  const { flags, data } = mountOptions(m.options ?? '');
  await hostOp('volume', 'mount', m.fstype, m.source, dir, String(flags), data);
  ctx.teardown.push(`umount ${dir}`, () => unmount(dir));
}

/** Copies a template directory's content (modes, owners, times, links) into a fresh volume. */
export async function copyInto(from: string, to: string): Promise<void> {
  await run('cp', ['-a', '--reflink=auto', `${from}/.`, `${to}/`]);
}
