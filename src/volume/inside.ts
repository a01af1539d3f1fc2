/**
 * Makes a directory inside a root filesystem copy, resolving symlinks as the
 * sandbox will see them — relative to that root, never the host's. A copy of
 * a Debian root has /var/run -> /run: a plain `mkdir -p <copy>/var/run/x`
 * would follow it to the host's /run and leave a directory there.
 */
import { lstat, mkdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { SetupError } from '../spec/errors.js';

const MAX_LINKS = 40; // as the kernel's path walk (ELOOP)

/**
 * Creates `path` (absolute, as the sandbox sees it) under `root`, following
 * symlinks within `root`; returns the resolved path as the sandbox sees it.
 */
export async function mkdirInside(root: string, path: string): Promise<string> {
  const todo = path.split('/').filter(Boolean);
  const done: string[] = [];
  let links = 0;
  while (todo.length) {
    const part = todo.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      done.pop(); // '..' at the root stays at the root
      continue;
    }
    const host = join(root, ...done, part);
    const st = await lstat(host).catch(() => undefined);
    if (!st) {
      await mkdir(host, { mode: 0o755 });
      done.push(part);
    } else if (st.isSymbolicLink()) {
      if (++links > MAX_LINKS) throw new SetupError('volume', `${path}: too many symbolic links under ${root}`);
      const target = await readlink(host);
      if (target.startsWith('/')) done.length = 0;
      todo.unshift(...target.split('/').filter(Boolean));
    } else if (st.isDirectory()) {
      done.push(part);
    } else {
      throw new SetupError('volume', `${path}: ${join('/', ...done, part)} is not a directory in ${root}`);
    }
  }
  return join('/', ...done);
}
