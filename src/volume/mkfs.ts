/**
 * mkfs for loop and LVM volumes: the command per filesystem, and the
 * smallest size each mkfs accepts, so that a too-small volume is refused
 * before anything exists instead of failing halfway through setup.
 */
import { InvalidSpecError } from '../spec/errors.js';
import type { VolumeSpec } from '../spec/types.js';

const MiB = 2 ** 20;

/** Measured with e2fsprogs 1.47, xfsprogs 6.1 ("Filesystem must be larger than 300MB", since 5.19), btrfs-progs 6.2. */
export const MIN_SIZE: Record<VolumeSpec['fs'], number> = { ext4: MiB, xfs: 300 * MiB, btrfs: 109 * MiB };

export function checkFsSize(v: VolumeSpec): void {
  const min = MIN_SIZE[v.fs];
  if (v.sizeBytes < min) {
    throw new InvalidSpecError('.volume', v.sizeBytes, `size: mkfs.${v.fs} needs at least ${min / MiB} MiB (give size: "${min / MiB}m" or more, or use fs: "ext4")`);
  }
}

/**
 * mke2fs picks 1 KiB blocks below 512 MiB. On a loop device over a file of
 * the host's 4 KiB-block filesystem, every 4 KiB write then lands unaligned
 * and costs the host disk ~3 writes (measured: 1498 for 500); 4 KiB blocks
 * make it one. Below 32 MiB 1 KiB blocks stay: the journal's 1024-block
 * minimum would take 4 MiB.
 */
const ext4BlockSize = (size: number) => (size >= 32 * MiB ? ['-b', '4096'] : []);

/**
 * ext4: no reserved blocks (-m 0: the sandbox's root could use them anyway),
 * no discard of a fresh sparse image, and inode tables written now rather
 * than by a kernel thread after mount (it would add IO under a running test).
 * xfs and btrfs: -K, no discard.
 */
export function mkfsCommand(fs: VolumeSpec['fs'], target: string, sizeBytes: number): [string, string[]] {
  switch (fs) {
    case 'ext4':
      return ['mkfs.ext4', ['-q', '-F', '-m', '0', ...ext4BlockSize(sizeBytes), '-E', 'nodiscard,lazy_itable_init=0,lazy_journal_init=0', target]];
    case 'xfs':
      return ['mkfs.xfs', ['-q', '-f', '-K', target]];
    case 'btrfs':
      return ['mkfs.btrfs', ['-q', '-f', '-K', target]];
  }
}
