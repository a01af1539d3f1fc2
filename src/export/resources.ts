/**
 * The sandbox's limits as linux.resources, the cgroup settings every OCI
 * runtime applies (runc's fs and fs2 drivers, crun, youki), and its device
 * nodes as linux.devices with the devices cgroup's rules.
 */
import type { DeviceRate, SandboxSpec } from '../spec/types.js';
import { VOLUME_DEVICE } from '../spec/types.js';
import { formatCpuList } from '../spec/units.js';
import { defaultPids } from '../spec/view.js';
import type { ExportHost } from './host.js';
import type { OciDevice, OciDeviceRule, OciResources, OciThrottle } from './oci-spec.js';
import type { Unexpressed } from './unexpressed.js';

const SHARES_NOTE: Unexpressed = {
  what: '.cpuShares() on cgroup v2',
  effect: 'approximated',
  why: 'linux.resources.cpu.shares is on the v1 scale, and each runtime converts it to cpu.weight on v2 by its own formula',
  instead:
    "runc ≥ 1.3.2 and crun ≥ 1.23 convert it as cgbox does (1024 → 100); runc before that (Debian 12's and 13's 1.1 among them) linearly (1024 → 39), which shifts a split between sandboxes of other weights; on v1 shares are shares. For a bundle run only on v2, set linux.resources.unified['cpu.weight'] instead",
};

function throttles(rates: readonly DeviceRate[], dir: 'read' | 'write'): OciThrottle[] {
  return rates.flatMap((r) => (r[dir] !== undefined && r.device.given !== VOLUME_DEVICE ? [{ major: r.device.major, minor: r.device.minor, rate: r[dir]! }] : []));
}

function volumeThrottleNotes(spec: SandboxSpec): Unexpressed[] {
  const named = [...spec.iops.map((r) => ({ r, m: 'iops' })), ...spec.bps.map((r) => ({ r, m: 'bps' }))].filter(({ r }) => r.device.given === VOLUME_DEVICE);
  return named.map(({ m }) => ({
    what: `.${m}('volume', …)`,
    effect: 'dropped',
    why: "the sandbox's volume is a tmpfs in the bundle: it has no block device to throttle",
    instead: 'IO to it is not limited; throttle the disk of a volume you mount there by its major:minor',
  }));
}

function blockIO(spec: SandboxSpec): OciResources['blockIO'] | undefined {
  const io = {
    throttleReadBpsDevice: throttles(spec.bps, 'read'),
    throttleWriteBpsDevice: throttles(spec.bps, 'write'),
    throttleReadIOPSDevice: throttles(spec.iops, 'read'),
    throttleWriteIOPSDevice: throttles(spec.iops, 'write'),
  };
  const used = Object.fromEntries(Object.entries(io).filter(([, list]) => list.length));
  return Object.keys(used).length ? used : undefined;
}

/**
 * The devices cgroup: deny everything, then allow each .device() (the
 * runtime adds its default nodes' rules itself); privileged, allow all, as
 * the sandbox's view passes the host's /dev.
 */
function deviceRules(nodes: readonly OciDevice[], privileged: boolean): OciDeviceRule[] {
  if (privileged) return [{ allow: true, access: 'rwm' }];
  return [{ allow: false, access: 'rwm' }, ...nodes.map((d) => ({ allow: true, type: d.type, major: d.major, minor: d.minor, access: 'rwm' }))];
}

export function ociResources(spec: SandboxSpec, host: ExportHost): { resources: OciResources; devices: OciDevice[]; unexpressed: Unexpressed[] } {
  const devices: OciDevice[] = spec.privileged ? [] : spec.devices.map((d) => ({ path: d.path, ...host.device(d.path) }));
  const cpu = {
    ...(spec.cpuShares !== undefined ? { shares: spec.cpuShares } : {}),
    ...(spec.cpuQuota ? { quota: spec.cpuQuota.quotaUs, period: spec.cpuQuota.periodUs } : {}),
    // mems left to the runtime: it copies its parent's, as cgbox writes every online node.
    ...(spec.cpus ? { cpus: formatCpuList(spec.cpus) } : {}),
  };
  const io = blockIO(spec);
  const resources: OciResources = {
    devices: deviceRules(devices, spec.privileged),
    ...(Object.keys(cpu).length ? { cpu } : {}),
    // swap is memory + swap (v1's memsw); no .swap() means none at all, as in the sandbox.
    ...(spec.memoryBytes !== undefined ? { memory: { limit: spec.memoryBytes, swap: spec.memoryBytes + (spec.swapBytes ?? 0) } } : {}),
    // The command's own tasks: cgbox writes pids.max = n + 1 for its init, which a bundle has not.
    pids: { limit: spec.pids ?? defaultPids(host.pidMax) },
    ...(io ? { blockIO: io } : {}),
  };
  return { resources, devices, unexpressed: [...(spec.cpuShares !== undefined ? [SHARES_NOTE] : []), ...volumeThrottleNotes(spec)] };
}
