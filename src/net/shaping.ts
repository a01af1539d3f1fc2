/**
 * Bandwidth shaping on the host side of the veth, where root inside the
 * sandbox cannot reach it (a netns without a user namespace still lets its
 * root delete its own qdiscs, so nothing is put on eth0):
 *
 *   what the sandbox receives: tbf on the host veth's egress (frames leaving
 *     the bridge towards the sandbox);
 *   what the sandbox sends: the host veth's ingress is redirected (clsact +
 *     u32 match-all + mirred) to an IFB of its own, and tbf shapes that IFB's egress.
 *
 * This kernel has no `police` action, no netem and no matchall classifier: a
 * tbf qdisc plus mirred is what works everywhere. Pure: returns tc lines.
 */

/** Ethernet frame of a full 1500-byte packet, as tbf counts it (no FCS). */
export const FRAME = 1514;

/**
 * The bucket: 10 ms worth of the rate, and never under two full frames (a
 * bucket smaller than a frame passes nothing). It starts full, and TCP's
 * first window fills the queue too: the first second runs above the rate.
 */
export function burstBytes(bits: number): number {
  return Math.max(Math.ceil(bits / 8 / 100), 2 * FRAME);
}

/** Queue of 50 ms at the rate (tc turns latency into a byte limit): enough for TCP, no bufferbloat. */
export const LATENCY = '50ms';

export function tbf(dev: string, bits: number): string {
  return `qdisc add dev ${dev} root handle 1: tbf rate ${bits}bit burst ${burstBytes(bits)} latency ${LATENCY}`;
}

/** The hook point for filters on both directions of a device (ingress, egress). */
export function clsact(dev: string): string {
  return `qdisc add dev ${dev} clsact`;
}

/** Every frame that comes in on `dev` goes through `to` first (u32 0 0: match-all; no matchall classifier here). */
export function redirectIngress(dev: string, to: string): string {
  return `filter add dev ${dev} ingress protocol all prio 1 u32 match u32 0 0 action mirred egress redirect dev ${to}`;
}

/** tc's own way of writing a rate, for reports: 10000000 → "10mbit". */
export function formatRate(bits: number): string {
  for (const [unit, n] of [['gbit', 1e9], ['mbit', 1e6], ['kbit', 1e3]] as const) if (bits >= n && bits % n === 0) return `${bits / n}${unit}`;
  return `${bits}bit`;
}
