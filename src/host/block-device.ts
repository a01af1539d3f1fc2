/**
 * Resolve what a user names as a device to the whole disk that owns the
 * request queue, since that is where blkio/io throttling acts: a disk
 * (/dev/vda), a partition (/dev/vda1 → vda), 'MAJ:MIN', or any path (its
 * filesystem's backing device).
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { BlockDevice } from '../spec/types.js';

export class DeviceNotFound extends Error {}

/** A dev_t's major and minor numbers (the kernel's new_encode_dev layout, as stat reports rdev). */
export const major = (dev: number): number => Number((BigInt(dev) >> 8n) & 0xfffn) | Number((BigInt(dev) >> 32n) & ~0xfffn);
export const minor = (dev: number): number => Number(BigInt(dev) & 0xffn) | Number((BigInt(dev) >> 12n) & ~0xffn);

function sysfsOf(maj: number, min: number): string {
  const link = `/sys/dev/block/${maj}:${min}`;
  if (!existsSync(link)) throw new DeviceNotFound(`no block device ${maj}:${min} in /sys/dev/block`);
  return realpathSync(link);
}

/** A partition's sysfs dir has a 'partition' file; its parent dir is the disk. */
function wholeDisk(maj: number, min: number): BlockDevice & { given: '' } {
  let dir = sysfsOf(maj, min);
  if (existsSync(`${dir}/partition`)) dir = dir.slice(0, dir.lastIndexOf('/'));
  const [M, m] = readFileSync(`${dir}/dev`, 'utf8').trim().split(':').map(Number);
  return { major: M!, minor: m!, name: basename(dir), given: '' };
}

export function resolveBlockDevice(given: string): BlockDevice {
  const mm = /^(\d+):(\d+)$/.exec(given);
  if (mm) return { ...wholeDisk(Number(mm[1]), Number(mm[2])), given };
  let st;
  try {
    st = statSync(given);
  } catch {
    throw new DeviceNotFound(`${given} does not exist`);
  }
  if (st.isBlockDevice()) return { ...wholeDisk(major(st.rdev), minor(st.rdev)), given };
  if (st.isCharacterDevice()) throw new DeviceNotFound(`${given} is a character device, not a block device`);
  // A file or directory: the device its filesystem lives on (st_dev). Filesystems
  // without a block device (tmpfs, overlay's anonymous dev 0:N) have no queue to throttle.
  const [M, m] = [major(st.dev), minor(st.dev)];
  if (M === 0) throw new DeviceNotFound(`${given} is on a filesystem with no block device (device 0:${m}, e.g. tmpfs or overlay)`);
  return { ...wholeDisk(M, m), given };
}
