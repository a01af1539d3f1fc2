/**
 * A sandbox on an Open vSwitch bridge: the same namespace and veth as on a
 * Linux bridge, the host end added as an OVS port with its limits in one
 * ovs-vsctl transaction. The address comes from the OVS bridge's own IPv4
 * address (its internal port), leased like on a Linux bridge; the guard
 * covers the internal port, so OVS sandboxes get no route out either.
 */
import type { AttachedResource, ResourceContext } from '../resource/types.js';
import { SetupError } from '../spec/errors.js';
import type { NetworkSpec } from '../spec/types.js';
import { removeDevices } from './attach.js';
import { ipBatch, nftApply } from './batch.js';
import { mustRun, runTool } from '../host/run-tool.js';
import { readCounters, sandboxView } from './counters.js';
import { guardLines } from './guard.js';
import { parseSubnet } from './ipv4.js';
import { leaseAddress, releaseAddress } from './leases.js';
import { macFor, netNames } from './names.js';
import { addPortArgs, delPortArgs, policingBurstKbit } from './ovs.js';
import { formatRate } from './shaping.js';
import { innerLines, type Attachment } from './veth.js';

async function ovsBridgeAddress(bridge: string): Promise<{ ip: string; prefix: number }> {
  await mustRun('net ovs', 'ovs-vsctl', ['br-exists', bridge]).catch(() => {
    throw new SetupError('net ovs', `OVS bridge ${bridge} does not exist: make it first (ovs-vsctl add-br ${bridge}; ip addr add 10.89.0.1/16 dev ${bridge}; ip link set ${bridge} up)`);
  });
  const out = JSON.parse(await mustRun('net ovs', 'ip', ['-4', '-j', 'addr', 'show', 'dev', bridge])) as Array<{ addr_info?: Array<{ local: string; prefixlen: number }> }>;
  const a = out[0]?.addr_info?.[0];
  if (!a) throw new SetupError('net ovs', `OVS bridge ${bridge} has no IPv4 address, so cgbox cannot tell its subnet: ip addr add 10.89.0.1/16 dev ${bridge}`);
  return { ip: a.local, prefix: a.prefixlen };
}

export async function attachOvs(ctx: ResourceContext, net: NetworkSpec): Promise<AttachedResource> {
  const n = netNames(ctx.name);
  const bridge = net.bridge.name;
  const gw = await ovsBridgeAddress(bridge);
  const subnet = parseSubnet(`${gw.ip}/${gw.prefix}`)!;
  await nftApply('net guard', guardLines(bridge, gw.ip));
  const ip = await leaseAddress(bridge, subnet, ctx.name, net.address);
  ctx.teardown.push('net address', () => releaseAddress(bridge, ctx.name));
  const a: Attachment = { run: ctx.name, bridge, ip, prefix: gw.prefix, gateway: gw.ip, mac: macFor(ip) };

  ctx.teardown.push('net devices', () => removeDevices(n));
  await ipBatch('net veth', [`netns add ${n.netns}`, `link add ${n.hostVeth} type veth peer name eth0 address ${a.mac} netns ${n.netns}`, `link set ${n.hostVeth} addrgenmode none alias ${ctx.name} up`]);
  ctx.teardown.push('net ovs port', async () => {
    const r = await runTool('ovs-vsctl', delPortArgs({ bridge, port: n.hostVeth }));
    if (r.code !== 0) throw new SetupError('net ovs port', r.stderr.trim());
  });
  const bw = net.bandwidth ?? {};
  await mustRun('net ovs port', 'ovs-vsctl', addPortArgs({ bridge, port: n.hostVeth, run: ctx.name, ...bw }));
  await ipBatch('net address', innerLines(n, a), n.netns);

  const limit = net.bandwidth && {
    value: [bw.egressBits !== undefined ? `egress ${formatRate(bw.egressBits)}` : '', bw.ingressBits !== undefined ? `ingress ${formatRate(bw.ingressBits)}` : ''].filter(Boolean).join(', '),
    enforced: true,
    reason:
      `OVS: what it sends is policed at port ${n.hostVeth} (ingress_policing_rate, burst ${bw.egressBits ? policingBurstKbit(Math.round(bw.egressBits / 1000)) : 0} kbit: ` +
      `policing drops instead of queueing, so TCP runs somewhat below the rate); what it receives is shaped by a linux-htb QoS on the port`,
  };
  return {
    netns: `/run/netns/${n.netns}`,
    ...(limit ? { limits: { bandwidth: limit } } : {}),
    usage: async () => ({ net: sandboxView(readCounters(n.hostVeth)) }),
  };
}
