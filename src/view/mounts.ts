/**
 * Every host path the run asked to see — volumes, binds, devices — mounted
 * shallowest first, whatever kind, so a volume inside a bound directory (or
 * a bind inside a volume) lands on top of its parent. Each mount point is
 * made inside the view (tree.ts), never on the host. Privileged: the host's
 * tree is the view, so mount points must exist there (checked before).
 */
import { bindMounts } from './binds.js';
import { deviceMounts } from './devices.js';
import type { Layer } from './layer.js';
import { parts } from './tree.js';
import type { PlacedMount, ViewContext, ViewOp } from './types.js';
import { volumeMounts } from './volumes.js';

/** One entry per kind of host path a run may ask to see. */
const KINDS: readonly ((ctx: ViewContext) => PlacedMount[])[] = [volumeMounts, bindMounts, deviceMounts];

export const mountsLayer: Layer = {
  name: 'mounts',
  modes: ['default', 'rootfs', 'privileged'],
  ops(ctx, tree) {
    const all = KINDS.flatMap((k) => k(ctx)).map((m, i) => ({ m, i }));
    all.sort((a, b) => parts(a.m.target).length - parts(b.m.target).length || a.i - b.i);
    const ops: ViewOp[] = [];
    for (const { m } of all) {
      if (ctx.mode === 'privileged') {
        ops.push({ op: 'bind', source: m.source, target: m.target, flags: m.flags.filter((f) => f === 'rec' || f === 'ro') });
        continue;
      }
      const at = tree.ensure(m.target, m.shape);
      ops.push(...at.ops, { op: 'bind', source: m.source, target: at.path, flags: m.flags });
      tree.mounted(at.path, m.shape === 'file' ? 'file' : m.writable ? 'writable' : { host: m.source });
    }
    // A bound tree brings no host proc, sysfs or cgroup mount along (the view's own are kept).
    if (all.some(({ m }) => m.shape === 'dir') && ctx.mode !== 'privileged') ops.push({ op: 'detach-pseudo', keep: ['/proc', '/dev', '/sys'] });
    return ops;
  },
};
