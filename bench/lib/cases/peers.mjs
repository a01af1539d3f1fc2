// The peers cgbox is measured against, each running `true`:
//   spawn    — Node's own spawn of `true`: the floor every sandbox stands on;
//   unshare  — util-linux unshare with cgbox's namespaces (pid with a fresh /proc, mount, uts, ipc,
//              net, cgroup): namespaces alone, no cgroups, no view;
//   bwrap    — Debian's bubblewrap with a read-only view like cgbox's default (the host's root
//              read-only, a fresh /proc, a minimal /dev, private tmpfs dirs, Docker's 14
//              capabilities, a session of its own): namespaces and a view, no cgroups;
//   systemd-run --scope with cgbox's limits: cgroups alone, where systemd runs.
import { existsSync, readFileSync } from 'node:fs';
import { spawned, output } from '../spawned.mjs';
import { LIMITS, DOCKER_CAPS } from './limits.mjs';

export const UNSHARE_ARGS = ['--pid', '--fork', '--mount-proc', '--mount', '--uts', '--ipc', '--net', '--cgroup'];

const BWRAP_ARGS = [
  '--ro-bind', '/', '/', // recursive, every submount read-only too
  '--proc', '/proc',
  '--dev', '/dev',
  ...['/tmp', '/var/tmp', '/run', '/dev/shm'].flatMap((d) => ['--tmpfs', d]),
  '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-net', '--unshare-cgroup',
  '--die-with-parent', '--new-session',
  '--cap-drop', 'ALL', ...DOCKER_CAPS.flatMap((c) => ['--cap-add', `CAP_${c}`]),
];

/** Whether `file` is on the PATH: the reason it is not, or null. */
async function missing(file, pkg) {
  try {
    await output('sh', ['-c', `command -v ${file}`]);
    return null;
  } catch {
    return `${file} is not installed (apt-get install ${pkg}; scripts/setup.sh installs it)`;
  }
}

async function version(file, args = ['--version']) {
  return (await output(file, args).catch(() => '')).split('\n')[0];
}

export const spawnTrue = {
  id: 'spawn',
  label: "spawn('true')",
  kind: 'peer',
  what: 'Node spawning `true`, nothing else',
  probe: () => missing('true', 'coreutils'),
  run: () => spawned('true', []),
};

export const unshare = {
  id: 'unshare',
  label: 'unshare (same namespaces)',
  kind: 'peer',
  what: `util-linux \`unshare ${UNSHARE_ARGS.join(' ')} true\`: the namespaces, no cgroups, no view`,
  probe: () => missing('unshare', 'util-linux'),
  flat: true, // the reference for cgbox's 10 → 1,000 in a row: the machine's own drift
  version: () => version('unshare'),
  run: () => spawned('unshare', [...UNSHARE_ARGS, 'true']),
};

export const bwrap = {
  id: 'bwrap',
  label: 'bwrap (read-only view)',
  kind: 'peer',
  what: "bubblewrap: `--ro-bind / /`, a fresh /proc, a minimal /dev, tmpfs /tmp /var/tmp /run /dev/shm, the same namespaces, Docker's 14 capabilities, a new session; no cgroups",
  probe: () => missing('bwrap', 'bubblewrap'),
  version: () => version('bwrap'),
  run: () => spawned('bwrap', [...BWRAP_ARGS, 'true']),
};

/** Why systemd-run --scope cannot run here, or null where systemd is the service manager. */
function noSystemd() {
  if (existsSync('/run/systemd/system')) return null;
  let init = 'unknown';
  try {
    init = readFileSync('/proc/1/comm', 'utf8').trim();
  } catch {}
  return `systemd is not running on this host (pid 1 is \`${init}\`, no /run/systemd/system): \`systemd-run --scope\` needs a systemd manager to make the scope`;
}

export const systemdRun = {
  id: 'systemd-run',
  label: 'systemd-run --scope (same limits)',
  kind: 'peer',
  what: `\`systemd-run --scope --quiet --collect -p MemoryMax=${LIMITS.memory} -p MemorySwapMax=0 -p TasksMax=${LIMITS.pids} -p CPUQuota=${LIMITS.cpuQuota * 100}% true\`: cgroups from the service manager, no namespaces`,
  probe: async () => noSystemd() ?? (await missing('systemd-run', 'systemd')),
  version: () => version('systemd-run'),
  run: () =>
    spawned('systemd-run', ['--scope', '--quiet', '--collect', '-p', `MemoryMax=${LIMITS.memory}`, '-p', 'MemorySwapMax=0', '-p', `TasksMax=${LIMITS.pids}`, '-p', `CPUQuota=${LIMITS.cpuQuota * 100}%`, 'true']),
};
