/** A host tree for the planner's tests: paths to 'dir', 'file' or a symlink's target ('-> target'). */
import type { EntryKind, HostFs } from './types.js';

export function fakeHost(tree: Record<string, string>): HostFs {
  const entry = (p: string) => tree[p];
  return {
    kind: (p): EntryKind => {
      const e = entry(p);
      return e === undefined ? 'missing' : e.startsWith('-> ') ? 'symlink' : (e as EntryKind);
    },
    readlink: (p) => entry(p)!.slice(3),
    list: (dir) => Object.keys(tree).filter((p) => p !== dir && p.slice(0, p.lastIndexOf('/') || 1) === dir).map((p) => p.slice(p.lastIndexOf('/') + 1)),
    mode: () => 0o755,
  };
}

/** A Debian-like host: merged /usr, /var/run -> /run, a /var/tmp. */
export const DEBIAN = {
  '/': 'dir', '/usr': 'dir', '/usr/bin': 'dir', '/etc': 'dir', '/etc/hosts': 'file', '/var': 'dir', '/var/tmp': 'dir', '/var/lib': 'dir',
  '/var/run': '-> /run', '/var/log': 'dir', '/home': 'dir', '/home/me': 'dir', '/home/me/proj': 'dir', '/bin': '-> usr/bin', '/tmp': 'dir', '/tmp/canary': 'dir',
  '/proc': 'dir', '/sys': 'dir', '/dev': 'dir', '/run': 'dir', '/.dockerenv': 'file',
};
