/**
 * An OCI bundle on disk: DIR/config.json, and, for a bundle of the host's
 * tree, DIR/rootfs holding the host's top-level symlinks (the config binds
 * the rest into it). `runc run --bundle DIR ID` runs it.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidSpecError, SetupError } from '../spec/errors.js';
import type { OciExport } from './oci.js';

function isEmptyDir(dir: string): boolean {
  try {
    return readdirSync(dir).length === 0;
  } catch {
    return false;
  }
}

/** Writes the bundle into `dir` (made if missing; an existing one must be empty). Returns config.json's path. */
export function writeOCIBundle(dir: string, exported: OciExport): string {
  if (typeof dir !== 'string' || dir === '') throw new InvalidSpecError('writeOCIBundle', dir, 'expected the bundle directory');
  const fresh = !existsSync(dir);
  if (!fresh && !isEmptyDir(dir)) throw new InvalidSpecError('writeOCIBundle', dir, 'expected a new or empty directory for the bundle: remove it, or name another');
  const made: string[] = [];
  try {
    if (fresh) {
      mkdirSync(dir, { recursive: true });
      made.push(dir);
    }
    if (exported.rootfs.inBundle) {
      const root = join(dir, exported.rootfs.path);
      mkdirSync(root, { mode: 0o755 });
      made.push(root);
      for (const link of exported.rootfs.symlinks) symlinkSync(link.target, join(root, link.path));
    }
    const config = join(dir, 'config.json');
    writeFileSync(config, `${JSON.stringify(exported.config, null, 2)}\n`, { flag: 'wx' });
    return config;
  } catch (e) {
    for (const path of made.reverse()) rmSync(path, { recursive: true, force: true });
    throw new SetupError('export bundle', `writing the bundle into ${dir}: ${(e as Error).message}`, { cause: e });
  }
}
