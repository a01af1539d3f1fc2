// `npm run bench:profile -- [--runs N] [--parallel K] [--case ID] [--top T] [--who NAME]…`: runs N sandboxes
// (default 500 of `cgbox`, one at a time) in a Node process under `node --cpu-prof`, writes the
// .cpuprofile into a temporary directory, and prints where Node's time went: categories (spawns,
// file reads and writes, JSON, timers and polling, GC, cgbox's own code…), the top functions by
// self time, the cgbox functions with the most time beneath them, and which cgbox functions make
// the calls out; with --who NAME (repeatable), the cgbox call paths to the functions so named
// (`--who SandboxError`: where errors are made on the way) — over the timed runs only (the profile's samples between the workload's marks).
// The profile samples the main thread's wall time: a sample inside a native call counts whether
// the thread runs or waits there (spawn waits for the child's exec); libuv's threadpool and V8's
// helper threads are not in it, though process.cpuUsage counts their CPU.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pathsTo, summarise } from './lib/profile/summary.mjs';

const argv = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i < 0 ? dflt : argv[i + 1];
};
const runs = arg('runs', '500');
const parallel = arg('parallel', '1');
const id = arg('case', 'cgbox');
const top = Number(arg('top', '25'));
const who = argv.flatMap((a, i) => (a === '--who' ? [argv[i + 1]] : []));
const INTERVAL_US = 250;

const dir = mkdtempSync(join(tmpdir(), 'cgbox-profile-'));
const workload = fileURLToPath(new URL('./lib/profile/workload.mjs', import.meta.url));
const r = spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-interval=${INTERVAL_US}`, workload, '--case', id, '--runs', runs, '--parallel', parallel], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
if (r.status !== 0) {
  console.error(`the profiled run failed (exit ${r.status})`);
  process.exit(1);
}
const window = JSON.parse(r.stdout.trim().split('\n').pop());
const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
const s = summarise(profile, { top, window });

const pct = (x) => `${(x * 100).toFixed(1).padStart(5)} %`;
const row = (x) => `  ${x.ms.toFixed(1).padStart(8)} ms ${pct(x.share)}  ${(x.ms / Number(runs)).toFixed(3).padStart(7)} ms/run  ${x.what}`;
console.log(`${runs} × ${id}, ${parallel} in flight: ${window.ms.toFixed(0)} ms for the timed runs, Node CPU ${window.cpuMsPerRun.toFixed(2)} ms per sandbox (process.cpuUsage)`);
console.log(`profile: ${join(dir, file)} (open it in Chrome DevTools or speedscope)`);
console.log(`  the timed runs' window only (no loading, no warm-up): ${s.samples} samples, one every ~${s.usPerSample.toFixed(0)} µs, over ${s.spanMs.toFixed(0)} ms;`);
console.log(`  ${s.busyMs.toFixed(0)} ms (${((s.busyMs / s.spanMs) * 100).toFixed(0)} %) with the main thread busy — running, or blocked inside a call (spawn returns only once the child has exec'd) — the rest idle in the event loop`);
console.log('\nby category (the innermost frame that says what it is):');
for (const c of s.categories) console.log(row(c));
console.log(`\ntop ${top} functions by self time:`);
for (const f of s.self) console.log(row(f));
console.log(`\ncgbox's functions by the time spent in them and beneath them:`);
for (const f of s.inclusive) console.log(row(f));
console.log('\nwho in cgbox makes the calls out (the nearest cgbox frame):');
for (const c of s.callers.slice(0, 8)) {
  console.log(`  ${c.category}:`);
  for (const f of c.top) console.log(`  ${row(f)}`);
}
for (const name of who) {
  console.log(`\nthe paths to ${name} (its time and what it calls; cgbox's frames above it, innermost first):`);
  for (const p of pathsTo(profile, name, { window })) console.log(row(p));
}
