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
/** The kinds whose last report read no file it had not read before: their list is whole. */
const whole = new Set<string>();

/** What files.ts asks before reading `path` itself: its fetched text (null: the file does not exist), or undefined. */
export function fetchedText(path: string): string | null | undefined {
  for (const note of notes) note(path);
  return fetched.get(path)?.text;
}

/** The files the last report of this `kind` read under `dirs`: what a run's end may read before its report (native/src/run-end.h). */
export function aheadPaths(kind: string, dirs: readonly string[]): string[] {
  return [...(learned.get(kind) ?? [])].map((n) => {
    const slash = n.indexOf('/');
    return `${dirs[Number(n.slice(0, slash))]}/${n.slice(slash + 1)}`;
  });
}

/** Whether the last report of this `kind` read only files it had read before: the next will read those alone. */
export function aheadWhole(kind: string): boolean {
  return whole.has(kind);
}

/** Texts read already, as the helper's cgroup-read answers them (base64 each, "-" for a missing file), for `paths`. */
export interface ReadAlready {
  paths: readonly string[];
  value: string;
  /** The cgroups were removed after: a file the report reads that is not among `paths` was lost, and the report fails. */
  removed?: boolean;
}

function keep(read: ReadAlready, by: object): void {
  const texts = read.value.split(' ');
  read.paths.forEach((p, i) => fetched.set(p, { text: texts[i] === '-' ? null : Buffer.from(texts[i] ?? '', 'base64').toString('utf8'), by }));
}

/**
 * `read()` with the files that the last report of this `kind` read under `dirs` fetched first, in
 * one call — but those in `already` (read by the run's outer). `kind` names what decides which
 * files those are (the plan's hierarchies).
 */
export async function readingAhead<T>(kind: string, dirs: readonly string[], read: () => Promise<T>, already?: ReadAlready): Promise<T> {
  const known = learned.get(kind) ?? new Set<string>();
  learned.set(kind, known);
  const by = {};
  if (already) keep(already, by);
  const got = new Set(already?.paths);
  // With the cgroups removed there is nothing more to fetch: a file not read already is lost (below).
  const paths = already?.removed ? [] : aheadPaths(kind, dirs).filter((p) => !got.has(p));
  if (paths.length) {
    try {
      keep({ paths, value: await hostOp('cgroup', 'cgroup-read', ...paths) }, by);
    } catch {
      // Read file by file below, where the same failure shows as it always did.
    }
  }
  let grew = false;
  const lost: string[] = [];
  const note = (path: string) => {
    const i = dirs.findIndex((d) => path.startsWith(`${d}/`));
    if (i < 0) return;
    if (already?.removed && !got.has(path)) lost.push(path);
    const name = `${i}/${path.slice(dirs[i]!.length + 1)}`;
    if (known.has(name)) return;
    known.add(name);
    grew = true;
  };
  notes.add(note);
  try {
    const result = await read();
    if (lost.length) throw new Error(`the report read ${lost.join(', ')}, which the run's outer had not read before it removed the cgroups`);
    return result;
  } finally {
    notes.delete(note);
    if (grew) whole.delete(kind);
    else whole.add(kind);
    for (const p of [...paths, ...(already?.paths ?? [])]) if (fetched.get(p)?.by === by) fetched.delete(p);
  }
}
