/**
 * pids on cgroup v2 (Linux 4.5): pids.max, and the peak from pids.peak (6.1).
 *
 * cgbox's own init (pid 1 of the sandbox) lives in the cgroup too, so the
 * kernel's count is always one above the user's: pids(n) writes n + 1 and the
 * report subtracts it again.
 */
import type { SandboxSpec } from '../../spec/types.js';
import type { Translation, V2ControllerDef } from './controller.js';
import { readNumber } from '../files.js';
import { INIT_TASKS } from '../tasks.js';


export function pidsValues(spec: SandboxSpec): Translation {
  if (spec.pids === undefined) return { writes: [], limits: {} };
  const max = spec.pids + INIT_TASKS;
  return {
    writes: [{ file: 'pids.max', value: `${max}` }],
    limits: {
      pids: { value: spec.pids, enforced: true, reason: "counts the user's tasks; cgbox's init is allowed on top" },
    },
  };
}

/**
 * Before 6.1 there is no pids.peak: pids.current read at collection is a lower
 * bound (usually just the init, or 0 once it has exited).
 */
export async function readPidsUsage(dir: string): Promise<{ peak: number }> {
  const count = (await readNumber(`${dir}/pids.peak`)) ?? (await readNumber(`${dir}/pids.current`)) ?? 0;
  return { peak: Math.max(0, count - INIT_TASKS) };
}

export const pids: V2ControllerDef<'pids'> = {
  name: 'pids',
  enable: 'always',
  needed: (spec) => spec.pids !== undefined,
  values: (spec) => pidsValues(spec),
  usage: async (dir) => ({ pids: await readPidsUsage(dir) }),
  current: async (dir) => ({ tasks: Math.max(0, ((await readNumber(`${dir}/pids.current`)) ?? 0) - INIT_TASKS) }),
  doctor: { neededBy: null, config: 'CONFIG_CGROUP_PIDS' },
};
