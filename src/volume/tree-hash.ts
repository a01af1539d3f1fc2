/**
 * A template's cache key: a hash of every entry's path, type, mode, owner,
 * size, mtime and ctime (nanoseconds) and link target — not of the bytes, so
 * that keying a big tree costs one lstat per entry. Changing a file changes
 * its mtime and ctime (ctime cannot be set back by `touch -d`), so a changed
 * directory gets a new template.
 */
import { createHash, type Hash } from 'node:crypto';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';

async function entry(h: Hash, root: string, rel: string): Promise<void> {
  const path = join(root, rel);
  const s = await lstat(path, { bigint: true });
  const type = s.isDirectory() ? 'd' : s.isSymbolicLink() ? 'l' : s.isFile() ? 'f' : 'o';
  const link = type === 'l' ? await readlink(path) : '';
  const rdev = type === 'o' ? s.rdev : 0n;
  h.update([rel, type, s.mode, s.uid, s.gid, s.size, s.mtimeNs, s.ctimeNs, rdev, link].join('\0') + '\n');
  if (type !== 'd') return;
  for (const name of (await readdir(path)).sort()) await entry(h, root, rel ? `${rel}/${name}` : name);
}

/** 16 hex digits of SHA-256 over the tree's metadata. */
export async function treeHash(dir: string): Promise<string> {
  const h = createHash('sha256');
  await entry(h, dir, '');
  return h.digest('hex').slice(0, 16);
}
