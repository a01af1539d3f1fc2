/**
 * `cgbox doctor`: what this host supports, and for each thing it lacks, the
 * exact fix. doctor() is pure — HostCaps and ToolFacts in, checks out — so
 * every verdict is unit-tested with doubles; probeTools() is the I/O it needs
 * beyond the cgroup probe (the init helper, tools on PATH).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUNTIME_PACKAGES } from '../host/runtime-packages.js';
import { which } from '../host/tools.js';
import { initBinary } from '../host/init-binary.js';
import { SetupError } from '../spec/errors.js';
import type { HostCaps } from '../host/types.js';
import { V1_CONTROLLERS } from '../cgroup/v1/controllers.js';
import { V2_CONTROLLERS } from '../cgroup/v2/controllers.js';
import { CALLER_LEAF } from '../host/cgroup-mounts.js';
import { hostCaps } from '../host/probe.js';
import { probeCallerContext } from '../placement/probe-context.js';
import { chooseStrategy } from '../placement/strategies.js';
import { VOLUME_BACKENDS } from '../volume/backends.js';
import { volumeConfig } from '../volume/config.js';
import { USER_DELEGATE_INSTALL } from '../placement/user-delegation.js';
import { probeRootless, rootlessChecks, type RootlessFacts } from './rootless.js';
import { check, type Check } from './check.js';

export type { Check } from './check.js';
export type { RootlessFacts } from './rootless.js';

/** What doctor needs to know besides HostCaps. */
export interface ToolFacts {
  /** The init helper: its path when built and executable, else why not. */
  init: { ok: true; path: string } | { ok: false; why: string };
  /** Absolute paths on PATH, or null when absent. */
  cc: string | null;
  /** Each feature's host programs that are not installed (src/host/runtime-packages.ts), program → Debian package. */
  features?: ReadonlyArray<{ feature: string; missing: Readonly<Record<string, string>>; note?: string }>;
  /** cgroup v2: the state of the cgroup sandboxes nest in (probeNesting), when known. */
  nesting?: NestingFacts;
  /** Where sandboxes would live (src/placement/), said without acquiring it. */
  placement?: { kind: string; detail: string };
  /** Each volume backend: null when this host can make its volumes, else why not (naming the fix). */
  volumes?: Record<string, string | null>;
  /** A normal user (not root): what a rootless run gets here (rootless.ts). */
  rootless?: RootlessFacts;
}

/** cgroup v2's no-internal-process rule, as it stands for the caller's cgroup. */
export interface NestingFacts {
  /** The caller already sits in cgbox's leaf (CALLER_LEAF) below that cgroup. */
  inLeaf: boolean;
  /** Processes in that cgroup itself: cgbox moves them into the leaf at its first run. */
  processes: number;
}

const bootWith = (param: string) => `boot with ${param} (Debian: append it to GRUB_CMDLINE_LINUX in /etc/default/grub, run update-grub, reboot)`;


const mib = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;

/** A normal user's sandboxes nest under its manager: doctor judges the controllers there, and the fix is its drop-in. */
function asUserManager(caps: HostCaps, r: RootlessFacts | undefined): HostCaps {
  if (!r?.delegated || !caps.v2) return caps;
  return { ...caps, v2: { ...caps.v2, callerPath: `/user.slice/user-${r.uid}.slice/user@${r.uid}.service`, controllers: [...r.delegated] } };
}

function cgroupChecks(caps: HostCaps, userManager = false): Check[] {
  const v1Names = Object.keys(caps.v1);
  const where = caps.v2 ? ` and a v2 hierarchy at ${caps.v2.mount}` : '';
  const mode =
    caps.cgroupMode === 'v2' ? `v2 (unified at ${caps.v2?.mount})` : `${caps.cgroupMode}: v1 controllers (${v1Names.join(', ') || 'none'})${where}`;
  const usable = caps.driver === 1 ? v1Names.length > 0 : !!caps.v2;
  const out = [
    check('cgroup mode', usable, true, `${mode}; cgbox uses its v${caps.driver} driver`, 'mount the cgroup filesystem: mount -t cgroup2 none /sys/fs/cgroup (or boot with systemd, which mounts it)'),
  ];
  if (caps.driver === 1) {
    for (const { name, doctor: c } of V1_CONTROLLERS) {
      const h = caps.v1[name];
      const also = h && h.controllers.length > 1 ? ` (co-mounted: ${h.controllers.join(',')})` : '';
      const detail = h ? `${h.mount}${also}, caller at ${h.callerPath}` : `not mounted; ${c.neededBy ? `needed by ${c.neededBy}` : 'every run needs it'}`;
      const fix = `mount it (mkdir -p /sys/fs/cgroup/${name} && mount -t cgroup -o ${name} cgroup /sys/fs/cgroup/${name}); if the kernel lacks it: ${c.config}, and no cgroup_disable=${name} on the kernel command line`;
      out.push(check(`${name} controller (v1)`, !!h, c.neededBy === null, detail, fix));
    }
  } else if (caps.v2) {
    const v2 = caps.v2;
    const file = join(v2.mount, v2.callerPath, 'cgroup.controllers');
    for (const { name, doctor: c } of V2_CONTROLLERS) {
      const ok = v2.controllers.includes(name);
      const detail = ok ? `in ${file}` : `missing from ${file}; ${c.neededBy ? `needed by ${c.neededBy}` : 'every run needs it'}`;
      const fix =
        userManager
          ? `the user's systemd manager does not delegate it: ${USER_DELEGATE_INSTALL}`
          : v2.callerPath === '/'
          ? `the kernel does not offer it: build with ${c.config} and drop any cgroup_disable=${name} from the kernel command line`
          : `delegate it to the caller's cgroup: echo +${name} > cgroup.subtree_control in each cgroup above ${v2.callerPath}, or run under a systemd unit with Delegate=yes (systemd-run --scope -p Delegate=yes -- <command>)`;
      out.push(check(`${name} controller (v2)`, ok, c.neededBy === null, detail, fix));
    }
  }
  return out;
}

