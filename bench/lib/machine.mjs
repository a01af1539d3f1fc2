// What the numbers were measured on: they mean little without it.
import { readFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';

function read(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** unified (cgroup2 at /sys/fs/cgroup), hybrid (v1 controllers and a controller-less v2), or legacy. */
export function cgroupMode() {
  const mounts = read('/proc/self/mountinfo').split('\n').map((l) => l.split(' - ')).filter((p) => p.length === 2);
  const at = (fs) => mounts.filter(([pre, post]) => post.startsWith(`${fs} `)).map(([pre]) => pre.split(' ')[4]);
  const v2 = at('cgroup2');
  const v1 = at('cgroup');
  if (v2.includes('/sys/fs/cgroup')) return 'unified (cgroup v2)';
  if (v1.length && v2.length) return `hybrid (cgroup v1 controllers; v2 at ${v2[0]} holds none)`;
  if (v1.length) return 'legacy (cgroup v1)';
  return 'none mounted';
}

const git = (...args) => {
  try {
    return execFileSync('git', args, { cwd: new URL('../..', import.meta.url), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
};

export const load = () => os.loadavg().map((l) => Number(l.toFixed(2)));

export function machine() {
  const cpu = read('/proc/cpuinfo').match(/^model name\s*:\s*(.*)$/m)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  const commit = git('rev-parse', '--short', 'HEAD');
  const dirty = git('status', '--porcelain', '--untracked-files=no', '--', 'src', 'native');
  return {
    cpu,
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    cgroups: cgroupMode(),
    systemd: existsSync('/run/systemd/system'),
    node: process.version,
    os: read('/etc/os-release').match(/^PRETTY_NAME="?([^"\n]*)"?$/m)?.[1] ?? os.type(),
    commit: commit ? `${commit}${dirty ? ' (src/ or native/ changed)' : ''}` : 'unknown',
  };
}
