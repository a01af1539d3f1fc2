/** What every volume backend (backends.ts lists them) provides to the volume resource. */
import type { LimitReport } from '../report/types.js';
import type { Teardown } from '../resource/teardown.js';
import type { BlockDevice, VolumeSpec } from '../spec/types.js';
import type { VolumeConfig } from './config.js';

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

export interface VolumeBackend<K extends string = string> {
  /** The name `.volume(…, { driver })` and `--volume PATH:SIZE:DRIVER` take. */
  readonly kind: K;
  /** Refuses what this host or this spec cannot do, before anything exists. */
  check(v: VolumeSpec, config: VolumeConfig): void;
  create(v: VolumeSpec, ctx: BackendContext): Promise<MadeVolume>;
  /**
   * Removes what runs of dead owners (or of every owner, with `all`) left of this kind, named
   * cgbox-<owner pid>-…; their mounts are already gone (the volume reaper unmounts first) and
   * their run directories go after. A line per object removed.
   */
  reap(config: VolumeConfig, all: boolean): Promise<string[]>;
  /** Drops what this process keeps ready of this kind (spares), for releaseStandby(). */
  release?(): Promise<void>;
  /** For `cgbox doctor`: whether this host can make such volumes, and if not, why (naming the fix). */
  unavailable(config: VolumeConfig): string | undefined;
}
