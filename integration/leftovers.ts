/**
 * Every host resource cgbox names cgbox-<owner pid>-…: cgroups, network
 * namespaces, mounts. Only those whose owner process is gone count: the suite
 * checks once its own workers have exited, and other processes' live runs
 * (a second test run on the same machine) are theirs to clean up.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ownerPid } from '../src/host/owners.js';
import { releaseStandby } from '../src/index.js';

/** A run's name (cgbox-<pid>-<hex>) whose owner is gone, or is this process. */
function orphaned(name: string): boolean {
  const owner = ownerPid(basename(name));
  return owner !== undefined && (owner === process.pid || !existsSync(`/proc/${owner}`));
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

/** Host network devices of runs (veths cgb…, IFBs cgi…), named by run in their alias; the kept bridge and uplink are not. */
async function runDevices(): Promise<string[]> {
  const devices = await readdir('/sys/class/net').catch(() => [] as string[]);
  const out: string[] = [];
  for (const dev of devices.filter((d) => /^cg[bi][0-9a-f]/.test(d) && d !== 'cgbox0')) {
    const alias = (await readFile(`/sys/class/net/${dev}/ifalias`, 'utf8').catch(() => '')).trim();
    if (alias === '' || orphaned(alias)) out.push(`link ${dev} (${alias || 'no alias'})`);
  }
  return out;
}

/** Transient scopes of cgbox's (src/placement/systemd-scope.ts) whose owner is gone, where systemd runs. */
function scopeUnits(): string[] {
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
    .map((u) => `unit ${u}`);
}

export async function leftovers(): Promise<string[]> {
  // This process's spare sandbox is alive by design, not left behind.
  await releaseStandby();
  const netns = await readdir('/run/netns').catch(() => [] as string[]);
  const mounts = (await readFile('/proc/self/mounts', 'utf8'))
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((m) => m.includes('cgbox-'));
  return [
    ...(await cgroupDirs('/sys/fs/cgroup', 8)).filter(orphaned),
    ...netns.filter((n) => n.startsWith('cgbox-') && orphaned(n)).map((n) => `netns ${n}`),
    ...mounts.filter((m) => m.split('/').some((part) => part.startsWith('cgbox-') && orphaned(part))).map((m) => `mount ${m}`),
    ...(await runDevices()),
    ...scopeUnits(),
  ];
}
