/** The pure parts of networking: names, addresses, subnets, and the exact ip/tc/nft/ovs-vsctl lines. */
import { describe, expect, it } from 'vitest';
import { InvalidSpecError, SetupError } from '../spec/errors.js';
import { parseDrops, sandboxView } from './counters.js';
import { guardLines } from './guard.js';
import { contains, hostRange, overlaps, parseSubnet, toInt, toIp } from './ipv4.js';
import { allocate, releaseRun, type LeaseTable } from './leases.js';
import { isRunDevice, macFor, netNames, ownerPid } from './names.js';
import { addPortArgs, delPortArgs, policingBurstKbit } from './ovs.js';
import { burstBytes, formatRate, tbf } from './shaping.js';
import { vethShaping } from './shaping-veth.js';
import { chooseSubnet, defaultCandidates, pickSubnet } from './subnet.js';
import { classLine, markElement, markLines, portLines, uplinkName } from './uplink.js';
import { hostLines, innerLines, removeLines } from './veth.js';

const s16 = parseSubnet('10.88.0.0/16')!;

describe('names', () => {
  it('derives 11-character host devices and a link group from the run name', () => {
    const n = netNames('cgbox-1234-0a1b2c3d');
    expect(n).toEqual({ netns: 'cgbox-1234-0a1b2c3d', hostVeth: 'cgb0a1b2c3d', ifb: 'cgi0a1b2c3d', inner: 'eth0', group: 0x0a1b2c3d });
    expect(netNames('cgbox-1-0000ffff').group).toBe(0); // too small to be safe: deleted by name
    expect(netNames('cgbox-1-ffffffff').group).toBe(0x7fffffff); // ip takes a signed group
    expect(isRunDevice('cgb0a1b2c3d') && isRunDevice('cgi0a1b2c3d') && !isRunDevice('cgbox0') && !isRunDevice('cgu0b1698e3')).toBe(true);
    expect(ownerPid('cgbox-1234-0a1b2c3d')).toBe(1234);
    expect(macFor('10.88.3.7')).toBe('02:cb:0a:58:03:07');
  });
});

describe('ipv4', () => {
  it('does subnet arithmetic', () => {
    expect(toIp(toInt('10.88.3.7'))).toBe('10.88.3.7');
    expect(contains(s16, toInt('10.88.255.1'))).toBe(true);
    expect(contains(s16, toInt('10.89.0.1'))).toBe(false);
    expect(overlaps(s16, parseSubnet('10.0.0.0/8')!)).toBe(true);
    expect(hostRange(s16)).toEqual({ first: toInt('10.88.0.2'), last: toInt('10.88.255.254') });
  });

  it('picks the first /16 from 10.88 that the host does not use, never a default route', () => {
    const used = [parseSubnet('0.0.0.0/0')!, parseSubnet('10.88.5.0/24')!, parseSubnet('10.89.0.0/16')!];
    expect(chooseSubnet(defaultCandidates(), used)).toEqual(parseSubnet('10.90.0.0/16'));
    expect(pickSubnet(used, '172.20.0.0/16')).toEqual(parseSubnet('172.20.0.0/16'));
    expect(() => pickSubnet(used, '10.88.0.0/16')).toThrow(/overlaps 10\.88\.5\.0\/24/);
    expect(() => pickSubnet(used, 'ten')).toThrow(SetupError);
  });
});

