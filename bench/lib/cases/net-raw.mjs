// The network cgbox's .net({ bandwidth: '10mbit' }) builds, made by hand with ip and tc: a named
// netns, a veth on cgbox0 with eth0 inside, its address and default route, tbf on the host veth
// for what the sandbox receives and an IFB with tbf for what it sends; then removed. Two ways:
// one command per step (as by hand), and the same lines in `ip -batch` / `tc -batch` (the floor).
// These make a network only, no sandbox: the reference for what .net() adds to a run.
import { randomBytes } from 'node:crypto';
import { netDriver } from '../../../dist/net/driver.js';
import { uplinkName } from '../../../dist/net/uplink.js';
import { Teardown } from '../../../dist/resource/teardown.js';
import { hostCaps } from '../../../dist/host/probe.js';
import { sandbox } from '../../../dist/index.js';
import { output, spawned } from '../spawned.mjs';

let host = 0;
let gw;
let prefix;

/** cgbox's net driver alone: setup (lease, netns, veth, shaping) and teardown, no sandbox. */
export async function viaNetDriver() {
  const teardown = new Teardown();
  const name = `cgbox-${process.pid}-${randomBytes(4).toString('hex')}`;
  const a = await netDriver.setup({ spec: sandbox().net({ bandwidth: '10mbit' }).spec, caps: hostCaps(), name, teardown });
  await a.usage();
  const errors = await teardown.run();
  if (errors.length) throw errors[0];
}

/** Makes cgbox0 (kept, as cgbox keeps it) and reads its gateway and prefix. */
export async function bridgeReady() {
  await viaNetDriver();
  const addr = JSON.parse(await output('ip', ['-4', '-j', 'addr', 'show', 'dev', 'cgbox0']))[0].addr_info[0];
  [gw, prefix] = [addr.local, addr.prefixlen];
}

/** The commands for one sandbox's network: setup lines (host, inside, tc) and teardown lines. */
export function commands() {
  const hex = randomBytes(4).toString('hex');
  const ns = `cgbox-${process.pid}-${hex}`;
  const [v, i] = [`cgb${hex}`, `cgi${hex}`];
  const ip = gw.replace(/\.\d+\.\d+$/, `.250.${(host++ % 250) + 2}`); // far from the leases, which start low
  const u = uplinkName('cgbox0');
  const ipl = [
    `netns add ${ns}`,
    `link add ${v} type veth peer name eth0 netns ${ns}`,
    `link set ${v} addrgenmode none master cgbox0 up`,
    `link add ${i} type ifb`,
    `link set ${i} addrgenmode none up`,
  ];
  const inner = ['link set eth0 addrgenmode none', `addr add ${ip}/${prefix} dev eth0`, 'link set eth0 up', `route add default via ${gw} dev eth0`];
  const tc = [
    `qdisc add dev ${v} clsact`,
    `filter add dev ${v} egress protocol all prio 2 u32 match u32 0 0 action mirred egress redirect dev ${u}`,
    `qdisc add dev ${v} root handle 1: tbf rate 10mbit burst 12500 latency 50ms`,
    `filter add dev ${v} ingress protocol all prio 1 u32 match u32 0 0 action mirred egress redirect dev ${i}`,
    `qdisc add dev ${i} root handle 1: tbf rate 10mbit burst 12500 latency 50ms`,
  ];
  const down = [`link del ${v}`, `link del ${i}`, `netns del ${ns}`];
  return { ns, ipl, inner, tc, down };
}

const split = (line) => line.split(' ');

export async function rawSteps() {
  const c = commands();
  for (const l of c.ipl) await spawned('ip', split(l));
  for (const l of c.inner) await spawned('ip', ['-n', c.ns, ...split(l)]);
  for (const l of c.tc) await spawned('tc', split(l));
  for (const l of c.down) await spawned('ip', split(l));
}

export async function rawBatches() {
  const c = commands();
  await spawned('ip', ['-batch', '-'], { input: c.ipl.join('\n') + '\n' });
  await Promise.all([spawned('ip', ['-n', c.ns, '-batch', '-'], { input: c.inner.join('\n') + '\n' }), spawned('tc', ['-batch', '-'], { input: c.tc.join('\n') + '\n' })]);
  await spawned('ip', ['-batch', '-'], { input: c.down.join('\n') + '\n' });
}

const needsRoot = () => (hostCaps().isRoot ? null : 'making a network needs root');

// References, not sandboxes: in the start-up table only, for what .net() adds to a run.
export const rawNet = {
  id: 'raw-net',
  label: 'raw ip/tc, one command per step',
  kind: 'reference',
  what: "the network of .net({ bandwidth: '10mbit' }) made and removed with one ip/tc command per step (bench/lib/cases/net-raw.mjs); no sandbox",
  phases: ['latency'],
  probe: needsRoot,
  setup: bridgeReady,
  run: rawSteps,
};

export const rawNetBatch = {
  id: 'raw-net-batch',
  label: 'raw ip -batch / tc -batch',
  kind: 'reference',
  what: 'the same lines in ip -batch and tc -batch, no lease, no lock: the floor',
  phases: ['latency'],
  probe: needsRoot,
  setup: bridgeReady,
  run: rawBatches,
};
