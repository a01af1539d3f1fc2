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

export interface OciConfig {
  ociVersion: string;
  root: OciRoot;
  mounts: OciMount[];
  process: OciProcess;
  hostname?: string;
  annotations: Record<string, string>;
  linux: OciLinux;
}

export interface OciRoot {
  /** Relative to the bundle directory, or absolute. */
  path: string;
  readonly?: boolean;
}

export interface OciMount {
  destination: string;
  type: string;
  source: string;
  options?: string[];
}

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

export interface OciRlimit {
  /** RLIMIT_NOFILE, … */
  type: string;
  soft: number;
  hard: number;
}

export type OciNamespaceType = 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup';

export interface OciLinux {
  namespaces: { type: OciNamespaceType; path?: string }[];
  resources: OciResources;
  devices?: OciDevice[];
  cgroupsPath?: string;
  maskedPaths?: string[];
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

export interface OciThrottle {
  major: number;
  minor: number;
  rate: number;
}

export interface OciResources {
  devices: OciDeviceRule[];
  cpu?: { shares?: number; quota?: number; period?: number; cpus?: string; mems?: string };
  /** Bytes; swap is memory + swap, as v1's memory.memsw (the runtime converts it for v2). */
  memory?: { limit?: number; reservation?: number; swap?: number };
  pids?: { limit: number };
  blockIO?: {
    throttleReadBpsDevice?: OciThrottle[];
    throttleWriteBpsDevice?: OciThrottle[];
    throttleReadIOPSDevice?: OciThrottle[];
    throttleWriteIOPSDevice?: OciThrottle[];
  };
}