describe('leases', () => {
  it('hands out addresses round-robin, skipping taken ones', () => {
    const t: LeaseTable = { leases: {} };
    expect(allocate(t, s16, 'cgbox-1-a', 'cgbox0')).toBe('10.88.0.2');
    expect(allocate(t, s16, 'cgbox-1-b', 'cgbox0')).toBe('10.88.0.3');
    releaseRun(t, 'cgbox-1-a');
    // .2 is free again but not reused at once: a peer may still cache its MAC.
    expect(allocate(t, s16, 'cgbox-1-c', 'cgbox0')).toBe('10.88.0.4');
    const full: LeaseTable = { leases: { '10.88.0.2': 'x' } };
    expect(() => allocate(full, parseSubnet('10.88.0.0/30')!, 'y', 'b')).toThrow(/no free address left on bridge b/);
  });

  it('honours a free explicit address and refuses taken or misfit ones', () => {
    const t: LeaseTable = { leases: { '10.88.3.8': 'cgbox-1-a' } };
    expect(allocate(t, s16, 'cgbox-1-b', 'cgbox0', { ip: '10.88.3.7', prefix: 16 })).toBe('10.88.3.7');
    expect(() => allocate(t, s16, 'cgbox-1-c', 'cgbox0', { ip: '10.88.3.8', prefix: 16 })).toThrow(/10\.88\.3\.8\/16 on bridge cgbox0 is taken by cgbox-1-a/);
    for (const bad of [{ ip: '10.89.0.2', prefix: 16 }, { ip: '10.88.3.9', prefix: 24 }, { ip: '10.88.0.1', prefix: 16 }, { ip: '10.88.0.0', prefix: 16 }]) {
      expect(() => allocate(t, s16, 'cgbox-1-c', 'cgbox0', bad)).toThrow(InvalidSpecError);
    }
  });
});

describe('veth and shaping lines', () => {
  const n = netNames('cgbox-7-0a1b2c3d');
  const a = { run: n.netns, bridge: 'cgbox0', ip: '10.88.0.2', prefix: 16, gateway: '10.88.0.1', mac: macFor('10.88.0.2') };

  it('makes the netns, the veth with eth0 born inside, no IPv6 addresses, a default route', () => {
    expect(hostLines(n, a)).toEqual([
      'netns add cgbox-7-0a1b2c3d',
      'link add cgb0a1b2c3d group 169552957 type veth peer name eth0 address 02:cb:0a:58:00:02 netns cgbox-7-0a1b2c3d',
      'link set cgb0a1b2c3d addrgenmode none alias cgbox-7-0a1b2c3d master cgbox0 up',
    ]);
    expect(innerLines(n, a)).toEqual(['link set eth0 addrgenmode none', 'addr add 10.88.0.2/16 dev eth0', 'link set eth0 up', 'route add default via 10.88.0.1 dev eth0']);
  });

  it("removes the host veth before the namespace, by group when it is the run's own", () => {
    expect(removeLines(n, { hostVeth: true, ifb: true, netns: true })).toEqual(['link del cgb0a1b2c3d', 'link del cgi0a1b2c3d', 'netns del cgbox-7-0a1b2c3d']);
    expect(removeLines(n, { hostVeth: true, ifb: true, netns: true, byGroup: true })).toEqual(['link del group 169552957', 'netns del cgbox-7-0a1b2c3d']);
    expect(removeLines(n, { hostVeth: false, ifb: false, netns: true })).toEqual(['netns del cgbox-7-0a1b2c3d']);
  });

  it('shapes on the host side: tbf on the veth for what it receives, an IFB for what it sends', () => {
    expect(tbf(n.hostVeth, 20e6)).toBe('qdisc add dev cgb0a1b2c3d root handle 1: tbf rate 20000000bit burst 25000 latency 50ms');
    const sends = vethShaping.egress({ names: n, bridge: 'cgbox0', minor: 2, ip: '10.88.0.2', bits: 10e6 });
    expect({ ip: sends.ip, tc: sends.tc, nft: sends.nft }).toEqual({
      ip: ['link add cgi0a1b2c3d group 169552957 type ifb', 'link set cgi0a1b2c3d addrgenmode none alias cgbox-7-0a1b2c3d up'],
      tc: [
        'filter add dev cgb0a1b2c3d ingress protocol all prio 1 u32 match u32 0 0 action mirred egress redirect dev cgi0a1b2c3d',
        'qdisc add dev cgi0a1b2c3d root handle 1: tbf rate 10000000bit burst 12500 latency 50ms',
      ],
      nft: [],
    });
    expect(burstBytes(10e6)).toBe(12500); // 10 ms of the rate
    expect(burstBytes(100e3)).toBe(3028); // never under two full frames
    expect(formatRate(10e6)).toBe('10mbit');
    expect(formatRate(1500)).toBe('1500bit');
  });

  it("bridge shaping: nft sets the priority to the sender's class, after clearing it; htb reads it", () => {
    const u = uplinkName('cgbox0');
    expect(u).toMatch(/^cgu[0-9a-f]{8}$/);
    expect(markLines()).toContain('add rule bridge cgbox forward meta priority set 0');
    expect(markLines()).toContain('add rule bridge cgbox forward meta priority set iifname map @txclass');
    expect(markElement('cgb0a1b2c3d', 0x1c)).toBe('add element bridge cgbox txclass { "cgb0a1b2c3d" : 1:1c }');
    expect(classLine('cgbox0', 0x1c, 10e6)).toBe(`class add dev ${u} parent 1: classid 1:1c htb rate 10000000bit ceil 10000000bit burst 12500 cburst 12500`);
    expect(portLines('cgb0a1b2c3d', 'cgbox0')).toEqual([`filter add dev cgb0a1b2c3d egress protocol all prio 2 u32 match u32 0 0 action mirred egress redirect dev ${u}`]);
  });

  it('guards every bridge: routed traffic in or out is dropped, the host only at the gateway', () => {
    const g = guardLines('cgbox0', '10.88.0.1');
    expect(g).toContain('add element inet cgbox bridged { "cgbox0" . "cgbox0" }');
    expect(g).toContain('add element inet cgbox gateways { "cgbox0" . 10.88.0.1 }');
    expect(g.filter((l) => l.startsWith('add rule'))).toHaveLength(4);
    expect(g.indexOf('flush chain inet cgbox forward')).toBeLessThan(g.findIndex((l) => l.startsWith('add rule inet cgbox forward')));
  });
});

