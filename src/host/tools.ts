/**
 * Finding the host tools cgbox runs (ip, tc, nft, mount, losetup, mkfs…) as a
 * login shell would: they live in sbin directories that a non-login PATH (su
 * without -, cron, a service) may lack.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The caller's PATH, then the sbin directories it lacks. */
export function toolPath(): string {
  const dirs = (process.env.PATH || '/usr/bin:/bin').split(delimiter).filter(Boolean);
  return [...dirs, ...['/usr/local/sbin', '/usr/sbin', '/sbin'].filter((d) => !dirs.includes(d))].join(delimiter);
}

/** The environment to run a tool in: the caller's, with toolPath() and the C locale (messages are parsed). */
export function toolEnv(): NodeJS.ProcessEnv {
  return { ...process.env, PATH: toolPath(), LC_ALL: 'C' };
}

/** Where `tool` is found (toolPath()), as an absolute path, or null. */
export function which(tool: string): string | null {
  for (const dir of toolPath().split(delimiter)) {
    try {
      accessSync(join(dir, tool), constants.X_OK);
      return join(dir, tool);
    } catch {
      // not here
    }
  }
  return null;
}

export function onPath(tool: string): boolean {
  return which(tool) !== null;
}
