/** The host's tree as the planner reads it (lstat, readlink, readdir), synchronously: a handful of calls per run. */
import { lstatSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import type { EntryKind, HostFs } from './types.js';

export const hostFs: HostFs = {
  kind(path): EntryKind {
    try {
      const st = lstatSync(path);
      return st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'dir' : 'file';
    } catch {
      return 'missing';
    }
  },
  readlink: (path) => readlinkSync(path),
  list: (path) => readdirSync(path),
  mode: (path) => statSync(path).mode & 0o7777,
};
