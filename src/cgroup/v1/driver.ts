/**
 * The cgroup v1 driver: one directory per mounted hierarchy the run needs
 * (cpu and cpuacct may be one hierarchy or two), each under the caller's own
 * cgroup in that hierarchy, so a sandbox never escapes its caller's limits.
 */
import { join } from 'node:path';
import { UnsupportedError } from '../../spec/errors.js';
import type { HostCaps, V1Controller } from '../../host/types.js';
import type { Limits } from '../../report/types.js';
import type { SandboxSpec } from '../../spec/types.js';
import { parsePids, readNumber, readOptional } from '../files.js';
import { INIT_TASKS } from '../tasks.js';
import type { CgroupDir, CgroupDriver, CgroupPlan, CgroupUsage } from '../types.js';
import { blkio, readIoUsage } from './blkio.js';
import type { V1ControllerDef } from './controller.js';
import { cpu, readThrottling } from './cpu.js';
import { cpuacct, readCpuUsage } from './cpuacct.js';
import { cpuset } from './cpuset.js';
import { freezeAndKill, freezer } from './freezer.js';
import { memory, readMemoryUsage } from './memory.js';
import { pids, readPidsPeak } from './pids.js';

/** Order matters only within a directory; cpuset first so its files are set before anything joins. */
const CONTROLLERS: readonly V1ControllerDef[] = [cpuset, cpu, cpuacct, memory, pids, blkio, freezer];

function plan(spec: SandboxSpec, caps: HostCaps, name: string): CgroupPlan {
  const dirs = new Map<string, CgroupDir>();
  const limits: Limits = {};
  for (const c of CONTROLLERS) {
    if (!c.needed(spec)) continue;
    const h = caps.v1[c.name];
    if (!h) {
      throw new UnsupportedError(
        `the ${c.name} cgroup controller`,
        `it is not mounted (cgroup v1): mount it (mount -t cgroup -o ${c.name} cgroup /sys/fs/cgroup/${c.name}) or enable it in the kernel`,
      );
    }
    const parent = spec.cgroupParent ?? h.callerPath;
    const path = join(h.mount, parent, name);
    const dir = dirs.get(h.mount) ?? { hierarchy: h.controllers.join(','), path, writes: [] };
    dir.writes.push(...c.writes(spec, caps));
    dirs.set(h.mount, dir);
    Object.assign(limits, c.limits(spec, caps));
  }
  const all = [...dirs.values()];
  return { version: 1, parentWrites: [], dirs: all, procsFiles: all.map((d) => join(d.path, 'cgroup.procs')), limits };
}

function dirOf(p: CgroupPlan, controller: V1Controller): string | undefined {
  return p.dirs.find((d) => d.hierarchy.split(',').includes(controller))?.path;
}

async function readUsage(p: CgroupPlan): Promise<CgroupUsage> {
  const acct = dirOf(p, 'cpuacct')!;
  const cpuDir = dirOf(p, 'cpu');
  const [usage, throttling, mem, peak, io] = await Promise.all([
    readCpuUsage(acct),
    cpuDir ? readThrottling(cpuDir) : { throttledPeriods: 0, throttledUs: 0 },
    readMemoryUsage(dirOf(p, 'memory')!),
    readPidsPeak(dirOf(p, 'pids')!),
    readIoUsage(dirOf(p, 'blkio')!),
  ]);
  return { cpu: { ...usage, ...throttling }, memory: mem, pids: { peak }, io };
}

async function readCurrent(p: CgroupPlan) {
  const [ns, mem, tasks] = await Promise.all([
    readNumber(`${dirOf(p, 'cpuacct')}/cpuacct.usage`),
    readNumber(`${dirOf(p, 'memory')}/memory.usage_in_bytes`),
    readNumber(`${dirOf(p, 'pids')}/pids.current`),
  ]);
  return { cpuUs: Math.round((ns ?? 0) / 1000), memoryBytes: mem ?? 0, tasks: Math.max(0, (tasks ?? 0) - INIT_TASKS) };
}

export const cgroupV1: CgroupDriver = {
  version: 1,
  plan,
  readUsage,
  readCurrent,
  procs: async (p) => parsePids(await readOptional(join(dirOf(p, 'freezer')!, 'cgroup.procs'))),
  killAll: (p) => freezeAndKill(dirOf(p, 'freezer')!),
};
