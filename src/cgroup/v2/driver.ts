/**
 * The cgroup v2 driver: one unified hierarchy, one directory per sandbox.
 * plan() is pure (spec + host → writes); the rest reads and kills.
 */
import { posix } from 'node:path';
import { UnsupportedError } from '../../spec/errors.js';
import type { SandboxSpec } from '../../spec/types.js';
import type { HostCaps, Hierarchy } from '../../host/types.js';
import { CALLER_LEAF } from '../../host/cgroup-mounts.js';
import { mergeUsage, type CgroupDriver, type CgroupPlan, type CurrentUsage } from '../types.js';
import type { Limits } from '../../report/types.js';
import { V2_CONTROLLERS, type V2Controller } from './controllers.js';
import { aheadPaths, aheadWhole, readingAhead } from '../read-ahead.js';
import { subtreeProcs } from '../tree.js';
import { freezeAndSignal, killCgroup } from './kill.js';

export const UNIFIED = 'unified';

export const cgroupV2: CgroupDriver = {
  version: 2,
  hierarchies: (caps) => (caps.v2 ? [caps.v2] : []),

  plan(spec: SandboxSpec, caps: HostCaps, name: string): CgroupPlan {
    const v2 = caps.v2;
    if (v2 === undefined) {
      throw new UnsupportedError('cgroup v2', 'no cgroup2 filesystem is mounted (mount -t cgroup2 none /sys/fs/cgroup)');
    }
    // A non-root parent must hold no processes of its own once controllers are enabled in its
    // subtree_control (EBUSY otherwise). The caller's own cgroup holds the caller: its processes
    // move into a leaf child first (leaf.ts). Only on a v2 host — never on a hybrid one's
    // controller-less v2 hierarchy — and never for a parent the user named.
    const parent = posix.join(v2.mount, spec.cgroupParent ?? v2.callerPath);
    const leaf = spec.cgroupParent === undefined && caps.driver === 2 ? { leaf: posix.join(parent, CALLER_LEAF) } : {};
    const path = posix.join(parent, name);
    const enable = controllersFor(spec, v2, parent);
    const parts = V2_CONTROLLERS.map((c) => c.values(spec, caps));
    return {
      version: 2,
      parentWrites: [{ path: parent, writes: [{ file: 'cgroup.subtree_control', value: enable.map((c) => `+${c}`).join(' ') }], ...leaf }],
      dirs: [{ hierarchy: UNIFIED, path, writes: parts.flatMap((p) => p.writes) }],
      procsFiles: [posix.join(path, 'cgroup.procs')],
      limits: Object.assign({}, ...parts.map((p) => p.limits)) as Limits,
    };
  },

  async readUsage(plan, already) {
    const dir = sandboxDir(plan);
    return readingAhead('unified', [dir], async () => mergeUsage(await Promise.all(V2_CONTROLLERS.flatMap((c) => (c.usage ? [c.usage(dir)] : [])))), already);
  },
  reportFiles: (plan) => ({ files: aheadPaths('unified', [sandboxDir(plan)]), whole: aheadWhole('unified') }),

  async readCurrent(plan) {
    const dir = sandboxDir(plan);
    const parts = await Promise.all(V2_CONTROLLERS.flatMap((c) => (c.current ? [c.current(dir)] : [])));
    return Object.assign({ cpuUs: 0, memoryBytes: 0, tasks: 0 } as CurrentUsage, ...parts);
  },
  tasksDir: (plan) => sandboxDir(plan),
  procs: (plan) => subtreeProcs(sandboxDir(plan)),
  signalAll: (plan, signal, except) => freezeAndSignal(sandboxDir(plan), signal, except),

  killAll: (plan) => killCgroup(sandboxDir(plan)),
  killDir: (dir) => killCgroup(dir),
};

/**
 * The controllers to enable in the parent's cgroup.subtree_control: those every
 * run needs (the report reads their files), those the spec limits, and those
 * enabled wherever they are offered (io, for io.stat). A needed one the parent
 * does not offer is refused before anything exists.
 */
function controllersFor(spec: SandboxSpec, v2: Hierarchy, parent: string): V2Controller[] {
  const offered = (c: V2Controller) => v2.controllers.includes(c);
  const enabled = V2_CONTROLLERS.filter((c) => c.enable === 'always' || c.needed(spec) || (c.enable === 'offered' && offered(c.name)));
  for (const c of enabled) {
    if (!offered(c.name)) {
      throw new UnsupportedError(
        `the ${c.name} controller`,
        `'${c.name}' is missing from ${parent}/cgroup.controllers: the parent must delegate it ` +
          `(+${c.name} in the cgroup.subtree_control above it, or systemd's Delegate=yes)`,
      );
    }
  }
  return enabled.map((c) => c.name);
}

function sandboxDir(plan: CgroupPlan): string {
  const dir = plan.dirs.find((d) => d.hierarchy === UNIFIED);
  if (dir === undefined) throw new Error('not a cgroup v2 plan: no unified directory');
  return dir.path;
}
