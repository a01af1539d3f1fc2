// Debian's runc, `runc run` on a busybox bundle of the bench's own with cgbox's limits (memory
// without swap, pids, a CPU quota), Docker's 14 capabilities, a read-only root and the same
// namespaces. Every run has a unique id; the state lives under a --root of the bench's own, and
// the cgroups beneath the bench's own: without a cgroupsPath, runc's cgroupfs driver takes the
// container's id as a path relative to the caller's cgroup in each hierarchy. runc removes each container's cgroups and state
// when its process exits; cleanup removes the bundle and the root.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { output, spawned } from '../spawned.mjs';
import { LIMITS, DOCKER_CAPS } from './limits.mjs';

const BUILD = fileURLToPath(new URL('../../../fixtures/rootfs/build.sh', import.meta.url));
export const BUSYBOX_ROOT = fileURLToPath(new URL('../../../fixtures/rootfs/build/root', import.meta.url));

let bundle;
let root;
let n = 0;

/** The config `runc spec` writes, with the bench's command, limits, capabilities and namespaces. */
function config(spec) {
  const caps = DOCKER_CAPS.map((c) => `CAP_${c}`);
  spec.process.args = ['/bin/true'];
  spec.process.terminal = false;
  spec.process.capabilities = { bounding: caps, effective: caps, permitted: caps };
  spec.process.noNewPrivileges = true;
  spec.hostname = 'bench';
  spec.root = { path: 'rootfs', readonly: true };
  if (!spec.linux.namespaces.some((ns) => ns.type === 'cgroup')) spec.linux.namespaces.push({ type: 'cgroup' });
  spec.linux.resources = {
    ...spec.linux.resources,
    memory: { limit: LIMITS.memoryBytes, swap: LIMITS.memoryBytes }, // memory+swap = memory: no swap, as cgbox's
    pids: { limit: LIMITS.pids },
    cpu: { quota: LIMITS.cpuQuota * 100000, period: 100000 },
  };
  delete spec.linux.cgroupsPath; // <own cgroup>/<id>: one per run, never the hierarchy's root
  return spec;
}

export const runc = {
  id: 'runc',
  label: 'runc run (same limits)',
  kind: 'peer',
  what: `Debian's runc: \`runc --root <own> run --bundle <busybox bundle> <unique id>\`, memory ${LIMITS.memory} without swap, pids ${LIMITS.pids}, CPU quota ${LIMITS.cpuQuota}, Docker's 14 capabilities, read-only busybox root`,
  async probe() {
    try {
      await output('sh', ['-c', 'command -v runc']);
    } catch {
      return 'runc is not installed (apt-get install runc; scripts/setup.sh installs it)';
    }
    try {
      await spawned('bash', [BUILD]);
    } catch (e) {
      return `the busybox root did not build: ${e.message}`;
    }
    return null;
  },
  version: async () => (await output('runc', ['--version'])).split('\n')[0],
  async setup() {
    bundle = mkdtempSync('/tmp/cgbox-bench-runc-bundle-');
    root = mkdtempSync('/run/cgbox-bench-runc-root-');
    cpSync(BUSYBOX_ROOT, join(bundle, 'rootfs'), { recursive: true, verbatimSymlinks: true });
    await spawned('runc', ['spec', '--bundle', bundle]);
    const path = join(bundle, 'config.json');
    writeFileSync(path, JSON.stringify(config(JSON.parse(readFileSync(path, 'utf8')))));
  },
  run() {
    return spawned('runc', ['--root', root, 'run', '--bundle', bundle, `bench-runc-${process.pid}-${n++}`]);
  },
  async cleanup() {
    if (root) {
      const left = (await output('runc', ['--root', root, 'list', '-q']).catch(() => '')).split('\n').filter(Boolean);
      for (const id of left) await spawned('runc', ['--root', root, 'delete', '--force', id]).catch(() => {});
      rmSync(root, { recursive: true, force: true });
    }
    if (bundle) rmSync(bundle, { recursive: true, force: true });
  },
};
