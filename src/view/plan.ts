/**
 * The whole view of a run: every layer that applies to its mode, in order.
 * Planned twice: the first pass finds the host directories that need a
 * mirror (a mount point missing in a read-only bind), the second makes those
 * mirrors right after the host's tree is bound, before anything is mounted
 * below them.
 */
import { LAYERS } from './layers.js';
import { ViewTree } from './tree.js';
import type { ViewContext, ViewOp } from './types.js';

function pass(ctx: ViewContext, premirror: ReadonlySet<string>): { ops: ViewOp[]; tree: ViewTree } {
  const tree = new ViewTree(ctx.host, ctx.mode === 'default' ? 'made' : 'writable', premirror);
  const ops = LAYERS.filter((l) => l.modes.includes(ctx.mode)).flatMap((l) => l.ops(ctx, tree));
  return { ops, tree };
}

export function planView(ctx: ViewContext): ViewOp[] {
  const first = pass(ctx, new Set());
  if (!first.tree.mirrored.length) return first.ops;
  return pass(ctx, new Set(first.tree.mirrored)).ops;
}
