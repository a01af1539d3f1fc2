/**
 * A lock between cgbox processes for shared host state (address leases, the
 * btrfs pool, templates, the LVM volume group): proper-lockfile's mkdir lock,
 * whose holder refreshes its mtime, so that a crashed holder's lock goes stale
 * instead of blocking everyone for good. A lock found compromised while held
 * (its refresh failed: a stalled event loop, a removed state directory) is
 * reported to the holder as a SetupError at the end of its work — never thrown
 * from a timer, which would crash the caller's process.
 */
import lockfile from 'proper-lockfile';
import { SetupError } from '../spec/errors.js';
import { ensurePrivateDir } from './state-dir.js';

export interface LockOptions {
  /** The step a failure is reported as. */
  step: string;
  /** How old an unrefreshed lock must be to count as a dead holder's. */
  staleMs: number;
  /** How often the holder refreshes it (at most half of staleMs). */
  updateMs?: number;
  retries: { retries: number; factor?: number; minTimeout: number; maxTimeout: number };
}

export async function withLock<T>(dir: string, name: string, opts: LockOptions, fn: () => Promise<T>): Promise<T> {
  ensurePrivateDir(dir);
  const file = `${dir}/${name}`;
  let compromised: Error | undefined;
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(file, {
      realpath: false,
      stale: opts.staleMs,
      ...(opts.updateMs !== undefined ? { update: opts.updateMs } : {}),
      retries: opts.retries,
      onCompromised: (e) => void (compromised = e),
    });
  } catch (e) {
    throw new SetupError(opts.step, `could not take the lock ${file}.lock: ${(e as Error).message}`, { cause: e });
  }
  try {
    const result = await fn();
    if (compromised) throw new SetupError(opts.step, `the lock ${file}.lock was lost while held (${compromised.message}): another process may have taken it; try again`);
    return result;
  } finally {
    if (!compromised) await release().catch(() => {});
  }
}
