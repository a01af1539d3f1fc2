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
  /** cgroup v2's memory.events over the run: times the sandbox was throttled past memory.high, hit memory.max, ran out of memory, and tasks killed for it. */
  events?: MemoryEvents;
}

export interface MemoryEvents {
  high: number;
  max: number;
  oom: number;
  oomKill: number;
}

/** Pressure stall information (PSI) of one resource over the run: time some task, and every task, stalled on it. */
export interface Stall {
  someUs: number;
  fullUs: number;
}

/** PSI per resource: null for a resource the kernel does not report (no CONFIG_PSI, psi=0; cpu "full" only since 5.13 counts). */
export interface Pressure {
  cpu: Stall | null;
  memory: Stall | null;
  io: Stall | null;
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
  /** Totals of PSI over the run (cgroup v2 with PSI); null on cgroup v1 or without PSI. */
  pressure: Pressure | null;
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
  /** More than maxBuffer was printed: the rest went to the live copy (stdout/stderr options) only. */
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  usage: Usage;
  limits: Limits;
  /** The run had .privileged(): the host's tree writable, every capability, the host's /dev. */
  privileged: boolean;
  samples?: Sample[];
}

export function zeroIo(): IoUsage {
  return { readBytes: 0, writeBytes: 0, readOps: 0, writeOps: 0, devices: {} };
}

/** The totals of an IoUsage, summed over its devices (IO through a loop or dm device counts there and on the disk below). */
export function withIoTotals(io: IoUsage): IoUsage {
  const total = { readBytes: 0, writeBytes: 0, readOps: 0, writeOps: 0 };
  for (const d of Object.values(io.devices)) {
    total.readBytes += d.readBytes;
    total.writeBytes += d.writeBytes;
    total.readOps += d.readOps;
    total.writeOps += d.writeOps;
  }
  return { ...total, devices: io.devices };
}
