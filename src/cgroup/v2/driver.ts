/**
 * The cgroup v2 driver: one unified hierarchy, one directory per sandbox.
 * plan() is pure (spec + host → writes); the rest reads and kills.
 */
import { posix } from 'node:path';
import { UnsupportedError } from '../../spec/errors.js';
import type { SandboxSpec } from '../../spec/types.js';
import type { HostCaps, Hierarchy } from '../../host/types.js';
import { CALLER_LEAF } from '../../host/cgroup-mounts.js';
import type { CgroupDriver, CgroupPlan } from '../types.js';
import type { Limits } from '../../report/types.js';
import { V2_CONTROLLERS, type Translation, type V2Controller } from './controller.js';
import { cpusetValues } from './cpuset.js';
import { cpuValues, readCpuUsage } from './cpu.js';
import { memoryValues, readMemoryUsage } from './memory.js';
import { pidsValues, readPidsUsage } from './pids.js';
import { ioValues, readIoUsage } from './io.js';
import { killCgroup, readProcs } from './kill.js';
import { readFlatKeyed, readNumber } from '../files.js';
import { INIT_TASKS } from '../tasks.js';

export const UNIFIED = 'unified';

export const cgroupV2: CgroupDriver = {
  version: 2,

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
    // Ordering rules, all of them: v2 has none of v1's (memsw ≥ memory, cpuset before a task
    // joins), so the order below only keeps plans readable and tests exact.
    const parts: Translation[] = [
      cpusetValues(spec, caps),
      cpuValues(spec),
      memoryValues(spec, caps),
      pidsValues(spec),
      ioValues(spec),
    ];
    return {
      version: 2,
      parentWrites: [{ path: parent, writes: [{ file: 'cgroup.subtree_control', value: enable.map((c) => `+${c}`).join(' ') }], ...leaf }],
      dirs: [{ hierarchy: UNIFIED, path, writes: parts.flatMap((p) => p.writes) }],
      procsFiles: [posix.join(path, 'cgroup.procs')],
      limits: Object.assign({}, ...parts.map((p) => p.limits)) as Limits,
    };
  },

  async readUsage(plan) {
    const dir = sandboxDir(plan);
    const [cpu, memory, pids, io] = await Promise.all([
      readCpuUsage(dir),
      readMemoryUsage(dir),
      readPidsUsage(dir),
      readIoUsage(dir),
    ]);
    return { cpu, memory, pids, io };
  },

  async readCurrent(plan) {
    const dir = sandboxDir(plan);
    const [cpu, mem, tasks] = await Promise.all([readFlatKeyed(`${dir}/cpu.stat`), readNumber(`${dir}/memory.current`), readNumber(`${dir}/pids.current`)]);
    return { cpuUs: cpu['usage_usec'] ?? 0, memoryBytes: mem ?? 0, tasks: Math.max(0, (tasks ?? 0) - INIT_TASKS) };
  },
  procs: (plan) => readProcs(sandboxDir(plan)),

  killAll: (plan) => killCgroup(sandboxDir(plan)),
};

/**
 * The controllers to enable in the parent's cgroup.subtree_control. cpu, memory
 * and pids are always needed (the report reads their files), cpuset and io
 * when the spec limits them; io is also enabled when merely available, for io.stat.
 */
function controllersFor(spec: SandboxSpec, v2: Hierarchy, parent: string): V2Controller[] {
  const needed = new Set<V2Controller>(['cpu', 'memory', 'pids']);
  if (spec.cpus !== undefined && spec.cpus.length > 0) needed.add('cpuset');
  if (spec.iops.length > 0 || spec.bps.length > 0) needed.add('io');
  for (const c of V2_CONTROLLERS) {
    if (needed.has(c) && !v2.controllers.includes(c)) {
      throw new UnsupportedError(
        `the ${c} controller`,
        `'${c}' is missing from ${parent}/cgroup.controllers: the parent must delegate it ` +
          `(+${c} in the cgroup.subtree_control above it, or systemd's Delegate=yes)`,
      );
    }
  }
  if (v2.controllers.includes('io')) needed.add('io');
  return V2_CONTROLLERS.filter((c) => needed.has(c));
}

function sandboxDir(plan: CgroupPlan): string {
  const dir = plan.dirs.find((d) => d.hierarchy === UNIFIED);
  if (dir === undefined) throw new Error('not a cgroup v2 plan: no unified directory');
  return dir.path;
}
