/**
 * The commands that give a sandbox its network, as three batches: on the
 * host (the namespace, the veth pair with its inner end born inside it, the
 * host end on the bridge), inside the namespace (eth0's address, up, the
 * default route via the bridge) and tc (shaping). And the one batch that
 * removes it all. Pure: tested without root.
 *
 * IPv6 address generation is off on both ends (addrgenmode none, set before
 * the link is up): no link-local address, so no DAD, router or MLD
 * solicitations — a sandbox sends nothing it was not asked to, and its
 * counters stay exact.
 */
import type { NetNames } from './names.js';

export interface Attachment {
  /** The run name, set as the host devices' alias (for the reaper). */
  run: string;
  bridge: string;
  ip: string;
  prefix: number;
  gateway: string;
  mac: string;
}

export function hostLines(n: NetNames, a: Attachment): string[] {
  return [
    `netns add ${n.netns}`,
    `link add ${n.hostVeth}${n.group ? ` group ${n.group}` : ''} type veth peer name ${n.inner} address ${a.mac} netns ${n.netns}`,
    `link set ${n.hostVeth} addrgenmode none alias ${a.run} master ${a.bridge} up`,
  ];
}

export function innerLines(n: NetNames, a: Attachment): string[] {
  return [
    `link set ${n.inner} addrgenmode none`,
    `addr add ${a.ip}/${a.prefix} dev ${n.inner}`,
    `link set ${n.inner} up`,
    `route add default via ${a.gateway} dev ${n.inner}`,
  ];
}

/**
 * Removal, in this order: the host veth first — deleting it deletes eth0 at
 * once, while `ip netns del` only drops a reference and the namespace (with
 * its eth0) goes later, asynchronously — then the IFB, then the namespace.
 * Only what exists is named, so a half-made network is removed as well.
 * `byGroup`: the devices of the run's link group are exactly its own (the
 * caller checked), so one `link del group` removes both at once.
 */
export function removeLines(n: NetNames, exists: { hostVeth: boolean; ifb: boolean; netns: boolean; byGroup?: boolean }): string[] {
  const devices = exists.byGroup && n.group ? [`link del group ${n.group}`] : [...(exists.hostVeth ? [`link del ${n.hostVeth}`] : []), ...(exists.ifb ? [`link del ${n.ifb}`] : [])];
  return [...devices, ...(exists.netns ? [`netns del ${n.netns}`] : [])];
}
