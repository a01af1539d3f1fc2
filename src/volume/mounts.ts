/**
 * Host-side mounts under the run's own directory (<run dir>/<run>/v0, …):
 * made with mount(8), each undo pushed as soon as its object exists.
 */
import { mkdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './tool.js';
import type { BackendContext } from './types.js';

/** <run dir>/<run>/v0 for the object <run>-v0. */
export function mountPointOf(ctx: BackendContext): string {
  return join(ctx.runPath, ctx.name.slice(ctx.run.length + 1));
}

/** Unmounts; a mount still busy (a straggler's open file) is detached lazily, as it is ours alone. */
export async function unmount(path: string): Promise<void> {
  await run('umount', [path]).catch(() => run('umount', ['--lazy', path]));
}

/** mkdir `dir`, then `mount …args dir`; undos: umount, rmdir. */
export async function mountAt(ctx: BackendContext, dir: string, args: readonly string[]): Promise<void> {
  await mkdir(dir);
  ctx.teardown.push(`rmdir ${dir}`, () => rmdir(dir));
  await run('mount', [...args, dir]);
  ctx.teardown.push(`umount ${dir}`, () => unmount(dir));
}

/** Copies a template directory's content (modes, owners, times, links) into a fresh volume. */
export async function copyInto(from: string, to: string): Promise<void> {
  await run('cp', ['-a', '--reflink=auto', `${from}/.`, `${to}/`]);
}
