// Network setup + teardown per sandbox, against the raw `ip`/`tc` commands the
// same network needs, measured in the same run and interleaved (a noisy
// neighbour hits all alike). cgbox: the net driver's setup (lease under the
// lock, namespace, veth on cgbox0, eth0's address and route, host-side
// shaping with an IFB) and teardown (lease given back, all removed). Raw: the
// same objects with one command per step, as by hand; batched raw: the same
// lines in `ip -batch`/`tc -batch`, no lease — the floor. The commands are
// bench/lib/cases/net-raw.mjs's, which the harness (bench/index.mjs) uses too.
// Goal: cgbox ≤ 1.3× the raw commands.
import { bridgeReady, rawBatches, rawSteps, viaNetDriver } from './lib/cases/net-raw.mjs';
import { interleavedMedians } from './measure.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);

const cases = {
  'raw ip/tc, one command per step': rawSteps,
  'raw ip -batch / tc -batch': rawBatches,
  "cgbox net({ bandwidth: '10mbit' })": viaNetDriver,
};

await bridgeReady(); // makes cgbox0 (kept) and warms up
const m = await interleavedMedians(cases, ROUNDS);
const [raw, batched, cgbox] = Object.values(m);
console.log(`network setup + teardown per sandbox, median of ${ROUNDS} interleaved rounds:`);
for (const [k, v] of Object.entries(m)) console.log(`  ${k.padEnd(36)} ${v.toFixed(1)} ms`);
console.log(`  cgbox / raw commands  = ${(cgbox / raw).toFixed(2)}×  (goal ≤ 1.3×: ${cgbox / raw <= 1.3 ? 'met' : 'NOT met'})`);
console.log(`  cgbox / batched raw   = ${(cgbox / batched).toFixed(2)}×  (the floor: same batches, no lease, no lock)`);
