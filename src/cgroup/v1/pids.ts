import type { Limits } from '../../report/types.js';
import { readNumber } from '../files.js';
import { INIT_TASKS } from '../tasks.js';
import type { V1ControllerDef } from './controller.js';

export const pids: V1ControllerDef<'pids'> = {
  name: 'pids',
  needed: () => true,
  writes: (spec) => (spec.pids !== undefined ? [{ file: 'pids.max', value: String(spec.pids + INIT_TASKS) }] : []),
  limits: (spec): Limits => (spec.pids !== undefined ? { pids: { value: spec.pids, enforced: true, reason: "counts the user's tasks; cgbox's init is allowed on top" } } : {}),
  usage: async (dir) => ({ pids: { peak: await readPidsPeak(dir) } }),
  current: async (dir) => ({ tasks: Math.max(0, ((await readNumber(`${dir}/pids.current`)) ?? 0) - INIT_TASKS) }),
  doctor: { neededBy: null, config: 'CONFIG_CGROUP_PIDS' },
};

export async function readPidsPeak(dir: string): Promise<number> {
  // pids.peak is 6.1+; pids.current is the fallback (correct only while tasks remain).
  const peak = (await readNumber(`${dir}/pids.peak`)) ?? (await readNumber(`${dir}/pids.current`)) ?? 0;
  return Math.max(0, peak - INIT_TASKS);
}
