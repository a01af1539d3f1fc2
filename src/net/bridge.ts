/**
 * The Linux bridge sandboxes attach to: made with its gateway address on
 * first use and kept for reuse (cgbox0 by default). Creation happens under
 * the network lock, so two processes starting their first sandbox together
 * make it once; a bridge made outside cgbox (or by an older run) is adopted
 * as it is, with its subnet read from its address.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { SetupError, UnsupportedError } from '../spec/errors.js';
import type { Cidr } from '../spec/types.js';
import { ipBatch, nftApply, tcBatch } from './batch.js';
import { mustRun } from '../host/run-tool.js';
import { guardLines, unguardLines } from './guard.js';
import { formatSubnet, gatewayOf, overlaps, parseSubnet, subnetOf, toIp, type Subnet } from './ipv4.js';
import { removeTable, withNetLock } from './leases.js';
import { hostNetworks, pickSubnet } from './subnet.js';
import { createUplink, markLines, uplinkExists, uplinkName } from './uplink.js';

export const DEFAULT_BRIDGE = 'cgbox0';
/** The alias cgbox gives bridges it made: only those does removeBridge() delete. */
export const BRIDGE_ALIAS = 'cgbox bridge';

export interface BridgeInfo {
  name: string;
  subnet: Subnet;
  gateway: string;
  /** Its ifindex when read: a bridge deleted and made again is read again. */
  ifindex: number;
}

const known = new Map<string, BridgeInfo>();

function ifindex(name: string): number | undefined {
  try {
    return Number(readFileSync(`/sys/class/net/${name}/ifindex`, 'utf8'));
  } catch {
    return undefined;
  }
}

async function readBridge(name: string): Promise<BridgeInfo | undefined> {
  const index = ifindex(name);
  if (index === undefined) return undefined;
  if (!existsSync(`/sys/class/net/${name}/bridge`)) throw new SetupError('net bridge', `${name} exists but is not a Linux bridge`);
  const out = JSON.parse(await mustRun('net bridge', 'ip', ['-4', '-j', 'addr', 'show', 'dev', name])) as Array<{ addr_info?: Array<{ local: string; prefixlen: number }> }>;
  const a = out[0]?.addr_info?.[0];
  if (!a) throw new SetupError('net bridge', `bridge ${name} has no IPv4 address, so cgbox cannot tell its subnet: give it one (ip addr add 10.89.0.1/16 dev ${name}) or use a bridge cgbox makes`);
  const subnet = parseSubnet(`${a.local}/${a.prefixlen}`)!;
  return { name, subnet, gateway: a.local, ifindex: index };
}

/** Makes the bridge, down: it gets its address and goes up once IPv6 is off on it (createBridge). */
export function createBridgeLines(name: string, subnet: Subnet): string[] {
  return [`link add ${name} type bridge mcast_snooping 0`, `link set ${name} alias "${BRIDGE_ALIAS}"`, `addr add ${toIp(gatewayOf(subnet))}/${subnet.prefix} dev ${name}`];
}

/**
 * A bridge that sends nothing of its own, so that sandboxes' counters hold
 * only what they asked for: no IPv6 on it (switched off before it is up, or it
 * sends MLD reports to every port) and no multicast snooping (with it, the
 * bridge joins 224.0.0.106 and reports that by IGMP as it comes up).
 */
async function createBridge(name: string, subnet: Subnet): Promise<void> {
  await ipBatch('net bridge', createBridgeLines(name, subnet));
  writeFileSync(`/proc/sys/net/ipv6/conf/${name}/disable_ipv6`, '1');
  await ipBatch('net bridge', [`link set ${name} up`]);
}

/** The subnet for a bridge cgbox is about to make. */
async function subnetForNew(name: string, requested?: Cidr): Promise<Subnet> {
  const used = await hostNetworks();
  // The default bridge follows CGBOX_SUBNET (or the first free /16); another new
  // bridge takes the subnet of an address asked for on it, else the first free /16.
  if (name !== DEFAULT_BRIDGE && requested) {
    const s = subnetOf(requested);
    const clash = used.find((u) => u.prefix > 0 && overlaps(u, s));
    if (clash) throw new SetupError('net bridge', `a new bridge ${name} for ${requested.ip}/${requested.prefix} would overlap ${formatSubnet(clash)}, which this host already uses`);
    return s;
  }
  return pickSubnet(used, name === DEFAULT_BRIDGE ? undefined : '');
}

/**
 * The bridge, made if missing, with its shared uplink (see uplink.ts) and the
 * guard covering it. Read once per process (and again if it was made anew
 * since); the nft rules are applied then too, so a flushed ruleset is
 * repaired by the next process that uses the bridge.
 */
export async function ensureBridge(name: string, requested?: Cidr): Promise<BridgeInfo> {
  const cached = known.get(name);
  if (cached && ifindex(name) === cached.ifindex) return cached;
  return withNetLock(async () => {
    let info = await readBridge(name);
    if (!info) {
      const subnet = await subnetForNew(name, requested);
      await createBridge(name, subnet);
      info = await readBridge(name);
      if (!info) throw new SetupError('net bridge', `bridge ${name} vanished right after it was made`);
    }
    if (!uplinkExists(name)) {
      const u = createUplink(name);
      await ipBatch('net uplink', u.ip).catch((e: Error) => {
        // Every bridge's uplink is an IFB (and shaping what a sandbox sends needs one more).
        throw /Unknown device type|not supported/i.test(e.message) ? new UnsupportedError('.net({...})', 'cgbox shapes traffic through IFB devices: the kernel option CONFIG_IFB (module ifb)') : e;
      });
      await tcBatch('net uplink', u.tc);
    }
    await nftApply('net guard', [...guardLines(name, info.gateway), ...markLines()]);
    known.set(name, info);
    return info;
  });
}

/**
 * Deletes a bridge cgbox made, with its uplink, guard entries and lease file
 * (for tests; cgbox0 is otherwise kept by design).
 */
export async function removeBridge(name: string): Promise<void> {
  await withNetLock(async () => {
    known.delete(name);
    const info = await readBridge(name).catch(() => undefined);
    if (info) {
      const alias = readFileSync(`/sys/class/net/${name}/ifalias`, 'utf8').trim();
      if (alias !== BRIDGE_ALIAS) throw new SetupError('net bridge', `${name} was not made by cgbox (alias "${alias}"): not deleting it`);
      await nftApply('net guard', unguardLines(name, info.gateway)).catch(() => {});
      await ipBatch('net bridge', [...(uplinkExists(name) ? [`link del ${uplinkName(name)}`] : []), `link del ${name}`]);
    }
    await removeTable(name);
  });
}
