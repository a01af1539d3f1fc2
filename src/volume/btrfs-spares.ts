/**
 * Spare subvolumes: once a process has made two btrfs volumes of the same
 * kind (same template, same size), it keeps one more made ahead, limit set
 * and committed, so that the next sandbox takes it as it is instead of
 * waiting for a snapshot's commit (~3–10 ms) and a qgroup limit. It is taken
 * where it lies, under its own name: a rename would leave the pool's
 * transaction dirty, for the run's usage read to commit on the run's clock.
 * The next one is begun once a run is over, not beside it: the run's usage
 * read would wait for that snapshot's commit. A run that finds the spare
 * still being made (runs back to back) asks for one more of its kind to be
 * kept, up to MAX_PER_KIND. As with cgbox's spare inits, each serves one
 * sandbox only. CGBOX_STANDBY=0 turns them off; releaseSpareVolumes() deletes
 * them now, and they are deleted when the process exits — or by the reaper
 * (their names carry the owner's pid: cgbox-<pid>-<hex>-spare) after a
 * SIGKILL, or when one was still being made at exit (its snapshot finishes
 * after Node is gone).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { deleteSubvolume } from './btrfs-subvolume.js';
import { adHocRunName } from './names.js';

interface Spare {
  path: string;
  ready: Promise<boolean>;
  settled: boolean;
}

/** At most this many kinds are kept, the least recently used dropped first. */
const MAX_KINDS = 4;
/** At most this many spares of one kind, however fast its runs follow each other. */
const MAX_PER_KIND = 3;

/** Per kind, its spares, oldest first. */
const spares = new Map<string, Spare[]>();
const uses = new Map<string, number>();
/** Per kind, how many spares to keep: one, and one more each time a run found its spare not yet made. */
const wanted = new Map<string, number>();
let exitHook = false;

export const sparesEnabled = () => process.env['CGBOX_STANDBY'] !== '0';

/** Takes a spare of this kind; its path, or undefined when there is none (or it could not be made). */
export async function takeSpare(kind: string): Promise<string | undefined> {
  const spare = spares.get(kind)?.shift();
  if (!spare) return undefined;
  if (!spare.settled) wanted.set(kind, Math.min(MAX_PER_KIND, (wanted.get(kind) ?? 1) + 1));
  return (await spare.ready) ? spare.path : undefined;
}

/**
 * Counts a use of this kind; from the second on, makes spares in the background with `make` until as
 * many as wanted are ready or on their way. Called from a run's teardown: each is begun on the next
 * turn of the event loop, off the clock of that run's end.
 */
export function refillSpare(pool: string, kind: string, make: (path: string) => Promise<void>): void {
  const n = (uses.get(kind) ?? 0) + 1;
  uses.delete(kind);
  uses.set(kind, n); // most recently used last
  if (!sparesEnabled() || n < 2) return;
  const list = spares.get(kind) ?? [];
  spares.set(kind, list);
  while (list.length < (wanted.get(kind) ?? 1)) list.push(makeOne(pool, make));
  hookExit();
  for (const old of [...uses.keys()].filter((k) => spares.has(k)).slice(0, -MAX_KINDS)) void drop(old);
}

function makeOne(pool: string, make: (path: string) => Promise<void>): Spare {
  const path = join(pool, `${adHocRunName()}-spare`);
  const ready = new Promise<void>((turn) => setImmediate(turn))
    .then(() => make(path))
    .then(
      () => true,
      () => deleteSubvolume(path).then(() => false, () => false),
    );
  const spare: Spare = { path, ready, settled: false };
  void ready.then(() => (spare.settled = true)); // never rejects
  return spare;
}

async function drop(kind: string): Promise<void> {
  const list = spares.get(kind) ?? [];
  spares.delete(kind);
  wanted.delete(kind);
  await Promise.all(list.map(async (s) => (await s.ready) && (await deleteSubvolume(s.path).catch(() => {}))));
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
    const paths = [...spares.values()].flat().map((s) => s.path);
    if (!paths.length) return;
    try {
      execFileSync('btrfs', ['subvolume', 'delete', ...paths], { stdio: 'ignore' });
    } catch {
      // one still being made, or gone: the reaper takes what is left
    }
  });
}
