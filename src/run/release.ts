import { hostCaps } from '../host/probe.js';
import { driverFor } from './prepare.js';
import { releaseStandby as release } from './standby-pool.js';

/**
 * cgbox keeps one spare sandbox ready (cgroups with an init already in them)
 * once a process has run two, so that the next starts faster. This removes it
 * now — say before checking that no cgroup of cgbox's is left. It is also
 * removed by itself when the process exits.
 */
export function releaseStandby(): Promise<void> {
  return release(driverFor(hostCaps()));
}
