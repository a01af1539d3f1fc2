/**
 * Who runs cgbox, when it is not root: the facts a rootless run and doctor
 * decide on. The caller's uid and gid, the subordinate ranges /etc/subuid and
 * /etc/subgid give it (and whether newuidmap/newgidmap are there to map them),
 * the sysctls some kernels and distributions use to keep unprivileged user
 * namespaces off, and the XDG directories where its state lives.
 *
 * The parsers are pure; userFacts() reads the host once per process.
 */
import { readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { which } from './tools.js';

/** A subordinate id range: ids start … start+count-1 are the user's to map. */
export interface SubidRange {
  start: number;
  count: number;
}

export interface UserFacts {
  uid: number;
  gid: number;
  name: string;
  subuid?: SubidRange;
  subgid?: SubidRange;
  /** Absolute paths of shadow's setuid mappers (Debian: uidmap), when installed. */
  newuidmap?: string;
  newgidmap?: string;
  /** Why the kernel refuses unprivileged user namespaces here, naming the fix; undefined when no sysctl says so. */
  usernsOff?: string;
  /** $XDG_RUNTIME_DIR: the user's own tmpfs (/run/user/UID), where a login session has one. */
  runtimeDir?: string;
  /** $XDG_STATE_HOME, else ~/.local/state. */
  stateHome: string;
}

/**
 * The first range of `name` (or of its uid written as a number) in /etc/subuid's
 * NAME:START:COUNT lines — as newuidmap looks it up.
 */
export function parseSubids(text: string, name: string, id: number): SubidRange | undefined {
  for (const line of text.split('\n')) {
    const [who, start, count] = line.trim().split(':');
    if (who !== name && who !== String(id)) continue;
    const [s, c] = [Number(start), Number(count)];
    if (Number.isInteger(s) && Number.isInteger(c) && c > 0) return { start: s, count: c };
  }
  return undefined;
}

/** The sysctls that keep user namespaces from unprivileged users, as `read(path)` finds them (null: absent). */
export function usernsRefusal(read: (path: string) => string | null): string | undefined {
  const value = (path: string) => read(path)?.trim();
  if (value('/proc/sys/kernel/unprivileged_userns_clone') === '0') {
    return 'kernel.unprivileged_userns_clone is 0: the kernel refuses user namespaces to users (fix: sysctl -w kernel.unprivileged_userns_clone=1, and kernel.unprivileged_userns_clone = 1 in /etc/sysctl.d/)';
  }
  if (value('/proc/sys/user/max_user_namespaces') === '0') {
    return 'user.max_user_namespaces is 0: no user namespace may be made (fix: sysctl -w user.max_user_namespaces=15000, and the same in /etc/sysctl.d/)';
  }
  if (value('/proc/sys/kernel/apparmor_restrict_unprivileged_userns') === '1') {
    return (
      "kernel.apparmor_restrict_unprivileged_userns is 1 (Ubuntu 23.10 and later): AppArmor gives a user namespace no capabilities unless the program's profile allows it " +
      '(fix: install the profile cgbox ships for its init helper, apparmor/cgbox-init — see the README, "Rootless" — or sysctl -w kernel.apparmor_restrict_unprivileged_userns=0)'
    );
  }
  return undefined;
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

export function probeUser(env: NodeJS.ProcessEnv = process.env): UserFacts {
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  let name = String(uid);
  try {
    name = userInfo().username;
  } catch {
    // A uid with no passwd entry (a container's): the subordinate ranges are looked up by number.
  }
  const subuid = parseSubids(readOrNull('/etc/subuid') ?? '', name, uid);
  const subgid = parseSubids(readOrNull('/etc/subgid') ?? '', name, gid);
  const newuidmap = which('newuidmap');
  const newgidmap = which('newgidmap');
  const usernsOff = usernsRefusal(readOrNull);
  return {
    uid,
    gid,
    name,
    ...(subuid ? { subuid } : {}),
    ...(subgid ? { subgid } : {}),
    ...(newuidmap ? { newuidmap } : {}),
    ...(newgidmap ? { newgidmap } : {}),
    ...(usernsOff ? { usernsOff } : {}),
    ...(env.XDG_RUNTIME_DIR ? { runtimeDir: env.XDG_RUNTIME_DIR } : {}),
    stateHome: env.XDG_STATE_HOME || join(homedir(), '.local', 'state'),
  };
}

let cached: UserFacts | undefined;

/** The probe, once per process. */
export function userFacts(): UserFacts {
  cached ??= probeUser();
  return cached;
}
