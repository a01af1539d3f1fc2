/**
 * What a normal user's run (rootless) can and cannot have, decided before
 * anything exists. The sandbox gets a user namespace of its own that maps the
 * caller to root inside (src/launch/userns.ts), and its cgroups in a scope the
 * user's own systemd manager delegates (src/placement/). What needs root on
 * the host is refused here by name, with the fix: a bridge network and its
 * shaping (veth, addresses, tc on the host), loop/btrfs/LVM volumes (refused
 * by the volume plan, src/volume/plan.ts), and a limit whose controller the
 * user's manager does not delegate (cpuset and io by default: the
 * user@.service drop-in below adds them).
 *
 * rootlessRefusal() is pure: the facts in, the refusal (or none) out.
 */
import type { SandboxSpec } from '../spec/types.js';
import { UnsupportedError } from '../spec/errors.js';
import { USER_DELEGATE_DROPIN } from '../placement/user-delegation.js';

export interface RootlessFacts {
  /** Why this process may not make a user namespace (naming the fix); undefined when it may. */
  usernsOff?: string;
  /** The cgroup driver: only v2 has a user's delegated subtree. */
  driver: 1 | 2;
  /** The placement strategy that would serve this caller (src/placement/strategies.ts). */
  placement: 'delegated' | 'systemd-scope' | 'caller';
}

const AS_ROOT = 'run as root (sudo), or in the VM tier';

/** Before placement: what no rootless run can have, or where no rootless run can live. */
export function rootlessRefusal(spec: SandboxSpec, facts: RootlessFacts): UnsupportedError | undefined {
  if (facts.usernsOff) return new UnsupportedError('a rootless sandbox (a user namespace)', `${facts.usernsOff}; or ${AS_ROOT}`);
  if (spec.cgroupParent === undefined) {
    if (facts.driver !== 2) {
      return new UnsupportedError(
        'a rootless sandbox on cgroup v1',
        `only cgroup v2 gives a normal user a delegated subtree (its systemd manager's); boot with systemd.unified_cgroup_hierarchy=1, or ${AS_ROOT}`,
      );
    }
    if (facts.placement === 'caller') {
      return new UnsupportedError(
        "a rootless sandbox's cgroups",
        "no cgroup is delegated to this user and its systemd manager does not answer (no $XDG_RUNTIME_DIR/bus): run from a login session (ssh, runuser -l, a desktop) " +
          `or after loginctl enable-linger $USER, under systemd-run --user -p Delegate=yes, or name a cgroup you own with .cgroupParent(); or ${AS_ROOT}`,
      );
    }
  }
  if (typeof spec.net === 'object') {
    const what = spec.net.bandwidth ? '.net({ bandwidth }) (shaping)' : `.net({ bridge }) (a network of its own on ${spec.net.bridge.name})`;
    return new UnsupportedError(
      `${what} in a rootless run`,
      `a veth pair, its address and tc shaping are made on the host, which needs root: use .net('none') (loopback only) or .net('host') rootless, or ${AS_ROOT}`,
    );
  }
  return undefined;
}

/**
 * After placement, with the controllers the scope offers: a limit whose controller the user's manager
 * does not delegate (systemd delegates cpu, memory and pids to user@.service; cpuset and io need a drop-in).
 */
export function undelegatedRefusal(spec: SandboxSpec, controllers: readonly string[]): UnsupportedError | undefined {
  const wanted: Array<[string, string]> = [];
  if (spec.cpus?.length) wanted.push(['cpuset', '.cpus()']);
  if (spec.iops.length || spec.bps.length) wanted.push(['io', spec.iops.length ? '.iops()' : '.bps()']);
  if (spec.cpuQuota || spec.cpuShares !== undefined) wanted.push(['cpu', spec.cpuQuota ? '.cpuQuota()' : '.cpuShares()']);
  const missing = wanted.filter(([c]) => !controllers.includes(c));
  if (!missing.length) return undefined;
  const names = missing.map(([c, m]) => `${m} (the ${c} controller)`).join(' and ');
  return new UnsupportedError(
    `${names} in a rootless run`,
    `the user's systemd manager does not delegate ${missing.map(([c]) => c).join(' and ')} (delegated: ${controllers.join(' ') || 'none'}); as root, add the drop-in ` +
      `${USER_DELEGATE_DROPIN.path} with "${USER_DELEGATE_DROPIN.text.trim().replace(/\n/g, '\\n')}", run systemctl daemon-reload, and log in again (see cgbox doctor); or ${AS_ROOT}`,
  );
}
