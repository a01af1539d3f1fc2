// The soak: `npm run soak -- N K` runs N sandboxes, K at a time, mixing every outcome a test
// suite meets — success, a non-zero exit, an OOM kill, a timeout, a fork bomb, a full disk, a
// network, volumes, refused setups — and checks each ended as it should. It prints runs/s, any
// unexpected outcome, what is left on the host, and the runner's open fds and RSS along the way
// (they must stay flat). `--json` prints one JSON line instead, for integration/soak.test.ts.
import { mkdirSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidSpecError, releaseStandby, sandbox, SetupError } from '../dist/index.js';

const [n = '1000', k = '16'] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const json = process.argv.includes('--json');
const N = Number(n);
const K = Number(k);
const bin = (name) => fileURLToPath(new URL(`../fixtures/bin/${name}`, import.meta.url));
const MNT = `/tmp/cgbox-soak-${process.pid}`;
mkdirSync(MNT, { recursive: true });

/** Each kind: how to run it, and whether its outcome is the one it must have. */
const KINDS = {
  ok: { run: () => sandbox().memory('64m').pids(32).run('true'), expect: (r) => r.exitCode === 0 },
  exit: { run: () => sandbox().run('sh', ['-c', 'exit 3']), expect: (r) => r.exitCode === 3 && !r.ok },
  oom: { run: () => sandbox().memory('16m').run(bin('alloc'), ['64']), expect: (r) => r.oomKilled && r.signal === 'SIGKILL' },
  timeout: { run: () => sandbox().timeout('100ms', { grace: '50ms' }).run('sleep', ['5']), expect: (r) => r.timedOut && r.signal === 'SIGTERM' },
  forkbomb: { run: () => sandbox().pids(16).run(bin('forkbomb'), ['200']), expect: (r) => r.exitCode === 0 && r.usage.pids.peak === 16 },
  diskfull: {
    run: () => sandbox().volume(MNT, { size: '4m', driver: 'tmpfs' }).run('dd', ['if=/dev/zero', `of=${MNT}/f`, 'bs=1M', 'count=8']),
    expect: (r) => r.exitCode === 1 && /No space left/.test(r.stderr),
  },
  network: { run: () => sandbox().net({ bandwidth: '100mbit' }).run('ip', ['-o', 'link', 'show', 'eth0']), expect: (r) => r.exitCode === 0 && r.usage.net !== null },
  btrfs: { run: () => sandbox().volume(MNT, { size: '16m', driver: 'btrfs' }).run('sh', ['-c', `echo x > ${MNT}/f`]), expect: (r) => r.exitCode === 0 && r.usage.volume.usedBytes > 0 },
  loop: { run: () => sandbox().volume(MNT, { size: '16m', driver: 'loop' }).run('true'), expect: (r) => r.exitCode === 0 },
  refusedSpec: { run: () => sandbox().iops('volume', 10).run('true'), refused: (e) => e instanceof InvalidSpecError },
  refusedExec: { run: () => sandbox().run('/no/such/program'), refused: (e) => e instanceof SetupError && e.step === 'exec' },
};
const names = Object.keys(KINDS);

const counts = Object.fromEntries(names.map((k) => [k, 0]));
const unexpected = [];
const samples = [];
const fds = () => readdirSync('/proc/self/fd').length;
const rssMiB = () => Math.round(process.memoryUsage.rss() / 2 ** 20);

async function one(i, { sample = true } = {}) {
  const name = names[i % names.length];
  const kind = KINDS[name];
  counts[name]++;
  try {
    const r = await kind.run();
    if (kind.refused || !kind.expect(r)) unexpected.push(`${name}#${i}: ${kind.refused ? 'was not refused' : `exit ${r.exitCode} signal ${r.signal} oom ${r.oomKilled} timedOut ${r.timedOut}; ${r.stderr.slice(0, 200)}`}`);
  } catch (e) {
    if (!kind.refused?.(e)) unexpected.push(`${name}#${i}: ${e.name}: ${e.message.slice(0, 300)}`);
  }
  if (sample && i % Math.max(1, Math.floor(N / 20)) === 0) samples.push({ runs: i, fds: fds(), rssMiB: rssMiB() });
}

