/** `.net(mode)`: 'none', 'host', or the options of a network of its own, checked and parsed. Pure. */
import { InvalidSpecError } from './errors.js';
import { isInterfaceName, parseBandwidth, parseCidr, type BandwidthInput } from './network.js';
import type { NetSpec, NetworkSpec } from './types.js';

/** `.net({...})`: a network of the sandbox's own, through a veth on a host bridge. */
export interface NetworkOptions {
  /** '10.88.3.7/16'; without it an address is allocated from the bridge's subnet. */
  address?: string;
  /** A Linux bridge by name (default 'cgbox0', created on first use) or an Open vSwitch bridge. */
  bridge?: string | { ovs: string };
  /** '10mbit' both ways, or { egress, ingress }: what the sandbox sends and what it receives. */
  bandwidth?: BandwidthInput;
  /** 'veth' (default): shaped per sandbox on its host veth. 'bridge': marked and shaped by class on the bridge. */
  shaping?: 'veth' | 'bridge';
}

const KEYS: ReadonlyArray<keyof NetworkOptions> = ['address', 'bridge', 'bandwidth', 'shaping'];
const ACCEPTED =
  "expected 'none', 'host' or { address?: '10.88.3.7/16', bridge?: 'cgbox0' | { ovs: 'br0' }, bandwidth?: '10mbit' | { egress, ingress }, shaping?: 'veth' | 'bridge' }";

export function parseNetwork(mode: unknown): NetSpec {
  if (mode === 'none' || mode === 'host') return mode;
  if (typeof mode !== 'object' || mode === null || Array.isArray(mode)) throw new InvalidSpecError('.net', mode, ACCEPTED);
  const o = mode as NetworkOptions;
  const unknown = Object.keys(o).filter((k) => !(KEYS as readonly string[]).includes(k));
  if (unknown.length) throw new InvalidSpecError('.net', mode, `unknown option ${unknown.join(', ')}; ${ACCEPTED}`);
  const net: NetworkSpec = { bridge: { kind: 'linux', name: 'cgbox0' }, shaping: o.shaping ?? 'veth' };
  if (net.shaping !== 'veth' && net.shaping !== 'bridge') throw new InvalidSpecError('.net', mode, "shaping: expected 'veth' or 'bridge'");
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
  if (net.shaping === 'bridge' && net.bridge.kind === 'ovs') throw new InvalidSpecError('.net', mode, "shaping: 'bridge' works on a Linux bridge; an OVS bridge shapes with its own ingress policing");
  return net;
}
