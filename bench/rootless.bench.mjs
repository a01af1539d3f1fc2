// Start-up of a normal user's sandbox (rootless) against `unshare -U -r` with the same namespaces,
// interleaved in one run. Goal (issue 14): cgbox at most 1.5× the unshare figure. Needs a normal
// user in a login session on cgroup v2 (the user's systemd manager delegates the cgroups); as root,
// or anywhere else, it says so and measures nothing.
import { spawn } from 'node:child_process';
import { sandbox } from '../dist/index.js';
import { interleavedMedians } from './measure.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 40);
const UNSHARE = ['-U', '-r', '--pid', '--fork', '--mount-proc', '--mount', '--uts', '--ipc', '--net', '--cgroup', 'true'];

if (process.getuid() === 0 || !process.env.XDG_RUNTIME_DIR) {
  console.log('rootless start-up: NOT MEASURED — run `npm run bench` as a normal user in a login session on a cgroup-v2 systemd host');
  process.exit(0);
}

function spawned(file, args) {
  return new Promise((resolve, reject) => {
    const c = spawn(file, args, { stdio: 'ignore' });
    c.on('error', reject);
    c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${file} exited ${code}`))));
  });
}

async function cgbox() {
  const r = await sandbox().memory('64m').pids(64).run('true');
  if (!r.ok) throw new Error(`cgbox run failed: ${r.exitCode} ${r.signal}`);
}

const m = await interleavedMedians({ 'unshare -U -r (same namespaces)': () => spawned('unshare', UNSHARE), "cgbox memory('64m').pids(64), rootless": cgbox }, ROUNDS);
const [unshare, rootless] = Object.values(m);
console.log(`rootless start-up, median of ${ROUNDS} interleaved rounds:`);
for (const [k, v] of Object.entries(m)) console.log(`  ${k.padEnd(40)} ${v.toFixed(2)} ms`);
console.log(`  cgbox / unshare -U -r = ${(rootless / unshare).toFixed(2)}×  (goal ≤ 1.5×: ${rootless / unshare <= 1.5 ? 'met' : 'NOT met'})`);
