/**
 * The volume backends, one file each. Planning, the builder's and the CLI's
 * driver names, reaping, releasing and doctor all come from this list:
 * adding a backend is one file and one entry here. Reaped in this order.
 */
import { btrfsBackend } from './btrfs.js';
import { loopBackend } from './loop.js';
import { lvmBackend } from './lvm.js';
import { tmpfsBackend } from './tmpfs.js';
import type { VolumeBackend } from './types.js';

export const VOLUME_BACKENDS = [tmpfsBackend, loopBackend, btrfsBackend, lvmBackend] as const satisfies readonly VolumeBackend[];

/** A backend's name. */
export type Backend = (typeof VOLUME_BACKENDS)[number]['kind'];

/** What `.volume(…, { driver })` takes: a backend, or 'auto' to let cgbox choose (plan.ts). */
export type VolumeDriver = 'auto' | Backend;

export const VOLUME_DRIVERS: readonly VolumeDriver[] = ['auto', ...VOLUME_BACKENDS.map((b) => b.kind)];

export function backendOf(kind: string): VolumeBackend | undefined {
  return VOLUME_BACKENDS.find((b) => b.kind === kind);
}
