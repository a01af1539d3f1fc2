/**
 * LVM volumes: a thin volume per sandbox volume in a thin pool — of the
 * volume group named by CGBOX_LVM_VG, or of cgbox's own group on a loop PV
 * over a sparse image (<state>/lvm-pool.img) — then mkfs and mount as a loop
 * volume does; lvremove at teardown. Needs device-mapper with dm-thin: where
 * it is missing (this project's container host) check() refuses before
 * anything exists; the VM tier runs it for real.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveBlockDevice } from '../host/block-device.js';
import { UnsupportedError } from '../spec/errors.js';
import { VOLUME_DEVICE } from '../spec/types.js';
import { parseBytes } from '../spec/units.js';
import type { VolumeConfig } from './config.js';
import { run, tryRun } from './tool.js';
import { reapable } from './names.js';
import { onPath } from '../host/tools.js';
import { withLock } from './lock.js';
import { attachLoop, attachedLoops } from './loop-device.js';
import { mountFilesystem } from './loop.js';
import { OWN_VG, THIN_POOL, devicePath, listCommand, ownVgCommands, removeCommand, thinPoolCommand, thinVolumeCommand, type Command } from './lvm-commands.js';
import { checkFsSize, mkfsCommand } from './mkfs.js';
import type { VolumeBackend } from './types.js';

export interface LvmHost {
  deviceMapper: boolean;
  lvm2: boolean;
  thinTools: boolean;
}

export function probeLvmHost(): LvmHost {
  let misc = '';
  try {
    misc = readFileSync('/proc/misc', 'utf8');
  } catch {
    // no /proc/misc: judge by /dev/mapper/control alone
  }
  return {
    deviceMapper: existsSync('/dev/mapper/control') || /\bdevice-mapper\b/.test(misc),
    lvm2: onPath('lvcreate'),
    thinTools: onPath('thin_check'),
  };
}

/** Why LVM thin volumes cannot work here, naming the kernel options and packages; undefined when they can. */
export function lvmUnavailable(h: LvmHost): string | undefined {
  const packages = 'the Debian packages lvm2 and thin-provisioning-tools';
  if (!h.deviceMapper) {
    return `device-mapper is missing from this kernel: LVM thin volumes need CONFIG_BLK_DEV_DM and CONFIG_DM_THIN_PROVISIONING (dm-thin; as modules: modprobe dm_mod dm_thin_pool), and ${packages}; use another driver here, or run in the VM tier (vagrant/)`;
  }
  if (!h.lvm2 || !h.thinTools) return `LVM tools are missing: install ${packages} (apt-get install lvm2 thin-provisioning-tools)`;
  return undefined;
}

const runAll = async (cmds: Command[]) => {
  for (const [file, args] of cmds) await run(file, args);
};

const lvExists = (vg: string, lv: string) => run('lvs', [`${vg}/${lv}`]).then(() => true, () => false);

async function makeOwnVg(c: VolumeConfig): Promise<void> {
  const image = join(c.stateDir, 'lvm-pool.img');
  const known = existsSync(image);
  if (!known) {
    await mkdir(c.stateDir, { recursive: true, mode: 0o700 });
    const f = await open(image, 'wx', 0o600);
    await f.truncate(parseBytes(c.lvmPoolSize) ?? 16 * 2 ** 30).finally(() => f.close());
  }
  const attached = (await attachedLoops()).find((l) => l.backing === image);
  const pv = attached?.path ?? (await attachLoop(image, VOLUME_DEVICE)).path;
  if (known) await run('vgchange', ['--quiet', '--activate', 'y', OWN_VG]); // after a reboot: found again by its PV
  else await runAll([...ownVgCommands(pv), thinPoolCommand(OWN_VG)]);
}

let ready: Promise<string> | undefined;

/** The volume group with cgbox's thin pool in it, made once (under a lock across processes). */
function ensureThinPool(c: VolumeConfig): Promise<string> {
  ready ??= withLock(c, 'lvm-pool', async () => {
    const vg = c.lvmVg ?? OWN_VG;
    if (await lvExists(vg, THIN_POOL)) return vg;
    if (c.lvmVg) await runAll([thinPoolCommand(vg, c.lvmPoolSize)]);
    else await makeOwnVg(c);
    return vg;
  }).catch((e) => {
    ready = undefined;
    throw e;
  });
  return ready;
}

/** Thin volumes of dead owners, when this host has LVM at all. */
async function reapThinVolumes(config: VolumeConfig, all: boolean): Promise<string[]> {
  if (lvmUnavailable(probeLvmHost())) return [];
  const vg = config.lvmVg ?? OWN_VG;
  const [file, args] = listCommand(vg);
  const names = (await run(file, args).catch(() => '')).split('\n').map((l) => l.trim());
  const out: string[] = [];
  for (const lv of names.filter((n) => reapable(n, all))) {
    const [rmFile, rmArgs] = removeCommand(vg, lv);
    if (await tryRun(rmFile, rmArgs)) out.push(`thin volume ${vg}/${lv}`);
  }
  return out;
}

export const lvmBackend: VolumeBackend<'lvm'> = {
  kind: 'lvm',
  reap: reapThinVolumes,
  unavailable: () => lvmUnavailable(probeLvmHost()),
  check(v) {
    const why = lvmUnavailable(probeLvmHost());
    if (why) throw new UnsupportedError('.volume(…, { driver: "lvm" })', why);
    checkFsSize(v);
  },
  async create(v, ctx) {
    const vg = await ensureThinPool(ctx.config);
    await runAll([thinVolumeCommand(vg, ctx.name, v.sizeBytes)]);
    ctx.teardown.push(`lvremove ${vg}/${ctx.name}`, () => runAll([removeCommand(vg, ctx.name)]));
    const dev = devicePath(vg, ctx.name);
    const [mkfs, args] = mkfsCommand(v.fs, dev, v.sizeBytes);
    await run(mkfs, args);
    const device = { ...resolveBlockDevice(dev), given: VOLUME_DEVICE };
    return mountFilesystem(v, ctx, dev, `lvm: ${v.fs} on the thin volume ${vg}/${ctx.name} of the pool ${THIN_POOL}; the size is a hard limit (ENOSPC)`, device);
  },
};
