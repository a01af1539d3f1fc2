/**
 * What the view holds at each path while it is planned, so that a mount
 * point is always made inside the view, never on the host:
 *   made      a directory of the view's own (in one of its tmpfs): mkdir there
 *   host      a directory of a read-only host bind: nothing can be made in it.
 *             Where a mount point is missing in one, that directory is
 *             replaced by a tmpfs mirroring its entries (each bound back
 *             read-only, symlinks copied), and the mount point made in it —
 *             as bubblewrap makes its root a tmpfs of bound entries.
 *   writable  a read-write directory of unknown content (a rootfs copy, a
 *             volume, a writable bind): the init makes the directory there
 *   kernel    /proc, /sys: the kernel's, nothing is made in them
 * Paths resolve as inside the view: a host symlink in a bound directory
 * points into the view, not the host.
 */
import { SetupError } from '../spec/errors.js';
import type { HostFs, ViewOp } from './types.js';

type Node =
  | { kind: 'made' }
  | { kind: 'host'; path: string }
  | { kind: 'writable' }
  | { kind: 'kernel' }
  | { kind: 'file' }
  | { kind: 'symlink'; target: string }
  | { kind: 'missing' };

const MAX_LINKS = 40; // the kernel's ELOOP limit

export const parts = (path: string) => path.split('/').filter((p) => p && p !== '.');
const join = (dir: string, name: string) => (dir === '/' ? `/${name}` : `${dir}/${name}`);
const parent = (path: string) => path.slice(0, path.lastIndexOf('/')) || '/';

export class ViewTree {
  private readonly nodes = new Map<string, Node>();
  /** Host directories replaced by a mirror, in the order they were: read-only once the view is built. */
  readonly mirrored: string[] = [];

  constructor(
    readonly host: HostFs,
    root: 'made' | 'writable',
    /** Mirrors a previous planning pass found: made first, before anything is mounted below them. */
    private readonly premirror: ReadonlySet<string> = new Set(),
  ) {
    this.nodes.set('/', { kind: root });
  }

  made(path: string): void {
    this.nodes.set(path, { kind: 'made' });
  }
  hostDir(path: string, hostPath: string): void {
    this.nodes.set(path, { kind: 'host', path: hostPath });
  }
  writable(path: string): void {
    this.nodes.set(path, { kind: 'writable' });
  }
  kernel(path: string): void {
    this.nodes.set(path, { kind: 'kernel' });
  }
  file(path: string): void {
    this.nodes.set(path, { kind: 'file' });
  }
  symlink(path: string, target: string): void {
    this.nodes.set(path, { kind: 'symlink', target });
  }

  private child(dir: string, name: string): Node {
    const path = join(dir, name);
    const known = this.nodes.get(path);
    if (known) return known;
    const p = this.node(dir);
    if (p.kind === 'writable') return { kind: 'writable' };
    if (p.kind === 'kernel') return { kind: 'kernel' };
    if (p.kind !== 'host') return { kind: 'missing' }; // a made directory holds only what was made in it
    const hostPath = join(p.path, name);
    const kind = this.host.kind(hostPath);
    if (kind === 'dir') return { kind: 'host', path: hostPath };
    if (kind === 'symlink') return { kind: 'symlink', target: this.host.readlink(hostPath) };
    return kind === 'file' ? { kind: 'file' } : { kind: 'missing' };
  }

  private node(path: string): Node {
    if (path === '/') return this.nodes.get('/')!;
    return this.child(parent(path), path.slice(path.lastIndexOf('/') + 1));
  }

  /** A tmpfs in place of a host directory, with its entries bound back read-only. */
  mirror(path: string): ViewOp[] {
    const n = this.node(path);
    if (n.kind !== 'host') return [];
    const ops: ViewOp[] = [{ op: 'tmpfs', target: path, options: `mode=${this.host.mode(n.path).toString(8)}`, flags: ['nosuid', 'nodev'] }];
    for (const name of this.host.list(n.path).sort()) {
      const at = join(path, name);
      const from = join(n.path, name);
      const kind = this.host.kind(from);
      if (kind === 'symlink') {
        const target = this.host.readlink(from);
        ops.push({ op: 'symlink', target, path: at });
        this.symlink(at, target);
      } else if (kind === 'dir') {
        ops.push({ op: 'mkdir', path: at }, { op: 'bind', source: from, target: at, flags: ['rec', 'ro', 'nosuid', 'nodev', 'try'] });
        this.hostDir(at, from);
      } else if (kind === 'file') {
        ops.push({ op: 'file', path: at }, { op: 'bind', source: from, target: at, flags: ['ro', 'nosuid', 'nodev', 'try'] });
        this.file(at);
      }
    }
    this.made(path);
    this.mirrored.push(path);
    return ops;
  }

  /** The mirrors a previous pass asked for, shallowest first: to run before anything is mounted below them. */
  premirrorOps(): ViewOp[] {
    return [...this.premirror].sort((a, b) => parts(a).length - parts(b).length).flatMap((p) => this.mirror(p));
  }

  /**
   * Makes sure `path` exists in the view as a directory or file to mount on;
   * returns the steps that make it and the path with the view's symlinks resolved.
   */
  ensure(path: string, shape: 'dir' | 'file'): { ops: ViewOp[]; path: string } {
    const todo = parts(path);
    const ops: ViewOp[] = [];
    let cur = '/';
    let links = 0;
    while (todo.length) {
      const name = todo.shift()!;
      if (name === '..') {
        cur = parent(cur);
        continue;
      }
      const next = join(cur, name);
      const n = this.child(cur, name);
      const last = todo.length === 0;
      if (n.kind === 'symlink') {
        if (++links > MAX_LINKS) throw new SetupError('view', `${path}: too many levels of symbolic links`);
        if (n.target.startsWith('/')) cur = '/';
        todo.unshift(...parts(n.target));
        continue;
      }
      if (n.kind === 'file') {
        if (last && shape === 'file') return { ops, path: next };
        throw new SetupError('view', `${path}: ${next} is a file in the sandbox's view, not a directory`);
      }
      if (n.kind === 'missing') {
        const at = this.node(cur);
        if (at.kind === 'host') ops.push(...this.mirror(cur));
        const full = [name, ...todo].reduce(join, cur);
        let dir = cur;
        for (const p of [name, ...todo].slice(0, -1)) this.made((dir = join(dir, p)));
        if (shape === 'dir') {
          this.made(full);
          ops.push({ op: 'mkdir', path: full });
        } else {
          this.file(full);
          ops.push({ op: 'file', path: full });
        }
        return { ops, path: full };
      }
      if (n.kind === 'writable') {
        // Content unknown to the planner: the init makes what is missing (mkdir -p, or an empty file).
        const full = [name, ...todo].reduce(join, cur);
        ops.push(shape === 'dir' ? { op: 'mkdir', path: full } : { op: 'file', path: full });
        return { ops, path: full };
      }
      if (n.kind === 'kernel' && !last) {
        throw new SetupError('view', `${path}: under ${next}, the kernel's own filesystem; nothing can be mounted there`);
      }
      cur = next;
    }
    if (shape === 'file') throw new SetupError('view', `${path} is a directory in the sandbox's view, not a file`);
    return { ops, path: cur };
  }

  /** After a mount at `path`: what it holds from now on. */
  mounted(path: string, as: 'made' | 'writable' | 'file' | { host: string }): void {
    if (as === 'made') this.made(path);
    else if (as === 'writable') this.writable(path);
    else if (as === 'file') this.file(path);
    else this.hostDir(path, as.host);
  }
}
