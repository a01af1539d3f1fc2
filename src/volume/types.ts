/** What every volume backend (tmpfs, loop, btrfs, lvm) provides to the volume resource. */
import type { LimitReport } from '../report/types.js';
import type { Teardown } from '../resource/teardown.js';
import type { BlockDevice, VolumeSpec } from '../spec/types.js';
import type { VolumeConfig } from './config.js';

export type Backend = 'tmpfs' | 'loop' | 'btrfs' | 'lvm';

export interface VolumeUsage {
  usedBytes: number;
  sizeBytes: number;
}

export interface BackendContext {
  config: VolumeConfig;
  /** The run's name, cgbox-<pid>-<hex>. */
  run: string;
  /** This volume's object name, <run>-v<i>: image file, subvolume, LV, mount source. */
  name: string;
  /** The run's own directory (exists): mount points go inside it. */
  runPath: string;
  /** Push each undo the moment its object exists. */
  teardown: Teardown;
}

export interface MadeVolume {
  /** Host path of the volume's root: bind-mounted at the spec's path inside the sandbox. */
  hostPath: string;
  /** The block device under it, for .iops('volume')/.bps('volume'). */
  device?: BlockDevice;
  limit: LimitReport;
  /** Read after the command ended, before teardown. */
  usage(): Promise<VolumeUsage>;
}

export interface VolumeBackend {
  readonly kind: Backend;
  /** Refuses what this host or this spec cannot do, before anything exists. */
  check(v: VolumeSpec, config: VolumeConfig): void;
  create(v: VolumeSpec, ctx: BackendContext): Promise<MadeVolume>;
}
