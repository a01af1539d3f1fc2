// cgbox's cases, each running `true` with the limits of bench/lib/cases/limits.mjs, from the
// built library (dist/), as a user's test would:
//   cgbox            — no network (net('none'): its own netns with lo only), the default view;
//   cgbox-cold       — the same with spares off (CGBOX_STANDBY=0): every run makes its cgroups;
//   cgbox-net        — .net({ bandwidth: '10mbit' }): a veth on cgbox0, shaped both ways;
//   cgbox-btrfs      — a btrfs snapshot volume (from: a template);
//   cgbox-loop       — a loop volume (a sparse image, mkfs.ext4, a loop device);
//   cgbox-rootfs     — .rootfs() of the busybox root (an overlay copy);
//   cgbox-privileged — the old view, for reference.
import { fileURLToPath } from 'node:url';
import { sandbox, releaseStandby, releaseSpareVolumes, hostCaps } from '../../../dist/index.js';
import { spawned } from '../spawned.mjs';
import { LIMITS } from './limits.mjs';
import { BUSYBOX_ROOT } from './runc.mjs';

const TEMPLATE = fileURLToPath(new URL('../../../fixtures/volume-template', import.meta.url));
const BUILD_ROOT = fileURLToPath(new URL('../../../fixtures/rootfs/build.sh', import.meta.url));
const MOUNT = '/data'; // made inside the sandbox's view, never on the host

export const limited = () => sandbox().memory(LIMITS.memory.toLowerCase()).pids(LIMITS.pids).cpuQuota(LIMITS.cpuQuota);

async function ok(builder, file = 'true') {
  const r = await builder.run(file);
  if (!r.ok) throw new Error(`cgbox run failed: exit ${r.exitCode} signal ${r.signal}: ${r.stderr.slice(0, 300)}`);
}

const needsRoot = () => (hostCaps().isRoot ? null : 'cgbox needs root (run the bench as root)');

// `builder` may be a function, called at the first run: a builder whose method checks the host (.rootfs
// wants an existing directory) must not be made when the cases are only listed, before the probe built it.
function cgboxCase(id, label, what, builder, extra = {}) {
  let made = typeof builder === 'function' ? null : builder;
  return { id, label, kind: 'cgbox', what, probe: needsRoot, run: () => ok((made ??= builder()), extra.file), ...extra };
}

const base = limited();
const spec = `memory('${LIMITS.memory.toLowerCase()}').pids(${LIMITS.pids}).cpuQuota(${LIMITS.cpuQuota})`;

export const cgbox = cgboxCase('cgbox', 'cgbox (no net)', `\`sandbox().${spec}.run('true')\`: its own netns (lo only), the read-only view, a spare made ahead from the second run on`, base, { flat: true });

// Runs of this case in flight together share the variable: it goes only when the last ends.
let cold = 0;
export const cgboxCold = cgboxCase('cgbox-cold', 'cgbox, no spare', `the same with CGBOX_STANDBY=0: each run makes its cgroups and its whole view`, base, {
  async run() {
    cold++;
    process.env.CGBOX_STANDBY = '0';
    try {
      await ok(base);
    } finally {
      if (--cold === 0) delete process.env.CGBOX_STANDBY;
    }
  },
});

export const cgboxNet = cgboxCase('cgbox-net', "cgbox .net({ bandwidth: '10mbit' })", 'a leased address on cgbox0, tbf both ways (an IFB for what it sends)', base.net({ bandwidth: '10mbit' }));

export const cgboxBtrfs = cgboxCase('cgbox-btrfs', 'cgbox btrfs snapshot volume', `\`.volume('${MOUNT}', { size: '16m', driver: 'btrfs', from: fixtures/volume-template })\``, base.volume(MOUNT, { size: '16m', driver: 'btrfs', from: TEMPLATE }));

export const cgboxLoop = cgboxCase('cgbox-loop', 'cgbox loop volume', `\`.volume('${MOUNT}', { size: '64m', driver: 'loop' })\`: ext4 on a loop device`, base.volume(MOUNT, { size: '64m', driver: 'loop' }));

export const cgboxRootfs = cgboxCase('cgbox-rootfs', 'cgbox .rootfs(busybox)', '`.rootfs(fixtures/rootfs/build/root)`: an overlay copy of the busybox root, `/bin/true`', () => base.rootfs(BUSYBOX_ROOT), {
  file: '/bin/true',
  async probe() {
    return needsRoot() ?? (await spawned('bash', [BUILD_ROOT]).then(() => null, (e) => `the busybox root did not build: ${e.message}`));
  },
});

export const cgboxPrivileged = cgboxCase('cgbox-privileged', 'cgbox .privileged()', 'the old view (the host tree writable, every capability): for reference', base.privileged());

/** After the last cgbox case: nothing of cgbox's stays (the spare sandbox, spare volumes). */
export async function releaseCgbox() {
  await releaseStandby();
  await releaseSpareVolumes();
}
