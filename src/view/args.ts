/** The view's steps as cgbox-init's command line (`--op NAME ARGS...`, native/src/view.h). */
import type { MountFlag, ViewOp } from './types.js';

/** Mount flags as cgbox-init takes them, in the view's steps and in its host-ops mounts: a comma list, or '-'. */
export const flagWords = (f: readonly MountFlag[]) => (f.length ? f.join(',') : '-');
const flags = flagWords;

function argsOf(o: ViewOp): string[] {
  switch (o.op) {
    case 'root':
      return [o.staging, o.kind, o.kind === 'tmpfs' ? o.options : o.kind === 'bind' ? o.source : o.lower, o.early.length ? o.early.join(',') : '-'];
    case 'tmpfs':
      return [o.target, o.options, flags(o.flags)];
    case 'bind':
      return [o.source, o.target, flags(o.flags)];
    case 'mkdir':
    case 'file':
    case 'mask':
    case 'readonly':
    case 'detach':
      return [o.path];
    case 'symlink':
      return [o.target, o.path];
    case 'mount':
      return [o.fstype, o.target, flags(o.flags), o.data ?? '-'];
    case 'sysfs':
      return [o.target, flags(o.flags)];
    case 'setattr':
      return [o.path, flags(o.flags)];
    case 'detach-pseudo':
      return [o.keep.join(':')];
    case 'join':
      return [];
  }
}

/** By plan: kept plans (plan-memo.ts) are the same arrays run after run, and nothing changes a plan once made. */
const madeFor = new WeakMap<readonly ViewOp[], readonly string[]>();

export function viewArgs(ops: readonly ViewOp[]): readonly string[] {
  let args = madeFor.get(ops);
  if (!args) madeFor.set(ops, (args = ops.flatMap((o) => ['--op', o.op, ...argsOf(o)])));
  return args;
}
