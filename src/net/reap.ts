/**
 * What crashed runs left of their networks: namespaces named after runs whose
 * owner process is gone, host devices (veths, IFBs) whose alias names such a
 * run, their marks and classes on a bridge's uplink, and their address
 * leases. Another process may be reaping the same leftovers at the same time,
 * so "already gone" is never an error here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { removeDevices } from './attach.js';
import { runTool } from '../host/run-tool.js';
import { parseSubnet, toInt } from './ipv4.js';
import { readTable, removeDeadTableWrites, tableBridges, withNetLock, writeTable } from './leases.js';
import { isRunDevice, netNames, ownerGone, ownerPid } from './names.js';
import { classOf, unmarkElement, uplinkName } from './uplink.js';

function alias(dev: string): string {
  try {
    return readFileSync(`/sys/class/net/${dev}/ifalias`, 'utf8').trim();
  } catch {
    return '';
  }
}

export async function reapNet(opts: { all: boolean }): Promise<string[]> {
  const gone = (run: string) => ownerPid(run) !== undefined && (opts.all || ownerGone(run));
  const removed: string[] = [];

  for (const ns of await readdir('/run/netns').catch(() => [] as string[])) {
    if (!gone(ns)) continue;
    const n = netNames(ns);
    await runTool('nft', ['-f', '-'], unmarkElement(n.hostVeth) + '\n');
    await removeDevices(n).catch(() => {});
    if (!existsSync(`/run/netns/${ns}`)) removed.push(`netns ${ns}`);
  }
  // Devices whose namespace is already gone (a crash between the two deletions).
  for (const dev of await readdir('/sys/class/net').catch(() => [] as string[])) {
    if (!isRunDevice(dev) || !gone(alias(dev))) continue;
    await runTool('ip', ['link', 'del', dev]);
    if (!existsSync(`/sys/class/net/${dev}`)) removed.push(`link ${dev}`);
  }
  for (const bridge of await tableBridges()) {
    await withNetLock(async () => {
      for (const f of await removeDeadTableWrites(bridge)) removed.push(`file ${f} (a lease table write cut short)`);
      const t = await readTable(bridge);
      const subnet = t.subnet ? parseSubnet(t.subnet) : null;
      let changed = false;
      for (const [ip, run] of Object.entries(t.leases)) {
        if (!gone(run)) continue;
        if (subnet) await runTool('tc', ['class', 'del', 'dev', uplinkName(bridge), 'classid', classOf(toInt(ip) - subnet.network)]);
        delete t.leases[ip];
        changed = true;
        removed.push(`lease ${ip} on ${bridge} (${run})`);
      }
      if (changed) await writeTable(bridge, t);
    });
  }
  return removed;
}
