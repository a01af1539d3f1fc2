import { readFlatKeyed, readNumber, splitExact } from '../files.js';
import type { V1ControllerDef } from './controller.js';

/** Always present: it is the exact CPU total. cpuacct.stat never resets, hence a fresh cgroup per run. */
export const cpuacct: V1ControllerDef<'cpuacct'> = {
  name: 'cpuacct',
  needed: () => true,
  writes: () => [],
  limits: () => ({}),
  usage: async (dir) => ({ cpu: await readCpuUsage(dir) }),
  current: async (dir) => ({ cpuUs: Math.round(((await readNumber(`${dir}/cpuacct.usage`)) ?? 0) / 1000) }),
  doctor: { neededBy: null, config: 'CONFIG_CGROUP_CPUACCT' },
};

export async function readCpuUsage(dir: string): Promise<{ usageUs: number; userUs: number; systemUs: number }> {
  const usageUs = Math.round(((await readNumber(`${dir}/cpuacct.usage`)) ?? 0) / 1000);
  // cpuacct.stat is in USER_HZ ticks: only its ratio is used.
  const stat = await readFlatKeyed(`${dir}/cpuacct.stat`);
  return { usageUs, ...splitExact(usageUs, stat['user'] ?? 0, stat['system'] ?? 0) };
}
