/**
 * Loop volumes: a sparse image file of exactly `size` in cgbox's state
 * directory, a filesystem on it, attached with direct IO and mounted under
 * the run's directory. The size is a hard limit: the filesystem ends there
 * (ENOSPC). Teardown in reverse: umount, detach, remove the file.
 */
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { faultPoint } from '../host/faults.js';
import { UnsupportedError } from '../spec/errors.js';
import { type BlockDevice, type VolumeSpec, VOLUME_DEVICE } from '../spec/types.js';
import { imagesDir, type VolumeConfig } from './config.js';
import { run } from './tool.js';
import { onPath } from '../host/tools.js';
import { attachLoop, attachedLoops, detachLoop } from './loop-device.js';
import { reapable } from './names.js';
import { checkFsSize, mkfsCommand } from './mkfs.js';
import { copyInto, mountAt, mountPointOf } from './mounts.js';
import { usedBeyond, usedBytes } from './statfs.js';
import type { BackendContext, MadeVolume, VolumeBackend } from './types.js';

/** A sparse file: no blocks are used on the host disk until the sandbox writes. 'wx': never reuse one. */
async function makeImage(path: string, size: number): Promise<void> {
  const f = await open(path, 'wx', 0o600);
  try {
    await f.truncate(size);
  } finally {
    await f.close();
  }
}

/** Mounts a fresh filesystem on `dev`, copies the template in, and reports it. Shared with LVM volumes. */
export async function mountFilesystem(v: VolumeSpec, ctx: BackendContext, dev: string, describe: string, device?: BlockDevice): Promise<MadeVolume> {
  const dir = mountPointOf(ctx);
  await mountAt(ctx, dir, { fstype: v.fs, source: dev });
  // What an empty filesystem already uses (its btrees, not its journal: statfs leaves that out).
  const baseline = await usedBytes(dir);
  if (v.from) await copyInto(v.from, dir);
  return {
    hostPath: dir,
    ...(device ? { device } : {}),
    limit: { value: v.sizeBytes, enforced: true, reason: describe },
    usage: async () => ({ usedBytes: await usedBeyond(dir, baseline), sizeBytes: v.sizeBytes }),
  };
}

/** What loop volumes need of the host; undefined when it has it all. */
function loopUnavailable(): string | undefined {
  if (!existsSync('/dev/loop-control')) return 'there are no loop devices (CONFIG_BLK_DEV_LOOP)';
  if (!onPath('losetup')) return 'losetup is not installed (apt-get install mount)';
  return undefined;
}

/** Image files of dead owners: their loop devices detached first, then the files. */
async function reapLoopVolumes(config: VolumeConfig, all: boolean): Promise<string[]> {
  const out: string[] = [];
  for (const l of await attachedLoops()) {
    if (dirname(l.backing) !== imagesDir(config) || !reapable(basename(l.backing), all)) continue;
    if (await detachLoop(l.path).then(() => true, () => false)) out.push(`loop device ${l.path} (${l.backing})`);
  }
  for (const f of await readdir(imagesDir(config)).catch(() => [] as string[])) {
    if (!reapable(f, all)) continue;
    await unlink(join(imagesDir(config), f)).catch(() => {});
    out.push(`image ${join(imagesDir(config), f)}`);
  }
  return out;
}

export const loopBackend: VolumeBackend<'loop'> = {
  kind: 'loop',
  check(v) {
    const why = loopUnavailable();
    if (why) throw new UnsupportedError('a loop volume', why);
    checkFsSize(v);
  },
  reap: reapLoopVolumes,
  unavailable: loopUnavailable,
  async create(v, ctx) {
    const dir = imagesDir(ctx.config);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const image = join(dir, `${ctx.name}.img`);
    faultPoint('volume: image file');
    await makeImage(image, v.sizeBytes);
    ctx.teardown.push(`rm ${image}`, () => unlink(image));
    // mkfs on the file, not the device: it writes through the page cache, which is quicker than direct IO.
    const [mkfs, args] = mkfsCommand(v.fs, image, v.sizeBytes);
    await run(mkfs, args);
    const loop = await attachLoop(image, VOLUME_DEVICE);
    ctx.teardown.push(`losetup -d ${loop.path}`, () => detachLoop(loop.path));
    const dio = loop.directIo ? 'with direct IO' : 'WITHOUT direct IO (the backing filesystem refused it: buffered writeback escapes the blkio throttle)';
    const describe = `loop: ${v.fs} on a sparse ${v.sizeBytes}-byte image file (${image}) on ${loop.path} ${dio}; the size is a hard limit (ENOSPC), and the filesystem's own metadata (ext4's journal) takes part of it`;
    return mountFilesystem(v, ctx, loop.path, describe, loop);
  },
};