/** Where sandboxes nest on v2, and what cgbox does about the no-internal-process rule there. */
function nestingCheck(caps: HostCaps, facts: NestingFacts | undefined): Check[] {
  if (caps.driver !== 2 || !caps.v2) return [];
  const dir = join(caps.v2.mount, caps.v2.callerPath);
  const leaf = join(dir, CALLER_LEAF);
  let detail: string;
  if (caps.v2.callerPath === '/') {
    detail = `sandboxes nest in the root cgroup, which the no-internal-process rule exempts`;
  } else if (facts && (facts.inLeaf || facts.processes === 0)) {
    detail = `sandboxes nest in ${dir}; its processes are in ${leaf}, so it may enable controllers for them`;
  } else {
    const n = facts ? `${facts.processes} process${facts.processes === 1 ? '' : 'es'} (this one among them)` : 'processes';
    detail =
      `sandboxes nest in ${dir}, which holds ${n}: at its first run cgbox moves them into ${leaf}, since cgroup v2 ` +
      `lets a cgroup enable controllers for children only while it holds no process itself; ${dir}'s limits still hold for all`;
  }
  return [check('nesting (v2)', true, false, detail, '')];
}

function memoryChecks(caps: HostCaps): Check[] {
  const v1 = caps.driver === 1;
  const out = [
    check(
      'swap accounting',
      caps.swapAccounting,
      false,
      caps.swapAccounting
        ? `${v1 ? 'memory.memsw.*' : 'memory.swap.*'} present: .swap() is enforced and a memory limit cannot spill into swap`
        : `${v1 ? 'no memory.memsw.* files' : 'no memory.swap.* files'}: .swap() is refused${caps.swapTotalBytes > 0 ? ', and a memory limit can spill into the active swap' : ''}`,
      v1 ? bootWith('swapaccount=1') : `a kernel with CONFIG_MEMCG_SWAP (implied by CONFIG_MEMCG + CONFIG_SWAP since 6.1), and no swapaccount=0 or cgroup.memory=noswap on the kernel command line`,
    ),
    check(
      'active swap',
      caps.swapTotalBytes > 0,
      false,
      caps.swapTotalBytes > 0 ? `${mib(caps.swapTotalBytes)} of swap (/proc/swaps)` : 'none in /proc/swaps: memory limits are hard, and .swap() has nothing to allow',
      'add a swap file (fallocate -l 1G /swapfile && chmod 600 /swapfile && mkswap /swapfile && swapon /swapfile) or zram (apt-get install zram-tools)',
    ),
  ];
  if (caps.driver === 2) {
    out.push(
      check('memory.peak', caps.memoryPeak, false, caps.memoryPeak ? 'usage.memory.peakBytes is the kernel\'s high-water mark' : 'absent (Linux < 5.19): peakBytes is a lower bound', 'run Linux 5.19 or later (Debian 12 ships 6.1)'),
      check(
        'memory.swap.peak',
        caps.swapPeak !== false,
        false,
        caps.swapPeak !== false ? "usage.memory.swapPeakBytes is the kernel's high-water mark" : 'absent (Linux < 6.5): swapPeakBytes is a lower bound, usually 0',
        'run Linux 6.5 or later',
      ),
      check('cgroup.kill', caps.cgroupKill, false, caps.cgroupKill ? 'ends a sandbox in one write' : 'absent (Linux < 5.14): cgbox freezes the cgroup, then kills each task', 'run Linux 5.14 or later (Debian 12 ships 6.1)'),
    );
  }
  return out;
}

