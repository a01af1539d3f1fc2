/**
 * A sandbox on a Linux bridge: an address leased, the namespace and veth
 * made in one `ip -batch`, eth0 configured inside it in another, shaping in
 * one `tc -batch` (those two run side by side). Each undo is pushed before
 * the batch that makes its objects runs, and removes only what exists: a
 * batch that stops halfway leaves nothing behind.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { AttachedResource, ResourceContext } from '../resource/types.js';
import type { LimitReport } from '../report/types.js';
import { SetupError } from '../spec/errors.js';
import type { NetworkSpec } from '../spec/types.js';
import { ipBatch, nftApply, tcBatch } from './batch.js';
import { runTool } from '../host/run-tool.js';
import { ensureBridge } from './bridge.js';
import { classDrops, qdiscDrops, readCounters, sandboxView } from './counters.js';
import { toInt } from './ipv4.js';
import { leaseAddress, releaseAddress } from './leases.js';
import { macFor, netNames, type NetNames } from './names.js';
import { burstBytes, clsact, formatRate, LATENCY, vethShaping } from './shaping.js';
import { classLine, classOf, markElement, portLines, unmarkElement, uplinkName } from './uplink.js';
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

/** Runs an undo command; "it is gone already" is success. */
async function removeQuietly(step: string, file: string, args: string[], input?: string): Promise<void> {
  const r = await runTool(file, args, input);
  if (r.code !== 0 && !/No such file|Cannot find|does not exist|not found/i.test(r.stderr)) throw new SetupError(step, `${file} ${args.join(' ')}: ${r.stderr.trim()}`);
}

export function bandwidthLimit(net: NetworkSpec, n: NetNames, bridge: string): LimitReport {
  const bw = net.bandwidth!;
  const parts = [bw.egressBits !== undefined ? `egress ${formatRate(bw.egressBits)}` : '', bw.ingressBits !== undefined ? `ingress ${formatRate(bw.ingressBits)}` : ''].filter(Boolean);
  const burst = Math.max(bw.egressBits ?? 0, bw.ingressBits ?? 0);
  const sends = net.shaping === 'bridge' ? `its class on the uplink ${uplinkName(bridge)} of ${bridge} (htb, marked by nft meta priority)` : `tbf on IFB ${n.ifb} (the host veth's ingress redirected)`;
  const reason =
    `shaped on the host side, out of the sandbox's reach: what it sends by ${sends}, what it receives by tbf on ${n.hostVeth}'s egress; ` +
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
  const byBridge = net.shaping === 'bridge' && bw?.egressBits !== undefined;
  // Bridge shaping: what it sends goes to its class on the uplink; what it receives to tbf on its port, as in veth mode.
  const veth = bw ? vethShaping(n, net.shaping === 'bridge' ? { ...(bw.ingressBits !== undefined ? { ingressBits: bw.ingressBits } : {}) } : bw) : { ip: [], tc: [] };
  const minor = toInt(ip) - br.subnet.network;
  if (byBridge && minor > 0xfffe) throw new SetupError('net shaping', `bridge shaping gives each sandbox an htb class numbered by its address's offset in the subnet; ${ip} is past 0xfffe: use a /16 or smaller subnet`);

  ctx.teardown.push('net devices', () => removeDevices(n));
  await ipBatch('net veth', [...hostLines(n, a), ...veth.ip]);
  const tc = [clsact(n.hostVeth), ...portLines(n.hostVeth, br.name), ...veth.tc];
  if (byBridge) {
    ctx.teardown.push('net uplink class', () => removeQuietly('net uplink class', 'tc', ['class', 'del', 'dev', uplinkName(br.name), 'classid', classOf(minor)]));
    tc.push(classLine(br.name, minor, bw.egressBits!));
  }
  await Promise.all([ipBatch('net address', innerLines(n, a), n.netns), tcBatch('net shaping', tc)]);
  if (byBridge) {
    await nftApply('net mark', [markElement(n.hostVeth, minor)]);
    ctx.teardown.push('net mark', () => removeQuietly('net mark', 'nft', ['-f', '-'], unmarkElement(n.hostVeth) + '\n'));
  }

  return {
    netns: `/run/netns/${n.netns}`,
    ...(bw ? { limits: { bandwidth: bandwidthLimit(net, n, br.name) } } : {}),
    usage: async () => {
      const host = readCounters(n.hostVeth);
      const [toSandbox, fromSandbox] = await Promise.all([
        bw?.ingressBits !== undefined ? qdiscDrops(n.hostVeth) : 0,
        bw?.egressBits === undefined ? 0 : byBridge ? classDrops(uplinkName(br.name), classOf(minor)) : qdiscDrops(n.ifb),
      ]);
      return { net: sandboxView(host, { toSandbox, fromSandbox }) };
    },
  };
}
