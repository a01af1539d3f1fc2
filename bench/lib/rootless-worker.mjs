// The rootless side of the bench: a Node process the harness starts as an unprivileged user
// (uid 65534, via setpriv), so that "rootless" is really without root. It runs blocks of runs
// of one case when asked over the IPC channel and replies with its own wall time and its own
// CPU time (process.cpuUsage), so neither the IPC nor the parent is on the clock.
import { spawn } from 'node:child_process';
import { UNSHARE_ARGS } from './cases/peers.mjs';

const run = {
  unshare: () =>
    new Promise((resolve, reject) => {
      const c = spawn('unshare', ['--user', '--map-root-user', ...UNSHARE_ARGS, 'true'], { stdio: 'ignore' });
      c.on('error', reject);
      c.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`unshare --user exited ${code}`))));
    }),
  async cgbox() {
    const { sandbox } = await import('../../dist/index.js');
    const r = await sandbox().memory('64m').pids(64).cpuQuota(1).run('true');
    if (!r.ok) throw new Error(`cgbox run failed: exit ${r.exitCode} signal ${r.signal}: ${r.stderr.slice(0, 300)}`);
  },
};

async function block(name, n, k) {
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: Math.min(k, n) }, async () => {
    while (next < n) {
      next++;
      await run[name]();
    }
  }));
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { ms, cpuUs: cpu.user + cpu.system };
}

process.on('message', async (m) => {
  try {
    process.send({ id: m.id, ...(await block(m.case, m.n, m.k)) });
  } catch (e) {
    process.send({ id: m.id, error: `${e.name}: ${e.message}` });
  }
});