export function doctor(caps: HostCaps, tools: ToolFacts): Check[] {
  const rootless = !caps.isRoot && tools.rootless !== undefined;
  const user = rootless ? asUserManager(caps, tools.rootless) : caps;
  return [
    ...(rootless
      ? rootlessChecks(tools.rootless!, caps.driver)
      : [check('root', caps.isRoot, true, caps.isRoot ? 'running as root' : 'not root: cgbox creates cgroups and namespaces', 'run as root (sudo cgbox …), or in the VM (vagrant/)')]),
    ...cgroupChecks(user, rootless && user !== caps),
    ...(tools.placement ? [check('placement', true, false, tools.placement.detail, '')] : []),
    // The no-internal-process rule in the caller's own cgroup matters only where sandboxes nest there.
    ...(tools.placement?.kind === 'systemd-scope' ? [] : nestingCheck(caps, tools.nesting)),
    ...memoryChecks(caps),
    check('pids.peak', caps.pidsPeak, false, caps.pidsPeak ? `usage.pids.peak is the kernel's high-water mark (Linux ${caps.kernel})` : `absent (Linux ${caps.kernel} < 6.1): usage.pids.peak falls back to pids.current, 0 once a run is over`, 'run Linux 6.1 or later (Debian 12 ships 6.1)'),
    ...volumeChecks(tools.volumes),
    check('init helper', tools.init.ok, true, tools.init.ok ? tools.init.path : tools.init.why, 'the package ships it prebuilt for linux-x64 and linux-arm64 (native/prebuilt/); elsewhere cgbox builds it from native/src at first use, with a C compiler (apt-get install gcc libc6-dev); in a checkout of cgbox: npm run build'),
    // The compiler matters only while the init helper is not built.
    check('C compiler (cc)', tools.cc !== null, !tools.init.ok, tools.cc ?? 'not on PATH: needed only where no prebuilt init helper fits, to build it from source', 'apt-get install gcc libc6-dev'),
    ...featureChecks(tools.features),
  ];
}

/** One check per feature that runs host programs: which are missing, and the packages that have them. */
function featureChecks(features: ToolFacts['features']): Check[] {
  return (features ?? []).map(({ feature, missing, note }) => {
    const names = Object.keys(missing);
    const packages = [...new Set(Object.values(missing))].sort();
    const detail = names.length ? `${names.join(', ')} not installed` : `its host programs are installed${note ? ` (${note})` : ''}`;
    return check(`host tools: ${feature}`, names.length === 0, false, detail, `apt-get install ${packages.join(' ')}${note ? ` (${note})` : ''}`);
  });
}

/** One check per volume backend, in the backends list's order: optional features, never essential. */
function volumeChecks(volumes: ToolFacts['volumes']): Check[] {
  return Object.entries(volumes ?? {}).map(([kind, why]) =>
    check(`${kind} volumes`, why === null, false, why === null ? `.volume(…, { driver: '${kind}' }) works here` : `.volume(…, { driver: '${kind}' }) is refused here`, why ?? ''),
  );
}

/** True when every essential check passed: the host can run sandboxes. */
export function essentialsPass(checks: readonly Check[]): boolean {
  return checks.every((c) => c.ok || !c.essential);
}


export function probeTools(): ToolFacts {
  let init: ToolFacts['init'];
  try {
    init = { ok: true, path: initBinary() };
  } catch (e) {
    init = { ok: false, why: e instanceof SetupError ? e.detail : String(e) };
  }
  const nesting = probeNesting(hostCaps());
  const config = volumeConfig();
  const rootOnly = (kind: string) => (config.rootless && kind !== 'tmpfs' ? `a rootless run: a ${kind} volume is made and mounted on the host, which needs root (run as root)` : undefined);
  const volumes = Object.fromEntries(VOLUME_BACKENDS.map((b) => [b.kind, rootOnly(b.kind) ?? b.unavailable(config) ?? null]));
  // The source build has its own check (the compiler): every other feature's programs, as a login shell finds them.
  const features = RUNTIME_PACKAGES.filter((n) => !('cc' in n.tools)).map((n) => ({
    feature: n.feature,
    missing: Object.fromEntries(Object.entries(n.tools).filter(([tool]) => which(tool) === null)),
    ...(n.note ? { note: n.note } : {}),
  }));
  const ctx = probeCallerContext();
  const strategy = chooseStrategy(ctx);
  const placement = { kind: strategy.name, detail: strategy.explain(ctx) };
  const rootless = hostCaps().isRoot ? undefined : probeRootless(strategy.name);
  return { init, cc: which('cc'), volumes, features, placement, ...(nesting ? { nesting } : {}), ...(rootless ? { rootless } : {}) };
}

/** v2 only: whether the caller's cgroup still holds processes, read from cgroupfs. */
export function probeNesting(caps: HostCaps): NestingFacts | undefined {
  if (caps.driver !== 2 || !caps.v2) return undefined;
  const own = /^0::(.*)$/m.exec(readOr('/proc/self/cgroup'))?.[1] ?? '';
  const procs = readOr(join(caps.v2.mount, caps.v2.callerPath, 'cgroup.procs')).split('\n').filter(Boolean);
  return { inLeaf: own.endsWith(`/${CALLER_LEAF}`), processes: procs.length };
}

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
