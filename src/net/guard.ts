/**
 * No route out: the nftables table `inet cgbox` drops what a sandbox sends
 * through a cgbox bridge anywhere but to the same bridge (to its peers), and
 * what enters a cgbox bridge from any other interface — so even with
 * ip_forward on, a sandbox reaches no network beyond its bridge, and no
 * network reaches it. From the host itself a sandbox may reach only its
 * bridge's own address (the gateway); host → sandbox traffic is untouched.
 *
 * Bridged frames between sandboxes are not stopped by it: with br_netfilter
 * loaded they pass the inet forward hook with in = out = the bridge, which
 * the `bridged` set allows.
 *
 * The transaction is idempotent (add is a no-op for what exists, the chains
 * are flushed and refilled), so it is safe to apply from any process at any
 * time; elements name the bridges.
 */
import { nftApply } from './batch.js';

export const GUARD_TABLE = 'cgbox';

const BASE = [
  `add table inet ${GUARD_TABLE}`,
  `add set inet ${GUARD_TABLE} bridges { type ifname; }`,
  `add set inet ${GUARD_TABLE} bridged { type ifname . ifname; }`,
  `add set inet ${GUARD_TABLE} gateways { type ifname . ipv4_addr; }`,
  `add chain inet ${GUARD_TABLE} forward { type filter hook forward priority -10; policy accept; }`,
  `add chain inet ${GUARD_TABLE} input { type filter hook input priority -10; policy accept; }`,
  `flush chain inet ${GUARD_TABLE} forward`,
  `flush chain inet ${GUARD_TABLE} input`,
  // Routed (not bridged) traffic from or to a cgbox bridge: dropped.
  `add rule inet ${GUARD_TABLE} forward iifname @bridges iifname . oifname != @bridged counter drop comment "cgbox: no route out of a sandbox bridge"`,
  `add rule inet ${GUARD_TABLE} forward oifname @bridges iifname . oifname != @bridged counter drop comment "cgbox: no route into a sandbox bridge"`,
  // To the host: only its address on that bridge, and no IPv6 (the bridge has none).
  `add rule inet ${GUARD_TABLE} input iifname @bridges meta nfproto ipv6 counter drop`,
  `add rule inet ${GUARD_TABLE} input iifname @bridges iifname . ip daddr != @gateways counter drop comment "cgbox: only the gateway address of the host"`,
];

/** The nft lines that make the guard cover `bridge` with gateway `gateway`. */
export function guardLines(bridge: string, gateway: string): string[] {
  const b = JSON.stringify(bridge);
  return [
    ...BASE,
    `add element inet ${GUARD_TABLE} bridges { ${b} }`,
    `add element inet ${GUARD_TABLE} bridged { ${b} . ${b} }`,
    `add element inet ${GUARD_TABLE} gateways { ${b} . ${gateway} }`,
  ];
}

export function applyGuard(bridge: string, gateway: string): Promise<string> {
  return nftApply('net guard', guardLines(bridge, gateway));
}

/** Takes a removed bridge out of the guard's sets (the table stays for the others). */
export function unguardLines(bridge: string, gateway: string): string[] {
  const b = JSON.stringify(bridge);
  return [
    `delete element inet ${GUARD_TABLE} bridges { ${b} }`,
    `delete element inet ${GUARD_TABLE} bridged { ${b} . ${b} }`,
    `delete element inet ${GUARD_TABLE} gateways { ${b} . ${gateway} }`,
  ];
}
