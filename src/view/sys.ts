/**
 * /sys read-only: a fresh sysfs, mounted in the sandbox's net namespace (it
 * shows that namespace's interfaces: a spare builds it ahead in its own, for
 * net('none'); a run with another network has the view built afresh), else — where the kernel refuses one —
 * the host's sysfs alone, bound read-only. Docker's masked paths under it.
 * The fresh one is mounted with the root, before its pivot (root.ts); this
 * step then finds it there, or binds the host's where the kernel refused it
 * (in a user namespace: a run with the host's network, whose net namespace
 * the user namespace does not own — then the whole tree, its submounts
 * locked to it, read-only).
 */
import type { Layer } from './layer.js';

export const SYS_MASKED = ['/sys/firmware', '/sys/devices/virtual/powercap'];

export const sysLayer: Layer = {
  name: 'sys',
  modes: ['default', 'rootfs'],
  ahead: true,
  ops(_ctx, tree) {
    tree.kernel('/sys');
    return [
      { op: 'mkdir', path: '/sys' },
      { op: 'sysfs', target: '/sys', flags: ['ro', 'nosuid', 'nodev', 'noexec'] },
      ...SYS_MASKED.map((path) => ({ op: 'mask', path }) as const),
    ];
  },
};
