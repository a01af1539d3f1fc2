/**
 * cgbox's own state directories are their user's alone: root's /run/cgbox and
 * /var/lib/cgbox, a normal user's $XDG_RUNTIME_DIR/cgbox and
 * $XDG_STATE_HOME/cgbox (~/.local/state/cgbox), and everything below. Made
 * 0700, and refused when another user could change what cgbox reads there.
 * Files in them are written through a fresh, randomly named temporary file
 * (O_EXCL: no symlink is ever followed) renamed into place, so a reader never
 * sees half a file.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync } from 'node:fs';
import { readdir, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SetupError } from '../spec/errors.js';
import { userFacts } from './user.js';

/** Whose directories: root's, or a user's with its XDG directories (src/host/user.ts). */
export interface StateOwner {
  root: boolean;
  runtimeDir?: string;
  stateHome: string;
}

function currentOwner(): StateOwner {
  if ((process.getuid?.() ?? 0) === 0) return { root: true, stateHome: '/var/lib' };
  const u = userFacts();
  return { root: false, stateHome: u.stateHome, ...(u.runtimeDir ? { runtimeDir: u.runtimeDir } : {}) };
}

/**
 * Lasting state (image files, pools, locks) and per-run directories (gone at teardown). CGBOX_STATE_DIR
 * and CGBOX_RUN_DIR override; else root's /var/lib/cgbox and /run/cgbox, or a user's
 * $XDG_STATE_HOME/cgbox and $XDG_RUNTIME_DIR/cgbox (its own tmpfs, emptied when its last session
 * ends) — a user without a runtime directory (no login session) keeps runs in its state's run/.
 */
export function stateDirs(env: NodeJS.ProcessEnv, owner: StateOwner): { stateDir: string; runDir: string } {
  const stateDir = env.CGBOX_STATE_DIR || (owner.root ? '/var/lib/cgbox' : join(owner.stateHome, 'cgbox'));
  const runDir = env.CGBOX_RUN_DIR || (owner.root ? '/run/cgbox' : owner.runtimeDir ? join(owner.runtimeDir, 'cgbox') : join(stateDir, 'run'));
  return { stateDir, runDir };
}

export const defaultStateDir = (env: NodeJS.ProcessEnv = process.env): string => stateDirs(env, currentOwner()).stateDir;
export const defaultRunDir = (env: NodeJS.ProcessEnv = process.env): string => stateDirs(env, currentOwner()).runDir;

/** Makes `dir` (and its parents) if missing; refuses a symlink, another owner, or a directory others may write. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  const uid = process.getuid?.() ?? 0;
  if (!st.isDirectory()) throw new SetupError('state', `${dir} is not a directory (a symlink?): cgbox keeps its state there; remove it`);
  if (st.uid !== uid) throw new SetupError('state', `${dir} belongs to uid ${st.uid}, not to this user (${uid}): cgbox keeps its state there; remove it or set CGBOX_RUN_DIR/CGBOX_STATE_DIR`);
  if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

/** writeFileAtomic's temporary file for `path`: `<path>.<12 hex digits>.tmp`. */
const tmpName = (path: string) => `${path}.${randomBytes(6).toString('hex')}.tmp`;
const isTmpOf = (name: string, base: string) => name.startsWith(`${base}.`) && /^[0-9a-f]{12}\.tmp$/.test(name.slice(base.length + 1));

/** Writes `path` whole: a temporary file of a random name beside it, then a rename. */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const tmp = tmpName(path);
  try {
    await writeFile(tmp, data, { flag: 'wx', mode: 0o600 });
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
}

/**
 * The temporary files writeFileAtomic left beside `path` when its writer was killed between the
 * write and the rename: removed, their paths returned. Only for a file written under a lock, and
 * with it held: then any there is a dead writer's.
 */
export async function removeDeadWrites(path: string): Promise<string[]> {
  const dir = dirname(path);
  const dead = (await readdir(dir).catch(() => [] as string[])).filter((f) => isTmpOf(f, basename(path))).map((f) => join(dir, f));
  for (const f of dead) await unlink(f).catch(() => {});
  return dead;
}
