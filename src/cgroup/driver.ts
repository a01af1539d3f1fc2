/** The driver for this host: the cgroup version that holds the resource controllers (a hybrid host's are v1). */
import type { HostCaps } from '../host/types.js';
import type { CgroupDriver } from './types.js';
import { cgroupV1 } from './v1/driver.js';
import { cgroupV2 } from './v2/driver.js';

export function driverFor(caps: HostCaps): CgroupDriver {
  return caps.driver === 1 ? cgroupV1 : cgroupV2;
}
