/**
 * The cgroup v1 driver: one directory per mounted hierarchy the run needs
 * (cpu and cpuacct may be one hierarchy or two), each under the caller's own
 * cgroup in that hierarchy, so a sandbox never escapes its caller's limits.
 */
import { join } from 'node:path';
import { UnsupportedError } from '../../spec/errors.js';
import type { Hierarchy, HostCaps } from '../../host/types.js';
import type { Limits } from '../../report/types.js';
import type { SandboxSpec } from '../../spec/types.js';
import { aheadPaths, aheadWhole, readingAhead } from '../read-ahead.js';
import { subtreeProcs } from '../tree.js';
import { mergeUsage, type CgroupDir, type CgroupDriver, type CgroupPlan, type CurrentUsage } from '../types.js';
import { V1_CONTROLLERS, type V1Controller } from './controllers.js';
import { freezeAndKill, freezeAndSignal } from './freezer.js';

function plan(spec: SandboxSpec, caps: HostCaps, name: string): CgroupPlan {
  const dirs = new Map<string, CgroupDir>();
  const limits: Limits = {};
  for (const c of V1_CONTROLLERS) {
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

/** Each controller of the plan reads its own share, from its own hierarchy's directory. */
function readParts<T>(p: CgroupPlan, read: (c: (typeof V1_CONTROLLERS)[number], dir: string) => Promise<T> | undefined): Promise<T[]> {
  return Promise.all(
    V1_CONTROLLERS.flatMap((c) => {
      const dir = dirOf(p, c.name);
      const part = dir === undefined ? undefined : read(c, dir);
      return part ? [part] : [];
    }),
  );
}

/** What decides which files a report reads (read-ahead.ts): the plan's hierarchies; and where. */
const kindOf = (p: CgroupPlan) => p.dirs.map((d) => d.hierarchy).join(' ');
const dirsOf = (p: CgroupPlan) => p.dirs.map((d) => d.path);

/** Each mounted hierarchy that holds a controller of the list, once (cpu and cpuacct may share one). */
function hierarchies(caps: HostCaps): Hierarchy[] {
  const byMount = new Map(V1_CONTROLLERS.flatMap((c) => (caps.v1[c.name] ? [[caps.v1[c.name]!.mount, caps.v1[c.name]!] as const] : [])));
  return [...byMount.values()];
}

export const cgroupV1: CgroupDriver = {
  version: 1,
  hierarchies,
  plan,
  readUsage: (p, already) => readingAhead(kindOf(p), dirsOf(p), async () => mergeUsage(await readParts(p, (c, dir) => c.usage?.(dir))), already),
  reportFiles: (p) => ({ files: aheadPaths(kindOf(p), dirsOf(p)), whole: aheadWhole(kindOf(p)) }),
  readCurrent: async (p) => Object.assign({ cpuUs: 0, memoryBytes: 0, tasks: 0 } as CurrentUsage, ...(await readParts(p, (c, dir) => c.current?.(dir)))),
  tasksDir: (p) => dirOf(p, 'freezer')!,
  procs: (p) => subtreeProcs(dirOf(p, 'freezer')!),
  signalAll: (p, signal, except) => freezeAndSignal(dirOf(p, 'freezer')!, signal, except),
  killAll: (p) => freezeAndKill(dirOf(p, 'freezer')!),
  killDir: freezeAndKill,
};
