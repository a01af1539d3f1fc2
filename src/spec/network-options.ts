/**
 * `.net(mode)`: 'none', 'host', or the options of a network of its own,
 * checked and parsed. Pure: the shaping modes a build offers are passed in
 * (src/net/shaping-modes.ts lists them; the first is the default).
 */
import { InvalidSpecError } from './errors.js';
import { isInterfaceName, parseBandwidth, parseCidr, type BandwidthInput } from './network.js';
import type { NetSpec, NetworkSpec } from './types.js';

/** `.net({...})`: a network of the sandbox's own, through a veth on a host bridge. */
export interface NetworkOptionsInput {
  /** '10.88.3.7/16'; without it an address is allocated from the bridge's subnet. */
  address?: string;
  /** A Linux bridge by name (default 'cgbox0', created on first use) or an Open vSwitch bridge. */
  bridge?: string | { ovs: string };
  /** '10mbit' both ways, or { egress, ingress }: what the sandbox sends and what it receives. */
  bandwidth?: BandwidthInput;
  /** Where what it sends is shaped on a Linux bridge: one of the build's shaping modes (default 'veth'). */
  shaping?: string;
}

const KEYS: ReadonlyArray<keyof NetworkOptionsInput> = ['address', 'bridge', 'bandwidth', 'shaping'];
const quoted = (names: readonly string[]) => names.map((m) => `'${m}'`).join(' | ');
const accepted = (modes: readonly string[]) =>
  `expected 'none', 'host' or { address?: '10.88.3.7/16', bridge?: 'cgbox0' | { ovs: 'br0' }, bandwidth?: '10mbit' | { egress, ingress }, shaping?: ${quoted(modes)} }`;

export function parseNetwork(mode: unknown, shapingModes: readonly string[]): NetSpec {
  if (mode === 'none' || mode === 'host') return mode;
  if (typeof mode !== 'object' || mode === null || Array.isArray(mode)) throw new InvalidSpecError('.net', mode, accepted(shapingModes));
  const o = mode as NetworkOptionsInput;
  const unknown = Object.keys(o).filter((k) => !(KEYS as readonly string[]).includes(k));
  if (unknown.length) throw new InvalidSpecError('.net', mode, `unknown option ${unknown.join(', ')}; ${accepted(shapingModes)}`);
  const net: NetworkSpec = { bridge: { kind: 'linux', name: 'cgbox0' }, shaping: o.shaping ?? shapingModes[0]! };
  if (!shapingModes.includes(net.shaping)) throw new InvalidSpecError('.net', mode, `shaping: expected ${shapingModes.map((m) => `'${m}'`).join(' or ')}`);
  if (o.address !== undefined) {
    const cidr = typeof o.address === 'string' ? parseCidr(o.address) : null;
    if (!cidr) throw new InvalidSpecError('.net', mode, 'address: expected an IPv4 address with a prefix length from 8 to 30, e.g. "10.88.3.7/16"');
    net.address = cidr;
  }
  if (o.bridge !== undefined) {
    const b = o.bridge;
    const name = typeof b === 'string' ? b : typeof b === 'object' && b !== null ? b.ovs : undefined;
    if (typeof name !== 'string' || !isInterfaceName(name)) throw new InvalidSpecError('.net', mode, 'bridge: expected an interface name of 1 to 15 characters, or { ovs: name }');
    net.bridge = typeof b === 'string' ? { kind: 'linux', name } : { kind: 'ovs', name };
  }
  if (o.bandwidth !== undefined) {
    const bw = parseBandwidth(o.bandwidth);
    if (!bw) throw new InvalidSpecError('.net', mode, 'bandwidth: expected a rate such as "10mbit", "500kbit", "1gbit", or { egress, ingress }');
    net.bandwidth = bw;
  }
  if (net.shaping !== shapingModes[0] && net.bridge.kind === 'ovs') {
    throw new InvalidSpecError('.net', mode, `shaping: '${net.shaping}' works on a Linux bridge; an OVS bridge shapes with its own ingress policing`);
  }
  return net;
}
