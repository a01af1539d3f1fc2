/**
 * 16 networked sandboxes started at once on the default bridge: each gets
 * its own address (leases under the host-wide lock), each reaches a peer,
 * and once they are stopped nothing of theirs is left — no namespace, no
 * veth or IFB, no lease.
 *
 * Host tier only: a network of its own does not depend on the cgroup version (the VM tier runs
 * net-ovs for what this kernel lacks).
 */
import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sandbox } from '../src/index.js';
import { readTable } from '../src/net/leases.js';
import { netNames } from '../src/net/names.js';
import { fixture } from './fixtures.js';
import { addressOf, startWhenReady } from './net-helpers.js';

const COUNT = 16;

describe('16 sandboxes with networking in parallel', () => {
  it('get distinct addresses, each reaches a peer, and nothing is left after', async () => {
    const t0 = performance.now();
    // Each waits for one datagram, the one its neighbour in the ring sends, and stays up (its neighbour execs into it to send).
    // (The receivers' timeout only ends a test that failed: each exits on its datagram.)
    const script = `${fixture('udpcount')} recv 9000 1 120000; exec sleep 60`;
    const boxes = await Promise.all(Array.from({ length: COUNT }, () => startWhenReady(sandbox().net({}), 'sh', ['-c', script])));
    const startMs = performance.now() - t0;
    const names = boxes.map((b) => b.name);
    try {
      const ips = await Promise.all(boxes.map(addressOf));
      console.log(`${COUNT} started in ${startMs.toFixed(0)} ms: ${ips.join(' ')}`);
      expect(new Set(ips).size).toBe(COUNT);
      const sends = await Promise.all(boxes.map((b, i) => b.exec(fixture('udpcount'), ['send', ips[(i + 1) % COUNT]!, '9000', '1', '16'])));
      for (const s of sends) expect(s.exitCode).toBe(0);
      // Each receiver prints its count as it exits: stopping the box before that (a busy machine can
      // be slow to get it there) would lose the line.
      await Promise.all(boxes.map((b) => b.exec('sh', ['-c', 'while pgrep -x udpcount >/dev/null; do sleep 0.05; done'])));
      const results = await Promise.all(boxes.map((b) => b.stop({ graceMs: 100 })));
      for (const r of results) expect(r.stdout).toContain('datagrams=1 bytes=16');
    } finally {
      await Promise.all(boxes.map((b) => b.stop({ graceMs: 100 }).catch(() => {})));
    }
    const devices = readdirSync('/sys/class/net');
    const table = await readTable('cgbox0');
    for (const name of names) {
      const n = netNames(name);
      expect(existsSync(`/run/netns/${name}`)).toBe(false);
      expect(devices).not.toContain(n.hostVeth);
      expect(devices).not.toContain(n.ifb);
      expect(Object.values(table.leases)).not.toContain(name);
    }
  });
});
