/**
 * Where each cgroup hierarchy is mounted and where the caller sits in it, from
 * /proc/self/mountinfo and /proc/self/cgroup. Pure: the probe passes the texts.
 * Never assume the usual layout: cpu and cpuacct may be separate hierarchies,
 * and a hierarchy's mount may show only a subtree (its mountinfo root field).
 */
import type { Hierarchy } from './types.js';

/**
 * The super options of a v1 cgroup mount are its controllers, then these flags
 * (the kernel's cgroup1_show_options) and key=value options (name=, release_agent=).
 * Everything else is a controller: the probe reports every hierarchy, and each
 * driver picks the ones its controller list uses.
 */
const V1_MOUNT_FLAGS = new Set(['rw', 'ro', 'noprefix', 'xattr', 'cpuset_v2_mode', 'favordynmods', 'clone_children']);
const isController = (option: string) => /^[a-z_]+$/.test(option) && !V1_MOUNT_FLAGS.has(option);

interface CgroupMount {
  mount: string;
  /** The cgroup path shown at the mount point (usually '/'). */
  root: string;
  version: 1 | 2;
  controllers: string[];
}

/**
 * cgroup v2: the leaf child of the caller's cgroup into which cgbox moves that
 * cgroup's processes, so that the cgroup may enable controllers for the
 * sandboxes beside it (the no-internal-process rule; src/cgroup/v2/leaf.ts).
 * Not named cgbox-…: that prefix marks a run's leftovers.
 */
export const CALLER_LEAF = 'cgbox.leaf';

export interface CgroupLayout {
  v1: Partial<Record<string, Hierarchy>>;
  v2?: Hierarchy;
}

/** mountinfo escapes spaces and the like as \040 octal. */
function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function parseCgroupMounts(mountinfo: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const fields = left.split(' ');
    const [fstype, , superOpts = ''] = right.split(' ');
    if (fstype !== 'cgroup' && fstype !== 'cgroup2') continue;
    mounts.push({
      mount: unescape(fields[4] ?? ''),
      root: unescape(fields[3] ?? '/'),
      version: fstype === 'cgroup2' ? 2 : 1,
      controllers: fstype === 'cgroup2' ? [] : superOpts.split(',').filter(isController),
    });
  }
  return mounts;
}

/** "4:memory:/a/b" → { 'memory': '/a/b' }; the v2 line "0::/x" is keyed ''. */
export function parseProcCgroup(text: string): Map<string, string> {
  const paths = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    for (const c of m[1]!.split(',')) paths.set(c, m[2]!);
  }
  return paths;
}

/** A caller that sits in cgbox's leaf nests its sandboxes in the cgroup above, as the process that made the leaf does. */
function aboveLeaf(path: string): string {
  return path.endsWith(`/${CALLER_LEAF}`) ? path.slice(0, -CALLER_LEAF.length - 1) || '/' : path;
}

/** The caller's path relative to a mount that shows the subtree at `root`. */
function relativeTo(root: string, path: string): string {
  if (root === '/') return path;
  if (path === root) return '/';
  return path.startsWith(root + '/') ? path.slice(root.length) : path;
}

export function cgroupLayout(mountinfo: string, procCgroup: string): CgroupLayout {
  const paths = parseProcCgroup(procCgroup);
  const layout: CgroupLayout = { v1: {} };
  for (const m of parseCgroupMounts(mountinfo)) {
    if (m.version === 2) {
      const path = paths.get('');
      if (path !== undefined && !layout.v2) layout.v2 = { mount: m.mount, callerPath: aboveLeaf(relativeTo(m.root, path)), controllers: [] };
      continue;
    }
    for (const c of m.controllers) {
      const path = paths.get(c);
      if (path === undefined || layout.v1[c]) continue;
      layout.v1[c] = { mount: m.mount, callerPath: relativeTo(m.root, path), controllers: m.controllers };
    }
  }
  return layout;
}
