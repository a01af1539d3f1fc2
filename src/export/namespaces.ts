/**
 * The sandbox's namespaces (pid, mount, uts, ipc, cgroup, and network unless
 * .net('host')), its hostname, and what of its network a bundle cannot hold:
 * an OCI config names namespaces, not interfaces, bridges or shaping.
 */
import type { SandboxSpec } from '../spec/types.js';
import type { OciLinux } from './oci-spec.js';
import type { Unexpressed } from './unexpressed.js';

/** A bundle's hostname where the sandbox's would be its run's name, which only a run has. */
const DEFAULT_HOSTNAME = 'cgbox';

export function ociNamespaces(spec: SandboxSpec): OciLinux['namespaces'] {
  const own = ['pid', 'mount', 'uts', 'ipc', 'cgroup'] as const;
  // net('none') and a network of its own both start from a namespace with lo only (runc brings lo up).
  return [...own, ...(spec.net === 'host' ? [] : (['network'] as const))].map((type) => ({ type }));
}

export function ociHostname(spec: SandboxSpec): string {
  return spec.hostname ?? DEFAULT_HOSTNAME;
}

export function ociNetworkNotes(spec: SandboxSpec): Unexpressed[] {
  const net = spec.net;
  if (typeof net !== 'object') return [];
  const notes: Unexpressed[] = [
    {
      what: `.net({ bridge: ${net.bridge.kind === 'ovs' ? `{ ovs: '${net.bridge.name}' }` : `'${net.bridge.name}'`}${net.address ? `, address: '${net.address.ip}/${net.address.prefix}'` : ''} })`,
      effect: 'approximated',
      why: `an OCI config has no network interfaces: cgbox makes the veth${net.bridge.kind === 'ovs' ? ', the Open vSwitch port' : ''}, the address and the no-route-out rules on the host`,
      instead: "the bundle gets a network namespace of its own with lo only (net('none')); the engine's network plugin (CNI under containerd, a createRuntime hook under runc) would add eth0",
    },
  ];
  if (net.bandwidth) {
    const { egressBits, ingressBits } = net.bandwidth;
    notes.push({
      what: `.net({ bandwidth: { egress: ${egressBits ?? '-'} bit/s, ingress: ${ingressBits ?? '-'} bit/s } })`,
      effect: 'dropped',
      why: "an OCI config has no traffic shaping: cgbox shapes on the host side of the sandbox's veth",
      instead: "nothing is shaped; the CNI bandwidth plugin, chained in the engine's network config, shapes a container's veth the same way (tbf, and an ifb for what it sends)",
    });
  }
  return notes;
}
