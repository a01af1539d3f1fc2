/**
 * usage.net: the sandbox's eth0 as seen from the host. A veth pair's two ends
 * count the same frames (a veth even reports its tx from its peer's rx), so
 * the host end's counters, swapped, are eth0's — exactly, and readable from
 * the host without entering the namespace. Drops add what the host-side
 * shaper dropped: the sandbox sent those (they are in txPackets) or never
 * got them (they are not in rxPackets).
 */
import { readFileSync } from 'node:fs';
import type { NetUsage } from '../report/types.js';
import { runTool } from '../host/run-tool.js';

const FIELDS = ['rx_bytes', 'tx_bytes', 'rx_packets', 'tx_packets', 'rx_dropped', 'tx_dropped'] as const;
export type DeviceCounters = Record<(typeof FIELDS)[number], number>;

export function readCounters(dev: string): DeviceCounters {
  const out = {} as DeviceCounters;
  for (const f of FIELDS) out[f] = Number(readFileSync(`/sys/class/net/${dev}/statistics/${f}`, 'utf8'));
  return out;
}

/** What the host end counted, from the sandbox's side; shaper drops in each direction added. */
export function sandboxView(host: DeviceCounters, shaped: { toSandbox: number; fromSandbox: number } = { toSandbox: 0, fromSandbox: 0 }): NetUsage {
  return {
    rxBytes: host.tx_bytes,
    txBytes: host.rx_bytes,
    rxPackets: host.tx_packets,
    txPackets: host.rx_packets,
    rxDropped: host.tx_dropped + shaped.toSandbox,
    txDropped: host.rx_dropped + shaped.fromSandbox,
  };
}

/** The drop counts in `tc -s` text ("Sent B bytes P pkt (dropped D, …"); its -j output is not there for every kind. */
export function parseDrops(text: string): number {
  return [...text.matchAll(/\(dropped (\d+),/g)].reduce((n, m) => n + Number(m[1]), 0);
}

/** Drops of the root qdisc of `dev` (0 when it has none of its own). */
export async function qdiscDrops(dev: string): Promise<number> {
  const r = await runTool('tc', ['-s', 'qdisc', 'show', 'dev', dev, 'root']);
  return r.code === 0 ? parseDrops(r.stdout) : 0;
}

/** Drops of one class (bridge shaping keeps a class per sandbox on a shared device). */
export async function classDrops(dev: string, classid: string): Promise<number> {
  const r = await runTool('tc', ['-s', 'class', 'show', 'dev', dev, 'classid', classid]);
  return r.code === 0 ? parseDrops(r.stdout) : 0;
}
