export { sandbox, SandboxBuilder, type SandboxDefaults, type Rate, type NetworkOptions, type VolumeOptions } from './sandbox.js';
export { StartedSandbox, type LiveStats, type ExecOptions, type ExecResult } from './started-sandbox.js';
export { SandboxProcess, type SandboxOutput } from './zx/process.js';
export type { CurrentUsage } from './cgroup/types.js';
export type { RunOptions } from './run/run-sandbox.js';
export type { RunResult, Usage, Limits, LimitReport, CpuUsage, MemoryUsage, IoUsage, DeviceIo, NetUsage, Sample } from './report/types.js';
export { SandboxError, InvalidSpecError, UnsupportedError, PermissionError, SetupError } from './spec/errors.js';
export { formatReport } from './report/format.js';
export { toSVG } from './report/svg.js';
// Units as the builder parses them and the report prints them, for the faces (cgbox/vitest, $) and for users.
export { parseBytes, parseDurationUs } from './spec/units.js';
export { bytes as formatBytes, micros as formatMicros, millis as formatMillis } from './report/human.js';
export { probeHost as doctorProbe, hostCaps } from './host/probe.js';
export type { HostCaps } from './host/types.js';
export { doctor, essentialsPass, probeTools, type Check, type ToolFacts } from './doctor/doctor.js';
export { reapAll, reapCgroups } from './run/reap.js';
export { releaseStandby } from './run/release.js';
export { btrfsTemplate } from './volume/template.js';
export { releaseSpareVolumes } from './volume/btrfs-spares.js';
