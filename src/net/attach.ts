/**
 * A sandbox on a Linux bridge: an address leased, the namespace and veth
 * made in one `ip -batch`, eth0 configured inside it in another, shaping in
 * one `tc -batch` (those two run side by side). Each undo is pushed before
 * the batch that makes its objects runs, and removes only what exists: a
 * batch that stops halfway leaves nothing behind.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { AttachedResource, ResourceContext } from '../resource/types.js';
import { allSettled } from '../resource/teardown.js';
import type { LimitReport } from '../report/types.js';
import { SetupError } from '../spec/errors.js';
import type { NetworkSpec } from '../spec/types.js';
import { ipBatch, nftApply, tcBatch } from './batch.js';
import { ensureBridge } from './bridge.js';
import { qdiscDrops, readCounters, sandboxView } from './counters.js';
import { toInt } from './ipv4.js';
import { leaseAddress, releaseAddress } from './leases.js';
import { macFor, netNames, type NetNames } from './names.js';
import { burstBytes, clsact, formatRate, LATENCY, tbf } from './shaping.js';
import { SHAPING_MODE_NAMES, shapingMode } from './shaping-modes.js';
import { portLines } from './uplink.js';
import { hostLines, innerLines, removeLines, type Attachment } from './veth.js';

export const devExists = (dev: string) => existsSync(`/sys/class/net/${dev}`);

/** Host devices in link group `g`, from sysfs. */
function groupMembers(g: number): string[] {
  return readdirSync('/sys/class/net').filter((d) => {
    try {
      return Number(readFileSync(`/sys/class/net/${d}/netdev_group`, 'utf8')) === g;
    } catch {
      return false;
    }
  });
}

export async function removeDevices(n: NetNames): Promise<void> {
  const hostVeth = devExists(n.hostVeth);
  const ifb = devExists(n.ifb);
  // Delete by group only when the group holds exactly this run's devices (it is
  // derived from the run's hex, so another run could in theory share it).
  const members = n.group && (hostVeth || ifb) ? groupMembers(n.group) : [];
  const byGroup = members.length > 0 && members.every((d) => d === n.hostVeth || d === n.ifb) && members.length === Number(hostVeth) + Number(ifb);
  await ipBatch('net teardown', removeLines(n, { hostVeth, ifb, netns: existsSync(`/run/netns/${n.netns}`), byGroup }));
}

export function bandwidthLimit(net: NetworkSpec, n: NetNames, sends: string | undefined): LimitReport {
  const bw = net.bandwidth!;
  const parts = [bw.egressBits !== undefined ? `egress ${formatRate(bw.egressBits)}` : '', bw.ingressBits !== undefined ? `ingress ${formatRate(bw.ingressBits)}` : ''].filter(Boolean);
  const burst = Math.max(bw.egressBits ?? 0, bw.ingressBits ?? 0);
  const reason =
    `shaped on the host side, out of the sandbox's reach: ${sends ? `what it sends by ${sends}, ` : ''}${bw.ingressBits !== undefined ? `what it receives by tbf on ${n.hostVeth}'s egress` : 'what it receives is not shaped'}; ` +
    `rates are of Ethernet frames (10mbit carries ~9.57 Mbit/s of TCP payload); the bucket holds ${burstBytes(burst)} bytes and the queue ${LATENCY}, ` +
    `so the first second runs above the rate`;
  return { value: parts.join(', '), enforced: true, reason };
}

export async function attachLinux(ctx: ResourceContext, net: NetworkSpec): Promise<AttachedResource> {
  const n = netNames(ctx.name);
  const br = await ensureBridge(net.bridge.name, net.address);
  const ip = await leaseAddress(br.name, br.subnet, ctx.name, net.address);
  ctx.teardown.push('net address', () => releaseAddress(br.name, ctx.name));
  const a: Attachment = { run: ctx.name, bridge: br.name, ip, prefix: br.subnet.prefix, gateway: br.gateway, mac: macFor(ip) };

  const bw = net.bandwidth;
  // What it receives: tbf on its host veth, whatever the mode; what it sends: as the mode says.
  const mode = shapingMode(net.shaping);
  if (!mode) throw new SetupError('net shaping', `no shaping mode ${net.shaping}: expected one of ${SHAPING_MODE_NAMES.join(', ')}`);
  const sends = bw?.egressBits !== undefined ? mode.egress({ names: n, bridge: br.name, minor: toInt(ip) - br.subnet.network, ip, bits: bw.egressBits }) : undefined;

  ctx.teardown.push('net devices', () => removeDevices(n));
  for (const u of sends?.undos ?? []) ctx.teardown.push(u.step, u.undo);
  await ipBatch('net veth', [...hostLines(n, a), ...(sends?.ip ?? [])]);
  const tc = [clsact(n.hostVeth), ...portLines(n.hostVeth, br.name), ...(bw?.ingressBits !== undefined ? [tbf(n.hostVeth, bw.ingressBits)] : []), ...(sends?.tc ?? [])];
  await allSettled([ipBatch('net address', innerLines(n, a), n.netns), tcBatch('net shaping', tc)]);
  await nftApply('net mark', sends?.nft ?? []);

  return {
    netns: `/run/netns/${n.netns}`,
    ...(bw ? { limits: { bandwidth: bandwidthLimit(net, n, sends?.describe) } } : {}),
    usage: async () => {
      const host = readCounters(n.hostVeth);
      const [toSandbox, fromSandbox] = await Promise.all([bw?.ingressBits !== undefined ? qdiscDrops(n.hostVeth) : 0, sends ? sends.drops() : 0]);
      return { net: sandboxView(host, { toSandbox, fromSandbox }) };
    },
  };
}
