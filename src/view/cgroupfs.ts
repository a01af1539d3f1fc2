/**
 * A fresh, read-only cgroupfs at /sys/fs/cgroup, mounted inside the cgroup
 * namespace: its root is the sandbox's own cgroup, so a runtime that sizes
 * itself from cgroup files (a JVM, Node's os.constrainedMemory()) sees the
 * sandbox's limits, and no host hierarchy is in view. Privileged: the host's
 * mount there is lifted off first, in the sandbox's namespace only (the
 * kernel refuses the same cgroup2 superblock on its own root: EBUSY).
 */
import { basename } from 'node:path';
import type { Hierarchy } from '../host/types.js';
import type { Layer } from './layer.js';
import type { ViewOp } from './types.js';

const BASE = '/sys/fs/cgroup';

/** The hierarchies to show: 'cgroup2', or one 'cgroup:CONTROLLERS:DIR' per v1 mount the driver uses (its hierarchies()). */
export function cgroupfsOf(version: 1 | 2, hierarchies: readonly Hierarchy[]): string[] {
  if (version === 2) return ['cgroup2'];
  return hierarchies.map((h) => `cgroup:${h.controllers.join(',')}:${basename(h.mount)}`);
}
const RO = ['ro', 'nosuid', 'nodev', 'noexec'] as const;

export const cgroupfsLayer: Layer = {
  name: 'cgroupfs',
  modes: ['default', 'rootfs', 'privileged'],
  ahead: true,
  ops(ctx) {
    if (!ctx.cgroupfs.length) return [];
    const ops: ViewOp[] = ctx.mode === 'privileged' ? [{ op: 'detach', path: BASE }] : [];
    if (ctx.cgroupfs[0] === 'cgroup2') return [...ops, { op: 'mount', fstype: 'cgroup2', target: BASE, flags: RO }];
    ops.push({ op: 'tmpfs', target: BASE, options: 'mode=755,size=64k', flags: ['nosuid', 'nodev', 'noexec'] });
    for (const entry of ctx.cgroupfs) {
      const [, controllers, dir] = entry.split(':');
      ops.push({ op: 'mkdir', path: `${BASE}/${dir}` }, { op: 'mount', fstype: 'cgroup', target: `${BASE}/${dir}`, flags: RO, data: controllers! });
    }
    ops.push({ op: 'setattr', path: BASE, flags: ['ro'] });
    return ops;
  },
};
