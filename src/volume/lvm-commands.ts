/**
 * The LVM commands of a thin volume, as data: what `driver: 'lvm'` runs, in
 * order, with no I/O here — so the translation is unit-tested on any host,
 * and runs for real where device-mapper exists (the VM tier).
 */

/** cgbox's own volume group, on a loop PV, and the thin pool in it (kept: their names say 'pool'). */
export const OWN_VG = 'cgbox_pool';
export const THIN_POOL = 'cgbox_thinpool';

export type Command = [string, string[]];

const Q = ['--quiet', '--yes'];

/** A volume group of cgbox's own on a loop device over a sparse image. */
export function ownVgCommands(pv: string, vg = OWN_VG): Command[] {
  return [
    ['pvcreate', [...Q, pv]],
    ['vgcreate', [...Q, vg, pv]],
  ];
}

/**
 * The thin pool: in cgbox's own group it takes 90 % of the space (the rest
 * is room for its metadata to grow); in a configured group, `size` only.
 * --zero n: thin volumes get fresh blocks that mkfs overwrites anyway.
 */
export function thinPoolCommand(vg: string, size?: string): Command {
  const extent = size ? ['--size', size] : ['--extents', '90%FREE'];
  return ['lvcreate', [...Q, '--type', 'thin-pool', ...extent, '--zero', 'n', '--name', THIN_POOL, vg]];
}

/** One thin volume of `bytes` (LVM rounds it up to whole extents), active at once. */
export function thinVolumeCommand(vg: string, lv: string, bytes: number): Command {
  return ['lvcreate', [...Q, '--type', 'thin', '--virtualsize', `${bytes}b`, '--thinpool', THIN_POOL, '--activate', 'y', '--setactivationskip', 'n', '--name', lv, vg]];
}

export const devicePath = (vg: string, lv: string) => `/dev/${vg}/${lv}`;

export function removeCommand(vg: string, lv: string): Command {
  return ['lvremove', [...Q, `${vg}/${lv}`]];
}

/** Lists logical volumes of a group, for the reaper: one name per line. */
export function listCommand(vg: string): Command {
  return ['lvs', ['--noheadings', '--options', 'lv_name', vg]];
}
