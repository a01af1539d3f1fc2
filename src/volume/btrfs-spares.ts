/**
 * Spare subvolumes: once a process has made two btrfs volumes of the same
 * kind (same template, same size), it keeps one more made in the background,
 * limit set, so that the next sandbox takes it with a rename instead of
 * waiting for a snapshot's commit (~3–10 ms) and a qgroup limit. As with
 * cgbox's spare inits, each serves one sandbox only. CGBOX_STANDBY=0 turns
 * them off; releaseSpareVolumes() deletes them now, and they are deleted
 * when the process exits — or by the reaper (their names carry the owner's
 * pid: cgbox-<pid>-<hex>-spare) after a SIGKILL, or when one was still
 * being made at exit (its snapshot finishes after Node is gone).
 */
import { execFileSync } from 'node:child_process';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { deleteSubvolume } from './btrfs-subvolume.js';
import { adHocRunName } from './names.js';

interface Spare {
  path: string;
  ready: Promise<boolean>;
}

/** At most this many kinds are kept, the least recently used dropped first. */
const MAX_KINDS = 4;

const spares = new Map<string, Spare>();
const uses = new Map<string, number>();
let exitHook = false;

export const sparesEnabled = () => process.env['CGBOX_STANDBY'] !== '0';

/** Takes the spare of this kind, renamed to `path`; false when there is none ready. */
export async function takeSpare(kind: string, path: string): Promise<boolean> {
  const spare = spares.get(kind);
  if (!spare) return false;
  spares.delete(kind);
  if (!(await spare.ready)) return false;
  await rename(spare.path, path);
  return true;
}

/** Counts a use of this kind; from the second on, makes the next spare in the background with `make`. */
export function refillSpare(pool: string, kind: string, make: (path: string) => Promise<void>): void {
  const n = (uses.get(kind) ?? 0) + 1;
  uses.delete(kind);
  uses.set(kind, n); // most recently used last
  if (!sparesEnabled() || n < 2 || spares.has(kind)) return;
  const path = join(pool, `${adHocRunName()}-spare`);
  const ready = make(path).then(
    () => true,
    () => deleteSubvolume(path).then(() => false, () => false),
  );
  spares.set(kind, { path, ready });
  hookExit();
  for (const old of [...uses.keys()].filter((k) => spares.has(k)).slice(0, -MAX_KINDS)) void drop(old);
}

async function drop(kind: string): Promise<void> {
  const spare = spares.get(kind);
  spares.delete(kind);
  if (spare && (await spare.ready)) await deleteSubvolume(spare.path).catch(() => {});
}

/** Deletes every spare now (waiting for those being made): before a check for leftovers, say. */
export async function releaseSpareVolumes(): Promise<void> {
  await Promise.all([...spares.keys()].map(drop));
}

/** At exit nothing asynchronous runs any more: one synchronous `btrfs subvolume delete` of them all. */
function hookExit(): void {
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    const paths = [...spares.values()].map((s) => s.path);
    if (!paths.length) return;
    try {
      execFileSync('btrfs', ['subvolume', 'delete', ...paths], { stdio: 'ignore' });
    } catch {
      // one still being made, or gone: the reaper takes what is left
    }
  });
}
