/**
 * A fresh /proc of the sandbox's pid namespace, with Docker's masked paths
 * (moby's oci/defaults.go: /dev/null over a file, an empty read-only tmpfs
 * over a directory) and its read-only paths. Mounted with the root, before
 * its pivot (root.ts: a user namespace allows a fresh proc only then); the
 * masks right after it: before mount_setattr (Linux 5.12) the init remounts a
 * tree read-only from /proc/self/mountinfo. Privileged: a fresh /proc over
 * the host's, as before.
 */
import type { Layer } from './layer.js';

export const MASKED = ['/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi'];
export const READ_ONLY = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

export const procLayer: Layer = {
  name: 'proc',
  modes: ['default', 'rootfs', 'privileged'],
  ahead: true,
  ops(ctx, tree) {
    const mount = { op: 'mount', fstype: 'proc', target: '/proc', flags: ['nosuid', 'nodev', 'noexec'] } as const;
    if (ctx.mode === 'privileged') return [mount];
    tree.kernel('/proc');
    return [...MASKED.map((path) => ({ op: 'mask', path }) as const), ...READ_ONLY.map((path) => ({ op: 'readonly', path }) as const)];
  },
};
