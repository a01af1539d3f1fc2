/**
 * Where cgbox's init helper comes from, in the order tried — pure, so the
 * choice is unit-tested for every platform and setting:
 *
 * 1. `CGBOX_INIT=/path`: that file and nothing else (a helper of your own, a
 *    distribution's, or one run under an emulator).
 * 2. `native/bin/cgbox-init`: a checkout's own build (`npm run build`, `npm ci`),
 *    from the sources beside it. The package never ships it.
 * 3. `native/prebuilt/linux-<arch>/cgbox-init`: the static helper the package
 *    ships, for the `process.arch` this Node runs as (x64, arm64); skipped with
 *    `CGBOX_BUILD_FROM_SOURCE=1`.
 * 4. A build from `native/src` at first use, kept in the cache directory
 *    (init-build.ts): where no prebuilt helper fits, or when asked.
 */
import { join } from 'node:path';

/** The platforms the package ships a prebuilt helper for, as Node names them. */
export const PREBUILT_ARCHES: readonly string[] = ['x64', 'arm64'];

export type InitSource =
  | { kind: 'override'; path: string }
  | { kind: 'checkout'; path: string }
  | { kind: 'prebuilt'; path: string }
  | { kind: 'source'; why: string };

export interface InitHost {
  platform: string;
  arch: string;
}

/** The directory of the prebuilt helper for this host, or null when the package has none. */
export function prebuiltTarget(host: InitHost): string | null {
  return host.platform === 'linux' && PREBUILT_ARCHES.includes(host.arch) ? `linux-${host.arch}` : null;
}

/** The candidates for the package installed (or checked out) at `root`, in order. */
export function initSources(root: string, host: InitHost, env: NodeJS.ProcessEnv): InitSource[] {
  if (env.CGBOX_INIT) return [{ kind: 'override', path: env.CGBOX_INIT }];
  const sources: InitSource[] = [{ kind: 'checkout', path: join(root, 'native', 'bin', 'cgbox-init') }];
  const target = prebuiltTarget(host);
  if (env.CGBOX_BUILD_FROM_SOURCE === '1') {
    sources.push({ kind: 'source', why: 'CGBOX_BUILD_FROM_SOURCE=1 asks for a build from source' });
  } else if (target === null) {
    const shipped = PREBUILT_ARCHES.map((a) => `linux-${a}`).join(' and ');
    sources.push({ kind: 'source', why: `cgbox ships a prebuilt init helper for ${shipped}, not for ${host.platform}-${host.arch}` });
  } else {
    const path = join(root, 'native', 'prebuilt', target, 'cgbox-init');
    sources.push({ kind: 'prebuilt', path }, { kind: 'source', why: `${path} is absent (in a checkout of cgbox, \`npm run build\` makes native/bin/cgbox-init)` });
  }
  return sources;
}
