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
 * ext4: no reserved blocks (-m 0: the sandbox's root could use them anyway),
 * no discard of a fresh sparse image, and inode tables written now rather
 * than by a kernel thread after mount (it would add IO under a running test).
 * xfs and btrfs: -K, no discard.
 */
export function mkfsCommand(fs: VolumeSpec['fs'], target: string): [string, string[]] {
  switch (fs) {
    case 'ext4':
      return ['mkfs.ext4', ['-q', '-F', '-m', '0', '-E', 'nodiscard,lazy_itable_init=0,lazy_journal_init=0', target]];
    case 'xfs':
      return ['mkfs.xfs', ['-q', '-f', '-K', target]];
    case 'btrfs':
      return ['mkfs.btrfs', ['-q', '-f', '-K', target]];
  }
}
