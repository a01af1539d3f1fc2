/**
 * The sandbox's filesystem view as a list of primitive steps for cgbox-init
 * (native/src/view.h says what each does). Planned here, in order, from the
 * spec and a read of the host's tree; carried out by the init, which knows
 * only the primitives.
 */

/** ro, rec, nosuid, nodev, noexec, try (skip when the path is missing). */
export type MountFlag = 'ro' | 'rec' | 'nosuid' | 'nodev' | 'noexec' | 'try';

/**
 * Kernel filesystems mounted in the new root before the pivot: in a user namespace the kernel mounts a
 * proc or a sysfs only while another is fully visible in the mount namespace, which after the pivot
 * none is (a refused sysfs falls back to the host's, bound: sys.ts).
 */
export type EarlyMount = 'proc' | 'sysfs';

export type ViewOp =
  | { op: 'root'; staging: string; kind: 'tmpfs'; options: string; early: readonly EarlyMount[] }
  | { op: 'root'; staging: string; kind: 'bind'; source: string; early: readonly EarlyMount[] }
  /** A copy-on-write root made inside a user namespace (rootless): the overlay's writes go to a tmpfs of the sandbox's. */
  | { op: 'root'; staging: string; kind: 'overlay'; lower: string; early: readonly EarlyMount[] }
  | { op: 'tmpfs'; target: string; options: string; flags: readonly MountFlag[] }
  | { op: 'bind'; source: string; target: string; flags: readonly MountFlag[] }
  | { op: 'mkdir'; path: string }
  | { op: 'file'; path: string }
  | { op: 'symlink'; target: string; path: string }
  | { op: 'mount'; fstype: string; target: string; flags: readonly MountFlag[]; data?: string }
  | { op: 'sysfs'; target: string; flags: readonly MountFlag[] }
  | { op: 'mask'; path: string }
  | { op: 'readonly'; path: string }
  | { op: 'setattr'; path: string; flags: readonly MountFlag[] }
  | { op: 'detach'; path: string }
  | { op: 'detach-pseudo'; keep: readonly string[] }
  /** A spare's view built ahead: join the sandbox's cgroups here (what came before is not charged to the run). */
  | { op: 'join' };

export type EntryKind = 'dir' | 'file' | 'symlink' | 'missing';

/** What the planner reads of the host: a real one (host-fs.ts) or a fake in tests. */
export interface HostFs {
  /** lstat: 'file' for anything that is neither a directory nor a symlink (a socket, a device). */
  kind(path: string): EntryKind;
  readlink(path: string): string;
  /** A directory's entries, by name. */
  list(path: string): string[];
  /** A directory's permission bits, for a tmpfs that stands in for it. */
  mode(path: string): number;
}

/** A host path made visible inside: a volume, a .bind()/.writable(), a .device(). */
export interface PlacedMount {
  source: string;
  target: string;
  /** file: the target is a file (a device node, a bound file); dir otherwise. */
  shape: 'dir' | 'file';
  flags: readonly MountFlag[];
  /** Others may make mount points inside it (a read-write directory). */
  writable: boolean;
}

export interface ViewContext {
  /** default: the host's root read-only; rootfs: a disposable copy as /; privileged: the host's tree as it is. */
  mode: 'default' | 'rootfs' | 'privileged';
  /** The host path of the root filesystem copy (mode rootfs); rootless: the directory itself, overlaid inside. */
  rootfs?: string;
  /** The init builds the view in a user namespace of its own (a rootless run). */
  userns?: boolean;
  /** 'cgroup2', or 'cgroup:CONTROLLERS:DIR' per v1 hierarchy, rooted at the sandbox's cgroup. */
  cgroupfs: readonly string[];
  volumes: readonly { source: string; target: string }[];
  binds: readonly { source: string; target: string; readonly: boolean }[];
  devices: readonly { path: string; readonly: boolean }[];
  host: HostFs;
}
