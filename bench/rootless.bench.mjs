// Start-up of a normal user's sandbox (rootless) against `unshare -U -r` with the same namespaces,
// interleaved in one run. Goal (issue 14): cgbox at most 1.5× the unshare figure. Needs a normal
// user in a login session on cgroup v2 (the user's systemd manager delegates the cgroups); as root,
// or anywhere else, it says so and measures nothing.
//
// Two figures, as the harness's phases have them: start-up, with an untimed gap after every run
// (a suite's own code sits between its sandboxes, and cgbox makes the next spare in it — the
// harness's start-up phase does the same, 20 ms), and back to back, with none, where a run waits
// for the spare the one before it began. BENCH_GAP_MS sets the gap: under emulation everything
// takes 15–70× longer, the spare included, so the VM wants a longer one for the same meaning.
import { spawn } from 'node:child_process';
import { sandbox } from '../dist/index.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 40);
const GAP_MS = Number(process.env.BENCH_GAP_MS ?? 20);
const GOAL = 1.5;
const UNSHARE = ['-U', '-r', '--pid', '--fork', '--mount-proc', '--mount', '--uts', '--ipc', '--net', '--cgroup', 'true'];

if (process.getuid() === 0 || !process.env.XDG_RUNTIME_DIR) {
  console.log('rootless start-up: NOT MEASURED — run it as a normal user in a login session on a cgroup-v2 systemd host');
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

const cases = { unshare: () => spawned('unshare', UNSHARE), cgbox };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Medians of `ROUNDS` interleaved rounds, `gapMs` untimed after each run. */
async function measure(gapMs) {
  const times = { unshare: [], cgbox: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, fn] of Object.entries(cases)) {
      const t0 = performance.now();
      await fn();
      times[name].push(performance.now() - t0);
      if (gapMs) await sleep(gapMs);
    }
  }
  return { unshare: median(times.unshare), cgbox: median(times.cgbox) };
}

for (const fn of Object.values(cases)) await fn(); // warm: the first run places the process and probes the host
const ids = process.env.CGBOX_SUBIDS === '0' ? "the caller's id alone (CGBOX_SUBIDS=0)" : 'a subordinate range where /etc/subuid gives one';
console.log(`rootless, ${ids}: medians of ${ROUNDS} interleaved rounds; cgbox memory('64m').pids(64) against unshare -U -r (same namespaces)`);
for (const [label, gap] of [[`start-up (${GAP_MS} ms untimed after each run)`, GAP_MS], ['back to back (no gap)', 0]]) {
  const m = await measure(gap);
  const ratio = m.cgbox / m.unshare;
  const verdict = gap ? ` (goal ≤ ${GOAL}×: ${ratio <= GOAL ? 'met' : 'NOT met'})` : '';
  console.log(`  ${label.padEnd(44)} unshare ${m.unshare.toFixed(2)} ms, cgbox ${m.cgbox.toFixed(2)} ms = ${ratio.toFixed(2)}×${verdict}`);
}
