/** What the host can do, as probed. Drivers and the planner read it; only src/host/ makes it. */

/** A v1 controller's name as the kernel spells it (src/cgroup/v1/controllers.ts lists those cgbox uses). */
export type V1Controller = string;

/** One mounted hierarchy and where the caller sits in it. */
export interface Hierarchy {
  /** Where it is mounted, e.g. /sys/fs/cgroup/memory. */
  mount: string;
  /**
   * The caller's cgroup relative to the mount, e.g. /process_api/38c1… ('/' at the top). On v2,
   * when the caller sits in cgbox's leaf (CALLER_LEAF), the cgroup above it: where it nests sandboxes.
   */
  callerPath: string;
  /** Controllers attached to this hierarchy (v1) or available to the caller's cgroup (v2). */
  controllers: string[];
}

export interface HostCaps {
  /** 'hybrid' = v1 controllers with an empty v2 hierarchy beside them (what systemd calls hybrid). */
  cgroupMode: 'v1' | 'v2' | 'hybrid';
  /** Which driver applies: the version that holds the resource controllers. */
  driver: 1 | 2;
  /** v1: each mounted controller's hierarchy (cpu and cpuacct may be separate or co-mounted). */
  v1: Partial<Record<V1Controller, Hierarchy>>;
  /** The unified hierarchy, when one is mounted. */
  v2?: Hierarchy;
  /** v1 memory.memsw.* exists (swapaccount=1), or v2 memory.swap.max exists. */
  swapAccounting: boolean;
  /** Bytes of active swap on the host (from /proc/swaps). */
  swapTotalBytes: number;
  /** v2 memory.peak (5.19); v1 always has memory.max_usage_in_bytes. */
  memoryPeak: boolean;
  /**
   * A swap high-water mark: v2 memory.swap.peak (6.5); v1 memsw.max_usage_in_bytes (with swap
   * accounting). Absent (undefined) in older test doubles: read as present.
   */
  swapPeak?: boolean;
  /** v2 cgroup.kill (5.14). */
  cgroupKill: boolean;
  pidsPeak: boolean;
  isRoot: boolean;
  onlineCpus: number[];
  onlineMems: number[];
  kernel: string;
  /** Whole disks with a request queue (sized, not ram/zram): where v1 blkio counters are switched on. */
  disks?: Array<{ major: number; minor: number; name: string }>;
}
