/**
 * The path of cgbox's init helper, found once per process in the order of
 * init-sources.ts: CGBOX_INIT, a checkout's native/bin, the prebuilt helper
 * for this architecture, then a build from native/src into the cache.
 */
import { chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SetupError } from '../spec/errors.js';
import { buildInit, executable } from './init-build.js';
import { initSources } from './init-sources.js';

/** The package's root sits two levels above both src/host and dist/host. */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const found = new Map<string, string>();

export function initBinary(env: NodeJS.ProcessEnv = process.env): string {
  const key = `${env.CGBOX_INIT ?? ''}\0${env.CGBOX_BUILD_FROM_SOURCE ?? ''}`;
  let path = found.get(key);
  if (path === undefined || !executable(path)) {
    path = resolveInit(env);
    found.set(key, path);
  }
  return path;
}

function resolveInit(env: NodeJS.ProcessEnv): string {
  let unusable: string | undefined;
  for (const s of initSources(ROOT, process, env)) {
    switch (s.kind) {
      case 'override':
        if (executable(s.path)) return s.path;
        throw new SetupError('init', `CGBOX_INIT=${s.path} is not an executable file: point it at a cgbox-init, or unset it`);
      case 'checkout':
        if (executable(s.path)) return s.path;
        break;
      case 'prebuilt':
        if (executable(s.path) || restoreExecBit(s.path)) return s.path;
        if (existsSync(s.path)) unusable = `${s.path} is not executable and cannot be made so`;
        break;
      case 'source':
        return buildInit(join(ROOT, 'native', 'src'), unusable ?? s.why, env);
    }
  }
  throw new SetupError('init', 'no source of the init helper was tried'); // initSources always ends with 'source'
}

/** An unpacker that dropped the file's mode leaves the helper unexecutable: give it back where we may. */
function restoreExecBit(path: string): boolean {
  if (!existsSync(path)) return false;
  try {
    chmodSync(path, 0o755);
  } catch {
    return false;
  }
  return executable(path);
}
