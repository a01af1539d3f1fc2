/**
 * Every host resource cgbox names cgbox-<owner pid>-…: cgroups, network
 * namespaces, mounts. Only those whose owner process is gone count: the suite
 * checks once its own workers have exited, and other processes' live runs
 * (a second test run on the same machine) are theirs to clean up.
 *
 * Two things about a shared machine, where other people's test runs come and
 * go beside this one:
 *  - a dead process's runs are removed by their own outer helper a moment
 *    after it died — on a busy machine, seconds after. A leftover of another
 *    process is reported only if it is still there after SETTLE_MS; one of
 *    this process's own, at once (its runs end before run() resolves).
 *  - on a cgroup v1 host every session's sandboxes nest under that session's
 *    own memory cgroup (cgbox places them under the caller's); a run whose
 *    memory cgroup is under another one is another session's, and not this
 *    suite's to report.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ownerPid } from '../src/host/owners.js';
import { releaseStandby } from '../src/index.js';

const SETTLE_MS = 10_000;

/** A run's name (cgbox-<pid>-<hex>) whose owner is gone, or is this process. */
function orphaned(name: string): boolean {
  const owner = ownerPid(basename(name));
  return owner !== undefined && (owner === process.pid || !existsSync(`/proc/${owner}`));
}

/** This process's memory cgroup directory on a v1 host (undefined on v2, or without a memory hierarchy). */
function ownMemoryCgroup(): string | undefined {
  const line = readFileSync('/proc/self/cgroup', 'utf8')
    .split('\n')
    .find((l) => /^\d+:([^:]*,)?memory(,[^:]*)?:/.test(l));
  return line ? join('/sys/fs/cgroup/memory', line.slice(line.lastIndexOf(':') + 1)) : undefined;
}

async function cgroupDirs(root: string, depth: number): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const p = join(root, e.name);
    if (e.name.startsWith('cgbox-')) out.push(p);
    else if (depth > 0) out.push(...(await cgroupDirs(p, depth - 1)));
  }
  return out;
}

/** Run names whose memory cgroup lies under another session's memory cgroup. */
function otherSessions(dirs: string[]): Set<string> {
  const own = ownMemoryCgroup();
  if (!own) return new Set();
  return new Set(dirs.filter((d) => d.startsWith('/sys/fs/cgroup/memory/') && !d.startsWith(`${own}/`)).map((d) => basename(d)));
}

/** Host network devices of runs (veths cgb…, IFBs cgi…), named by run in their alias; the kept bridge and uplink are not. */
async function runDevices(): Promise<Array<{ item: string; run: string }>> {
  const devices = await readdir('/sys/class/net').catch(() => [] as string[]);
  const out: Array<{ item: string; run: string }> = [];
  for (const dev of devices.filter((d) => /^cg[bi][0-9a-f]/.test(d) && d !== 'cgbox0')) {
    const alias = (await readFile(`/sys/class/net/${dev}/ifalias`, 'utf8').catch(() => '')).trim();
    if (alias === '' || orphaned(alias)) out.push({ item: `link ${dev} (${alias || 'no alias'})`, run: alias });
  }
  return out;
}

/** Transient scopes of cgbox's (src/placement/systemd-scope.ts) whose owner is gone, where systemd runs. */
function scopeUnits(): Array<{ item: string; run: string }> {
  if (!existsSync('/run/systemd/system')) return [];
  let out = '';
  try {
    out = execFileSync('systemctl', ['list-units', '--all', '--plain', '--no-legend', 'cgbox-*.scope'], { encoding: 'utf8', timeout: 10_000 });
  } catch {
    return [];
  }
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((u) => /^cgbox-\d+-[0-9a-f]+\.scope$/.test(u) && orphaned(u.slice(0, -'.scope'.length)))
    .map((u) => ({ item: `unit ${u}`, run: u.slice(0, -'.scope'.length) }));
}

/** What is left now, each with the run it belongs to. */
async function scan(): Promise<Array<{ item: string; run: string }>> {
  const netns = await readdir('/run/netns').catch(() => [] as string[]);
  const mounts = (await readFile('/proc/self/mounts', 'utf8'))
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((m) => m.includes('cgbox-'));
  const dirs = await cgroupDirs('/sys/fs/cgroup', 8);
  const foreign = otherSessions(dirs);
  const left = [
    ...dirs.filter(orphaned).map((d) => ({ item: d, run: basename(d) })),
    ...netns.filter((n) => n.startsWith('cgbox-') && orphaned(n)).map((n) => ({ item: `netns ${n}`, run: n })),
    ...mounts.flatMap((m) => {
      const run = m.split('/').find((part) => part.startsWith('cgbox-') && orphaned(part));
      return run ? [{ item: `mount ${m}`, run }] : [];
    }),
    ...(await runDevices()),
    ...scopeUnits(),
  ];
  return left.filter((l) => !foreign.has(l.run));
}

const mine = (l: { run: string }) => ownerPid(l.run) === process.pid;

export async function leftovers(): Promise<string[]> {
  // This process's spare sandbox is alive by design, not left behind.
  await releaseStandby();
  const deadline = performance.now() + SETTLE_MS;
  let left = await scan();
  while (left.length && !left.some(mine) && performance.now() < deadline) {
    await sleep(100);
    left = await scan();
  }
  return left.map((l) => l.item);
}
