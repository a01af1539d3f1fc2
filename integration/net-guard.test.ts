/**
 * Traffic goes only between sandboxes, or from the host to a sandbox: never
 * anywhere else, even with ip_forward on. The "elsewhere" is a namespace this
 * test makes (198.18.77.2, a benchmarking address, behind a veth routed by
 * the host); a second namespace routed the same way shows that the host does
 * forward to it — only a sandbox's traffic is dropped, by cgbox's nft guard.
 * No packet leaves this machine: every address here lives in a namespace the
 * test made.
 *
 * Host tier only: a network of its own does not depend on the cgroup version (the VM tier runs
 * net-ovs for what this kernel lacks).
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { sandbox } from '../src/index.js';
import { fixture } from './fixtures.js';
import { readCounters } from '../src/net/counters.js';
import { netNames } from '../src/net/names.js';
import { removeBridge } from '../src/net/bridge.js';
import { addressOf, startWhenReady } from './net-helpers.js';
import { waitFor } from './wait.js';

const ID = process.pid;
const OUT = { ns: `cgbtest-out-${ID}`, host: `cgbto${ID}`.slice(0, 15), hostIp: '198.18.77.1', ip: '198.18.77.2' };
const CTL = { ns: `cgbtest-ctl-${ID}`, host: `cgbtc${ID}`.slice(0, 15), hostIp: '198.18.78.1', ip: '198.18.78.2' };
const FORWARD = '/proc/sys/net/ipv4/ip_forward';
const BRIDGE = `cgbg${ID}`.slice(0, 15);
let forwardBefore = '0';

const sh = (cmd: string) => execFileSync('sh', ['-c', cmd], { encoding: 'utf8' });
/** Packets the guard's rules in `chain` dropped so far (every cgbox run on the host counts here), and the rules' handles. */
function guardCounters(chain: 'forward' | 'input'): { packets: number; rules: string } {
  const out = sh(`nft -a list chain inet cgbox ${chain}`);
  return { packets: [...out.matchAll(/counter packets (\d+)/g)].reduce((n, m) => n + Number(m[1]), 0), rules: [...out.matchAll(/# handle (\d+)/g)].map((m) => m[1]).join() };
}
/**
 * What the guard's rules in `chain` dropped while `act` ran. Any process's first networked run
 * refills the chains (new rules, counters from 0): other test runs on the machine do that at any
 * moment, so when the rules changed meanwhile, `act` is done again.
 */
async function guardDropsDuring<T>(chain: 'forward' | 'input', act: () => Promise<T>): Promise<{ drops: number; result: T }> {
  for (let attempt = 1; ; attempt++) {
    const before = guardCounters(chain);
    const result = await act();
    const after = guardCounters(chain);
    if (after.rules === before.rules || attempt === 3) return { drops: after.packets - before.packets, result };
    console.log(`net-guard: the ${chain} chain was refilled by another process during the measurement: again`);
  }
}
/** A udpcount receiver on this host or in a namespace, once it is listening; `done` is what it printed. */
async function receiver(cmd: string[]): Promise<{ done: Promise<string> }> {
  const child = spawn(cmd[0]!, cmd.slice(1));
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<string>((resolve) => child.on('close', () => resolve(out)));
  onTestFinished(() => void child.kill());
  await waitFor('the receiver to listen', () => out.includes('ready') || child.exitCode !== null);
  return { done };
}
const MARKER = 32; // bytes: the datagram that says "everything before me has been sent"
/**
 * What the "outside" namespace receives of `send`: it listens first; after `send`, the control
 * namespace (whose datagrams do get there) sends a marker, and the receiver stops at `count`
 * datagrams — so a receiver that stops at the marker got nothing before it, however long `send` took.
 */
async function outsideReceives(count: number, send: () => Promise<unknown>): Promise<string> {
  const recv = await receiver(['ip', 'netns', 'exec', OUT.ns, fixture('udpcount'), 'recv', '9000', String(count), '30000']);
  await send();
  sh(`ip netns exec ${CTL.ns} ${fixture('udpcount')} send ${OUT.ip} 9000 1 ${MARKER}`);
  return recv.done;
}

function makeNs(n: typeof OUT, route: string): void {
  sh(`ip netns add ${n.ns} && ip link add ${n.host} type veth peer name eth0 netns ${n.ns} && ip addr add ${n.hostIp}/24 dev ${n.host} && ip link set ${n.host} up && ` +
    `ip -n ${n.ns} addr add ${n.ip}/24 dev eth0 && ip -n ${n.ns} link set eth0 up && ip -n ${n.ns} link set lo up && ip -n ${n.ns} route add ${route} via ${n.hostIp}`);
}

beforeAll(async () => {
  // A process's first networked run (re)applies the guard, whose chains are refilled and so
  // restart their counters: do that now, before any test reads them.
  await sandbox().net({}).run('true');
  forwardBefore = readFileSync(FORWARD, 'utf8').trim();
  makeNs(OUT, 'default');
  makeNs(CTL, '198.18.77.0/24');
  writeFileSync(FORWARD, '1');
});

afterAll(async () => {
  writeFileSync(FORWARD, forwardBefore);
  for (const n of [OUT, CTL]) sh(`ip link del ${n.host} 2>/dev/null; ip netns del ${n.ns} 2>/dev/null; true`);
  await removeBridge(BRIDGE);
});

describe('no route out of a sandbox', () => {
  it('the host forwards to the outside namespace: a plain namespace reaches it', async () => {
    const got = await outsideReceives(6, async () => sh(`ip netns exec ${CTL.ns} ${fixture('udpcount')} send ${OUT.ip} 9000 5 16`));
    expect(got).toContain(`datagrams=6 bytes=${5 * 16 + MARKER}`);
  });

  it("a sandbox's datagrams to it are dropped by the guard, with ip_forward on", async () => {
    let r;
    const { drops, result: got } = await guardDropsDuring('forward', () =>
      outsideReceives(1, async () => (r = await sandbox().net({}).run(fixture('udpcount'), ['send', OUT.ip, '9000', '5', '16']))),
    );
    expect(r!.exitCode).toBe(0); // sent: the route exists (via the bridge), the host drops them
    expect(got).toContain(`datagrams=1 bytes=${MARKER}`); // the marker came first: nothing of the sandbox's before it
    expect(drops).toBeGreaterThanOrEqual(5);
  });

  it('the outside namespace cannot reach a sandbox either', async () => {
    // On a bridge of its own: on the shared one, other test runs' sandboxes' ARP broadcasts reach every port.
    await using box = await sandbox().net({ bridge: BRIDGE }).start('sleep', ['30']);
    const ip = await addressOf(box);
    sh(`ip -n ${OUT.ns} route replace ${ip}/32 via ${OUT.hostIp}`);
    const { drops } = await guardDropsDuring('forward', async () => sh(`ip netns exec ${OUT.ns} ${fixture('udpcount')} send ${ip} 9000 5 16`));
    expect(drops).toBeGreaterThanOrEqual(5);
    expect(readCounters(netNames(box.name).hostVeth).tx_packets).toBe(0); // nothing reached its eth0
  });

  it("to the host a sandbox reaches only its bridge's address; the host reaches the sandbox", async () => {
    await using box = await startWhenReady(sandbox().net({}), fixture('udpcount'), ['recv', '9000', '1', '60000']);
    const ip = await addressOf(box);
    const gateway = (await box.exec('ip', ['route', 'show', 'default'])).stdout.split(' ')[2]!;
    // A host address that is not the bridge's (the test's own veth end): dropped on input.
    const { drops, result: toHost } = await guardDropsDuring('input', () => box.exec(fixture('udpcount'), ['send', OUT.hostIp, '9001', '3', '16']));
    expect(toHost.exitCode).toBe(0);
    expect(drops).toBeGreaterThanOrEqual(3);
    // The gateway is the host's address on the bridge: reachable (a listener there answers).
    const listen = await receiver([fixture('udpcount'), 'recv', '9002', '1', '30000']);
    await box.exec(fixture('udpcount'), ['send', gateway, '9002', '1', '16']);
    expect(await listen.done).toContain('datagrams=1');
    sh(`${fixture('udpcount')} send ${ip} 9000 1 16`); // host → sandbox
    const r = await box.result;
    expect(r.stdout).toContain('datagrams=1');
  });
});
