/**
 * The host's root, read-only (nosuid, nodev), recursively: each top-level
 * entry bound into the view's own root (a directory with its submounts, a
 * file), symlinks copied — except what every sandbox gets fresh: /proc,
 * /sys, /dev, /tmp, /run. Copies of pseudo filesystems that came along
 * inside the bound trees (a chroot's /proc under /var, say) are detached:
 * the host's processes and sysfs stay out of view.
 */
import type { Layer } from './layer.js';
import type { ViewOp } from './types.js';

const FRESH = new Set(['proc', 'sys', 'dev', 'tmp', 'run']);

export const hostLayer: Layer = {
  name: 'host',
  modes: ['default'],
  ahead: true,
  ops(ctx, tree) {
    const ops: ViewOp[] = [];
    for (const name of ctx.host.list('/').sort()) {
      if (FRESH.has(name)) continue;
      const path = `/${name}`;
      const kind = ctx.host.kind(path);
      if (kind === 'dir') {
        ops.push({ op: 'mkdir', path }, { op: 'bind', source: path, target: path, flags: ['rec', 'ro', 'nosuid', 'nodev', 'try'] });
        tree.hostDir(path, path);
      } else if (kind === 'symlink') {
        const target = ctx.host.readlink(path);
        ops.push({ op: 'symlink', target, path });
        tree.symlink(path, target);
      } else if (kind === 'file') {
        ops.push({ op: 'file', path }, { op: 'bind', source: path, target: path, flags: ['ro', 'nosuid', 'nodev', 'try'] });
        tree.file(path);
      }
    }
    // Host directories later layers need mount points in, replaced before anything is mounted below them.
    ops.push(...tree.premirrorOps());
    // The view's own /proc and /sys (mounted with the root) stay.
    ops.push({ op: 'detach-pseudo', keep: ['/proc', '/sys'] });
    return ops;
  },
};
