/**
 * A rootless run's user namespace, as the init is told to make it
 * (native/src/userns.h): root inside is the caller; where /etc/subuid and
 * /etc/subgid give the caller a range and newuidmap/newgidmap are installed,
 * ids 1… inside map to that range, so a command may own files as other users
 * (apt's _apt, a test's nobody). Otherwise the caller's id alone: every other
 * id shows as nobody inside, and chown to one fails (EINVAL).
 * CGBOX_SUBIDS=0 asks for the caller's id alone even where a range exists.
 *
 * Whether this process may make one at all is asked of the init itself
 * (--probe-userns): a sysctl (kernel.unprivileged_userns_clone,
 * user.max_user_namespaces) or an AppArmor policy (Ubuntu's
 * kernel.apparmor_restrict_unprivileged_userns) can refuse it.
 */
import { execFileSync } from 'node:child_process';
import { userFacts, type UserFacts } from '../host/user.js';
import { initBinary } from '../host/init-binary.js';

export interface IdMaps {
  /** INSIDE:OUTSIDE:COUNT[,…], as --uid-map takes it. */
  uidMap: string;
  gidMap: string;
  /** newuidmap and newgidmap, for maps beyond the caller's own ids. */
  helpers?: { newuidmap: string; newgidmap: string };
  /** For the report and doctor: what root and the other ids inside are. */
  describe: string;
}

/** Pure: the maps for this user. */
export function idMapsFor(u: UserFacts, env: NodeJS.ProcessEnv = process.env): IdMaps {
  const own = { uidMap: `0:${u.uid}:1`, gidMap: `0:${u.gid}:1` };
  const ranges = u.subuid && u.subgid && u.newuidmap && u.newgidmap && env.CGBOX_SUBIDS !== '0';
  if (!ranges) {
    const why = env.CGBOX_SUBIDS === '0' ? 'CGBOX_SUBIDS=0' : !u.subuid || !u.subgid ? `no range for ${u.name} in /etc/subuid and /etc/subgid` : 'newuidmap/newgidmap are not installed (Debian: apt-get install uidmap)';
    return { ...own, describe: `root inside is ${u.name} (uid ${u.uid}); other ids are not mapped (${why})` };
  }
  return {
    uidMap: `${own.uidMap},1:${u.subuid!.start}:${u.subuid!.count}`,
    gidMap: `${own.gidMap},1:${u.subgid!.start}:${u.subgid!.count}`,
    helpers: { newuidmap: u.newuidmap!, newgidmap: u.newgidmap! },
    describe: `root inside is ${u.name} (uid ${u.uid}); ids 1-${u.subuid!.count} inside are ${u.subuid!.start}-${u.subuid!.start + u.subuid!.count - 1} on the host (/etc/subuid, newuidmap)`,
  };
}

export function usernsArgs(m: IdMaps): string[] {
  return ['--uid-map', m.uidMap, '--gid-map', m.gidMap, ...(m.helpers ? ['--idmap-helpers', m.helpers.newuidmap, m.helpers.newgidmap] : [])];
}

let maps: IdMaps | null | undefined;

/** This process's maps: none for root (its sandboxes need no user namespace). */
export function sandboxIdMaps(): IdMaps | undefined {
  if (maps === undefined) maps = (process.getuid?.() ?? 0) === 0 ? null : idMapsFor(userFacts());
  return maps ?? undefined;
}

let probed: string | null | undefined;

/**
 * Undefined when this process may make a user namespace and mount in it; otherwise why not, with
 * the fix. Once per process: the init tries it in a child (a few milliseconds).
 */
export function usernsUnavailable(): string | undefined {
  if (probed !== undefined) return probed ?? undefined;
  const sysctl = userFacts().usernsOff;
  let out: string;
  try {
    out = execFileSync(initBinary(), ['--probe-userns'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (e) {
    out = String((e as { stdout?: string }).stdout ?? (e as Error).message).trim();
  }
  if (out === 'ok') probed = null;
  else {
    const tried = out.replace(/^error \d+ /, '');
    probed = `the kernel refused it (${tried || 'the probe failed'})${sysctl ? `: ${sysctl}` : ': see `cgbox doctor`'}`;
  }
  return probed ?? undefined;
}
