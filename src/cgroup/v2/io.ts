/**
 * io on cgroup v2 (Linux 4.5): io.max throttles, io.stat counts. Unlike v1
 * blkio, buffered writeback is throttled and counted too: the memory
 * controller (always enabled by cgbox) attributes dirty pages to the sandbox,
 * on filesystems with cgroup writeback (ext2, ext4, btrfs, f2fs, xfs).
 */
import type { DeviceRate, SandboxSpec } from '../../spec/types.js';
import type { DeviceIo, IoUsage } from '../../report/types.js';
import { withIoTotals, zeroIo } from '../../report/types.js';
import type { Translation, V2ControllerDef } from './controller.js';
import { readOptional } from '../files.js';
import { readPressure } from './pressure.js';

const WRITEBACK =
  'io.max throttles buffered writeback too, since the memory controller attributes it ' +
  '(on filesystems with cgroup writeback: ext2, ext4, btrfs, f2fs, xfs)';

type Key = 'riops' | 'wiops' | 'rbps' | 'wbps';
const KEY_ORDER: readonly Key[] = ['riops', 'wiops', 'rbps', 'wbps'];

/** One io.max line per device ("8:0 riops=100 wbps=1048576"): iops and bps merged, only keys that are set. */
export function ioValues(spec: SandboxSpec): Translation {
  const lines = new Map<string, Partial<Record<Key, number>>>();
  const add = (rates: readonly DeviceRate[], read: Key, write: Key) => {
    for (const { device, read: r, write: w } of rates) {
      const id = `${device.major}:${device.minor}`;
      const line = lines.get(id) ?? {};
      if (r !== undefined) line[read] = r;
      if (w !== undefined) line[write] = w;
      lines.set(id, line);
    }
  };
  add(spec.iops, 'riops', 'wiops');
  add(spec.bps, 'rbps', 'wbps');

  const render = (keys: readonly Key[]) =>
    [...lines]
      .map(([id, line]) => [id, ...keys.filter((k) => line[k] !== undefined).map((k) => `${k}=${line[k]}`)])
      .filter((parts) => parts.length > 1)
      .map((parts) => parts.join(' '));
  const out: Translation = { writes: render(KEY_ORDER).map((value) => ({ file: 'io.max', value })), limits: {} };
  if (spec.iops.length > 0) {
    out.limits.iops = { value: render(['riops', 'wiops']).join('; '), enforced: true, reason: WRITEBACK };
  }
  if (spec.bps.length > 0) {
    out.limits.bps = { value: render(['rbps', 'wbps']).join('; '), enforced: true, reason: WRITEBACK };
  }
  return out;
}

/** io.stat: "MAJ:MIN rbytes=… wbytes=… rios=… wios=… dbytes=… dios=…" per device. */
export function parseIoStat(text: string): IoUsage {
  const usage = zeroIo();
  for (const line of text.split('\n')) {
    const [id, ...pairs] = line.trim().split(/\s+/);
    if (!id || !/^\d+:\d+$/.test(id)) continue;
    const kv = Object.fromEntries(pairs.map((p) => p.split('=')).map(([k, v]) => [k, Number(v)]));
    const dev: DeviceIo = {
      readBytes: kv.rbytes ?? 0,
      writeBytes: kv.wbytes ?? 0,
      readOps: kv.rios ?? 0,
      writeOps: kv.wios ?? 0,
    };
    usage.devices[id] = dev;
  }
  // Totals sum every listed device: IO through device-mapper shows on the dm device and on the disk below.
  return withIoTotals(usage);
}

/** Zero when io.stat is missing (the io controller not delegated to the parent). */
export async function readIoUsage(dir: string): Promise<IoUsage> {
  return parseIoStat((await readOptional(`${dir}/io.stat`)) ?? '');
}

export const io: V2ControllerDef<'io'> = {
  name: 'io',
  // Enabled wherever it is offered: io.stat then counts every run's IO, limited or not.
  enable: 'offered',
  needed: (spec) => spec.iops.length > 0 || spec.bps.length > 0,
  values: (spec) => ioValues(spec),
  usage: async (dir) => ({ io: await readIoUsage(dir), pressure: { io: await readPressure(dir, 'io') } }),
  doctor: { neededBy: '.iops() and .bps()', config: 'CONFIG_BLK_CGROUP, CONFIG_BLK_DEV_THROTTLING' },
};
