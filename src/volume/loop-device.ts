/**
 * Loop devices: attach an image file with direct IO, read back what the
 * kernel made of it, detach. With direct IO the loop device reads and writes
 * its backing file with O_DIRECT instead of through the page cache, so a
 * sandbox's IO reaches the disk when the sandbox issues it, and the blkio
 * throttle on the loop device holds (measured: DESIGN.md).
 */
import { readFile, readdir } from 'node:fs/promises';
import { constants } from 'node:os';
import { basename } from 'node:path';
import { hostOp } from '../host/host-ops.js';
import type { SetupError } from '../spec/errors.js';
import type { BlockDevice } from '../spec/types.js';
import { run } from './tool.js';

const { EINVAL, ENOTTY } = constants.errno;

export interface LoopDevice extends BlockDevice {
  path: string;
  /** The kernel accepted direct IO (it falls back to buffered IO when the backing file cannot do it). */
  directIo: boolean;
}

export async function loopDeviceOf(path: string, given: string): Promise<LoopDevice> {
  const name = basename(path);
  const [dev, dio] = await Promise.all([readFile(`/sys/block/${name}/dev`, 'utf8'), readFile(`/sys/block/${name}/loop/dio`, 'utf8').catch(() => '0')]);
  const [major, minor] = dev.trim().split(':').map(Number);
  return { path, name, major: major!, minor: minor!, given, directIo: dio.trim() === '1' };
}

/**
 * A free device with the image behind it, direct IO asked for: by the host-ops helper's ioctls
 * (LOOP_CONFIGURE, Linux 5.8), concurrent callers each getting their own device, or by
 * `losetup --find` on a kernel without LOOP_CONFIGURE — which answers an ioctl the loop driver does
 * not know with EINVAL (ENOTTY from other layers); on a newer one losetup then says what is wrong.
 */
export async function attachLoop(image: string, given: string): Promise<LoopDevice> {
  const path = await hostOp('volume', 'loop-attach', image).catch(async (e: unknown) => {
    const errno = (e as SetupError).errno;
    if (errno !== ENOTTY && errno !== EINVAL) throw e;
    return (await run('losetup', ['--find', '--show', '--direct-io=on', image])).trim();
  });
  return loopDeviceOf(path, given);
}

/**
 * Detaches. A device still held (a sandbox started meanwhile copied the host's
 * mounts into its namespace) is marked autoclear by the kernel instead, and
 * disappears by itself when the last holder ends.
 */
export async function detachLoop(path: string): Promise<void> {
  await hostOp('volume', 'loop-detach', path);
}

/** Attached loop devices and their backing files (" (deleted)" stripped). */
export async function attachedLoops(): Promise<Array<{ path: string; backing: string }>> {
  const names = (await readdir('/sys/block').catch(() => [] as string[])).filter((n) => n.startsWith('loop'));
  const found = await Promise.all(
    names.map(async (n) => {
      const b = await readFile(`/sys/block/${n}/loop/backing_file`, 'utf8').catch(() => '');
      return { path: `/dev/${n}`, backing: b.trim().replace(/ \(deleted\)$/, '') };
    }),
  );
  return found.filter((l) => l.backing !== '');
}