describe('OVS (pure translation: this host has no openvswitch)', () => {
  it('adds the port with policing (burst 10 % of the rate) and an htb QoS, in one transaction', () => {
    expect(addPortArgs({ bridge: 'br0', port: 'cgb0a1b2c3d', run: 'cgbox-7-0a1b2c3d', egressBits: 10e6, ingressBits: 20e6 }).join(' ')).toBe(
      '--may-exist add-port br0 cgb0a1b2c3d -- set interface cgb0a1b2c3d external_ids:cgbox-run=cgbox-7-0a1b2c3d ingress_policing_rate=10000 ingress_policing_burst=1000' +
        ' -- set port cgb0a1b2c3d qos=@cgboxqos -- --id=@cgboxqos create qos type=linux-htb other-config:max-rate=20000000 queues:0=@cgboxq0' +
        ' -- --id=@cgboxq0 create queue other-config:max-rate=20000000 other-config:min-rate=20000000',
    );
    expect(addPortArgs({ bridge: 'br0', port: 'p', run: 'r' })).toEqual(['--may-exist', 'add-port', 'br0', 'p', '--', 'set', 'interface', 'p', 'external_ids:cgbox-run=r']);
    expect(delPortArgs({ bridge: 'br0', port: 'p' })).toEqual(['--if-exists', 'del-port', 'br0', 'p']);
    expect(policingBurstKbit(10_000)).toBe(1000);
    expect(policingBurstKbit(100)).toBe(97); // 8 full frames at least
  });
});

describe('counters', () => {
  it("are the host end's, swapped, with the shaper's drops added", () => {
    const host = { rx_bytes: 1042042, tx_bytes: 42, rx_packets: 1001, tx_packets: 1, rx_dropped: 0, tx_dropped: 2 };
    expect(sandboxView(host, { toSandbox: 3, fromSandbox: 4 })).toEqual({ rxBytes: 42, txBytes: 1042042, rxPackets: 1, txPackets: 1001, rxDropped: 5, txDropped: 4 });
    expect(parseDrops('qdisc tbf 1: root\n Sent 100 bytes 2 pkt (dropped 7, overlimits 1 requeues 0)\n')).toBe(7);
  });
});
