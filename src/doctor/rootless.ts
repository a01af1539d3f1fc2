/**
 * `cgbox doctor` as a normal user: what a rootless run gets here and what it
 * does not, and why. Pure: the facts (probeRootless) in, checks out.
 */
import { statSync } from 'node:fs';
import { userFacts } from '../host/user.js';
import { hostCaps } from '../host/probe.js';
import { sandboxIdMaps, usernsUnavailable } from '../launch/userns.js';
import { USER_DELEGATE_DROPIN, USER_DELEGATE_INSTALL, userManagerControllers } from '../placement/user-delegation.js';
import { check, type Check } from './check.js';

export interface RootlessFacts {
  uid: number;
  name: string;
  /** Why the init helper may not make a user namespace here, with the fix; undefined when it may. */
  usernsOff?: string;
  /** Ubuntu's kernel.apparmor_restrict_unprivileged_userns=1 is on (then the shipped profile is what lets the helper through). */
  apparmorRestricted: boolean;
  /** What root and the other ids are inside (src/launch/userns.ts). */
  idMaps: string;
  /** The user's systemd manager answers on its bus. */
  userBus: boolean;
  /** user@UID.service's cgroup.controllers; undefined when it is not running. */
  delegated?: readonly string[];
  /** The placement doctor found (src/placement/): 'caller' means none a user could use. */
  placement?: string;
}

const NEEDS_ROOT =
  '.net({ bridge }) and .net({ bandwidth }) (a veth pair, its address and tc shaping are made on the host), ' +
  "loop, btrfs and LVM volumes (made and mounted on the host: driver 'auto' gives tmpfs rootless)";

export function rootlessChecks(f: RootlessFacts, driver: 1 | 2): Check[] {
  const apparmor = f.apparmorRestricted ? "; kernel.apparmor_restrict_unprivileged_userns is 1, and the helper's AppArmor profile lets it through" : '';
  const delegated = f.delegated ?? [];
  const missing = ['cpuset', 'io'].filter((c) => !delegated.includes(c));
  const limits = [
    delegated.includes('memory') ? '.memory() and .swap()' : '',
    delegated.includes('pids') ? '.pids()' : '',
    delegated.includes('cpu') ? '.cpuQuota() and .cpuShares()' : '',
    delegated.includes('cpuset') ? '.cpus()' : '',
    delegated.includes('io') ? '.iops() and .bps()' : '',
  ].filter(Boolean);
  const manager = driver === 2 && (f.userBus || f.placement === 'delegated');
  return [
    check('rootless', true, false, `not root (${f.name}, uid ${f.uid}): sandboxes run rootless, in a user namespace of their own`, ''),
    check(
      'user namespaces',
      f.usernsOff === undefined,
      true,
      f.usernsOff === undefined ? `the init helper makes them: ${f.idMaps}${apparmor}` : `the init helper may not make one: ${f.usernsOff}`,
      f.usernsOff ?? '',
    ),
    check(
      "the user's systemd manager",
      manager,
      true,
      manager
        ? `user@${f.uid}.service answers on its bus: sandboxes live in a scope with Delegate=yes it makes for each process`
        : driver !== 2
          ? 'cgroup v1: a normal user has no delegated subtree'
          : 'no user manager on the bus ($XDG_RUNTIME_DIR/bus): not a login session',
      driver !== 2
        ? 'boot with systemd.unified_cgroup_hierarchy=1 (cgroup v2), or run as root'
        : 'run from a login session (ssh, runuser -l USER, a desktop terminal), or as root: loginctl enable-linger USER',
    ),
    check(
      `controllers delegated to user@${f.uid}.service`,
      missing.length === 0,
      false,
      f.delegated === undefined
        ? `user@${f.uid}.service is not running`
        : `${delegated.join(' ') || 'none'}: enforced rootless: ${limits.join(', ') || 'none'}${missing.length ? `; refused: ${missing.map((c) => (c === 'io' ? '.iops() and .bps() (io)' : '.cpus() (cpuset)')).join(', ')}` : ''}`,
      `as root, give the user's manager ${missing.join(' and ')} with the drop-in ${USER_DELEGATE_DROPIN.path}: ${USER_DELEGATE_INSTALL}`,
    ),
    check('needs root', false, false, `refused rootless with an UnsupportedError that says so: ${NEEDS_ROOT}`, 'run as root (sudo) for these'),
  ];
}

export function probeRootless(placement?: string): RootlessFacts {
  const u = userFacts();
  const caps = hostCaps();
  const why = usernsUnavailable();
  const delegated = caps.v2 ? userManagerControllers(caps.v2.mount, u.uid) : undefined;
  const bus = process.env.XDG_RUNTIME_DIR;
  return {
    uid: u.uid,
    name: u.name,
    ...(why ? { usernsOff: why } : {}),
    apparmorRestricted: (u.usernsOff ?? '').includes('apparmor_restrict_unprivileged_userns'),
    idMaps: sandboxIdMaps()?.describe ?? '',
    userBus: userBusSocket(bus),
    ...(delegated ? { delegated } : {}),
    ...(placement ? { placement } : {}),
  };
}

function userBusSocket(runtimeDir: string | undefined): boolean {
  if (!runtimeDir) return false;
  try {
    return statSync(`${runtimeDir}/bus`).isSocket();
  } catch {
    return false;
  }
}
