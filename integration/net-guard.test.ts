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
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandbox } from '../src/index.js';
import { fixture } from './fixtures.js';
import { readCounters } from '../src/net/counters.js';
import { netNames } from '../src/net/names.js';
import { addressOf } from './net-helpers.js';

const ID = process.pid;
const OUT = { ns: `cgbtest-out-${ID}`, host: `cgbto${ID}`.slice(0, 15), hostIp: '198.18.77.1', ip: '198.18.77.2' };
const CTL = { ns: `cgbtest-ctl-${ID}`, host: `cgbtc${ID}`.slice(0, 15), hostIp: '198.18.78.1', ip: '198.18.78.2' };
const FORWARD = '/proc/sys/net/ipv4/ip_forward';
let forwardBefore = '0';

const sh = (cmd: string) => execFileSync('sh', ['-c', cmd], { encoding: 'utf8' });
/** Packets the guard's rules in `chain` dropped so far (every cgbox run on the host counts here). */
function guardDrops(chain: 'forward' | 'input'): number {
  const out = sh(`nft list chain inet cgbox ${chain}`);
  return [...out.matchAll(/counter packets (\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
}
/** Datagrams the "outside" namespace receives in `ms` while `send` runs. */
async function outsideReceives(send: () => Promise<unknown>, ms = 1500): Promise<string> {
  const recv = new Promise<string>((resolve) => {
    execFile('ip', ['netns', 'exec', OUT.ns, fixture('udpcount'), 'recv', '9000', '5', String(ms)], (_e, out) => resolve(out));
  });
  await new Promise((r) => setTimeout(r, 200));
  await send();
  return recv;
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

afterAll(() => {
  writeFileSync(FORWARD, forwardBefore);
  for (const n of [OUT, CTL]) sh(`ip link del ${n.host} 2>/dev/null; ip netns del ${n.ns} 2>/dev/null; true`);
});

describe('no route out of a sandbox', () => {
  it('the host forwards to the outside namespace: a plain namespace reaches it', async () => {
    const got = await outsideReceives(async () => sh(`ip netns exec ${CTL.ns} ${fixture('udpcount')} send ${OUT.ip} 9000 5 16`));
    expect(got).toContain('datagrams=5');
  });

  it("a sandbox's datagrams to it are dropped by the guard, with ip_forward on", async () => {
    const before = guardDrops('forward');
    let r;
    const got = await outsideReceives(async () => (r = await sandbox().net({}).run(fixture('udpcount'), ['send', OUT.ip, '9000', '5', '16'])));
    expect(r!.exitCode).toBe(0); // sent: the route exists (via the bridge), the host drops them
    expect(got).toContain('datagrams=0');
    expect(guardDrops('forward') - before).toBeGreaterThanOrEqual(5);
  });

  it('the outside namespace cannot reach a sandbox either', async () => {
    await using box = await sandbox().net({}).start('sleep', ['30']);
    const ip = await addressOf(box);
    sh(`ip -n ${OUT.ns} route replace ${ip}/32 via ${OUT.hostIp}`);
    const before = guardDrops('forward');
    sh(`ip netns exec ${OUT.ns} ${fixture('udpcount')} send ${ip} 9000 5 16`);
    expect(guardDrops('forward') - before).toBeGreaterThanOrEqual(5);
    expect(readCounters(netNames(box.name).hostVeth).tx_packets).toBe(0); // nothing reached its eth0
  });

  it("to the host a sandbox reaches only its bridge's address; the host reaches the sandbox", async () => {
    await using box = await sandbox().net({}).start(fixture('udpcount'), ['recv', '9000', '1', '20000']);
    const ip = await addressOf(box);
    const gateway = (await box.exec('ip', ['route', 'show', 'default'])).stdout.split(' ')[2]!;
    // A host address that is not the bridge's (the test's own veth end): dropped on input.
    const before = guardDrops('input');
    const toHost = await box.exec(fixture('udpcount'), ['send', OUT.hostIp, '9001', '3', '16']);
    expect(toHost.exitCode).toBe(0);
    expect(guardDrops('input') - before).toBeGreaterThanOrEqual(3);
    // The gateway is the host's address on the bridge: reachable (a listener there answers).
    const listen = new Promise<string>((resolve) => execFile(fixture('udpcount'), ['recv', '9002', '1', '3000'], (_e, out) => resolve(out)));
    await new Promise((r) => setTimeout(r, 200));
    await box.exec(fixture('udpcount'), ['send', gateway, '9002', '1', '16']);
    expect(await listen).toContain('datagrams=1');
    sh(`${fixture('udpcount')} send ${ip} 9000 1 16`); // host → sandbox
    const r = await box.result;
    expect(r.stdout).toContain('datagrams=1');
  });
});
