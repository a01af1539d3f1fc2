/** The result of a run: the contract tests assert on (see DESIGN.md). */

export interface CpuUsage {
  /** Exact total CPU time of every task in the sandbox. */
  usageUs: number;
  /** The kernel's tick-sampled user/system split, scaled so user + system = usage. */
  userUs: number;
  systemUs: number;
  throttledPeriods: number;
  throttledUs: number;
}

export interface MemoryUsage {
  /** Highest charge of the sandbox: anonymous memory, page cache and tmpfs pages. */
  peakBytes: number;
  /** Highest swap use; on cgroup v1 a lower bound (memsw peak − memory peak). */
  swapPeakBytes: number;
  oomKills: number;
  cacheBytes?: number;
  rssBytes?: number;
}

export interface DeviceIo {
  readBytes: number;
  writeBytes: number;
  readOps: number;
  writeOps: number;
}

export interface IoUsage extends DeviceIo {
  /** Keyed by "MAJ:MIN" of the whole disk. */
  devices: Record<string, DeviceIo>;
}

export interface NetUsage {
  rxBytes: number;
  txBytes: number;
  rxPackets: number;
  txPackets: number;
  rxDropped: number;
  txDropped: number;
}

export interface Usage {
  cpu: CpuUsage;
  memory: MemoryUsage;
  pids: { peak: number };
  io: IoUsage;
  net: NetUsage | null;
  volume: { usedBytes: number; sizeBytes: number } | null;
}

/** What the kernel really applied for one limit. */
export interface LimitReport {
  value: number | string;
  enforced: boolean;
  reason?: string;
}

export type Limits = Record<string, LimitReport>;

/** One point of a run's timeline (builder.sample()). */
export interface Sample {
  /** Since the command was launched. */
  tMs: number;
  /** CPU time used so far. */
  cpuUs: number;
  /** Memory charged at that moment. */
  memoryBytes: number;
  /** Tasks at that moment, cgbox's init not counted. */
  tasks: number;
}

export interface RunResult {
  command: string[];
  /** null when the command was ended by a signal. */
  exitCode: number | null;
  /** 'SIGKILL', 'SIGTERM', …; null when the command exited. */
  signal: string | null;
  ok: boolean;
  timedOut: boolean;
  oomKilled: boolean;
  durationMs: number;
  stdout: string;
  stderr: string;
  usage: Usage;
  limits: Limits;
  /** The run had .privileged(): the host's tree writable, every capability, the host's /dev. */
  privileged: boolean;
  samples?: Sample[];
}

export function zeroIo(): IoUsage {
  return { readBytes: 0, writeBytes: 0, readOps: 0, writeOps: 0, devices: {} };
}
