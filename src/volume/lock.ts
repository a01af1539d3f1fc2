/**
 * A lock between processes for shared volume state (making the btrfs pool,
 * a template, the LVM volume group): proper-lockfile's mkdir lock, whose
 * holder refreshes its mtime, so a crashed holder's lock goes stale after
 * 10 s instead of blocking everyone forever.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { SetupError } from '../spec/errors.js';
import { locksDir, type VolumeConfig } from './config.js';

/** Waits up to about a minute (25 ms polls): a template of a big directory may take that long to copy. */
const RETRIES = { retries: 2400, factor: 1, minTimeout: 25, maxTimeout: 25 };

export async function withLock<T>(config: VolumeConfig, name: string, fn: () => Promise<T>): Promise<T> {
  const dir = locksDir(config);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, name);
  let compromised: Error | undefined;
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(file, { realpath: false, stale: 10_000, retries: RETRIES, onCompromised: (e) => void (compromised = e) });
  } catch (e) {
    throw new SetupError('volume', `lock ${file}: ${(e as Error).message}`, { cause: e });
  }
  try {
    const result = await fn();
    if (compromised) throw new SetupError('volume', `lock ${file} was lost while held: ${compromised.message}`);
    return result;
  } finally {
    await release().catch(() => {});
  }
}
