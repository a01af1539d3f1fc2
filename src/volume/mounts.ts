/**
 * Host-side mounts under the run's own directory (<run dir>/<run>/v0, …):
 * made with mount(2) by the host-ops helper (src/host/host-ops.ts), each
 * undo pushed as soon as its object exists.
 */
import { mkdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { hostOp } from '../host/host-ops.js';
import { flagWords, type MountFlag } from '../view/index.js';
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

export interface MountSpec {
  fstype: string;
  /** A device, or for tmpfs and overlay the name /proc/mounts shows. */
  source: string;
  /** Mount flags, as the view's steps name them. */
  flags?: readonly MountFlag[];
  /** The filesystem's own options (size=, lowerdir=, …), comma-separated. */
  data?: string;
}

/** mkdir `dir`, then mount on it; undos: umount, rmdir. */
export async function mountAt(ctx: BackendContext, dir: string, m: MountSpec): Promise<void> {
  await mkdir(dir);
  ctx.teardown.push(`rmdir ${dir}`, () => rmdir(dir));
  await hostOp('volume', 'mount', m.fstype, m.source, dir, flagWords(m.flags ?? []), m.data ?? '');
  ctx.teardown.push(`umount ${dir}`, () => unmount(dir));
}

/** Copies a template directory's content (modes, owners, times, links) into a fresh volume. */
export async function copyInto(from: string, to: string): Promise<void> {
  await run('cp', ['-a', '--reflink=auto', `${from}/.`, `${to}/`]);
}
