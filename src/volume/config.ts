/**
 * Where cgbox keeps volume state and how it is configured. Read from the
 * environment on each call (tests and callers may set it per process), with
 * defaults that suit a dedicated test machine.
 */
import { join } from 'node:path';
import { defaultRunDir, defaultStateDir } from '../host/state-dir.js';

export interface VolumeConfig {
  /** Lasting state: image files, the loop-backed pools, locks. CGBOX_STATE_DIR. */
  stateDir: string;
  /** Per-run directories (mount points, overlay upper dirs), gone at teardown. CGBOX_RUN_DIR. */
  runDir: string;
  /** An existing btrfs mount to use as the pool instead of cgbox's own loop-backed one. CGBOX_BTRFS_POOL. */
  btrfsPool?: string;
  /** Size of the sparse image behind cgbox's own btrfs pool. CGBOX_BTRFS_POOL_SIZE (default 16g). */
  btrfsPoolSize: string;
  /** An existing LVM volume group; without it cgbox makes one on a loop PV. CGBOX_LVM_VG. */
  lvmVg?: string;
  /** Size of the sparse image behind cgbox's own volume group. CGBOX_LVM_POOL_SIZE (default 16g). */
  lvmPoolSize: string;
  /** A normal user's runs: state in its own directories, tmpfs volumes made inside the sandbox, no pools. */
  rootless: boolean;
}

export function volumeConfig(env: NodeJS.ProcessEnv = process.env): VolumeConfig {
  // root: /var/lib/cgbox and /run/cgbox; a normal user: its own (src/host/state-dir.ts).
  const stateDir = defaultStateDir(env);
  return {
    stateDir,
    runDir: defaultRunDir(env),
    ...(env.CGBOX_BTRFS_POOL ? { btrfsPool: env.CGBOX_BTRFS_POOL } : {}),
    btrfsPoolSize: env.CGBOX_BTRFS_POOL_SIZE || '16g',
    ...(env.CGBOX_LVM_VG ? { lvmVg: env.CGBOX_LVM_VG } : {}),
    lvmPoolSize: env.CGBOX_LVM_POOL_SIZE || '16g',
    rootless: (process.getuid?.() ?? 0) !== 0,
  };
}

/** Image files of loop volumes: <state>/images/<run>-v<i>.img. */
export const imagesDir = (c: VolumeConfig) => join(c.stateDir, 'images');
/** Lock files (proper-lockfile) for the pools and templates. */
export const locksDir = (c: VolumeConfig) => join(c.stateDir, 'locks');
/** A run's own directory of mount points: <run dir>/<run name>. */
export const runPath = (c: VolumeConfig, run: string) => join(c.runDir, run);
