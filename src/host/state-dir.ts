/**
 * cgbox's own state directories (/run/cgbox, /var/lib/cgbox and below) are
 * root's alone: made 0700, and refused when another user could change what
 * cgbox reads there. Files in them are written through a fresh, randomly named
 * temporary file (O_EXCL: no symlink is ever followed) renamed into place, so
 * a reader never sees half a file.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync } from 'node:fs';
import { rename, unlink, writeFile } from 'node:fs/promises';
import { SetupError } from '../spec/errors.js';

/** Makes `dir` (and its parents) if missing; refuses a symlink, another owner, or a directory others may write. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  const uid = process.getuid?.() ?? 0;
  if (!st.isDirectory()) throw new SetupError('state', `${dir} is not a directory (a symlink?): cgbox keeps its state there; remove it`);
  if (st.uid !== uid) throw new SetupError('state', `${dir} belongs to uid ${st.uid}, not to this user (${uid}): cgbox keeps its state there; remove it or set CGBOX_RUN_DIR/CGBOX_STATE_DIR`);
  if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

/** Writes `path` whole: a temporary file of a random name beside it, then a rename. */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, data, { flag: 'wx', mode: 0o600 });
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
}
