import { hostCaps } from '../host/probe.js';
import { keepAlive } from '../host/keep-alive.js';
import { VOLUME_BACKENDS } from '../volume/backends.js';
import { driverFor } from '../cgroup/driver.js';
import { releaseStandby as release } from './standby-pool.js';

/**
 * cgbox keeps spares ready once a process has run two sandboxes alike, so the
 * next starts faster: sandboxes (cgroups with an init already in them), and
 * btrfs volumes of the kinds in use. This removes them now — say before
 * checking that nothing of cgbox's is left. They also go when the process exits.
 */
export async function releaseStandby(): Promise<void> {
  await keepAlive(Promise.all([release(driverFor(hostCaps())), ...VOLUME_BACKENDS.map((b) => b.release?.())]));
}
