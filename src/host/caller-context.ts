/**
 * Who owns the cgroup the caller runs in: the facts placement decides on
 * (src/placement/). Whether systemd runs the host, the unit the caller's
 * cgroup belongs to, whether a cgroup at or above it was delegated (systemd
 * marks a Delegate=yes unit's cgroup with the xattr trusted.delegate, and a
 * user's manager with user.delegate), and whether the caller sits in a cgroup
 * namespace of its own (a container, whose root cgroup is its own).
 *
 * callerContextFrom() is pure: the probe passes the texts it read, and the
 * tests pass fixtures. The cgroup paths here are as /proc/self/cgroup shows
 * them; cgroupDir() turns one into its directory under the cgroup2 mount.
 */
import { posix } from 'node:path';
import { parseCgroupMounts, parseProcCgroup } from './cgroup-mounts.js';

export interface CallerContext {
  cgroupVersion: 1 | 2 | 'hybrid';
  /**
   * The caller's v2 cgroup path as /proc/self/cgroup shows it ('/' at a namespace root); on a
   * v1-only host, its path in systemd's own name=systemd hierarchy (or '/').
   */
  cgroup: string;
  /**
   * The cgroup2 mount: its directory, and the cgroup path it shows there (mountinfo's root
   * field: '/', unless a subtree was bind-mounted). Absent on a v1-only host. Placement needs it
   * to name absolute cgroupfs directories.
   */
  mount?: { dir: string; root: string };
  /** systemd runs this host (pid 1 is systemd and /run/systemd/system exists) — false in a container without it. */
  systemd: boolean;
  /** The systemd unit the caller's cgroup belongs to (session-3.scope, ci.service, user@1000.service…), if any. */
  unit?: string;
  /**
   * The nearest delegated cgroup at or above the caller's (systemd's trusted.delegate xattr, or
   * user.delegate for a user manager), if any — and only where no unit of a manager nested in
   * that subtree lies between it and the caller: user@1000.service is delegated, but to the
   * user's own systemd, which owns app.slice/…scope beneath it.
   */
  delegatedAt?: string;
  /** In a cgroup namespace of its own (a container): its root is the caller's view of '/'. */
  cgroupNamespace: boolean;
  uid: number;
  /** A normal user's systemd manager answers on its bus ($XDG_RUNTIME_DIR/bus): a login session, or lingering. */
  userBus?: boolean;
}

/** What the probe reads; the tests give texts. */
export interface ProbeInputs {
  mountinfo: string;
  procCgroup: string;
  /** /proc/1/comm, trimmed. */
  pid1Comm: string;
  /** /run/systemd/system is a directory (sd_booted(3)). */
  runSystemdSystem: boolean;
  /** readlink /proc/self/ns/cgroup: 'cgroup:[4026531835]'. */
  cgroupNsLink: string;
  uid: number;
  /** The user's bus socket exists (uid other than 0). */
  userBus?: boolean;
  /** The cgroup directories among `dirs` that carry a delegation mark. */
  delegatedDirs(dirs: string[]): Set<string>;
}

/**
 * The initial cgroup namespace's inode: the kernel's PROC_CGROUP_INIT_INO
 * (0xEFFFFFFB, include/linux/proc_ns.h), fixed since cgroup namespaces came (4.6).
 */
const INITIAL_CGROUP_NS = `cgroup:[${0xeffffffb}]`;

const SLICE = /\.slice$/;
/** Units that own a cgroup and are not slices: where processes live. */
const LEAF_UNIT = /\.(service|scope|socket|mount|swap)$/;

/** systemd prefixes a cgroup name that could clash with a kernel file with '_' (cg_escape). */
function unescape(name: string): string {
  return name.startsWith('_') ? name.slice(1) : name;
}

function components(path: string): string[] {
  return path.split('/').filter(Boolean);
}

/**
 * The system manager's unit of a cgroup path, and the slice that holds it:
 * the slices lead from the root, the first other unit name after them is the
 * unit. Below a delegated unit, names belong to whoever was delegated.
 */
export function unitOf(path: string): { unit?: string; slice: string } {
  const parts = components(path).map(unescape);
  let slice = '-.slice';
  for (const part of parts) {
    if (SLICE.test(part)) slice = part;
    else return LEAF_UNIT.test(part) ? { unit: part, slice } : { slice };
  }
  return { slice };
}

