import { describe, expect, it } from 'vitest';
import { InvalidSpecError } from '../spec/errors.js';
import type { VolumeSpec } from '../spec/types.js';
import { checkFsSize, mkfsCommand } from './mkfs.js';

const MiB = 2 ** 20;
const vol = (fs: VolumeSpec['fs'], sizeBytes: number): VolumeSpec => ({ path: '/data', sizeBytes, driver: 'loop', fs });

describe('mkfs for loop and lvm volumes', () => {
  it('ext4: no reserved blocks, no discard, inode tables now; 4 KiB blocks from 32 MiB up', () => {
    expect(mkfsCommand('ext4', '/img', 64 * MiB)).toEqual(['mkfs.ext4', ['-q', '-F', '-m', '0', '-b', '4096', '-E', 'nodiscard,lazy_itable_init=0,lazy_journal_init=0', '/img']]);
    expect(mkfsCommand('ext4', '/img', 16 * MiB)[1]).not.toContain('-b');
  });

  it('xfs and btrfs without discard', () => {
    expect(mkfsCommand('xfs', '/dev/x', 400 * MiB)).toEqual(['mkfs.xfs', ['-q', '-f', '-K', '/dev/x']]);
    expect(mkfsCommand('btrfs', '/img', 200 * MiB)).toEqual(['mkfs.btrfs', ['-q', '-f', '-K', '/img']]);
  });

  it('refuses sizes below what mkfs accepts, naming the minimum', () => {
    expect(() => checkFsSize(vol('xfs', 299 * MiB))).toThrow(InvalidSpecError);
    expect(() => checkFsSize(vol('xfs', 299 * MiB))).toThrow(/mkfs.xfs needs at least 300 MiB/);
    expect(() => checkFsSize(vol('btrfs', 100 * MiB))).toThrow(/mkfs.btrfs needs at least 109 MiB/);
    expect(() => checkFsSize(vol('xfs', 300 * MiB))).not.toThrow();
    expect(() => checkFsSize(vol('ext4', MiB))).not.toThrow();
  });
});
