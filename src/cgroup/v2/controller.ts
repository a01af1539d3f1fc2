/**
 * What every v2 controller module returns, in containerd's manner: the
 * (file, value) writes for the sandbox's directory, in order, and the report of
 * each limit they apply. Pure data; driver.ts decides the order of controllers.
 */
import type { CgroupWrite } from '../types.js';
import type { Limits } from '../../report/types.js';

export interface Translation {
  writes: CgroupWrite[];
  limits: Limits;
}

/** A controller the spec does not limit: no writes, no limits. */
export function nothing(): Translation {
  return { writes: [], limits: {} };
}

/** The controllers cgbox can enable, in the order they are written to cgroup.subtree_control. */
export const V2_CONTROLLERS = ['cpuset', 'cpu', 'io', 'memory', 'pids'] as const;
export type V2Controller = (typeof V2_CONTROLLERS)[number];
