/**
 * Finds what crashed runs left behind and removes it: cgroups named
 * cgbox-<owner pid>-… whose owner is gone. A run killed with its Node process
 * (SIGKILL) leaves empty cgroups — its processes die by the parent-death
 * chain, but nobody is left to rmdir.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostCaps } from '../host/types.js';
import { driverFor } from '../cgroup/driver.js';
import { keepAlive } from '../host/keep-alive.js';
import { SetupError } from '../spec/errors.js';
import { removeCgroupDirs } from '../cgroup/apply.js';
import { PREFIX, ownerPid } from '../host/owners.js';
import { RESOURCES } from './resources.js';

export interface ReapOptions {
  /** Also remove cgroups of owners that are still alive (cgbox reap --all). */
  all?: boolean;
  /** Scan whole hierarchies (depth 8) instead of only the caller's own cgroups. */
  deep?: boolean;
}

function hierarchyRoots(caps: HostCaps, deep: boolean): string[] {
  return [...new Set(driverFor(caps).hierarchies(caps).map((h) => (deep ? h.mount : join(h.mount, h.callerPath))))];
}

async function findRunDirs(root: string, depth: number): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch {
    return [];
  }
  const found: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const path = join(root, e.name);
    if (e.name.startsWith(PREFIX)) found.push(path);
    else if (depth > 0) found.push(...(await findRunDirs(path, depth - 1)));
  }
  return found;
}

/** What a reap removed, and what it could not (each named with why): one failure never stops the rest. */
export interface Reaped {
  removed: string[];
  failed: string[];
}

/** Removes leftover run cgroups (and any below them); resolves with the paths removed, or rejects as reapAll does. */
export async function reapCgroups(caps: HostCaps, opts: ReapOptions = {}): Promise<string[]> {
  return settled(await reapCgroupDirs(caps, opts));
}

function settled(r: Reaped): string[] {
  if (r.failed.length) {
    throw Object.assign(new SetupError('reap', `removed ${r.removed.length} leftovers, but not: ${r.failed.join('; ')}`), { removed: r.removed });
  }
  return r.removed;
}

async function reapCgroupDirs(caps: HostCaps, opts: ReapOptions, out: Reaped = { removed: [], failed: [] }): Promise<Reaped> {
  for (const root of hierarchyRoots(caps, opts.deep ?? false)) {
    for (const dir of await findRunDirs(root, opts.deep ? 8 : 0)) {
      const owner = ownerPid(dir.slice(dir.lastIndexOf('/') + 1));
      if (!opts.all && owner !== undefined && existsSync(`/proc/${owner}`)) continue;
      try {
        await driverFor(caps).killDir(dir).catch(() => {});
        await removeCgroupDirs([dir]);
        out.removed.push(dir);
      } catch (e) {
        out.failed.push(`${dir}: ${(e as Error).message}`);
      }
    }
  }
  return out;
}

/**
 * Everything crashed runs left: cgroups, then each resource driver's objects;
 * resolves with a line per object removed. Keeps the process alive until
 * done. What could not be removed does not stop the rest: once all was tried,
 * it rejects with a SetupError (step 'reap') that names each, with `.removed`.
 */
export async function reapAll(caps: HostCaps, opts: ReapOptions = {}): Promise<string[]> {
  return settled(await keepAlive(reapInBackground(caps, opts)));
}

/** One reap at a time in a process: a caller's reapAll() waits for the first run's background reap instead of racing it. */
let last: Promise<unknown> = Promise.resolve();

/** The same, without holding the process open: the first run's reap goes on beside it. */
export function reapInBackground(caps: HostCaps, opts: ReapOptions = {}): Promise<Reaped> {
  const mine = last.catch(() => {}).then(async () => {
    const out = await reapCgroupDirs(caps, opts);
    for (const r of RESOURCES) {
      try {
        if (r.reap) out.removed.push(...(await r.reap({ all: opts.all ?? false })));
      } catch (e) {
        out.failed.push(`${r.name}: ${(e as Error).message}`);
      }
    }
    return out;
  });
  last = mine;
  return mine;
}
