/**
 * The Open vSwitch backend, `bridge: { ovs: 'br0' }`: the host end of the
 * veth becomes a port of an OVS bridge (`ovs-vsctl add-port`). What the
 * sandbox sends is policed at the port's ingress (`ingress_policing_rate`,
 * kbit/s, and `ingress_policing_burst`, kbit — at least 10 % of the rate, or
 * TCP collapses under policing); what it receives is shaped by a linux-htb
 * QoS on the port, OVS's own way of putting a qdisc on it.
 *
 * This host has no openvswitch (package and kernel module): check() refuses
 * with the names of both, and the commands are unit-tested as pure
 * translation; the VM tier runs them for real (integration/net-ovs.test.ts).
 */
import { existsSync } from 'node:fs';
import { UnsupportedError } from '../spec/errors.js';
import { onPath } from '../host/tools.js';

export interface OvsPort {
  bridge: string;
  port: string;
  run: string;
  egressBits?: number;
  ingressBits?: number;
}

/** Policing burst: 10 % of the rate (OVS's advice for TCP), at least 8 full frames. */
export function policingBurstKbit(rateKbit: number): number {
  return Math.max(Math.ceil(rateKbit / 10), Math.ceil((8 * 1514 * 8) / 1000));
}

/** The ovs-vsctl arguments that add the port with its limits, as one transaction. */
export function addPortArgs(p: OvsPort): string[] {
  const args = ['--may-exist', 'add-port', p.bridge, p.port, '--', 'set', 'interface', p.port, `external_ids:cgbox-run=${p.run}`];
  if (p.egressBits !== undefined) {
    const kbit = Math.max(1, Math.round(p.egressBits / 1000));
    args.push(`ingress_policing_rate=${kbit}`, `ingress_policing_burst=${policingBurstKbit(kbit)}`);
  }
  if (p.ingressBits !== undefined) {
    const bits = p.ingressBits;
    args.push('--', 'set', 'port', p.port, 'qos=@cgboxqos');
    args.push('--', '--id=@cgboxqos', 'create', 'qos', 'type=linux-htb', `other-config:max-rate=${bits}`, 'queues:0=@cgboxq0');
    args.push('--', '--id=@cgboxq0', 'create', 'queue', `other-config:max-rate=${bits}`, `other-config:min-rate=${bits}`);
  }
  return args;
}

/** Removing the port drops its QoS and queue rows too (unreferenced rows are garbage-collected). */
export function delPortArgs(p: Pick<OvsPort, 'bridge' | 'port'>): string[] {
  return ['--if-exists', 'del-port', p.bridge, p.port];
}

/** The OVS bridge, made if missing (its address is given by the caller, as for a Linux bridge). */
export function addBridgeArgs(bridge: string): string[] {
  return ['--may-exist', 'add-br', bridge];
}

export function hasOvs(): boolean {
  return onPath('ovs-vsctl') && (existsSync('/sys/module/openvswitch') || existsSync('/proc/sys/net/openvswitch'));
}

export function checkOvs(): void {
  const missing = [
    ...(onPath('ovs-vsctl') ? [] : ['the Debian package openvswitch-switch (ovs-vsctl and ovs-vswitchd)']),
    ...(existsSync('/sys/module/openvswitch') ? [] : ['the kernel module openvswitch (CONFIG_OPENVSWITCH; modprobe openvswitch)']),
  ];
  if (missing.length) throw new UnsupportedError(".net({ bridge: { ovs } })", `Open vSwitch needs ${missing.join(' and ')}; or use a Linux bridge (the default), or the VM tier`);
}
