// What the sandbox's read-only view costs when a run starts: from the orders written to a standby
// init until the command is exec'd, and until the helper has exited (its namespaces torn down).
//   the view prepared ahead: what a spare does (src/launch/standby.ts), the rest at the orders;
//   the whole view at the orders: a cold run's view work;
//   no view (the privileged steps): what every run did before the view existed — namespaces, a
//   fresh /proc, the cgroupfs.
// Interleaved rounds, medians; run as root.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { hostCaps } from '../dist/host/probe.js';
import { cgroupfsOf, hostFs, planView, preparedView, viewArgs } from '../dist/view/index.js';
import { capabilityMask } from '../dist/spec/view.js';
import { emptySpec } from '../dist/spec/types.js';
import { interleavedMedians } from './measure.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 60);
const INIT = fileURLToPath(new URL('../native/bin/cgbox-init', import.meta.url));
const caps = hostCaps();
const driver = (await import('../dist/cgroup/driver.js')).driverFor(caps);
const cgroupfs = cgroupfsOf(driver.version, driver.hierarchies(caps));
const ctx = (mode) => ({ mode, cgroupfs, volumes: [], binds: [], devices: [], host: hostFs });
const full = planView(ctx('default'));
const ahead = preparedView(hostFs, cgroupfs); // its join step joins no cgroup here
const capArgs = ['--caps', capabilityMask(emptySpec())];

/** One standby: prepared with `ahead`, then sent `orders`; resolves [ms to exec, ms to exit]. */
function once(ahead, orders) {
  return new Promise((resolve, reject) => {
    const c = spawn(INIT, [...ahead, '--standby'], { stdio: ['pipe', 'ignore', 'inherit', 'pipe', 'pipe'] });
    let t0 = 0, started = 0, sent = false, buf = '';
    c.stdio[3].on('data', (d) => {
      buf += d;
      if (buf.includes('error')) reject(new Error(buf));
      if (buf.includes('standby') && !sent) {
        sent = true;
        const args = [...orders, '--net', 'none', '--hostname', 'bench', '--', 'true'];
        t0 = performance.now();
        c.stdio[4].end([String(args.length), ...args].map((t) => `${t}\0`).join(''));
      }
      if (buf.includes('started') && t0 && !started) started = performance.now() - t0;
    });
    c.on('close', () => resolve([started, performance.now() - t0]));
  });
}

const cases = {
  'the view prepared ahead (a spare)': [viewArgs(ahead), ['--view-prepared', ...viewArgs(full.slice(ahead.length)), ...capArgs]],
  'the whole view at the orders (cold)': [[], [...viewArgs(full), ...capArgs]],
  'no view (the privileged steps)': [[], viewArgs(planView(ctx('privileged')))],
};
const exec = {}, exit = {};
const timed = Object.fromEntries(Object.entries(cases).map(([k, [a, o]]) => [k, async () => {
  const [s, e] = await once(a, o);
  (exec[k] ??= []).push(s);
  (exit[k] ??= []).push(e);
}]));
await interleavedMedians(timed, ROUNDS);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(`the view at a run's start, median of ${ROUNDS} interleaved rounds (orders → exec | → helper exited):`);
for (const k of Object.keys(cases)) console.log(`  ${k.padEnd(38)} ${median(exec[k]).toFixed(2)} ms | ${median(exit[k]).toFixed(2)} ms`);
const cost = median(exec['the view prepared ahead (a spare)']) - median(exec['no view (the privileged steps)']);
console.log(`  the view's cost with a spare          ${cost.toFixed(2)} ms to exec (goal < 1 ms: ${cost < 1 ? 'met' : 'NOT met'})`);
