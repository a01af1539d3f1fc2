/**
 * One interface for cgroup v1 and v2, in containerd's manner: each controller
 * translates the spec into (file, value) writes — pure, unit-tested without
 * root — and a dumb writer applies them in order.
 */
import type { ReadAlready } from './read-ahead.js';
import type { SandboxSpec } from '../spec/types.js';
import type { Hierarchy, HostCaps } from '../host/types.js';
import { zeroIo, type Limits, type Usage } from '../report/types.js';

export interface CgroupWrite {
  file: string;
  value: string;
}

/** One directory to create, and what to write in it, in order. */
export interface CgroupDir {
  /** The hierarchy's key: a v1 mount's controllers joined ('cpu', 'cpu,cpuacct') or 'unified'. */
  hierarchy: string;
  /** Absolute path of the sandbox's cgroup directory. */
  path: string;
  writes: CgroupWrite[];
}

/** Everything a run needs to make its cgroups; computed without touching the host. */
export interface CgroupPlan {
  version: 1 | 2;
  /** Writes to make in the parent before creating children (v2: cgroup.subtree_control). */
  parentWrites: Array<{
    path: string;
    writes: CgroupWrite[];
    /** v2, when the parent is the caller's own cgroup: where its processes move so that it may enable controllers (v2/leaf.ts). */
    leaf?: string;
  }>;
  dirs: CgroupDir[];
  /** The cgroup.procs files the sandbox's init writes itself into before anything else runs. */
  procsFiles: string[];
  /** What each limit is, and whether this host really enforces it. */
  limits: Limits;
}

/** Usage that cgroups measure; net and volume come from their own drivers. */
export type CgroupUsage = Omit<Usage, 'net' | 'volume'>;

/** What `cgbox doctor` says of a controller. */
export interface ControllerDoctorFacts {
  /** The runs that need it, or null when every run does (a host without it cannot run sandboxes). */
  neededBy: string | null;
  /** What the kernel needs for it: its CONFIG_ options. */
  config: string;
}

/** One controller's share of the report: the sections (or fields of them) it reads. */
export type UsagePart = { [K in keyof CgroupUsage]?: Partial<NonNullable<CgroupUsage[K]>> };

/** What a run that touched nothing reads: the base the controllers' parts are laid on. */
export function zeroUsage(): CgroupUsage {
  return {
    cpu: { usageUs: 0, userUs: 0, systemUs: 0, throttledPeriods: 0, throttledUs: 0 },
    memory: { peakBytes: 0, swapPeakBytes: 0, oomKills: 0 },
    pids: { peak: 0 },
    io: zeroIo(),
    pressure: null,
  };
}

/** The parts laid over zeroUsage(), section by section, in the controllers' order; a section no part reads stays as zeroUsage() has it. */
export function mergeUsage(parts: readonly UsagePart[]): CgroupUsage {
  const usage = zeroUsage();
  for (const part of parts) {
    for (const key of Object.keys(part) as Array<keyof CgroupUsage>) {
      const into = usage[key] ?? (key === 'pressure' ? (usage.pressure = { cpu: null, memory: null, io: null }) : undefined);
      Object.assign(into!, part[key]);
    }
  }
  // PSI read for no resource at all: the kernel has none.
  if (usage.pressure && !usage.pressure.cpu && !usage.pressure.memory && !usage.pressure.io) usage.pressure = null;
  return usage;
}

/** What is in use right now: for live stats and timeline samples. */
export interface CurrentUsage {
  /** CPU time used so far, exact. */
  cpuUs: number;
  /** Memory charged now (page cache and tmpfs included). */
  memoryBytes: number;
  /** Tasks now, cgbox's init not counted. */
  tasks: number;
}

export interface CgroupDriver {
  readonly version: 1 | 2;
  /** The hierarchies its controllers live in on this host, each once: where runs' cgroups are made and looked for. */
  hierarchies(caps: HostCaps): Hierarchy[];
  /** Pure translation: spec + host → directories and writes. Throws UnsupportedError. */
  plan(spec: SandboxSpec, caps: HostCaps, name: string): CgroupPlan;
  /** Read the run's counters back into the report shape; the files in `already` are not read again. */
  readUsage(plan: CgroupPlan, already?: ReadAlready): Promise<CgroupUsage>;
  /** The files the next report of this plan will read, as far as the reports before it tell (read-ahead.ts); `whole`: the last read no other. */
  reportFiles(plan: CgroupPlan): { files: string[]; whole: boolean };
  /** Cheap enough to call every few milliseconds while the sandbox runs. */
  readCurrent(plan: CgroupPlan): Promise<CurrentUsage>;
  /** The directory whose subtree holds every task of the run (v1: the freezer's, v2: the run's own). */
  tasksDir(plan: CgroupPlan): string;
  /** The pids now in the sandbox and any cgroup below it (empty once every task is gone, zombies included). */
  procs(plan: CgroupPlan): Promise<number[]>;
  /** `signal` to every task but `except` (the init), frozen meanwhile so that no fork escapes it. */
  signalAll(plan: CgroupPlan, signal: NodeJS.Signals, except?: number): Promise<void>;
  /** Kill every task at once, without a fork racing the kill (v1 freezer, v2 cgroup.kill). */
  killAll(plan: CgroupPlan): Promise<void>;
  /** The same killer on one directory of a hierarchy (the reaper's: a crashed run's cgroup). */
  killDir(dir: string): Promise<void>;
}
