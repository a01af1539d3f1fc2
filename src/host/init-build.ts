/**
 * The init helper built from the package's own native/src at first use, for a
 * host no prebuilt helper fits (or CGBOX_BUILD_FROM_SOURCE=1). It is kept in
 * $XDG_CACHE_HOME/cgbox/<hash>/ (default ~/.cache/cgbox/<hash>/), the hash
 * being of the sources and the architecture: a new cgbox version with other
 * sources builds anew, the same one never twice. The build is synchronous
 * (a few hundred ms, once): the helper is needed before a sandbox can start.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, chmodSync, constants, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { SetupError } from '../spec/errors.js';

const INSTALL_A_COMPILER =
  'install one — Debian/Ubuntu: apt-get install gcc libc6-dev; Fedora: dnf install gcc glibc-devel; Alpine: apk add gcc musl-dev linux-headers — or set CC';

export function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whoever may write the helper or any directory above it could make cgbox —
 * often root — run a program of theirs. So each must belong to root or to us
 * and be writable by no one else; a sticky directory (/tmp) is fine, since
 * only the owner of an entry in it may replace that entry. Returns the first
 * path that fails, or null.
 */
export function writableByOthers(path: string, uid = process.getuid?.() ?? 0): string | null {
  for (let p = path; ; p = dirname(p)) {
    const st = statSync(p);
    const ours = st.uid === 0 || st.uid === uid;
    const sticky = st.isDirectory() && (st.mode & 0o1000) !== 0;
    if (!ours || ((st.mode & 0o022) !== 0 && !sticky)) return p;
    if (p === dirname(p)) return null;
  }
}

function mustBeOurs(out: string, why: string): string {
  const open = writableByOthers(out);
  if (open !== null) {
    const uid = process.getuid?.() ?? 0;
    const who = uid === 0 ? 'root' : `uid ${uid}`;
    throw new SetupError('init', `${why}; the helper built from source, ${out}, is not run: ${open} belongs to, or can be written by, someone other than ${who}. Set XDG_CACHE_HOME to a directory only you can write`);
  }
  return out;
}

/** $XDG_CACHE_HOME/cgbox, else ~/.cache/cgbox (the XDG base directory rule: a relative XDG_CACHE_HOME is ignored). */
export function cacheRoot(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache'), 'cgbox');
}

/** The C sources and headers of srcDir, sorted: what the build reads. */
function sourceFiles(srcDir: string): string[] {
  return readdirSync(srcDir)
    .filter((f) => f.endsWith('.c') || f.endsWith('.h'))
    .sort();
}

/** sha256 of every source's name and content, and the architecture; 16 hex digits. */
export function sourceHash(srcDir: string, arch: string): string {
  const h = createHash('sha256').update(`${arch}\0`);
  for (const f of sourceFiles(srcDir)) h.update(`${f}\0`).update(readFileSync(join(srcDir, f))).update('\0');
  return h.digest('hex').slice(0, 16);
}

/** $CC (which may carry words: `ccache gcc`), else the first of cc, gcc, clang on PATH. */
export function findCompiler(env: NodeJS.ProcessEnv): string[] | null {
  if (env.CC?.trim()) return env.CC.trim().split(/\s+/);
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of ['cc', 'gcc', 'clang']) {
    const found = dirs.map((d) => join(d, name)).find(executable);
    if (found) return [found];
  }
  return null;
}

/**
 * The cached build for these sources, made now if absent. `why` says why no
 * prebuilt helper was used: it leads the error when there is no compiler.
 */
export function buildInit(srcDir: string, why: string, env: NodeJS.ProcessEnv = process.env): string {
  let hash: string;
  try {
    hash = sourceHash(srcDir, process.arch);
  } catch (e) {
    throw new SetupError('init', `${why}, and its sources ${srcDir} cannot be read: ${(e as Error).message}; reinstall cgbox`, { cause: e });
  }
  const out = join(cacheRoot(env), hash, 'cgbox-init');
  if (executable(out)) return mustBeOurs(out, why);
  const cc = findCompiler(env);
  if (!cc) throw new SetupError('init', `${why}, and no C compiler was found to build it from ${srcDir} (looked for $CC, then cc, gcc and clang on PATH): ${INSTALL_A_COMPILER}`);
  const cFiles = sourceFiles(srcDir)
    .filter((f) => f.endsWith('.c'))
    .map((f) => join(srcDir, f));
  // Built beside its final name and renamed: a concurrent build or a crash never leaves half a binary there.
  const tmp = `${out}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(out), { recursive: true, mode: 0o755 });
  } catch (e) {
    throw new SetupError('init', `${why}, and the cache directory ${dirname(out)} cannot be made: ${(e as Error).message}; set XDG_CACHE_HOME to a writable directory`, { cause: e });
  }
  const r = spawnSync(cc[0]!, [...cc.slice(1), '-O2', '-pthread', '-o', tmp, ...cFiles], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error || r.status !== 0) {
    rmSync(tmp, { force: true });
    const said = r.error ? r.error.message : `exit ${r.status ?? r.signal}: ${r.stderr.trim().split('\n').slice(-8).join('\n')}`;
    throw new SetupError('init', `${why}; building it from ${srcDir} with ${cc.join(' ')} failed (${said}): the C library's headers may be missing — ${INSTALL_A_COMPILER}`, { cause: r.error });
  }
  chmodSync(tmp, 0o755); // whatever the umask: writable by us alone (mustBeOurs)
  renameSync(tmp, out);
  return mustBeOurs(out, why);
}
