/**
 * Private writable tmpfs at /tmp, /var/tmp, /dev/shm and /run. Mounted by
 * the init after it joined the sandbox's cgroups: their pages are charged to
 * the sandbox's memory (and bounded by its limit), not to the host's disk.
 */
import type { Layer } from './layer.js';
import type { ViewOp } from './types.js';

export const TMPFS_DIRS: [string, string][] = [['/tmp', 'mode=1777'], ['/var/tmp', 'mode=1777'], ['/dev/shm', 'mode=1777'], ['/run', 'mode=755']];

export const tmpfsDirsLayer: Layer = {
  name: 'tmpfs dirs',
  modes: ['default', 'rootfs'],
  ahead: true,
  ops(_ctx, tree) {
    const ops: ViewOp[] = [];
    for (const [dir, options] of TMPFS_DIRS) {
      const at = tree.ensure(dir, 'dir');
      ops.push(...at.ops, { op: 'tmpfs', target: at.path, options, flags: ['nosuid', 'nodev'] });
      tree.mounted(at.path, 'made');
    }
    return ops;
  },
};
