/**
 * A sandbox's cgroup with whatever cgroups were made below it (by a
 * privileged sandbox, a nested runtime): its processes are those of the whole
 * subtree (the host-ops helper removes it depth-first: native/src/cgroup-ops.c).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readProcs } from './files.js';

/** The directories below `dir`. Synchronous, as files.ts explains. */
function below(dir: string): string[] {
  let entries;
  try {
    // A cgroup directory's link count is 2 and one per cgroup below it (kernfs keeps it so): most
    // have none, and a stat says so without listing its dozens of files.
    if (statSync(dir).nlink <= 2) return [];
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const dirs = entries.filter((e) => e.isDirectory()).map((e) => join(dir, e.name));
  return [...dirs.flatMap(below), ...dirs];
}

/** Pids of the cgroup and of every cgroup below it; empty when it is gone. */
export async function subtreeProcs(dir: string): Promise<number[]> {
  const dirs = [dir, ...below(dir)];
  return (await Promise.all(dirs.map(readProcs))).flat();
}
