/**
 * A rootless run's tmpfs volumes. A normal user cannot mount on the host, so
 * the sandbox's outer helper mounts each, once inside the sandbox's user
 * namespace, in a mount namespace of its own over the volume's directory
 * under the user's run directory; the init binds it into the view from there,
 * as a root run binds a host mount. Node reads its usage through
 * /proc/OUTER/root while the sandbox runs, and the outer reports what it holds
 * once every task is gone (native/src/userns.h), before it exits and the
 * tmpfs with it.
 *
 * The volume backend registers each such directory here (src/volume/tmpfs.ts);
 * the launch tells the outer to mount those its view binds.
 */
import { statfs } from 'node:fs/promises';
import type { ViewOp } from '../view/index.js';

interface InnerVolume {
  options: string;
  from?: string;
  /** The outer helper that holds it, once launched. */
  outer?: number;
  /** What the outer reported at its end. */
  usedBytes?: number;
}

const volumes = new Map<string, InnerVolume>();

export function registerInnerTmpfs(path: string, options: string, from?: string): void {
  volumes.set(path, { options, ...(from ? { from } : {}) });
}

export function forgetInnerTmpfs(path: string): void {
  volumes.delete(path);
}

/** The registered volumes a view binds, as --tmpfs-volume PATH OPTIONS FROM|- for the outer. */
export function innerTmpfsArgs(view: readonly ViewOp[]): { args: string[]; paths: string[] } {
  const paths = [...new Set(view.flatMap((op) => (op.op === 'bind' && volumes.has(op.source) ? [op.source] : [])))];
  return { paths, args: paths.flatMap((p) => ['--tmpfs-volume', p, volumes.get(p)!.options, volumes.get(p)!.from ?? '-']) };
}

export function heldBy(paths: readonly string[], outer: number): void {
  for (const p of paths) {
    const v = volumes.get(p);
    if (v) v.outer = outer;
  }
}

/** The outer's "volume-used BYTES PATH" line. */
export function recordUsed(path: string, bytes: number): void {
  const v = volumes.get(path);
  if (v) v.usedBytes = bytes;
}

/** Bytes the volume holds: as reported at the end, else live through the outer's mount namespace, else 0 (not launched). */
export async function innerTmpfsUsed(path: string): Promise<number> {
  const v = volumes.get(path);
  if (v?.usedBytes !== undefined) return v.usedBytes;
  if (v?.outer === undefined) return 0;
  try {
    const st = await statfs(`/proc/${v.outer}/root${path}`);
    return (st.blocks - st.bfree) * st.bsize;
  } catch {
    return v.usedBytes ?? 0; // the outer ended meanwhile: its report came just before
  }
}