/** The paths from `path` up to `top` (both included), nearest first. */
export function pathsUp(path: string, top = '/'): string[] {
  const out: string[] = [];
  for (let p = posix.normalize(path); ; p = posix.dirname(p)) {
    out.push(p);
    if (p === top || p === '/') return out;
  }
}

/**
 * The nearest delegated path at or above `path` whose subtree no nested
 * manager has claimed: a unit name between it and the caller (user@1000.service
 * → app.slice/foo.scope) means that manager owns the caller's cgroup.
 */
export function nearestDelegated(path: string, delegated: Set<string>): string | undefined {
  for (const p of pathsUp(path)) {
    if (delegated.has(p)) return p;
    const name = unescape(posix.basename(p));
    if (SLICE.test(name) || LEAF_UNIT.test(name)) {
      // A unit that is not itself delegated: a manager owns this cgroup — unless it is the
      // delegated unit's own nested child, which the walk reaches first only if it is marked.
      if (pathsUp(posix.dirname(p)).some((q) => delegated.has(q))) return undefined;
    }
  }
  return undefined;
}

/** The directory of a cgroup path under the cgroup2 mount; undefined when the mount does not show it. */
export function cgroupDir(mount: { dir: string; root: string }, path: string): string | undefined {
  if (path === mount.root) return mount.dir;
  const prefix = mount.root === '/' ? '' : mount.root;
  return path.startsWith(prefix + '/') ? posix.join(mount.dir, path.slice(prefix.length)) : undefined;
}

/** Marks as systemd writes them ("1") and as its parse_boolean() would accept them. */
const TRUE = new Set(['1', 'yes', 'y', 'true', 't', 'on']);

/** `cgbox-init --delegate-xattrs` output (NAME TAB VALUE TAB DIR per line) → the marked directories. */
export function parseDelegateXattrs(text: string): Set<string> {
  const marked = new Set<string>();
  for (const line of text.split('\n')) {
    const [name, value, ...dir] = line.split('\t');
    if ((name === 'trusted.delegate' || name === 'user.delegate') && TRUE.has((value ?? '').trim().toLowerCase()) && dir.length) {
      marked.add(dir.join('\t'));
    }
  }
  return marked;
}

export function callerContextFrom(inputs: ProbeInputs): CallerContext {
  const mounts = parseCgroupMounts(inputs.mountinfo);
  const v2 = mounts.find((m) => m.version === 2);
  const v1 = mounts.some((m) => m.version === 1 && m.controllers.length > 0);
  const cgroupVersion = v1 ? (v2 ? 'hybrid' : 1) : 2;
  const paths = parseProcCgroup(inputs.procCgroup);
  const cgroup = (v2 ? paths.get('') : undefined) ?? paths.get('name=systemd') ?? '/';
  const systemd = inputs.pid1Comm === 'systemd' && inputs.runSystemdSystem;
  const { unit } = unitOf(cgroup);
  const mount = v2 ? { dir: v2.mount, root: v2.root } : undefined;
  const ctx: CallerContext = {
    cgroupVersion,
    cgroup,
    ...(mount ? { mount } : {}),
    systemd,
    ...(systemd && unit ? { unit } : {}),
    cgroupNamespace: inputs.cgroupNsLink !== '' && inputs.cgroupNsLink !== INITIAL_CGROUP_NS,
    uid: inputs.uid,
    ...(inputs.userBus !== undefined ? { userBus: inputs.userBus } : {}),
  };
  // Delegation marks matter where systemd manages a unified tree (a hybrid host's v2 tree holds no controllers).
  if (mount && cgroupVersion === 2) {
    const byDir = new Map<string, string>();
    for (const p of pathsUp(cgroup, mount.root)) {
      const dir = cgroupDir(mount, p);
      if (dir !== undefined) byDir.set(dir, p);
    }
    const marked = inputs.delegatedDirs([...byDir.keys()]);
    const delegatedAt = nearestDelegated(cgroup, new Set([...byDir].filter(([dir]) => marked.has(dir)).map(([, p]) => p)));
    if (delegatedAt !== undefined) ctx.delegatedAt = delegatedAt;
  }
  return ctx;
}
