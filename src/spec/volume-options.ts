/**
 * `.volume(path, opts)` and `.rootfs(dir)`, checked and parsed. Pure: the
 * drivers a host build offers are passed in (src/volume/backends.ts lists
 * them), and whether a directory exists is asked of the caller.
 */
import { InvalidSpecError } from './errors.js';
import type { VolumeSpec } from './types.js';
import { parseBytes } from './units.js';

export interface VolumeOptionsInput {
  size: string | number;
  driver?: string;
  /** A directory whose content the volume starts with. */
  from?: string;
  fs?: 'ext4' | 'xfs' | 'btrfs';
}

export const FILESYSTEMS = ['ext4', 'xfs', 'btrfs'] as const;
const KEYS = ['size', 'driver', 'from', 'fs'];

export interface VolumeContext {
  /** 'auto' and the backends' names. */
  drivers: readonly string[];
  /** The volumes already asked for. */
  taken: readonly VolumeSpec[];
  isDirectory(path: string): boolean;
}

export function parseVolume(path: unknown, opts: unknown, ctx: VolumeContext): VolumeSpec {
  if (typeof path !== 'string' || !path.startsWith('/') || path === '/' || path.split('/').includes('..') || path.includes('\0')) {
    throw new InvalidSpecError('.volume', path, 'expected an absolute path other than "/", without ".."');
  }
  if (ctx.taken.some((v) => v.path === path)) throw new InvalidSpecError('.volume', path, 'a volume is already mounted there');
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) throw new InvalidSpecError('.volume', opts, 'expected options { size, driver?, from?, fs? }');
  const o = opts as VolumeOptionsInput;
  const unknown = Object.keys(o).filter((k) => !KEYS.includes(k));
  if (unknown.length) throw new InvalidSpecError('.volume', opts, `unknown option ${unknown.join(', ')}; expected { size, driver?, from?, fs? }`);
  const sizeBytes = typeof o.size === 'string' || typeof o.size === 'number' ? parseBytes(o.size) : null;
  if (sizeBytes === null || sizeBytes < 2 ** 20) throw new InvalidSpecError('.volume', o.size, 'size: expected at least 1 MiB, as bytes or Docker units ("100m", "1g")');
  const driver = o.driver ?? 'auto';
  if (!ctx.drivers.includes(driver)) throw new InvalidSpecError('.volume', driver, `driver: expected one of ${ctx.drivers.join(', ')}`);
  const fs = o.fs ?? 'ext4';
  if (!FILESYSTEMS.includes(fs)) throw new InvalidSpecError('.volume', fs, `fs: expected one of ${FILESYSTEMS.join(', ')}`);
  if (o.from !== undefined && (typeof o.from !== 'string' || !o.from.startsWith('/') || !ctx.isDirectory(o.from))) {
    throw new InvalidSpecError('.volume', o.from, 'from: expected an absolute path of an existing directory');
  }
  return { path, sizeBytes, driver, fs, ...(o.from !== undefined ? { from: o.from } : {}) };
}

export function parseRootfs(dir: unknown, isDirectory: (path: string) => boolean): string {
  if (typeof dir !== 'string' || !dir.startsWith('/') || !isDirectory(dir)) throw new InvalidSpecError('.rootfs', dir, 'expected an absolute path of an existing directory');
  return dir;
}
