export { sandbox, SandboxBuilder, type SandboxDefaults, type Rate } from './sandbox.js';
export type { RunOptions } from './run/run-sandbox.js';
export type { RunResult, Usage, Limits, LimitReport, CpuUsage, MemoryUsage, IoUsage, DeviceIo, NetUsage, Sample } from './report/types.js';
export { SandboxError, InvalidSpecError, UnsupportedError, PermissionError, SetupError } from './spec/errors.js';
export { formatReport } from './report/format.js';
export { probeHost as doctorProbe, hostCaps } from './host/probe.js';
export type { HostCaps } from './host/types.js';
export { doctor, essentialsPass, probeTools, type Check, type ToolFacts } from './host/doctor.js';
export { reapCgroups } from './run/reap.js';
