/**
 * The v1 controllers cgbox uses, in the order their directories are made and
 * written: cpuset first, so its files are set before anything joins. Within one
 * directory only each controller's own writes are ordered.
 */
import { blkio } from './blkio.js';
import type { V1ControllerDef } from './controller.js';
import { cpu } from './cpu.js';
import { cpuacct } from './cpuacct.js';
import { cpuset } from './cpuset.js';
import { freezer } from './freezer.js';
import { memory } from './memory.js';
import { pids } from './pids.js';

export const V1_CONTROLLERS = [cpuset, cpu, cpuacct, memory, pids, blkio, freezer] as const satisfies readonly V1ControllerDef[];

/** A v1 controller cgbox uses. */
export type V1Controller = (typeof V1_CONTROLLERS)[number]['name'];
