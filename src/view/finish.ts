/** Once every mount point is made: the view's own root and the mirrors read-only, like the host's tree they stand for. */
import type { Layer } from './layer.js';
import type { ViewOp } from './types.js';

export const finishLayer: Layer = {
  name: 'finish',
  modes: ['default', 'rootfs'],
  ops(ctx, tree) {
    const ops: ViewOp[] = tree.mirrored.map((path) => ({ op: 'setattr', path, flags: ['ro'] }) as const);
    // A rootfs copy stays writable: it is the run's own, gone at teardown.
    if (ctx.mode === 'default') ops.push({ op: 'setattr', path: '/', flags: ['ro'] });
    return ops;
  },
};
