/**
 * The view's root: a small tmpfs of its own (default) or the rootfs copy,
 * mounted at a staging directory of the sandbox's mount namespace and pivoted
 * into; the host's tree is detached at once, so nothing of it (its /proc,
 * /sys, /dev, cgroup mounts) can be lifted to reveal it. What the host
 * offers comes back by the binds of later layers only.
 *
 * A fresh /proc and /sys are mounted in the new root before the pivot
 * (EarlyMount): in a user namespace the kernel allows them only while the
 * host's are still in view. A rootless run's rootfs copy is an overlay made by
 * the init inside its user namespace, its writes on a tmpfs of its own.
 */
import { SetupError } from '../spec/errors.js';
import type { Layer } from './layer.js';

/** Any existing host directory will do: the mount on it is in the sandbox's namespace only. */
const STAGING = ['/tmp', '/mnt', '/var/tmp'];

export const rootLayer: Layer = {
  name: 'root',
  modes: ['default', 'rootfs'],
  ahead: true,
  ops(ctx) {
    const staging = STAGING.find((d) => ctx.host.kind(d) === 'dir');
    if (!staging) throw new SetupError('view', `none of ${STAGING.join(', ')} is a directory on this host: cgbox stages the sandbox's root on one`);
    const early = ['proc', 'sysfs'] as const;
    if (ctx.mode === 'rootfs' && ctx.userns) return [{ op: 'root', staging, kind: 'overlay', lower: ctx.rootfs!, early }];
    if (ctx.mode === 'rootfs') return [{ op: 'root', staging, kind: 'bind', source: ctx.rootfs!, early }];
    return [{ op: 'root', staging, kind: 'tmpfs', options: 'mode=755,size=1m', early }];
  },
};
