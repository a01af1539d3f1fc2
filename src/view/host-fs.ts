/**
 * The host's tree as the planner reads it (lstat, readlink, readdir), synchronously: a handful of
 * calls per run.
 *
 * The host's root is read once and kept while it stays the same: every view binds each top-level
 * entry, and reading them (a readdir, an lstat each, the symlinks' targets) was most of a plan's
 * cost, paid again by every run and every spare. The root's change time says when an entry came,
 * went or was renamed — a new directory, a symlink pointed elsewhere (made anew and renamed in), a
 * file replaced — and is checked once per plan (a synchronous stretch of this process, before its
 * next turn of the event loop). A root changed in the last seconds is not kept: its change time,
 * counted in the kernel's coarse ticks, could still miss a change in the same tick.
 */
import { lstatSync, readdirSync, readlinkSync, statSync, type BigIntStats } from 'node:fs';
import type { EntryKind, HostFs } from './types.js';

/** How long the root must have been unchanged before its snapshot is kept, in ns. */
const SETTLED_NS = 2_000_000_000n;

interface RootSnapshot {
  identity: string;
  /** Each entry's kind, by name, in readdir's order. */
  kinds: Map<string, EntryKind>;
  links: Map<string, string>;
}

const identityOf = (st: BigIntStats) => `${st.dev}:${st.ino}:${st.mtimeNs}:${st.ctimeNs}`;

/** The name of a top-level entry ('/usr' → 'usr'); undefined for any other path. */
const topLevel = (path: string) => (path.length > 1 && path.lastIndexOf('/') === 0 ? path.slice(1) : undefined);

export interface CachedHostFs extends HostFs {
  /** Whether the root's snapshot is kept now (for the tests). */
  kept(): boolean;
}

/** The tree below `top` as the host's (the tests give a directory of their own), its root cached. */
export function cachedHostFs(top = '', settledNs = SETTLED_NS): CachedHostFs {
  const at = (path: string) => top + path;
  const kindOf = (path: string): EntryKind => {
    try {
      const st = lstatSync(at(path));
      return st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'dir' : 'file';
    } catch {
      return 'missing';
    }
  };
  let snapshot: RootSnapshot | undefined;
  /** The snapshot was checked against the root in this synchronous stretch. */
  let checked = false;

  function root(): RootSnapshot | undefined {
    if (checked) return snapshot;
    checked = true;
    queueMicrotask(() => (checked = false));
    const st = statSync(at('/'), { bigint: true });
    const identity = identityOf(st);
    if (snapshot?.identity === identity) return snapshot;
    snapshot = undefined;
    const changed = st.ctimeNs > st.mtimeNs ? st.ctimeNs : st.mtimeNs;
    if (BigInt(Date.now()) * 1_000_000n - changed < settledNs) return undefined;
    const names = readdirSync(at('/'));
    const kinds = new Map(names.map((n) => [n, kindOf(`/${n}`)] as const));
    const links = new Map([...kinds].filter(([, k]) => k === 'symlink').map(([n]) => [n, readlinkSync(at(`/${n}`))] as const));
    // Read again after the entries: a change while they were read is not kept.
    if (identityOf(statSync(at('/'), { bigint: true })) !== identity) return undefined;
    snapshot = { identity, kinds, links };
    return snapshot;
  }

  return {
    kind(path) {
      const name = topLevel(path);
      const r = name === undefined ? undefined : root();
      return r ? (r.kinds.get(name!) ?? 'missing') : kindOf(path);
    },
    readlink(path) {
      const name = topLevel(path);
      return (name === undefined ? undefined : root()?.links.get(name)) ?? readlinkSync(at(path));
    },
    list(path) {
      const r = path === '/' ? root() : undefined;
      return r ? [...r.kinds.keys()] : readdirSync(at(path));
    },
    mode: (path) => statSync(at(path)).mode & 0o7777,
    kept: () => root() !== undefined,
  };
}

export const hostFs: HostFs = cachedHostFs();
