/**
 * The v2 controllers cgbox uses. Their order is the order of the sandbox
 * directory's writes and of cgroup.subtree_control; v2 has none of v1's
 * ordering rules (memsw ≥ memory, cpuset before a task joins), so it only
 * keeps plans readable and tests exact.
 */
import type { V2ControllerDef } from './controller.js';
import { cpu } from './cpu.js';
import { cpuset } from './cpuset.js';
import { io } from './io.js';
import { memory } from './memory.js';
import { pids } from './pids.js';

export const V2_CONTROLLERS = [cpuset, cpu, memory, pids, io] as const satisfies readonly V2ControllerDef[];

/** A v2 controller cgbox uses. */
export type V2Controller = (typeof V2_CONTROLLERS)[number]['name'];
