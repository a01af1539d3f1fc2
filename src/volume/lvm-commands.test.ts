import { describe, expect, it } from 'vitest';
import { devicePath, listCommand, ownVgCommands, removeCommand, thinPoolCommand, thinVolumeCommand } from './lvm-commands.js';

describe('LVM thin volume commands (what driver "lvm" runs)', () => {
  it("makes cgbox's own volume group on a loop PV, and a thin pool of 90 % of it", () => {
    expect(ownVgCommands('/dev/loop7')).toEqual([
      ['pvcreate', ['--quiet', '--yes', '/dev/loop7']],
      ['vgcreate', ['--quiet', '--yes', 'cgbox_pool', '/dev/loop7']],
    ]);
    expect(thinPoolCommand('cgbox_pool')).toEqual(['lvcreate', ['--quiet', '--yes', '--type', 'thin-pool', '--extents', '90%FREE', '--zero', 'n', '--name', 'cgbox_thinpool', 'cgbox_pool']]);
  });

  it('takes only the configured size of a volume group it was given', () => {
    expect(thinPoolCommand('vg0', '16g')[1]).toEqual(['--quiet', '--yes', '--type', 'thin-pool', '--size', '16g', '--zero', 'n', '--name', 'cgbox_thinpool', 'vg0']);
  });

  it('makes one active thin volume of exactly the size in bytes, named after the run', () => {
    expect(thinVolumeCommand('vg0', 'cgbox-12-0a0b0c0d-v0', 64 * 2 ** 20)).toEqual([
      'lvcreate',
      ['--quiet', '--yes', '--type', 'thin', '--virtualsize', '67108864b', '--thinpool', 'cgbox_thinpool', '--activate', 'y', '--setactivationskip', 'n', '--name', 'cgbox-12-0a0b0c0d-v0', 'vg0'],
    ]);
    expect(devicePath('vg0', 'cgbox-12-0a0b0c0d-v0')).toBe('/dev/vg0/cgbox-12-0a0b0c0d-v0');
  });

  it('removes it, and lists a group for the reaper', () => {
    expect(removeCommand('vg0', 'cgbox-12-0a0b0c0d-v0')).toEqual(['lvremove', ['--quiet', '--yes', 'vg0/cgbox-12-0a0b0c0d-v0']]);
    expect(listCommand('vg0')).toEqual(['lvs', ['--noheadings', '--options', 'lv_name', 'vg0']]);
  });
});
