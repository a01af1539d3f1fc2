export { sandbox, SandboxBuilder, type SandboxDefaults, type Rate, type NetworkOptions, type VolumeOptions } from './sandbox.js';
export { StartedSandbox, type LiveStats, type ExecOptions, type ExecResult } from './started-sandbox.js';
export { SandboxProcess, type SandboxOutput } from './zx/process.js';
export { writeOCIBundle, formatUnexpressed, UNEXPRESSED_ANNOTATION, BUNDLE_ROOTFS } from './export/index.js';
export type * from './export/oci-spec.js';
export type * from './export/kubernetes-types.js';
export type { OciExport, OciRootfs, KubernetesExport, KubernetesJobOptions, Unexpressed } from './export/index.js';
export type { CurrentUsage } from './cgroup/types.js';
export type { RunOptions } from './run/run-sandbox.js';
export type { RunResult, Usage, Limits, LimitReport, CpuUsage, MemoryUsage, MemoryEvents, IoUsage, DeviceIo, NetUsage, Pressure, Stall, Sample } from './report/types.js';
export { SandboxError, InvalidSpecError, UnsupportedError, PermissionError, SetupError, type StepFailure } from './spec/errors.js';
export { TeardownError } from './report/errors.js';
export { formatReport } from './report/format.js';
export { toSVG } from './report/svg.js';
// Units as the builder parses them and the report prints them, for the faces (cgbox/vitest, $) and for users.
export { parseBytes, parseDurationUs } from './spec/units.js';
export { bytes as formatBytes, micros as formatMicros, millis as formatMillis } from './report/human.js';
export { probeHost as doctorProbe, hostCaps } from './host/probe.js';
export type { HostCaps, Hierarchy, V1Controller } from './host/types.js';
export { doctor, essentialsPass, probeTools, type Check, type ToolFacts, type NestingFacts, type RootlessFacts } from './doctor/doctor.js';
export { reapAll, reapCgroups, type ReapOptions } from './run/reap.js';
// Types the exported ones name: exported so that a user can name them too (and the API reference links them).
export type { SandboxSpec, NetSpec, NetworkSpec, VolumeSpec, DeviceRate, BlockDevice, Cidr, BindSpec, DeviceSpec } from './spec/types.js';
export type { BandwidthInput } from './spec/network.js';
export { releaseStandby } from './run/release.js';
export { btrfsTemplate } from './volume/template.js';
export { releaseSpareVolumes } from './volume/btrfs-spares.js';
export { VOLUME_DRIVERS, type Backend, type VolumeDriver } from './volume/backends.js';
export { SHAPING_MODE_NAMES, type ShapingModeName } from './net/shaping-modes.js';
