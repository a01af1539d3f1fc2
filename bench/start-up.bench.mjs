// Start-up cost of a sandbox against its baselines, measured in the same run and
// interleaved so that a noisy neighbour hits all three alike. Prints medians and
// ratios; the goal (DESIGN, issue 2) is cgbox at most 2× the `unshare` figure.
import { spawn } from 'node:child_process';
import { sandbox } from '../dist/index.js';
import { interleavedMedians } from './measure.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 40);
const UNSHARE = ['--pid', '--fork', '--mount-proc', '--mount', '--uts', '--ipc', '--net', '--cgroup', 'true'];

function spawned(file, args) {
  return new Promise((resolve, reject) => {
    const c = spawn(file, args, { stdio: 'ignore' });
    c.on('error', reject);
    c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${file} exited ${code}`))));
  });
}

async function cgbox(b = sandbox()) {
  const r = await b.memory('64m').pids(64).run('true');
  if (!r.ok) throw new Error(`cgbox run failed: ${r.exitCode} ${r.signal}`);
}

const cases = {
  'spawn true': () => spawned('true', []),
  'unshare (same namespaces)': () => spawned('unshare', UNSHARE),
  // Every run makes its cgroups and its init joins them (one RCU grace period on v1).
  'cgbox, cold (CGBOX_STANDBY=0)': async () => {
    process.env.CGBOX_STANDBY = '0';
    try {
      await cgbox();
    } finally {
      delete process.env.CGBOX_STANDBY;
    }
  },
  // The default from a process's second run on: a spare made in the background.
  "cgbox memory('64m').pids(64)": () => cgbox(),
  // Privileged from a spare: the prepared view is discarded and the host's tree copied afresh
  // (bench/view.bench.mjs measures the view's own cost at a run's start).
  'cgbox .privileged() from a spare': () => cgbox(sandbox().privileged()),
};

const m = await interleavedMedians(cases, ROUNDS);
const [bare, unshare, cold, warm, privileged] = Object.values(m);
console.log(`start-up, median of ${ROUNDS} interleaved rounds:`);
for (const [k, v] of Object.entries(m)) console.log(`  ${k.padEnd(34)} ${v.toFixed(2)} ms`);
console.log(`  cgbox / spawn          = ${(warm / bare).toFixed(2)}×`);
console.log(`  cgbox / unshare        = ${(warm / unshare).toFixed(2)}×  (goal ≤ 2×: ${warm / unshare <= 2 ? 'met' : 'NOT met'})`);
console.log(`  cgbox cold / unshare   = ${(cold / unshare).toFixed(2)}×`);
console.log(`  privileged / default   = ${(privileged / warm).toFixed(2)}× (a spare's prepared view is not used by a privileged run)`);
