/**
 * A fresh, read-only cgroupfs at /sys/fs/cgroup, mounted inside the cgroup
 * namespace: its root is the sandbox's own cgroup, so a runtime that sizes
 * itself from cgroup files (a JVM, Node's os.constrainedMemory()) sees the
 * sandbox's limits, and no host hierarchy is in view. Privileged: the host's
 * mount there is lifted off first, in the sandbox's namespace only (the
 * kernel refuses the same cgroup2 superblock on its own root: EBUSY).
 */
import { basename } from 'node:path';
import type { HostCaps } from '../host/types.js';
import type { Layer } from './layer.js';
import type { ViewOp } from './types.js';

const BASE = '/sys/fs/cgroup';

/** The hierarchies to show: 'cgroup2', or one 'cgroup:CONTROLLERS:DIR' per v1 mount. */
export function cgroupfsOf(caps: HostCaps): string[] {
  if (caps.driver === 2) return ['cgroup2'];
  const mounts = new Map(Object.values(caps.v1).map((h) => [h.mount, h.controllers.join(',')]));
  return [...mounts].map(([mount, controllers]) => `cgroup:${controllers}:${basename(mount)}`);
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
