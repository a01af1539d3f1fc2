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

/** An address with its prefix length, e.g. 10.88.3.7/16. */
export interface Cidr {
  ip: string;
  prefix: number;
}

/** A network of its own: a veth pair from the sandbox to a bridge on the host. */
export interface NetworkSpec {
  /** Requested address; without it one is allocated from the bridge's subnet. */
  address?: Cidr;
  bridge: { kind: 'linux'; name: string } | { kind: 'ovs'; name: string };
  /** Bits per second. egress: what the sandbox sends; ingress: what it receives. */
  bandwidth?: { egressBits?: number; ingressBits?: number };
  /** Where bandwidth is shaped: per sandbox on its host veth (default), or by class on the shared bridge uplink. */
  /** A shaping mode of src/net/shaping-modes.ts (the builder accepts only those). */
  shaping: string;
}

export type NetSpec = 'none' | 'host' | NetworkSpec;

/** A disposable volume mounted at `path` inside the sandbox. */
export interface VolumeSpec {
  path: string;
  sizeBytes: number;
  /** 'auto', or a backend of src/volume/backends.ts (the builder accepts only those). */
  driver: string;
  /** A directory whose content the volume starts with (a template). */
  from?: string;
  /** Filesystem for loop and lvm volumes. */
  fs: 'ext4' | 'xfs' | 'btrfs';
}

/** `.bind()` / `.writable()`: a host path (resolved, no symlinks) seen at `target` inside. */
export interface BindSpec {
  source: string;
  target: string;
  readonly: boolean;
}

/** `.device()`: a host device node passed through at the same path. */
export interface DeviceSpec {
  path: string;
  readonly: boolean;
}

/** The device name .iops()/.bps() accept for the sandbox's own volume, resolved once it exists. */
export const VOLUME_DEVICE = 'volume';

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
  volumes: readonly VolumeSpec[];
  /** Run inside a copy-on-write copy of this directory as `/`. */
  rootfs?: string;
  /** Record usage every so often into result.samples. */
  sampleUs?: number;
  timeoutUs?: number;
  /** Between the timeout's SIGTERM and SIGKILL. */
  graceUs: number;
  /** Parent cgroup path (relative to each hierarchy's root) instead of the caller's own. */
  cgroupParent?: string;
  /** The old view: the host's root writable, every capability, the host's /dev, no no_new_privs. */
  privileged: boolean;
  /** Host paths seen inside: .writable() (read-write, same path) and .bind(). */
  binds: readonly BindSpec[];
  devices: readonly DeviceSpec[];
  /** Docker's capability names without CAP_, or 'ALL'; on top of / off Docker's default 14. */
  capAdd: readonly string[];
  capDrop: readonly string[];
}

export const DEFAULT_GRACE_US = 2_000_000;

export function emptySpec(): SandboxSpec {
  return {
    iops: [], bps: [], net: 'none', env: {}, inheritEnv: true, volumes: [], graceUs: DEFAULT_GRACE_US,
    privileged: false, binds: [], devices: [], capAdd: [], capDrop: [],
  };
}
