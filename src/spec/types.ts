/**
 * The sandbox specification: what the builder collected, already parsed into
 * integers. Plain data; everything downstream reads it, nothing mutates it.
 */

/** A whole disk, the one that owns the request queue the throttle acts on. */
export interface BlockDevice {
  major: number;
  minor: number;
  /** What the user named ('/var/tmp', '/dev/vda1', '254:0'), for messages. */
  given: string;
  /** The kernel's name of the whole disk, e.g. 'vda'. */
  name: string;
}

export interface DeviceRate {
  device: BlockDevice;
  read?: number;
  write?: number;
}

export type NetSpec = 'none' | 'host';

export interface SandboxSpec {
  cpus?: readonly number[];
  /** Docker's scale: 2..262144, 1024 = default weight. */
  cpuShares?: number;
  cpuQuota?: { quotaUs: number; periodUs: number };
  memoryBytes?: number;
  /** Swap on top of memory; only with memoryBytes. 0 = none. */
  swapBytes?: number;
  pids?: number;
  /** Operations per second, per whole disk. */
  iops: readonly DeviceRate[];
  /** Bytes per second, per whole disk. */
  bps: readonly DeviceRate[];
  net: NetSpec;
  hostname?: string;
  env: Readonly<Record<string, string>>;
  /** Whether the command starts with the caller's environment (default true). */
  inheritEnv: boolean;
  cwd?: string;
  timeoutUs?: number;
  /** Between the timeout's SIGTERM and SIGKILL. */
  graceUs: number;
  /** Parent cgroup path (relative to each hierarchy's root) instead of the caller's own. */
  cgroupParent?: string;
}

export const DEFAULT_GRACE_US = 2_000_000;

export function emptySpec(): SandboxSpec {
  return { iops: [], bps: [], net: 'none', env: {}, inheritEnv: true, graceUs: DEFAULT_GRACE_US };
}
