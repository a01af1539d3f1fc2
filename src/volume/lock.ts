/**
 * The lock between processes for shared volume state (making the btrfs pool,
 * a template, the LVM volume group): the host's lock (src/host/lock.ts) in the
 * state directory's locks/, stale after 10 s of a crashed holder.
 */
import { withLock as hostLock } from '../host/lock.js';
import { locksDir, type VolumeConfig } from './config.js';

/** Waits up to about a minute (25 ms polls): a template of a big directory may take that long to copy. */
const RETRIES = { retries: 2400, factor: 1, minTimeout: 25, maxTimeout: 25 };

export function withLock<T>(config: VolumeConfig, name: string, fn: () => Promise<T>): Promise<T> {
  return hostLock(locksDir(config), name, { step: 'volume', staleMs: 10_000, retries: RETRIES }, fn);
}