/** What this process left on the host: run cgroups, netns, host devices, mounts, run directories, leases. */
function leftovers() {
  const mine = (s) => s.includes(`cgbox-${process.pid}-`);
  const cgroups = [];
  const walk = (dir, depth) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      if (mine(e.name)) cgroups.push(join(dir, e.name));
      else if (depth > 0) walk(join(dir, e.name), depth - 1);
    }
  };
  walk('/sys/fs/cgroup', 8);
  const list = (d) => (existsSync(d) ? readdirSync(d) : []);
  const devices = list('/sys/class/net').filter((d) => {
    try {
      return mine(readFileSync(`/sys/class/net/${d}/ifalias`, 'utf8'));
    } catch {
      return false;
    }
  });
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter(mine);
  const leases = list('/run/cgbox').filter((f) => f.startsWith('net-') && f.endsWith('.json')).flatMap((f) => Object.values(JSON.parse(readFileSync(`/run/cgbox/${f}`, 'utf8')).leases).filter(mine));
  return [...cgroups, ...list('/run/netns').filter(mine), ...devices, ...mounts, ...list('/run/cgbox').filter(mine), ...leases];
}

/** Runs from `from` up to `to`, K at a time. */
async function batch(from, to) {
  let next = from;
  await Promise.all(
    Array.from({ length: K }, async () => {
      while (next < to) await one(next++);
    }),
  );
}

// A warm-up, then the idle fds and RSS are the baseline: the btrfs pool and the bridge exist from
// then on, and every bounded pool of long-lived helpers (the tool shells, the spares) has grown as
// far as K in flight takes it — K runs of each kind at once, kind after kind, then a mixed batch.
for (let k = 0; k < names.length; k++) await Promise.all(Array.from({ length: K }, (_, j) => one(k + names.length * j, { sample: false })));
const warm = Math.min(N, names.length * 2);
await batch(0, warm);
/** With --expose-gc, a collection first: the heap then says what is really held. */
const idle = () => {
  globalThis.gc?.();
  return { fds: fds(), rssMiB: rssMiB(), heapMiB: Math.round(process.memoryUsage().heapUsed / 2 ** 20) };
};
const before = idle();
const t0 = performance.now();
await batch(warm, N);
const seconds = (performance.now() - t0) / 1000;
const after = idle();
samples.sort((a, b) => a.runs - b.runs);
await releaseStandby();
let left = leftovers();
// A loop device's autoclear and a cgroup's last rmdir can trail the run by a moment.
for (let i = 0; i < 50 && left.length; i++) {
  await new Promise((r) => setTimeout(r, 100));
  left = leftovers();
}
rmSync(MNT, { recursive: true, force: true });

const timed = N - warm;
const summary = { runs: N, parallel: K, seconds: Number(seconds.toFixed(1)), runsPerSecond: Number((timed / seconds).toFixed(1)), counts, unexpected, leftovers: left, idle: { before, after }, samples };
if (json) {
  process.stdout.write(`${JSON.stringify(summary)}\n`);
} else {
  console.log(`cgbox soak: ${N} sandboxes, ${K} at a time: ${timed} after a warm-up of ${warm + names.length * K}, in ${summary.seconds} s (${summary.runsPerSecond} runs/s)`);
  console.log(`  kinds: ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`  unexpected outcomes: ${unexpected.length}${unexpected.length ? `\n    ${unexpected.slice(0, 20).join('\n    ')}` : ''}`);
  console.log(`  left on the host: ${left.length ? left.join(', ') : 'nothing'}`);
  console.log(`  the runner idle, after the warm-up and at the end: ${before.fds} → ${after.fds} open fds, ${before.rssMiB} → ${after.rssMiB} MiB RSS, ${before.heapMiB} → ${after.heapMiB} MiB of heap in use`);
  console.log(`  along the way (runs in flight included): ${samples.map((s) => `${s.runs}: ${s.fds} fds ${s.rssMiB} MiB`).join('; ')}`);
}
process.exitCode = unexpected.length || left.length ? 1 : 0;
