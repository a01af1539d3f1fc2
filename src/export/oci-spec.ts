/**
 * The parts of the OCI runtime specification's config.json that cgbox writes
 * (github.com/opencontainers/runtime-spec, config.md and config-linux.md,
 * v1.0.2). Field names and shapes are the spec's; what cgbox never sets is
 * left out. Validated against the spec's own JSON schema in the unit tests
 * (schema/, vendored from the v1.0.2 tag).
 */

/**
 * 1.0.2: the highest version Debian's runc 1.1 (Debian 12 and 13) declares it
 * implements (`runc features`: ociVersionMax 1.0.2-dev), and every field used
 * here is in it. The recursive mount options (rro, rnosuid, rnodev) came into
 * the spec's text with 1.1.0; runc implements them since 1.1 (`runc features`
 * lists them), on Linux ≥ 5.12 (mount_setattr).
 */
export const OCI_VERSION = '1.0.2';

/** config.json: the whole of an OCI bundle's configuration (runtime-spec config.md). */
export interface OciConfig {
  ociVersion: string;
  root: OciRoot;
  mounts: OciMount[];
  process: OciProcess;
  hostname?: string;
  annotations: Record<string, string>;
  linux: OciLinux;
}

/** `root`: the container's root filesystem (a directory; cgbox's is read-only). */
export interface OciRoot {
  /** Relative to the bundle directory, or absolute. */
  path: string;
  readonly?: boolean;
}

/** One entry of `mounts`, made in order after the root: a bind (`type: 'bind'`) or a filesystem (`tmpfs`, `proc`, …). */
export interface OciMount {
  destination: string;
  type: string;
  source: string;
  options?: string[];
}

/** `process`: the command the container runs as its pid 1, as whom, where, with which capabilities and limits. */
export interface OciProcess {
  terminal?: boolean;
  user: { uid: number; gid: number; additionalGids?: number[] };
  args: string[];
  /** "NAME=value" */
  env: string[];
  cwd: string;
  capabilities: OciCapabilities;
  rlimits?: OciRlimit[];
  noNewPrivileges?: boolean;
}

/** Capability names with their CAP_ prefix, as the spec writes them. */
export interface OciCapabilities {
  bounding: string[];
  effective: string[];
  permitted: string[];
  inheritable: string[];
  ambient: string[];
}

/** One of `process.rlimits`: setrlimit(2) before the command runs. */
export interface OciRlimit {
  /** RLIMIT_NOFILE, … */
  type: string;
  soft: number;
  hard: number;
}

/** A kind of Linux namespace, by the spec's name (`network` is CLONE_NEWNET). */
export type OciNamespaceType = 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup';

/** `linux`: namespaces, cgroup settings, device nodes and the paths masked or made read-only in /proc and /sys. */
export interface OciLinux {
  /** Each made new (no `path`: none joins an existing one). */
  namespaces: { type: OciNamespaceType; path?: string }[];
  resources: OciResources;
  devices?: OciDevice[];
  /** The container's cgroup: beneath .cgroupParent() when given, else the runtime's choice. */
  cgroupsPath?: string;
  /** Paths hidden (a file bound over by /dev/null, a directory by an empty read-only tmpfs). */
  maskedPaths?: string[];
  /** Paths remounted read-only. */
  readonlyPaths?: string[];
}

/** A device node the runtime makes in the container's /dev. */
export interface OciDevice {
  type: 'c' | 'b';
  path: string;
  major: number;
  minor: number;
  fileMode?: number;
  uid?: number;
  gid?: number;
}

/** One rule of the devices cgroup: allow or deny, for a type and major:minor (absent: any). */
export interface OciDeviceRule {
  allow: boolean;
  type?: 'a' | 'c' | 'b';
  major?: number;
  minor?: number;
  /** r, w, m (mknod) */
  access?: string;
}

/** One block IO throttle: a rate (bytes or operations per second) on the device major:minor. */
export interface OciThrottle {
  major: number;
  minor: number;
  rate: number;
}

/** `linux.resources`: the cgroup settings the runtime writes (runc's fs and fs2 drivers: v1 and v2 files alike). */
export interface OciResources {
  /** The devices cgroup's rules, in order: cgbox denies all, then allows each .device(). */
  devices: OciDeviceRule[];
  /** shares on v1's scale; quota and period in µs; cpus and mems as cpuset lists ('0-1,3'). */
  cpu?: { shares?: number; quota?: number; period?: number; cpus?: string; mems?: string };
  /** Bytes; swap is memory + swap, as v1's memory.memsw (the runtime converts it for v2). */
  memory?: { limit?: number; reservation?: number; swap?: number };
  /** The most tasks at once. */
  pids?: { limit: number };
  /** Throttles per device, as v1's blkio.throttle.* files (v2: io.max). */
  blockIO?: {
    throttleReadBpsDevice?: OciThrottle[];
    throttleWriteBpsDevice?: OciThrottle[];
    throttleReadIOPSDevice?: OciThrottle[];
    throttleWriteIOPSDevice?: OciThrottle[];
  };
}
