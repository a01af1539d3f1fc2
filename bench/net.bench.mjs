// Network setup + teardown per sandbox, against the raw `ip`/`tc` commands the
// same network needs, measured in the same run and interleaved (a noisy
// neighbour hits all alike). cgbox: the net driver's setup (lease under the
// lock, namespace, veth on cgbox0, eth0's address and route, host-side
// shaping with an IFB) and teardown (lease given back, all removed). Raw: the
// same objects with one command per step, as by hand; batched raw: the same
// lines in `ip -batch`/`tc -batch`, no lease — the floor. Goal: cgbox ≤ 1.3×
// the raw commands.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { netDriver } from '../dist/net/driver.js';
import { uplinkName } from '../dist/net/uplink.js';
import { Teardown } from '../dist/resource/teardown.js';
import { hostCaps } from '../dist/host/probe.js';
import { sandbox } from '../dist/index.js';
import { interleavedMedians } from './measure.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const spec = sandbox().net({ bandwidth: '10mbit' }).spec;
const caps = hostCaps();

function run(file, args, input) {
  return new Promise((resolve, reject) => {
    const c = spawn(file, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'] });
    let err = '';
    c.stderr.on('data', (d) => (err += d));
    c.on('error', reject);
    c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${file} ${args.join(' ')}: ${err}`))));
    if (input !== undefined) c.stdin.end(input);
  });
}

async function viaCgbox() {
  const teardown = new Teardown();
  const name = `cgbox-${process.pid}-${randomBytes(4).toString('hex')}`;
  const a = await netDriver.setup({ spec, caps, name, teardown });
  await a.usage();
  const errors = await teardown.run();
  if (errors.length) throw errors[0];
}

let host = 0;
/** The commands for one sandbox's network: [file, args][] for setup and for teardown. */
function commands(gw, prefix) {
  const hex = randomBytes(4).toString('hex');
  const ns = `cgbox-${process.pid}-${hex}`;
  const [v, i] = [`cgb${hex}`, `cgi${hex}`];
  const ip = gw.replace(/\.\d+\.\d+$/, `.250.${(host++ % 250) + 2}`);
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
let gw;
let prefix;

const cases = {
  'raw ip/tc, one command per step': async () => {
    const c = commands(gw, prefix);
    for (const l of c.ipl) await run('ip', split(l));
    for (const l of c.inner) await run('ip', ['-n', c.ns, ...split(l)]);
    for (const l of c.tc) await run('tc', split(l));
    for (const l of c.down) await run('ip', split(l));
  },
  'raw ip -batch / tc -batch': async () => {
    const c = commands(gw, prefix);
    await run('ip', ['-batch', '-'], c.ipl.join('\n') + '\n');
    await Promise.all([run('ip', ['-n', c.ns, '-batch', '-'], c.inner.join('\n') + '\n'), run('tc', ['-batch', '-'], c.tc.join('\n') + '\n')]);
    await run('ip', ['-batch', '-'], c.down.join('\n') + '\n');
  },
  "cgbox net({ bandwidth: '10mbit' })": viaCgbox,
};

await viaCgbox(); // makes cgbox0 (kept) and warms up
const addr = JSON.parse(await new Promise((resolve) => {
  const c = spawn('ip', ['-4', '-j', 'addr', 'show', 'dev', 'cgbox0']);
  let out = '';
  c.stdout.on('data', (d) => (out += d));
  c.on('exit', () => resolve(out));
}))[0].addr_info[0];
[gw, prefix] = [addr.local, addr.prefixlen];
const m = await interleavedMedians(cases, ROUNDS);
const [raw, batched, cgbox] = Object.values(m);
console.log(`network setup + teardown per sandbox, median of ${ROUNDS} interleaved rounds:`);
for (const [k, v] of Object.entries(m)) console.log(`  ${k.padEnd(36)} ${v.toFixed(1)} ms`);
console.log(`  cgbox / raw commands  = ${(cgbox / raw).toFixed(2)}×  (goal ≤ 1.3×: ${cgbox / raw <= 1.3 ? 'met' : 'NOT met'})`);
console.log(`  cgbox / batched raw   = ${(cgbox / batched).toFixed(2)}×  (the floor: same batches, no lease, no lock)`);
