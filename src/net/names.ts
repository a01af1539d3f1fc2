/**
 * Names of a sandbox's network objects, all derived from its run name
 * cgbox-<owner pid>-<hex>: the netns is the run name itself; host devices get
 * the hex (interface names hold 15 characters, a pid and the hex do not fit
 * together) and carry the run name as their alias, so the reaper can find the
 * owner of any of them.
 */
import { toInt } from './ipv4.js';

export interface NetNames {
  /** /run/netns/<netns>: the run name. */
  netns: string;
  /** The host end of the veth pair: cgb<hex>. */
  hostVeth: string;
  /** The IFB that shapes what the sandbox sends: cgi<hex>. */
  ifb: string;
  /** The sandbox's end, inside its namespace. */
  inner: 'eth0';
  /**
   * The link group of its host devices (from the hex; 0 when too small to be
   * safe): `ip link del group` removes the veth and the IFB in one
   * unregistration, one RCU grace period (~20 ms) instead of two.
   */
  group: number;
}

export function netNames(runName: string): NetNames {
  const hex = /-([0-9a-f]+)$/.exec(runName)?.[1];
  if (!hex || hex.length > 12) throw new Error(`not a run name: ${runName}`);
  const g = parseInt(hex.slice(-8), 16) & 0x7fffffff; // ip takes a signed 32-bit group
  return { netns: runName, hostVeth: `cgb${hex}`, ifb: `cgi${hex}`, inner: 'eth0', group: g >= 0x10000 ? g : 0 };
}

/** Host devices a run makes are named cgb<hex> or cgi<hex>. */
export { ownerGone, ownerPid } from '../host/owners.js';

export function isRunDevice(name: string): boolean {
  return /^cg[bi][0-9a-f]{8,12}$/.test(name);
}

/**
 * A locally administered MAC from the address (02:cb:a.b.c.d): stable, unique
 * per address on a bridge, and what the bridge-shaping classifier matches.
 */
export function macFor(ip: string): string {
  const n = toInt(ip);
  return ['02', 'cb', ...[24, 16, 8, 0].map((s) => ((n >>> s) & 255).toString(16).padStart(2, '0'))].join(':');
}
