/**
 * shaping: 'bridge' — the seed's shared uplink. Every bridge cgbox manages
 * has one: an IFB (cgu<hash of the bridge name>) holding one htb, with a
 * class per sandbox that asked for bridge shaping. Every frame a sandbox
 * sends passes it once, after the bridge has switched it: each port's egress
 * and the bridge's own ingress (frames to the host) are redirected there.
 *
 * Marking: nft in the bridge family sets each frame's priority to its
 * sender's class (`meta priority set iifname map @txclass`), after first
 * setting it to 0 — a sandbox's root could otherwise pick any class, or htb's
 * unshaped direct path, with SO_PRIORITY, since priority survives the veth.
 * htb then picks the class from the priority itself: no filter, so neither
 * the broken `u32 match mark` nor the missing `fw` classifier is needed.
 *
 * Why what the sandbox receives is shaped on its port (tbf, as in veth mode)
 * and not by a second class here: a frame comes back from an IFB with tc
 * classification skipped, so it can be redirected once per device pass, and
 * a frame between two shaped sandboxes would need both classes.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { burstBytes, clsact, redirectIngress } from './shaping.js';

/** The nft table in the bridge family (the guard's is `inet cgbox`). */
export const MARK_TABLE = 'cgbox';

export function uplinkName(bridge: string): string {
  return `cgu${createHash('sha1').update(bridge).digest('hex').slice(0, 8)}`;
}

export function uplinkExists(bridge: string): boolean {
  return existsSync(`/sys/class/net/${uplinkName(bridge)}`);
}

/** ip lines that make the uplink IFB; tc lines that give it its htb and feed it the bridge's ingress. */
export function createUplink(bridge: string): { ip: string[]; tc: string[] } {
  const u = uplinkName(bridge);
  return {
    ip: [`link add ${u} type ifb`, `link set ${u} addrgenmode none alias "cgbox uplink of ${bridge}" up`],
    tc: [`qdisc add dev ${u} root handle 1: htb`, clsact(bridge), redirectIngress(bridge, u)],
  };
}

/** The bridge-family marking, idempotent like the guard: safe to apply from any process. */
export function markLines(): string[] {
  const t = `bridge ${MARK_TABLE}`;
  const chain = (hook: string) => [
    `add chain ${t} ${hook} { type filter hook ${hook} priority -200; policy accept; }`,
    `flush chain ${t} ${hook}`,
    `add rule ${t} ${hook} meta priority set 0`,
    `add rule ${t} ${hook} meta priority set iifname map @txclass`,
  ];
  return [`add table ${t}`, `add map ${t} txclass { type ifname : classid; }`, ...chain('forward'), ...chain('input'), ...chain('output')];
}

/** Every port's egress goes through the uplink (frames to the host come through the bridge's ingress). */
export function portLines(hostVeth: string, bridge: string): string[] {
  return [`filter add dev ${hostVeth} egress protocol all prio 2 u32 match u32 0 0 action mirred egress redirect dev ${uplinkName(bridge)}`];
}

/** A sandbox's class: minor = its address's offset in the subnet (unique on the bridge). */
export function classOf(minor: number): string {
  return `1:${minor.toString(16)}`;
}

/** The sandbox's class on the uplink: rate = ceil, so it never borrows. */
export function classLine(bridge: string, minor: number, bits: number): string {
  const b = burstBytes(bits);
  return `class add dev ${uplinkName(bridge)} parent 1: classid ${classOf(minor)} htb rate ${bits}bit ceil ${bits}bit burst ${b} cburst ${b}`;
}

export function markElement(hostVeth: string, minor: number): string {
  return `add element bridge ${MARK_TABLE} txclass { "${hostVeth}" : ${classOf(minor)} }`;
}

export function unmarkElement(hostVeth: string): string {
  return `delete element bridge ${MARK_TABLE} txclass { "${hostVeth}" }`;
}

