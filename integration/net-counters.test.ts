/**
 * usage.net is exact: 1000 UDP datagrams of 1000 bytes between two
 * sandboxes, counted frame by frame. On a bridge of the test's own (cgbox0
 * is shared with whatever else runs on this host, and a peer's ARP broadcast
 * would be counted too), where nothing but these two sandboxes talks:
 *
 *   each datagram is one Ethernet frame of 14 + 20 (IPv4) + 8 (UDP) + 1000 = 1042 bytes;
 *   before the first one the sender asks for the receiver's MAC: one ARP
 *   request (broadcast, 14 + 28 = 42 bytes) out, one ARP reply (42) back.
 *
 * Nothing else is sent: no IPv6 (no link-local address, so no DAD, router
 * solicitation or MLD), no gratuitous ARP, and the bridge itself is silent
 * (no IPv6, no multicast snooping). The sender's neighbour entry stays fresh
 * for the ~0.1 s it sends, so no ARP probe follows.
 *
 * Host tier only: a network of its own does not depend on the cgroup version (the VM tier runs
 * net-ovs for what this kernel lacks).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { sandbox } from '../src/index.js';
import { removeBridge } from '../src/net/bridge.js';
import { fixture } from './fixtures.js';
import { addressOf, startWhenReady } from './net-helpers.js';

const BRIDGE = `cgbx${process.pid}`.slice(0, 15);
const N = 1000;
const SIZE = 1000;
const FRAME = 14 + 20 + 8 + SIZE;
const ARP = 42;

afterAll(() => removeBridge(BRIDGE));

describe('usage.net', () => {
  it('counts 1000 datagrams of 1000 bytes exactly, on both ends', async () => {
    const net = sandbox().net({ bridge: BRIDGE });
    // The receiver ends by itself once it has all N (its timeout only ends a test that failed).
    const receiver = await startWhenReady(net, fixture('udpcount'), ['recv', '9000', String(N), '60000']);
    let sent;
    try {
      const ip = await addressOf(receiver);
      sent = await net.run(fixture('udpcount'), ['send', ip, '9000', String(N), String(SIZE), '50']);
      expect(sent.stdout.trim()).toBe(`sent=${N} bytes=${N * SIZE}`);
    } catch (e) {
      await receiver.stop({ graceMs: 100 }).catch(() => {});
      throw e;
    }
    const got = await receiver.result;
    expect(got.stdout).toContain(`datagrams=${N} bytes=${N * SIZE}`);

    console.log('sender usage.net', sent.usage.net, '\nreceiver usage.net', got.usage.net);
    expect(sent.usage.net).toEqual({ txPackets: N + 1, txBytes: N * FRAME + ARP, rxPackets: 1, rxBytes: ARP, rxDropped: 0, txDropped: 0 });
    expect(got.usage.net).toEqual({ rxPackets: N + 1, rxBytes: N * FRAME + ARP, txPackets: 1, txBytes: ARP, rxDropped: 0, txDropped: 0 });
  });

  it('is null without a network of its own', async () => {
    expect((await sandbox().run('true')).usage.net).toBeNull();
    expect((await sandbox().net('host').run('true')).usage.net).toBeNull();
  });
});
