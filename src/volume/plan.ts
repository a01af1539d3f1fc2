/**
 * Before anything exists: which backend each volume gets (resolving
 * 'auto'), and every refusal — a backend the host lacks, a size mkfs would
 * reject, a mount point cgbox would have to create on the host, a 'volume'
 * device that no volume provides.
 */
import { statSync } from 'node:fs';
import { InvalidSpecError, UnsupportedError } from '../spec/errors.js';
import { type SandboxSpec, VOLUME_DEVICE, type VolumeSpec } from '../spec/types.js';
import { backendOf, VOLUME_DRIVERS, type Backend } from './backends.js';
import { poolUnavailable } from './btrfs-pool.js';
import type { VolumeConfig } from './config.js';
import { rootfsPathProblem } from './rootfs.js';
import type { VolumeBackend } from './types.js';

export interface PlannedVolume {
  spec: VolumeSpec;
  /** Its place in the spec (.volume() call order): names the objects (-v0, -v1…). */
  index: number;
  backend: VolumeBackend;
  /** For 'auto': what was chosen and why, for the report. */
  chosen?: string;
}

/**
 * auto: a btrfs subvolume when a pool is configured, mounted, or can be made
 * (the kernel has btrfs and btrfs-progs is installed) — sized by a qgroup,
 * and a snapshot when there is a template; otherwise a loop image. fs: 'xfs'
 * asks for a filesystem image, so it means loop.
 */
export function chooseAuto(v: VolumeSpec, config: VolumeConfig): { backend: Backend; why: string } {
  // A normal user can make no loop device, pool or thin volume (refused by name in planVolumes).
  if (config.rootless) return { backend: 'tmpfs', why: 'auto chose tmpfs: a rootless run (loop, btrfs and LVM volumes need root)' };
  if (v.fs === 'xfs') return { backend: 'loop', why: 'auto chose loop: fs xfs is made on a loop image' };
  const why = poolUnavailable(config);
  return why ? { backend: 'loop', why: `auto chose loop: no btrfs pool (${why})` } : { backend: 'btrfs', why: 'auto chose btrfs: a btrfs pool is available' };
}

/** Parents before children, so a nested volume's mount point can be made inside its parent. */
export function mountOrder(volumes: readonly PlannedVolume[]): PlannedVolume[] {
  return [...volumes].sort((a, b) => (a.spec.path < b.spec.path ? -1 : a.spec.path > b.spec.path ? 1 : 0));
}

/** The volume whose content holds `path` (the deepest one above it), if any. */
export function parentVolume<T extends { spec: VolumeSpec }>(path: string, volumes: readonly T[]): T | undefined {
  return volumes.filter((v) => path.startsWith(`${v.spec.path}/`)).sort((a, b) => b.spec.path.length - a.spec.path.length)[0];
}

/**
 * Only a privileged run sees the host's tree as it is, and there a mount
 * point must exist: otherwise it is made inside the view (src/view/tree.ts),
 * the rootfs copy or the parent volume, all disposable.
 */
function checkMountPoint(v: VolumeSpec, all: readonly PlannedVolume[], spec: SandboxSpec): void {
  if (!spec.privileged || spec.rootfs || parentVolume(v.path, all)) return;
  let isDir = false;
  try {
    isDir = statSync(v.path).isDirectory();
  } catch {
    // missing
  }
  if (!isDir) {
    throw new InvalidSpecError(
      '.volume',
      v.path,
      `a .privileged() sandbox sees the host's own tree, so a volume is mounted over a directory that exists on the host, and ${v.path} does not (or is not a directory). ` +
        `cgbox never creates one there (it would outlive the sandbox): create it first (mkdir -p ${v.path}), mount at an existing directory, ` +
        'or drop .privileged(): the default view makes the mount point inside the sandbox',
    );
  }
}

function checkVolumeDevice(spec: SandboxSpec, planned: readonly PlannedVolume[]): void {
  const method = spec.iops.some((r) => r.device.given === VOLUME_DEVICE) ? '.iops' : spec.bps.some((r) => r.device.given === VOLUME_DEVICE) ? '.bps' : undefined;
  if (!method) return;
  const first = planned[0];
  if (!first) throw new InvalidSpecError(method, VOLUME_DEVICE, '"volume" names the sandbox\'s own volume: add a .volume() first');
  if (first.backend.kind === 'tmpfs') {
    throw new InvalidSpecError(method, VOLUME_DEVICE, `"volume" is the first volume (${first.spec.path}), a tmpfs: it has no block device to throttle; use driver "loop", "btrfs" or "lvm"`);
  }
}

export function planVolumes(spec: SandboxSpec, config: VolumeConfig): PlannedVolume[] {
  const planned = spec.volumes.map((v, index): PlannedVolume => {
    const auto = v.driver === 'auto' ? chooseAuto(v, config) : undefined;
    const backend = backendOf(auto?.backend ?? v.driver);
    if (!backend) throw new InvalidSpecError('.volume', v.driver, `driver: expected one of ${VOLUME_DRIVERS.join(', ')}`);
    if (config.rootless && backend.kind !== 'tmpfs') {
      throw new UnsupportedError(
        `.volume('${v.path}', { driver: '${backend.kind}' }) in a rootless run`,
        "a loop device, a btrfs pool or an LVM thin volume is made and mounted on the host, which needs root: use driver 'tmpfs' (or 'auto') rootless, or run as root (sudo), or in the VM tier",
      );
    }
    backend.check(v, config);
    return { spec: v, index, backend, ...(auto ? { chosen: auto.why } : {}) };
  });
  if (spec.rootfs) {
    const problem = rootfsPathProblem(spec.rootfs);
    if (problem) throw new InvalidSpecError('.rootfs', spec.rootfs, problem);
  }
  for (const p of planned) checkMountPoint(p.spec, planned, spec);
  checkVolumeDevice(spec, planned);
  return planned;
}
