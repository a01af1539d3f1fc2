/**
 * The sandbox's limits as a container's resources. A pod expresses CPU and
 * memory (and ephemeral storage, by eviction); the kubelet turns them into
 * the same cgroup files cgbox writes: limits.cpu into cpu.cfs_quota_us over a
 * 100 ms period, requests.cpu into cpu.shares (millicores × 1024 / 1000; on
 * v2 into cpu.weight), limits.memory into memory.limit_in_bytes / memory.max.
 * CPU lists, swap, pids and block IO have no per-pod setting.
 */
import type { SandboxSpec } from '../spec/types.js';
import type { KubernetesResourceList } from './kubernetes-types.js';
import type { Unexpressed } from './unexpressed.js';

const UNITS: [number, string][] = [
  [2 ** 40, 'Ti'],
  [2 ** 30, 'Gi'],
  [2 ** 20, 'Mi'],
  [2 ** 10, 'Ki'],
];

/** Bytes as a quantity in the largest binary unit that holds them whole: 33554432 → '32Mi'. */
export function byteQuantity(bytes: number): string {
  const unit = UNITS.find(([size]) => bytes % size === 0);
  return unit ? `${bytes / unit[0]}${unit[1]}` : `${bytes}`;
}

/** The kubelet's MilliCPUToShares: millicores × 1024 / 1000, rounded down, and at least 2 (the kernel's least). */
export function millicoresToShares(millicores: number): number {
  return Math.max(2, Math.floor((millicores * 1024) / 1000));
}

/** The least millicores that give `shares` by millicoresToShares, within one share. */
export function sharesToMillicores(shares: number): number {
  return Math.ceil((shares * 1000) / 1024);
}

function quotaToMillicores(q: NonNullable<SandboxSpec['cpuQuota']>): number {
  return Math.max(1, Math.round((q.quotaUs * 1000) / q.periodUs));
}

function cpu(spec: SandboxSpec): { limits: KubernetesResourceList; requests: KubernetesResourceList; unexpressed: Unexpressed[] } {
  const limit = spec.cpuQuota ? quotaToMillicores(spec.cpuQuota) : undefined;
  const unexpressed: Unexpressed[] = [];
  let request: number | undefined;
  if (spec.cpuShares !== undefined) {
    request = sharesToMillicores(spec.cpuShares);
    unexpressed.push({
      what: `.cpuShares(${spec.cpuShares})`,
      effect: 'approximated',
      why: 'a pod has no weight of its own: the kubelet derives cpu.shares from requests.cpu (millicores × 1024 / 1000; on cgroup v2 cpu.weight by its runtime\'s conversion)',
      instead: `requests.cpu ${request}m, which the scheduler also reserves on the node`,
    });
    if (limit !== undefined && request > limit) {
      unexpressed.push({
        what: `.cpuShares(${spec.cpuShares}) above .cpuQuota()`,
        effect: 'approximated',
        why: 'Kubernetes requires requests.cpu ≤ limits.cpu',
        instead: `requests.cpu is the limit, ${limit}m: shares ${millicoresToShares(limit)}`,
      });
      request = limit;
    }
  } else if (limit !== undefined) {
    // Without a request the API server sets it to the limit; saying so keeps the weight visible.
    request = limit;
    const shares = millicoresToShares(limit);
    if (shares !== 1024) unexpressed.push({
      what: "the default CPU weight (Docker's 1024 shares) under .cpuQuota()",
      effect: 'approximated',
      why: 'a container with limits.cpu and no requests.cpu is given the limit as its request, and its shares follow from that',
      instead: `requests.cpu ${limit}m: shares ${shares}; give .cpuShares() to choose`,
    });
  }
  return {
    limits: limit !== undefined ? { cpu: `${limit}m` } : {},
    requests: request !== undefined ? { cpu: `${request}m` } : {},
    unexpressed,
  };
}

function unsupported(spec: SandboxSpec): Unexpressed[] {
  const out: Unexpressed[] = [];
  if (spec.cpus) {
    out.push({
      what: `.cpus('${spec.cpus.join(',')}')`,
      effect: 'dropped',
      why: 'a pod cannot name CPUs',
      instead: "it runs on any of the node's CPUs; the kubelet's static CPU manager gives a Guaranteed pod with whole CPUs exclusive ones of its own choosing",
    });
  }
  if ((spec.swapBytes ?? 0) > 0) {
    out.push({
      what: `.swap(${spec.swapBytes})`,
      effect: 'dropped',
      why: 'a pod has no swap setting: the node decides',
      instead: "no swap under the kubelet's default (NoSwap), as a sandbox without .swap(); LimitedSwap gives Burstable pods a share in proportion to their memory request",
    });
  }
  out.push({
    what: spec.pids !== undefined ? `.pids(${spec.pids})` : "cgbox's default pids ceiling",
    effect: 'dropped',
    why: 'a pod has no pids limit of its own: the kubelet applies its podPidsLimit to every pod on the node',
    instead: "the node's pod pid limit (none unless the cluster set podPidsLimit): a fork bomb is held only there",
  });
  for (const [m, rates] of [['iops', spec.iops], ['bps', spec.bps]] as const) {
    for (const r of rates) {
      out.push({
        what: `.${m}('${r.device.given}', { read: ${r.read ?? '-'}, write: ${r.write ?? '-'} })`,
        effect: 'dropped',
        why: 'a pod has no block IO limits',
        instead: 'IO is not limited (a StorageClass whose provisioner throttles its volumes is the nearest)',
      });
    }
  }
  return out;
}

export function containerResources(spec: SandboxSpec, diskBytes: number): { resources: { limits?: KubernetesResourceList; requests?: KubernetesResourceList }; unexpressed: Unexpressed[] } {
  const c = cpu(spec);
  const memory: KubernetesResourceList = spec.memoryBytes !== undefined ? { memory: byteQuantity(spec.memoryBytes) } : {};
  const storage: KubernetesResourceList = diskBytes > 0 ? { 'ephemeral-storage': byteQuantity(diskBytes) } : {};
  // Memory requested as it is limited, as the API server would default it: the scheduler then places the pod where it fits.
  const limits = { ...c.limits, ...memory, ...storage };
  const requests = { ...c.requests, ...memory, ...storage };
  return {
    resources: { ...(Object.keys(limits).length ? { limits } : {}), ...(Object.keys(requests).length ? { requests } : {}) },
    unexpressed: [...c.unexpressed, ...unsupported(spec)],
  };
}
