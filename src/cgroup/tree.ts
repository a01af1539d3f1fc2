/**
 * A sandbox's cgroup with whatever cgroups were made below it (by a
 * privileged sandbox, a nested runtime): its processes are those of the whole
 * subtree, and it is removed depth-first.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readProcs } from './files.js';

/** The directories below `dir`, children before their parents (the order rmdir needs). */
export async function subtreeDirs(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const below = await Promise.all(entries.filter((e) => e.isDirectory()).map((e) => subtreeDirs(join(dir, e.name))));
  return [...below.flat(), ...entries.filter((e) => e.isDirectory()).map((e) => join(dir, e.name))].sort((a, b) => b.length - a.length);
}

/** Pids of the cgroup and of every cgroup below it; empty when it is gone. */
export async function subtreeProcs(dir: string): Promise<number[]> {
  const dirs = [dir, ...(await subtreeDirs(dir))];
  return (await Promise.all(dirs.map(readProcs))).flat();
}
