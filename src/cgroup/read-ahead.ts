/**
 * A run's counters fetched in one call of the host-ops helper (cgroup-read)
 * instead of a read each on Node's thread: on cgroup v1 a report is a dozen
 * files in four hierarchies, and the kernel's work for them (memory.stat sums
 * every CPU's counters) was Node's own CPU time.
 *
 * Which files a report reads is learned, not listed: the first report of a
 * kind of plan reads file by file as before and notes each path under the
 * plan's directories; the next ones fetch those first, and the controllers'
 * reads (files.ts) take their text from here. A file not fetched is read as
 * before and noted for the next time, so a controller's reads never have to
 * be declared twice, and a helper that fails costs speed, not the report.
 */
import { hostOp } from '../host/host-ops.js';

interface Fetched {
  text: string | null;
  /** The fetch it came from: one that ends removes its own texts only. */
  by: object;
}

const fetched = new Map<string, Fetched>();
const notes = new Set<(path: string) => void>();
/** By kind of plan: the files its report read, as "INDEX/FILE" — the directory's place in the plan, the file's name. */
const learned = new Map<string, Set<string>>();

/** What files.ts asks before reading `path` itself: its fetched text (null: the file does not exist), or undefined. */
export function fetchedText(path: string): string | null | undefined {
  for (const note of notes) note(path);
  return fetched.get(path)?.text;
}

/**
 * `read()` with the files that the last report of this `kind` read under `dirs` fetched first, in
 * one call. `kind` names what decides which files those are (the plan's hierarchies).
 */
export async function readingAhead<T>(kind: string, dirs: readonly string[], read: () => Promise<T>): Promise<T> {
  let names = learned.get(kind);
  if (!names) learned.set(kind, (names = new Set()));
  const known = names;
  const paths = [...known].map((n) => {
    const slash = n.indexOf('/');
    return `${dirs[Number(n.slice(0, slash))]}/${n.slice(slash + 1)}`;
  });
  const by = {};
  if (paths.length) {
    try {
      const texts = (await hostOp('cgroup', 'cgroup-read', ...paths)).split(' ');
      paths.forEach((p, i) => fetched.set(p, { text: texts[i] === '-' ? null : Buffer.from(texts[i] ?? '', 'base64').toString('utf8'), by }));
    } catch {
      // Read file by file below, where the same failure shows as it always did.
    }
  }
  const note = (path: string) => {
    const i = dirs.findIndex((d) => path.startsWith(`${d}/`));
    if (i >= 0) known.add(`${i}/${path.slice(dirs[i]!.length + 1)}`);
  };
  notes.add(note);
  try {
    return await read();
  } finally {
    notes.delete(note);
    for (const p of paths) if (fetched.get(p)?.by === by) fetched.delete(p);
  }
}
