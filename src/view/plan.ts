/**
 * The whole view of a run: every layer that applies to its mode, in order.
 * Planned twice: the first pass finds the host directories that need a
 * mirror (a mount point missing in a read-only bind), the second makes those
 * mirrors right after the host's tree is bound, before anything is mounted
 * below them.
 */
import type { Layer } from './layer.js';
import { LAYERS } from './layers.js';
import { tmpfsDirsLayer } from './tmpfs-dirs.js';
import { ViewTree } from './tree.js';
import type { HostFs, ViewContext, ViewOp } from './types.js';

/**
 * The init joins the sandbox's cgroups before the first layer that needs them — the tmpfs dirs
 * (their pages are the sandbox's), then the cgroupfs of its cgroup namespace: the tree work before
 * (the host's tree copied and bound, /proc, /dev, /sys) is cgbox's cost, charged to the caller, cold or
 * from a spare alike, not to the run's report. Privileged: at once, as before.
 */
const joinBefore = (l: Layer) => (l === tmpfsDirsLayer ? [{ op: 'join' } as const] : []);

function pass(ctx: ViewContext, premirror: ReadonlySet<string>): { ops: ViewOp[]; tree: ViewTree } {
  const tree = new ViewTree(ctx.host, ctx.mode === 'default' ? 'made' : 'writable', premirror);
  const ops = LAYERS.filter((l) => l.modes.includes(ctx.mode)).flatMap((l) => [...joinBefore(l), ...l.ops(ctx, tree)]);
  return { ops, tree };
}

/**
 * What a spare sandbox builds before its orders arrive: the order-independent
 * layers of a default run. A run whose own plan starts with exactly these
 * steps sends only the rest (src/launch/standby.ts); any other run (a rootfs,
 * privileged, a mirror needed before /var/tmp) has the spare start afresh.
 */
export function preparedView(host: HostFs, cgroupfs: readonly string[]): ViewOp[] {
  const ctx: ViewContext = { mode: 'default', cgroupfs, volumes: [], binds: [], devices: [], host };
  const tree = new ViewTree(host, 'made');
  return LAYERS.filter((l) => l.ahead && l.modes.includes('default')).flatMap((l) => [...joinBefore(l), ...l.ops(ctx, tree)]);
}

export function planView(ctx: ViewContext): ViewOp[] {
  const first = pass(ctx, new Set());
  if (!first.tree.mirrored.length) return first.ops;
  return pass(ctx, new Set(first.tree.mirrored)).ops;
}
