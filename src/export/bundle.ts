/**
 * An OCI bundle on disk: DIR/config.json, and, for a bundle of the host's
 * tree, DIR/rootfs holding the host's top-level symlinks (the config binds
 * the rest into it). `runc run --bundle DIR ID` runs it.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InvalidSpecError, PermissionError, SetupError } from '../spec/errors.js';
import type { OciExport } from './oci.js';

function isEmptyDir(dir: string): boolean {
  try {
    return readdirSync(dir).length === 0;
  } catch {
    return false;
  }
}

/** What to do about a failed write, by its errno: the message names the fix. */
function writeError(dir: string, e: unknown): Error {
  const code = (e as NodeJS.ErrnoException).code;
  const said = `writing the bundle into ${dir}: ${(e as Error).message}`;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new PermissionError(`${said}: name a directory this user may write (its parent must be writable and on a read-write filesystem), or run as its owner`, { cause: e });
  }
  if (code === 'ENOTDIR') return new InvalidSpecError('writeOCIBundle', dir, `a part of the path is a file, not a directory (${code}): name a directory path`);
  if (code === 'ENOSPC' || code === 'EDQUOT') return new SetupError('export bundle', `${said}: free space there, or name a directory on another filesystem`, { cause: e });
  return new SetupError('export bundle', said, { cause: e });
}

/**
 * Makes `dir` and its missing parents, each made one pushed to `made` (for the undo). Not
 * mkdirSync's recursive mode: in Node 20 it loops for ever where the kernel answers ENOENT for a
 * parent that exists (a new directory in /proc).
 */
function makeDirs(dir: string, made: string[]): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d) && d !== dirname(d); d = dirname(d)) missing.unshift(d);
  for (const d of missing) {
    mkdirSync(d);
    if (d === missing[0]) made.push(d);
  }
}

/**
 * Writes the bundle into `dir` (made, with any missing parents, if missing;
 * an existing one must be empty). Returns config.json's path. On any failure
 * it removes what it made — the directories it created, parents included —
 * and throws: InvalidSpecError for a directory that holds anything or a path
 * through a file, PermissionError where this user may not write, SetupError
 * for the rest.
 */
export function writeOCIBundle(dir: string, exported: OciExport): string {
  if (typeof dir !== 'string' || dir === '') throw new InvalidSpecError('writeOCIBundle', dir, 'expected the bundle directory');
  // A wrong argument is refused before anything is made.
  if (!exported?.config || !exported.rootfs) throw new InvalidSpecError('writeOCIBundle', exported, 'expected what builder.toOCI() returns');
  const fresh = !existsSync(dir);
  if (!fresh && !isEmptyDir(dir)) throw new InvalidSpecError('writeOCIBundle', dir, 'expected a new or empty directory for the bundle: remove it, or name another');
  const made: string[] = [];
  try {
    // The first directory made: removing it removes those made beneath it too.
    if (fresh) makeDirs(dir, made);
    if (exported.rootfs.inBundle) {
      const root = join(dir, exported.rootfs.path);
      mkdirSync(root, { mode: 0o755 });
      made.push(root);
      for (const link of exported.rootfs.symlinks) symlinkSync(link.target, join(root, link.path));
    }
    const config = join(dir, 'config.json');
    // Written new (wx): a file someone else put there meanwhile is refused and never removed. Ours,
    // once begun, is removed on failure: a write that fails halfway leaves a part of it.
    const text = `${JSON.stringify(exported.config, null, 2)}\n`;
    writeFileSync(config, '', { flag: 'wx' });
    made.push(config);
    writeFileSync(config, text);
    return config;
  } catch (e) {
    for (const path of made.reverse()) rmSync(path, { recursive: true, force: true });
    throw writeError(dir, e);
  }
}
