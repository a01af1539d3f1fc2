import type { DeviceIo, IoUsage, Limits } from '../../report/types.js';
import type { DeviceRate, SandboxSpec } from '../../spec/types.js';
import { withIoTotals, zeroIo } from '../../report/types.js';
import { readOptional } from '../files.js';
import type { CgroupWrite } from '../types.js';
import type { V1ControllerDef } from './controller.js';

const V1_WRITE_CAVEAT =
  'cgroup v1 throttles and counts writes only when they are direct (O_DIRECT) or fsynced by the task itself; buffered writeback runs in kernel threads and escapes the limit';
/** An iops limit no disk reaches, written only to switch a device's counters on (see writes). */
export const COUNT_ONLY_IOPS = 4_294_967_294;

const V1_READ_NOTE = 'reads are throttled as the task issues them; page-cache hits cost nothing';

function rules(rates: readonly DeviceRate[], kind: 'iops' | 'bps'): CgroupWrite[] {
  return rates.flatMap(({ device, read, write }) => [
    ...(read !== undefined ? [{ file: `blkio.throttle.read_${kind}_device`, value: `${device.major}:${device.minor} ${read}` }] : []),
    ...(write !== undefined ? [{ file: `blkio.throttle.write_${kind}_device`, value: `${device.major}:${device.minor} ${write}` }] : []),
  ]);
}

/** Write limits are only partly enforceable on v1, so they are reported as not enforced, with why. */
function rateLimit(rates: readonly DeviceRate[]): Limits[string] {
  const value = rates.map((r) => `${r.device.given} (${r.device.major}:${r.device.minor}) read=${r.read ?? '-'} write=${r.write ?? '-'}`).join('; ');
  const writes = rates.some((r) => r.write !== undefined);
  return writes ? { value, enforced: false, reason: V1_WRITE_CAVEAT } : { value, enforced: true, reason: V1_READ_NOTE };
}

export const blkio: V1ControllerDef<'blkio'> = {
  name: 'blkio',
  needed: () => true,
  writes: (spec: SandboxSpec, caps) => {
    // Counters count only bios that meet a rule. On 6.18 any rule of the device does, "MAJ:MIN 0"
    // (no limit) included; on 6.1 (Debian 12, measured in the VM tier) only a real limit in the
    // bio's own direction. So every disk gets, in each direction without a rule of the spec's, an
    // iops limit it never reaches: UINT_MAX - 1 (UINT_MAX means none; the kernel clamps its iops
    // arithmetic, where a huge bps limit could overflow it).
    const ruled = new Set(
      [...spec.iops, ...spec.bps].flatMap((r) => [
        ...(r.read !== undefined ? [`${r.device.major}:${r.device.minor} read`] : []),
        ...(r.write !== undefined ? [`${r.device.major}:${r.device.minor} write`] : []),
      ]),
    );
    const counting = (caps.disks ?? []).flatMap((d) =>
      (['read', 'write'] as const)
        .filter((dir) => !ruled.has(`${d.major}:${d.minor} ${dir}`))
        .map((dir) => ({ file: `blkio.throttle.${dir}_iops_device`, value: `${d.major}:${d.minor} ${COUNT_ONLY_IOPS}` })),
    );
    return [...counting, ...rules(spec.iops, 'iops'), ...rules(spec.bps, 'bps')];
  },
  limits: (spec) => ({
    ...(spec.iops.length ? { iops: rateLimit(spec.iops) } : {}),
    ...(spec.bps.length ? { bps: rateLimit(spec.bps) } : {}),
  }),
  usage: async (dir) => ({ io: await readIoUsage(dir) }),
  doctor: { neededBy: null, config: 'CONFIG_BLK_CGROUP, CONFIG_BLK_DEV_THROTTLING' },
};

/** "254:0 Read 4096" lines of blkio.throttle.io_service_bytes / io_serviced. */
export function parseThrottleStats(bytes: string | null, ops: string | null): IoUsage {
  const io = zeroIo();
  const dev = (key: string): DeviceIo => (io.devices[key] ??= { readBytes: 0, writeBytes: 0, readOps: 0, writeOps: 0 });
  const take = (text: string | null, field: 'Bytes' | 'Ops') => {
    for (const line of (text ?? '').split('\n')) {
      const [key, op, n] = line.trim().split(/\s+/);
      if (!key || !/^\d+:\d+$/.test(key) || (op !== 'Read' && op !== 'Write')) continue;
      dev(key)[`${op === 'Read' ? 'read' : 'write'}${field}`] += Number(n);
    }
  };
  take(bytes, 'Bytes');
  take(ops, 'Ops');
  return withIoTotals(io);
}

export async function readIoUsage(dir: string): Promise<IoUsage> {
  const [bytes, ops] = await Promise.all([
    readOptional(`${dir}/blkio.throttle.io_service_bytes`),
    readOptional(`${dir}/blkio.throttle.io_serviced`),
  ]);
  return parseThrottleStats(bytes, ops);
}
